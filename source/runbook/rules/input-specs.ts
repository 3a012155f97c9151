// Checks each input's spec for what the schema alone cannot see: keys that
// do not fit the type, a pattern that cannot be used (bad-pattern), and a
// literal default the input itself would refuse.

import {validateInputValue} from '../inputs.js';
import {checkPattern} from '../pattern.js';
import type {InputSpec, Position} from '../model.js';
import type {LintContext} from './context.js';

const RANGED_TYPES = new Set(['integer', 'port']);

const indentOf = (line: string): number => line.length - line.trimStart().length;

/**
 * The position of `key:` within an input's mapping in the front matter, or
 * the input's own name when it is written in flow style (`{type: …}`).
 */
const keyPosition = (ctx: LintContext, input: InputSpec, key: string): Position => {
	const nameIndent = input.position.column - 1;
	let keyIndent: number | undefined;
	for (let index = input.position.line; index < ctx.lines.length; index++) {
		const line = ctx.lines[index]!;
		if (line.trim() === '') continue;
		const indent = indentOf(line);
		if (indent <= nameIndent) break;
		// Only the input's own keys, not lines inside a multi-line value.
		keyIndent ??= indent;
		if (indent === keyIndent && line.trimStart().startsWith(`${key}:`)) return {line: index + 1, column: indent + 1};
	}
	return input.position;
};

const isEnvName = (name: string): boolean => {
	const first = name[0] ?? '';
	const nameChar = (char: string) => (char >= 'A' && char <= 'Z') || (char >= 'a' && char <= 'z') || char === '_';
	return nameChar(first) && [...name].every(char => nameChar(char) || (char >= '0' && char <= '9'));
};

/** Fewer characters than this are masked on disk but not on screen (engine/mask.ts MIN_MASKED_ON_SCREEN). */
const MIN_MASKED = 4;
const SHORT_SAMPLES = ['a', 'ab', 'abc', 'A', 'AB', 'ABC', '1', '12', '123', 'aB1', '_', '-', '!', '#$%'];

/**
 * A secret that may be a letter or two cannot be masked on screen (masking
 * every "a" would spell it out): the author is told, and shown how to ask for
 * a longer one.
 */
const shortSecret = (ctx: LintContext, input: InputSpec) => {
	const accepted = input.pattern === undefined ? 'a' : SHORT_SAMPLES.find(sample => validateInputValue(input, sample).ok);
	if (accepted === undefined) return;
	ctx.report(
		keyPosition(ctx, input, input.pattern === undefined ? 'type' : 'pattern'),
		'warning',
		'short-secret',
		`${input.name}: ${input.pattern === undefined ? 'any value is accepted, also' : `the pattern accepts "${accepted}", so also`} a secret shorter than ${MIN_MASKED} characters, which is masked in the records on disk but not on screen (masking a letter or two everywhere would show it as well); ask for enough characters, e.g. pattern: ".{12,}"`,
	);
};

export const inputSpecs = (ctx: LintContext) => {
	for (const input of ctx.runbook.meta.inputs) {
		const bad = (key: string, message: string) => ctx.report(keyPosition(ctx, input, key), 'error', 'bad-default', `${input.name}: ${message}`);
		let checkable = true;
		if (input.type === 'enum' && (input.values === undefined || input.values.length === 0)) {
			bad('type', 'an enum input needs `values`, the list of allowed choices');
			checkable = false;
		}
		if (input.type !== 'enum' && input.values !== undefined) {
			bad('values', `\`values\` only applies to enum inputs, not to ${input.type}`);
		}
		for (const key of ['min', 'max'] as const) {
			if (input[key] !== undefined && !RANGED_TYPES.has(input.type)) {
				bad(key, `\`${key}\` only applies to integer and port inputs, not to ${input.type}`);
			}
		}
		if (input.min !== undefined && input.max !== undefined && input.min > input.max) {
			bad('min', `min (${input.min}) is greater than max (${input.max}): no value can be accepted`);
		}
		if (input.pattern !== undefined) {
			// Not valid, not expressible in linear time, too long or too costly: the values cannot be checked.
			const problem = checkPattern(input.pattern);
			if (problem) {
				ctx.report(keyPosition(ctx, input, 'pattern'), 'error', 'bad-pattern', `${input.name}: ${problem}`);
				checkable = false;
			}
		}
		if (input.type === 'secret' && checkable) shortSecret(ctx, input);
		const from = input.defaultFrom;
		if (from !== undefined && from !== 'ssh-client' && !(from.startsWith('env:') && isEnvName(from.slice(4)))) {
			bad('default-from', `default-from "${from}" is not a source: use ssh-client or env:NAME (an environment variable's name)`);
		}
		if (input.default === undefined) continue;
		if (input.type === 'secret') {
			bad('default', 'a secret must not have a literal default: anything in the runbook file is not secret; use default-from: env:NAME');
		} else if (checkable) {
			const checked = validateInputValue(input, input.default);
			if (!checked.ok) bad('default', `the default is refused: ${checked.message}`);
		}
	}
};
