// Putting the schedule on the host and taking it off: systemd units where
// systemd runs (or cron where it does not, or with --cron), and the login
// snippet as root with notify.motd. Only files that carry Rampart's marker
// are ever replaced or removed, so an operator's own units stay untouched.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {MARKER} from '../notify/login.js';

export type Backend = 'systemd' | 'cron';

export interface HostPaths {
	systemdRunning: string;
	systemUnitDir: string;
	cronD: string;
	motdDir: string;
	profileDir: string;
}

export const HOST_PATHS: HostPaths = {
	systemdRunning: '/run/systemd/system',
	systemUnitDir: '/etc/systemd/system',
	cronD: '/etc/cron.d',
	motdDir: '/etc/update-motd.d',
	profileDir: '/etc/profile.d',
};

export interface Target {
	backend: Backend;
	scope: 'system' | 'user';
	/** Where units go (systemd), or the cron.d file (system cron); the user's crontab needs no path. */
	location?: string;
}

export const chooseTarget = (options: {cron?: boolean; user?: boolean}, root: boolean, env: NodeJS.ProcessEnv, paths = HOST_PATHS): Target => {
	const scope = root && !options.user ? 'system' : 'user';
	if (!options.cron && fs.existsSync(paths.systemdRunning)) {
		const userDir = path.join(env['XDG_CONFIG_HOME'] || path.join(os.homedir(), '.config'), 'systemd', 'user');
		return {backend: 'systemd', scope, location: scope === 'system' ? paths.systemUnitDir : userDir};
	}
	return {backend: 'cron', scope, location: scope === 'system' ? path.join(paths.cronD, 'rampart') : undefined};
};

/** A file Rampart wrote: it says so in its first lines. */
export const isOurs = (file: string): boolean => {
	try {
		return fs.readFileSync(file, 'utf8').slice(0, 400).includes(MARKER);
	} catch {
		return false;
	}
};

/** Rampart's units in a directory. */
export const ourUnits = (dir: string): string[] =>
	fs.existsSync(dir)
		? fs
				.readdirSync(dir)
				.filter(name => /^rampart-[a-z0-9-]+\.(service|timer)$/.test(name) && isOurs(path.join(dir, name)))
				.sort()
		: [];

/** Written whole under a new name, then renamed: a timer never fires a half-written unit. */
export const writeWhole = (file: string, text: string, mode: number): void => {
	const temporary = `${file}.rampart-${process.pid}.tmp`;
	fs.writeFileSync(temporary, text, {mode, flag: 'wx'});
	fs.chmodSync(temporary, mode);
	fs.renameSync(temporary, file);
};

export interface CommandResult {
	ok: boolean;
	output: string;
}

export const runTool = (command: string, args: readonly string[], input?: string): CommandResult => {
	const result = spawnSync(command, args, {input, encoding: 'utf8', timeout: 60_000});
	if (result.error) return {ok: false, output: (result.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${command} is not installed` : result.error.message};
	return {ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim()};
};

/** The login snippet's place: update-motd.d where the system has it, else profile.d. */
export const loginSnippetPath = (paths = HOST_PATHS): {file: string; kind: 'motd' | 'profile'} =>
	fs.existsSync(paths.motdDir) ? {file: path.join(paths.motdDir, '90-rampart'), kind: 'motd'} : {file: path.join(paths.profileDir, 'rampart.sh'), kind: 'profile'};

/** Both places a snippet may be in (the system may have gained update-motd.d since). */
export const loginSnippetFiles = (paths = HOST_PATHS): string[] => [path.join(paths.motdDir, '90-rampart'), path.join(paths.profileDir, 'rampart.sh')];
