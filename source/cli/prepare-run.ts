// What the command line gives a run: input values from flags, a file and
// the environment, and runbooks loaded for the commands that only read them.
// The rules before a run are the controller's (engine/open-run.ts).

import {readFileSync, statSync} from 'node:fs';
import {parse as parseYaml} from 'yaml';
import {loadRunbook as loadForRun, type InputSource} from '../engine/open-run.js';
import type {Runbook} from '../runbook/model.js';
import {usageError} from './errors.js';
import type {CliContext} from './context.js';

/** A runbook for a command that reads it (approve, plan); one that cannot be loaded is a usage error. */
export const loadRunbook = async (ctx: CliContext, ref: string): Promise<Runbook> => {
	const loaded = await loadForRun(ctx, ref);
	if (!loaded.ok) throw usageError(loaded.message, loaded.hint);
	return loaded.runbook;
};

export const INPUT_ENV_PREFIX = 'RAMPART_INPUT_';
const ENV_PREFIX = INPUT_ENV_PREFIX;

/** Where a file's value came from, for the rule that secrets never come from a place others can read. */
const fileSource = (file: string): InputSource => ((statSync(file).mode & 0o077) === 0 ? 'private-file' : 'shared-file');

/** `@FILE` reads the value from a file (one final newline dropped), `@-` from stdin; `@@…` is a literal `@…`. */
const fromFile = (name: string, spec: string): {value: string; source: InputSource} => {
	if (spec.startsWith('@')) return {value: spec, source: 'command-line'};
	const target = spec === '-' ? 0 : spec;
	try {
		const value = readFileSync(target, 'utf8').replace(/\r?\n$/, '');
		return {value, source: typeof target === 'number' ? 'stdin' : fileSource(target)};
	} catch (error) {
		throw usageError(`--input ${name}=@${spec}: cannot read ${spec === '-' ? 'stdin' : spec}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
	}
};

export interface GivenInputs {
	values: Record<string, string>;
	/** Where each value came from (see engine/open-run.ts: a secret from the command line or a file others can read is refused). */
	sources: Record<string, InputSource>;
}

/**
 * Inputs from, lowest precedence first: RAMPART_INPUT_K, --inputs FILE,
 * --input K=V (K=@FILE or K=@- read the value from a file or stdin).
 */
export const gatherInputs = (ctx: CliContext, pairs: string[], file?: string): GivenInputs => {
	const values: Record<string, string> = {};
	const sources: Record<string, InputSource> = {};
	const give = (name: string, value: string, source: InputSource) => {
		values[name] = value;
		sources[name] = source;
	};
	for (const [key, value] of Object.entries(ctx.env)) {
		if (key.startsWith(ENV_PREFIX) && value !== undefined) give(key.slice(ENV_PREFIX.length), value, 'environment');
	}
	if (file) {
		let data: unknown;
		let source: InputSource;
		try {
			data = parseYaml(readFileSync(file, 'utf8'));
			source = fileSource(file);
		} catch (error) {
			throw usageError(`--inputs ${file}: ${(error as Error).message.split('\n')[0]}`);
		}
		if (typeof data !== 'object' || data === null || Array.isArray(data)) throw usageError(`--inputs ${file}: expected a YAML mapping of NAME: value`);
		for (const [key, value] of Object.entries(data)) {
			if (typeof value === 'object' && value !== null) throw usageError(`--inputs ${file}: the value of ${key} must be a single value`);
			give(key, Array.isArray(value) ? value.join(' ') : String(value), source);
		}
	}
	for (const pair of pairs) {
		const eq = pair.indexOf('=');
		if (eq <= 0) throw usageError(`--input ${JSON.stringify(pair)}: write it as NAME=value`);
		const name = pair.slice(0, eq);
		const raw = pair.slice(eq + 1);
		if (raw.startsWith('@')) {
			const read = fromFile(name, raw.slice(1));
			give(name, read.value, read.source);
		} else give(name, raw, 'command-line');
	}
	return {values, sources};
};
