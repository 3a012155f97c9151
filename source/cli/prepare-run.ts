// What the command line gives a run: input values from flags, a file and
// the environment, and runbooks loaded for the commands that only read them.
// The rules before a run are the controller's (engine/open-run.ts).

import {readFileSync} from 'node:fs';
import {parse as parseYaml} from 'yaml';
import {loadRunbook as loadForRun} from '../engine/open-run.js';
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
