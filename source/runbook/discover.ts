// Where runbooks are found, and how a name on the command line becomes one.
// The same id in two places is reported, never silently shadowed.

import {existsSync, readdirSync, realpathSync, statSync} from 'node:fs';
import {basename, delimiter, dirname, isAbsolute, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import envPaths from 'env-paths';
import {distance} from 'fastest-levenshtein';

export type RunbookOrigin = 'bundled' | 'project' | 'user' | 'env';

export interface RunbookEntry {
	id: string;
	path: string;
	origin: RunbookOrigin;
}

export interface RunbookConflict {
	id: string;
	paths: string[];
}

export interface Discovery {
	entries: RunbookEntry[];
	conflicts: RunbookConflict[];
	/** Directories searched, in order, with what happened to each. */
	searched: Array<{dir: string; origin: RunbookOrigin; found: number; problem?: string}>;
}

let bundledDir: string | undefined;

/**
 * The `runbooks/` shipped with Rampart: found by walking up from this module,
 * which works from the esbuild bundle (dist/) and from the sources alike.
 */
export const bundledRunbooksDir = (): string => {
	if (bundledDir) return bundledDir;
	let dir = dirname(fileURLToPath(import.meta.url));
	for (let i = 0; i < 5; i++) {
		if (existsSync(join(dir, 'runbooks')) && existsSync(join(dir, 'package.json'))) return (bundledDir = join(dir, 'runbooks'));
		dir = dirname(dir);
	}
	return (bundledDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'runbooks'));
};

export const userRunbooksDir = (env: NodeJS.ProcessEnv = process.env): string => {
	// env-paths reads XDG_CONFIG_HOME from process.env itself; honour the given env too.
	const base = env.XDG_CONFIG_HOME ? join(env.XDG_CONFIG_HOME, 'rampart') : envPaths('rampart', {suffix: ''}).config;
	return join(base, 'runbooks');
};

export const runbookDirs = (env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Array<{dir: string; origin: RunbookOrigin}> => {
	const dirs: Array<{dir: string; origin: RunbookOrigin}> = [
		{dir: bundledRunbooksDir(), origin: 'bundled'},
		{dir: join(cwd, 'runbooks'), origin: 'project'},
		{dir: userRunbooksDir(env), origin: 'user'},
	];
	for (const dir of (env.RAMPART_RUNBOOKS ?? '').split(delimiter)) {
		if (dir.trim() !== '') dirs.push({dir: resolve(cwd, dir), origin: 'env'});
	}
	return dirs;
};

const realOrSelf = (path: string): string => {
	try {
		return realpathSync(path);
	} catch {
		return path;
	}
};

export const discoverRunbooks = (env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Discovery => {
	const entries: RunbookEntry[] = [];
	const searched: Discovery['searched'] = [];
	const seenDirs = new Set<string>();
	for (const {dir, origin} of runbookDirs(env, cwd)) {
		const real = realOrSelf(dir);
		// The project's ./runbooks is the bundled one when run from a checkout.
		if (seenDirs.has(real)) continue;
		seenDirs.add(real);
		let names: string[];
		try {
			names = readdirSync(dir);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			// A missing default directory is normal; a missing named one is worth saying.
			searched.push({dir, origin, found: 0, problem: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`});
			continue;
		}
		let found = 0;
		for (const name of names.sort()) {
			if (!name.toLowerCase().endsWith('.md') || name.toLowerCase() === 'readme.md') continue;
			const path = join(dir, name);
			try {
				if (!statSync(path).isFile()) continue;
			} catch {
				continue;
			}
			entries.push({id: name.slice(0, -3), path, origin});
			found++;
		}
		searched.push({dir, origin, found});
	}
	const byId = new Map<string, RunbookEntry[]>();
	for (const entry of entries) byId.set(entry.id, [...(byId.get(entry.id) ?? []), entry]);
	const conflicts = [...byId.entries()]
		.filter(([, list]) => new Set(list.map(e => realOrSelf(e.path))).size > 1)
		.map(([id, list]) => ({id, paths: list.map(e => e.path)}));
	return {entries, conflicts, searched};
};

export type Resolution = {ok: true; entry: RunbookEntry} | {ok: false; message: string; suggestions: string[]};

const looksLikePath = (ref: string): boolean => ref.endsWith('.md') || ref.includes('/') || ref.startsWith('.') || isAbsolute(ref);

/** An id from discovery or a path to a `.md` file. */
export const resolveRunbook = (ref: string, discovery: Discovery, cwd = process.cwd()): Resolution => {
	if (looksLikePath(ref)) {
		const path = resolve(cwd, ref);
		if (!existsSync(path)) return {ok: false, message: `no runbook file at ${path}`, suggestions: []};
		if (!statSync(path).isFile()) return {ok: false, message: `${path} is not a file`, suggestions: []};
		return {ok: true, entry: {id: basename(path).replace(/\.md$/i, ''), path, origin: 'project'}};
	}
	const conflict = discovery.conflicts.find(c => c.id === ref);
	if (conflict) {
		return {
			ok: false,
			message: `"${ref}" names more than one runbook:\n${conflict.paths.map(p => `  ${p}`).join('\n')}\npass the path of the one you mean`,
			suggestions: [],
		};
	}
	const entry = discovery.entries.find(e => e.id === ref);
	if (entry) return {ok: true, entry};
	const ids = [...new Set(discovery.entries.map(e => e.id))];
	const suggestions = ids
		.map(id => ({id, d: distance(ref, id)}))
		.filter(({id, d}) => d <= Math.max(2, Math.floor(ref.length / 3)) || id.includes(ref) || ref.includes(id))
		.sort((a, b) => a.d - b.d)
		.slice(0, 3)
		.map(({id}) => id);
	return {ok: false, message: `no runbook named "${ref}"`, suggestions};
};
