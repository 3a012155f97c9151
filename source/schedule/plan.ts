// What `rampart schedule install` and `remove` do, as a list of actions:
// printed by --dry-run, carried out otherwise. Installing twice replaces;
// removing takes away only what carries Rampart's marker.

import fs from 'node:fs';
import path from 'node:path';
import {motdScript, profileScript} from '../notify/login.js';
import {HOST_PATHS, isOurs, loginSnippetFiles, loginSnippetPath, ourUnits, runTool, writeWhole, type CommandResult, type HostPaths, type Target} from './install.js';
import type {Job} from './jobs.js';
import {cronDFile, mergeCrontab, systemdUnits, type JobRuntime} from './units.js';

export interface Action {
	/** One line for the operator: what is done. */
	describe: string;
	/** A file's new text, shown by --dry-run. */
	content?: string;
	apply: () => CommandResult;
}

const done: CommandResult = {ok: true, output: ''};

const writeAction = (file: string, text: string, mode: number): Action => ({
	describe: `write ${file}`,
	content: text,
	apply: () => {
		fs.mkdirSync(path.dirname(file), {recursive: true});
		writeWhole(file, text, mode);
		return done;
	},
});

const removeAction = (file: string): Action => ({
	describe: `remove ${file}`,
	apply: () => {
		fs.rmSync(file, {force: true});
		return done;
	},
});

const systemctl = (target: Target, ...args: string[]): Action => {
	const full = [...(target.scope === 'user' ? ['--user'] : []), ...args];
	return {describe: `systemctl ${full.join(' ')}`, apply: () => runTool('systemctl', full)};
};

const crontabAction = (describe: string, next: (current: string) => string): Action => ({
	describe,
	// For --dry-run: Rampart's lines as they would stand in an empty crontab.
	content: next('') || undefined,
	apply: () => {
		const listed = runTool('crontab', ['-l']);
		// `crontab -l` fails when the user has none yet: that is an empty one.
		if (!listed.ok && !/no crontab/i.test(listed.output)) return listed;
		return runTool('crontab', ['-'], next(listed.ok ? `${listed.output}\n` : ''));
	},
});

/** Takes off what an earlier install left, except the files about to be written again. */
const removals = (target: Target, keep: ReadonlySet<string>, paths: HostPaths): Action[] => {
	const actions: Action[] = [];
	if (target.backend === 'systemd' && target.location) {
		const stale = ourUnits(target.location).filter(name => !keep.has(path.join(target.location!, name)));
		const timers = stale.filter(name => name.endsWith('.timer'));
		if (timers.length > 0) actions.push(systemctl(target, 'disable', '--now', ...timers));
		actions.push(...stale.map(name => removeAction(path.join(target.location!, name))));
	}
	if (target.scope === 'system') {
		const cronFile = path.join(paths.cronD, 'rampart');
		if (!keep.has(cronFile) && isOurs(cronFile)) actions.push(removeAction(cronFile));
		actions.push(
			...loginSnippetFiles(paths)
				.filter(file => !keep.has(file) && isOurs(file))
				.map(removeAction),
		);
	}
	return actions;
};

export const installPlan = (target: Target, jobs: readonly Job[], runtime: JobRuntime, motd: boolean, paths: HostPaths = HOST_PATHS): Action[] => {
	const writes: Action[] = [];
	if (target.backend === 'systemd') {
		for (const [name, text] of systemdUnits(jobs, runtime)) writes.push(writeAction(path.join(target.location!, name), text, 0o644));
	} else if (target.scope === 'system') {
		writes.push(writeAction(target.location!, cronDFile(jobs, runtime), 0o644));
	}
	if (motd && target.scope === 'system') {
		const snippet = loginSnippetPath(paths);
		const file = path.join(runtime.stateDir, 'overdue.txt');
		writes.push(writeAction(snippet.file, snippet.kind === 'motd' ? motdScript(file) : profileScript(file), snippet.kind === 'motd' ? 0o755 : 0o644));
	}
	const keep = new Set(writes.map(w => w.describe.slice('write '.length)));
	const actions = [...removals(target, keep, paths), ...writes];
	if (target.backend === 'systemd') {
		const timers = jobs.map(job => `${job.name}.timer`);
		actions.push(systemctl(target, 'daemon-reload'), systemctl(target, 'enable', ...timers), systemctl(target, 'restart', ...timers));
	} else if (target.scope === 'user') {
		actions.push(crontabAction("replace Rampart's lines in your crontab", current => mergeCrontab(current, jobs, runtime)));
	}
	return actions;
};

export const removePlan = (target: Target, runtime: JobRuntime, paths: HostPaths = HOST_PATHS): Action[] => {
	const actions = removals(target, new Set(), paths);
	if (target.backend === 'systemd' && actions.length > 0) actions.push(systemctl(target, 'daemon-reload'));
	if (target.backend === 'cron' && target.scope === 'user')
		actions.push(crontabAction("remove Rampart's lines from your crontab", current => mergeCrontab(current, [], runtime)));
	return actions;
};

/** Carries out the actions in order; every result is kept, and a failure does not stop the rest (each says what it did). */
export const applyPlan = (actions: readonly Action[]): Array<{action: Action; result: CommandResult}> => actions.map(action => ({action, result: action.apply()}));
