// Rule 3: a runbook that needs root refuses to start as anyone else (exit 3,
// saying to use sudo) and runs nothing; Rampart never calls sudo itself. When
// the tests run as root, the CLI is started as nobody with setpriv.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {CLI, baseEnv, sh, startCli, tempDir, walk} from '../engine/helpers.js';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

/** Directories nobody can use: a runbook it can read, and a home, state dir and work dir it owns. */
const unprivilegedHome = () => {
	const root = tempDir('rampart-priv-');
	fs.chmodSync(root, 0o755);
	const own = (name: string) => {
		const dir = path.join(root, name);
		fs.mkdirSync(dir, {mode: 0o755});
		if (asRoot) fs.chownSync(dir, NOBODY, NOBODY);
		return dir;
	};
	const cwd = own('work');
	const home = own('home');
	const books = path.join(root, 'books');
	fs.mkdirSync(books, {mode: 0o755});
	const stateDir = path.join(home, 'state');
	return {cwd, books, stateDir, env: baseEnv({HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), RAMPART_HOME: stateDir})};
};

const asNobody = (args: string[], home: ReturnType<typeof unprivilegedHome>) =>
	startCli(args, {
		cwd: home.cwd,
		env: home.env,
		command: asRoot ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, CLI, ...args] : [process.execPath, CLI, ...args],
	}).done;

const book = (root: boolean, marker: string) =>
	`---\ntitle: Needs root\nrequires:\n  root: ${root}\n---\n\n# Needs root\n\n## Change something\n\n` + sh(`touch ${marker}\nid -u > ${marker}`);

describe('requires: root', () => {
	it('exits 3 as a non-root user, says to use sudo, and runs and records nothing', async () => {
		const home = unprivilegedHome();
		const marker = path.join(home.cwd, 'ran');
		const file = path.join(home.books, 'root-only.md');
		fs.writeFileSync(file, book(true, marker), {mode: 0o644});
		const result = await asNobody(['run', file, '--yes', '--approve'], home);
		expect(result.code, result.stderr).toBe(3);
		expect(result.stderr).toContain('needs root');
		expect(result.stderr).toContain('sudo');
		expect(fs.existsSync(marker)).toBe(false);
		// Not even an approval was recorded: nothing happened.
		expect(fs.existsSync(home.stateDir) ? walk(home.stateDir).filter(e => !e.dir) : []).toEqual([]);
	});

	it('the same runbook without requires: root runs as that user (the test really can run things)', async () => {
		const home = unprivilegedHome();
		const marker = path.join(home.cwd, 'ran');
		const file = path.join(home.books, 'anyone.md');
		fs.writeFileSync(file, book(false, marker), {mode: 0o644});
		const result = await asNobody(['run', file, '--yes', '--approve'], home);
		expect(result.code, result.stderr).toBe(0);
		expect(fs.readFileSync(marker, 'utf8').trim()).toBe(String(asRoot ? NOBODY : process.getuid!()));
	});
});
