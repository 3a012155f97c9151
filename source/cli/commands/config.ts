import {stringify} from 'yaml';
import {loadSettings, systemConfigPath, userConfigPath, readSettingsData, validateSettings} from '../../config/settings.js';
import {setSetting, unsetSetting, keyPath} from '../../config/edit.js';
import type {CliContext} from '../context.js';
import {CliError} from '../errors.js';
import {EXIT} from '../exit-codes.js';

export interface ConfigOptions {
	system?: boolean;
	json?: boolean;
}

const targetFile = (ctx: CliContext, options: ConfigOptions) => (options.system ? systemConfigPath(ctx.env) : userConfigPath(ctx.env));

const show = (ctx: CliContext, value: unknown, json: boolean | undefined) => {
	if (json) ctx.out(JSON.stringify(value, null, 2));
	else if (typeof value === 'object' && value !== null) ctx.write(stringify(value));
	else ctx.out(String(value));
};

/** `rampart config list`: the settings in force (both files merged), or with --system only the system file's. */
export const configListCommand = (ctx: CliContext, options: ConfigOptions): number => {
	const settings = options.system ? validateSettings(systemConfigPath(ctx.env), readSettingsData(systemConfigPath(ctx.env)) ?? {}) : loadSettings(ctx.env);
	if (options.json) show(ctx, settings, true);
	else if (Object.keys(settings).length === 0) ctx.out(`Nothing set. Files read: ${systemConfigPath(ctx.env)}, ${userConfigPath(ctx.env)}`);
	else show(ctx, settings, false);
	return EXIT.ok;
};

/** `rampart config get KEY`: one setting in force; exit 1 when it is not set. */
export const configGetCommand = (ctx: CliContext, key: string, options: ConfigOptions): number => {
	let value: unknown = loadSettings(ctx.env);
	for (const part of keyPath('(command line)', key)) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
	if (value === undefined) {
		ctx.err(`rampart: ${key} is not set`);
		return EXIT.failed;
	}
	show(ctx, value, options.json);
	return EXIT.ok;
};

const writable = (ctx: CliContext, options: ConfigOptions) => {
	if (options.system && process.getuid?.() !== 0) throw new CliError(`${systemConfigPath(ctx.env)} is root's: run as root to change it`, EXIT.requirements);
	return targetFile(ctx, options);
};

/** `rampart config set KEY VALUE`: changes one key of the user's file (or the system file), checked before it is written. */
export const configSetCommand = async (ctx: CliContext, key: string, value: string, options: ConfigOptions): Promise<number> => {
	const file = writable(ctx, options);
	const stored = await setSetting(file, key, value, options.system ? 0o755 : 0o700);
	ctx.out(`${key} = ${JSON.stringify(stored)} in ${file}`);
	return EXIT.ok;
};

/** `rampart config unset KEY`. */
export const configUnsetCommand = async (ctx: CliContext, key: string, options: ConfigOptions): Promise<number> => {
	const file = writable(ctx, options);
	if (!(await unsetSetting(file, key))) {
		ctx.err(`rampart: ${key} is not set in ${file}`);
		return EXIT.failed;
	}
	ctx.out(`${key} removed from ${file}`);
	return EXIT.ok;
};
