// Rampart's settings: the system-wide file first, then the operator's own (or
// the one $RAMPART_CONFIG names), keys in a later file overriding the same
// keys in an earlier one. Read whole on each call: they are two small files.

import fs from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';
import {parseDocument} from 'yaml';
import {z} from 'zod';
import {settingsSchema, type Settings} from './schema.js';
import {SettingsError} from './settings-error.js';

export type {Settings} from './schema.js';
export {SettingsError} from './settings-error.js';

export const SYSTEM_CONFIG = '/etc/rampart/config.yaml';

/** The operator's own file: $RAMPART_CONFIG if set, else config.yaml in the per-user config directory. */
export const userConfigPath = (env: NodeJS.ProcessEnv = process.env): string => {
	const named = env['RAMPART_CONFIG'];
	return named ? path.resolve(named) : path.join(envPaths('rampart', {suffix: ''}).config, 'config.yaml');
};

/**
 * The system-wide file. `$RAMPART_SYSTEM_CONFIG` moves it, for tests and
 * for a package that keeps its configuration elsewhere.
 */
export const systemConfigPath = (env: NodeJS.ProcessEnv = process.env): string => env['RAMPART_SYSTEM_CONFIG'] || SYSTEM_CONFIG;

/** The files read, in order; later ones win. */
export const settingsFiles = (env: NodeJS.ProcessEnv = process.env): string[] => [systemConfigPath(env), userConfigPath(env)];

/** The plain data in a YAML file (undefined when the file does not exist); a syntax error names the file and line. */
export const readSettingsData = (file: string, {unreadableIsMissing = false} = {}): unknown => {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' || (unreadableIsMissing && code === 'EACCES')) return undefined;
		throw new SettingsError(file, undefined, `cannot be read: ${(error as Error).message}`);
	}
	const document = parseDocument(text, {prettyErrors: true});
	const problem = document.errors[0];
	if (problem) throw new SettingsError(file, undefined, `not valid YAML: ${problem.message.split('\n')[0]}`);
	return document.toJS() ?? {};
};

/** Validates one file's data; the first problem names its key (`notify.webhook.url`). */
export const validateSettings = (file: string, data: unknown): Settings => {
	const result = settingsSchema.safeParse(data);
	if (result.success) return result.data;
	const issue = result.error.issues[0]!;
	const key = issue.path.map(String).join('.');
	if (issue.code === 'unrecognized_keys') {
		const prefix = key ? `${key}.` : '';
		throw new SettingsError(file, `${prefix}${issue.keys[0]}`, 'unknown setting');
	}
	throw new SettingsError(file, key || undefined, describe(issue));
};

const describe = (issue: z.core.$ZodIssue): string => {
	if (issue.code !== 'invalid_type') return issue.message;
	if (/received undefined/.test(issue.message)) return 'is required';
	return `must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
};

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Later keys win; objects merge key by key; lists and scalars are replaced whole. */
export const mergeSettings = <T>(base: T, over: T): T => {
	if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
	const merged: Record<string, unknown> = {...base};
	for (const [key, value] of Object.entries(over)) merged[key] = mergeSettings(merged[key], value);
	return merged as T;
};

/** The settings in force: each file validated on its own (so an error names its file), then merged. */
export const loadSettings = (env: NodeJS.ProcessEnv = process.env): Settings => {
	let settings: Settings = {};
	const [system, user] = settingsFiles(env) as [string, string];
	for (const file of [system, user]) {
		// The system file is 0600 (a webhook URL can hold a token): another user runs with their own settings only.
		const data = readSettingsData(file, {unreadableIsMissing: file === system && process.getuid?.() !== 0});
		if (data !== undefined) settings = mergeSettings(settings, validateSettings(file, data));
	}
	return settings;
};
