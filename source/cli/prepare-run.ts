// Everything that must be right before a run starts: the runbook (found,
// readable, lint-clean), the inputs (all valid), the requirements (met).
// Each failure is a message that says what to do, with the documented exit code.

import {readFileSync} from 'node:fs';
import {parse as parseYaml} from 'yaml';
import {discoverRunbooks, resolveRunbook} from '../runbook/discover.js';
import {parseRunbookBytes} from '../runbook/parse.js';
import {formatDiagnostic, lintRunbook} from '../runbook/lint.js';
import type {Runbook} from '../runbook/model.js';
import {resolveInputs} from '../engine/resolve-inputs.js';
import {checkRequirements, currentHost} from '../engine/requirements.js';
import {CliError, usageError} from './errors.js';
import {EXIT} from './exit-codes.js';
import type {CliContext} from './context.js';

export const loadRunbook = async (ctx: CliContext, ref: string): Promise<Runbook> => {
	const found = resolveRunbook(ref, discoverRunbooks(ctx.env, ctx.cwd), ctx.cwd);
	if (!found.ok) {
		const hint = found.suggestions.length ? `Did you mean: ${found.suggestions.join(', ')}?` : 'See the runbooks found with: rampart list';
		throw usageError(found.message, hint);
	}
	return loadRunbookFile(found.entry.path);
};

export const loadRunbookFile = async (path: string): Promise<Runbook> => {
	let bytes: Buffer;
	try {
		bytes = readFileSync(path);
	} catch (error) {
		throw usageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
	}
	const parsed = parseRunbookBytes(path, bytes);
	const errors = (await lintRunbook(parsed, {shellcheck: false})).filter(d => d.severity === 'error');
	if (errors.length > 0 || !parsed.runbook) {
		throw usageError(
			`${path} has ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was run:\n${errors.map(formatDiagnostic).join('\n')}`,
			'Fix them (rampart lint shows them too), then run again.',
		);
	}
	return parsed.runbook;
};

const ENV_PREFIX = 'RAMPART_INPUT_';

/** Inputs from, lowest precedence first: RAMPART_INPUT_K, --inputs FILE, --input K=V. */
export const gatherInputs = (ctx: CliContext, pairs: string[], file?: string): Record<string, string> => {
	const given: Record<string, string> = {};
	for (const [key, value] of Object.entries(ctx.env)) {
		if (key.startsWith(ENV_PREFIX) && value !== undefined) given[key.slice(ENV_PREFIX.length)] = value;
	}
	if (file) {
		let data: unknown;
		try {
			data = parseYaml(readFileSync(file, 'utf8'));
		} catch (error) {
			throw usageError(`--inputs ${file}: ${(error as Error).message.split('\n')[0]}`);
		}
		if (typeof data !== 'object' || data === null || Array.isArray(data)) throw usageError(`--inputs ${file}: expected a YAML mapping of NAME: value`);
		for (const [key, value] of Object.entries(data)) {
			if (typeof value === 'object' && value !== null) throw usageError(`--inputs ${file}: the value of ${key} must be a single value`);
			given[key] = Array.isArray(value) ? value.join(' ') : String(value);
		}
	}
	for (const pair of pairs) {
		const eq = pair.indexOf('=');
		if (eq <= 0) throw usageError(`--input ${JSON.stringify(pair)}: write it as NAME=value`);
		given[pair.slice(0, eq)] = pair.slice(eq + 1);
	}
	return given;
};

export const validatedInputs = (runbook: Runbook, given: Record<string, string>, env: NodeJS.ProcessEnv): Record<string, string> => {
	const {values, problems} = resolveInputs(runbook, given, env);
	if (problems.length > 0) {
		const lines = problems.map(p => `  ${p.input}: ${p.message}`);
		// Show how to pass an input the runbook takes, never one it does not.
		const declared = new Set(runbook.meta.inputs.map(i => i.name));
		const example = problems.find(p => declared.has(p.input))?.input ?? runbook.meta.inputs[0]?.name;
		throw usageError(
			`invalid or missing input${problems.length === 1 ? '' : 's'} for ${runbook.id}; nothing was run:\n${lines.join('\n')}`,
			example ? `Pass inputs with --input ${example}=VALUE, --inputs FILE.yaml, or the environment variable ${ENV_PREFIX}${example}.` : undefined,
		);
	}
	return values;
};

export const ensureRequirements = (runbook: Runbook, env: NodeJS.ProcessEnv) => {
	const problems = checkRequirements(runbook.meta.requires, currentHost(env));
	if (problems.length > 0) {
		throw new CliError(`${runbook.id} cannot run here; nothing was run:\n${problems.map(p => `  ${p.message}`).join('\n')}`, EXIT.requirements);
	}
};
