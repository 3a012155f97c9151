// Rule 6: the records themselves. As root, Rampart keeps its records only in
// a state directory that no other user can change, and it never follows a
// link inside it. Here `nobody` (through setpriv) owns a state directory and
// fills it with links to a root-owned file and directory; root's Rampart must
// refuse it with a message that says what to fix, and write nothing through
// the links. A root-owned state directory with a subdirectory others can
// write is refused too; a normal one (root's, 0700) still works.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {StateDirError, ensurePrivateDir, resolveStateDir} from '../../source/journal/state-dir.js';
import {createRunJournal} from '../../source/journal/run-journal.js';
import {acquireRunLock} from '../../source/journal/lock.js';
import {readCompletionIndex, recordCompletion} from '../../source/journal/completion-index.js';
import {approve} from '../../source/trust/approvals.js';
import {openHeaderCache} from '../../source/engine/header-cache.js';
import {RunSession} from '../../source/engine/run-session.js';
import {baseEnv, cliHome, frontMatter, runCli, sh, tempDir, writeRunbook} from '../engine/helpers.js';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const RUN = '20261207T020000Z-book-a1b2';

/** Runs a command as nobody; the test fails if it does not succeed. */
const asNobody = (...command: string[]) => {
	const result = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...command], {encoding: 'utf8'});
	if (result.status !== 0) throw new Error(`as nobody, ${command.join(' ')} failed: ${result.stderr || result.error?.message}`);
};

const ownerMessage = (dir: string) =>
	`${dir} is owned by nobody (uid ${NOBODY}); as root, Rampart keeps its records only in a directory owned by root: chown root:root ${dir}, or set RAMPART_HOME to a directory of root's`;

interface Attack {
	stateDir: string;
	/** A root-owned file only root can write: what a link named index.json points at. */
	victimFile: string;
	/** A root-owned directory: what links named runs, logs, locks and trust point at. */
	victimDir: string;
	/** What nobody put in the state directory. */
	planted: string[];
}

/** A state directory owned by nobody, in which nobody made links to root's file and directory. */
const nobodysStateDir = (): Attack => {
	const root = tempDir('rampart-state-trust-');
	fs.chmodSync(root, 0o755);
	const victims = path.join(root, 'victims');
	fs.mkdirSync(victims, {mode: 0o755});
	const victimFile = path.join(victims, 'shadow');
	fs.writeFileSync(victimFile, 'precious\n', {mode: 0o644});
	const victimDir = path.join(victims, 'dir');
	fs.mkdirSync(victimDir, {mode: 0o755});
	const stateDir = path.join(root, 'state');
	fs.mkdirSync(stateDir, {mode: 0o755});
	fs.chownSync(stateDir, NOBODY, NOBODY);
	asNobody('ln', '-s', victimFile, path.join(stateDir, 'index.json'));
	asNobody('ln', '-s', victimFile, path.join(stateDir, 'header-cache.json'));
	for (const name of ['runs', 'logs', 'locks', 'trust']) asNobody('ln', '-s', victimDir, path.join(stateDir, name));
	return {stateDir, victimFile, victimDir, planted: fs.readdirSync(stateDir).sort()};
};

/** Nothing was written through the links, and nothing was added beside them. */
const expectUntouched = (attack: Attack) => {
	expect(fs.readFileSync(attack.victimFile, 'utf8')).toBe('precious\n');
	const file = fs.statSync(attack.victimFile);
	expect({mode: file.mode & 0o7777, uid: file.uid}).toEqual({mode: 0o644, uid: 0});
	expect(fs.readdirSync(attack.victimDir)).toEqual([]);
	expect(fs.statSync(attack.victimDir).mode & 0o7777).toBe(0o755);
	expect(fs.readdirSync(attack.stateDir).sort()).toEqual(attack.planted);
	for (const name of attack.planted) expect(fs.lstatSync(path.join(attack.stateDir, name)).isSymbolicLink()).toBe(true);
};

const BOOK = frontMatter('Book') + '## Do it\n\n' + sh('touch ran');

/** A root-owned 0700 state directory, made the way an operator would. */
const rootsStateDir = (): string => {
	const stateDir = path.join(tempDir('rampart-state-trust-'), 'state');
	fs.mkdirSync(stateDir, {mode: 0o700});
	return stateDir;
};

const thrown = (action: () => unknown): Error => {
	try {
		action();
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected it to throw');
};

describe.skipIf(!asRoot)('as root, a state directory another user could change (in process)', () => {
	it('resolveStateDir refuses a state directory owned by nobody, with the fix', () => {
		const attack = nobodysStateDir();
		const error = thrown(() => resolveStateDir({RAMPART_HOME: attack.stateDir}));
		expect(error).toBeInstanceOf(StateDirError);
		expect(error.message).toBe(ownerMessage(attack.stateDir));
		expectUntouched(attack);
	});

	it('every writer refuses it and writes nothing through the links', () => {
		const attack = nobodysStateDir();
		const work = tempDir();
		const runbook = writeRunbook(work, 'book', BOOK);
		const writers: Array<[string, () => unknown]> = [
			['the journal', () => createRunJournal(attack.stateDir, RUN)],
			['the run lock', () => acquireRunLock(attack.stateDir, 'book', RUN)],
			['the completion index', () => recordCompletion(attack.stateDir, 'book', {runId: RUN, completedAt: new Date()})],
			['a log directory', () => ensurePrivateDir(attack.stateDir, 'logs', RUN)],
			['an approval', () => approve(runbook, attack.stateDir, {user: 'root', uid: 0, host: 'test'})],
			['a run', () => RunSession.start({runbook, inputs: {}, stateDir: attack.stateDir, cwd: work, env: baseEnv()})],
		];
		for (const [what, write] of writers) {
			const error = thrown(write);
			expect([what, error.name, error.message]).toEqual([what, 'StateDirError', ownerMessage(attack.stateDir)]);
		}
		// The header cache is best effort: it saves nothing rather than fail the listing.
		const cache = openHeaderCache(attack.stateDir);
		cache.get(runbook.path, () => ({title: 'Book', summary: '', tags: []}));
		cache.save();
		expect(fs.existsSync(path.join(work, 'ran'))).toBe(false);
		expectUntouched(attack);
	});

	it('refuses a state directory below a directory nobody owns, before making it', () => {
		const parent = path.join(tempDir('rampart-state-trust-'), 'nobodys');
		fs.mkdirSync(parent, {mode: 0o755});
		fs.chownSync(parent, NOBODY, NOBODY);
		const stateDir = path.join(parent, 'state');
		const error = thrown(() => createRunJournal(stateDir, RUN));
		expect(error).toBeInstanceOf(StateDirError);
		expect(error.message).toContain(`${parent} is owned by nobody (uid ${NOBODY}), so that user could replace the state directory inside it`);
		expect(fs.existsSync(stateDir)).toBe(false);
	});

	it('refuses links in a root-owned state directory, whoever made them, naming each', () => {
		const stateDir = rootsStateDir();
		const victim = path.join(tempDir(), 'victim');
		fs.writeFileSync(victim, 'precious\n', {mode: 0o644});
		fs.symlinkSync(victim, path.join(stateDir, 'index.json'));
		fs.symlinkSync(path.dirname(victim), path.join(stateDir, 'runs'));
		const error = thrown(() => resolveStateDir({RAMPART_HOME: stateDir}));
		expect(error).toBeInstanceOf(StateDirError);
		expect(error.message).toContain(`refusing to keep records in ${stateDir}: other users could change them:`);
		expect(error.message).toContain(`${path.join(stateDir, 'index.json')} is a symbolic link (to ${victim}); Rampart never follows a link in its state directory`);
		expect(error.message).toContain(`${path.join(stateDir, 'runs')} is a symbolic link`);
		expect(() => recordCompletion(stateDir, 'book', {runId: RUN, completedAt: new Date()})).toThrow(StateDirError);
		expect(() => createRunJournal(stateDir, RUN)).toThrow(StateDirError);
		expect(fs.readFileSync(victim, 'utf8')).toBe('precious\n');
		expect(fs.readdirSync(path.dirname(victim))).toEqual(['victim']);
	});

	it.each([
		['runs', 0o770, 'the group root (gid 0)'],
		['logs', 0o777, 'every user'],
		['trust', 0o1777, 'every user'],
	])('refuses a root-owned state directory whose %s others can write', (name, mode, who) => {
		const stateDir = rootsStateDir();
		const dir = path.join(stateDir, name);
		fs.mkdirSync(dir);
		fs.chmodSync(dir, mode);
		const error = thrown(() => resolveStateDir({RAMPART_HOME: stateDir}));
		expect(error).toBeInstanceOf(StateDirError);
		expect(error.message).toBe(
			`${dir} is writable by ${who} (mode ${mode.toString(8).padStart(4, '0')}), so others could change Rampart's records or put links in it; fix: chmod 700 ${dir}`,
		);
		expect(fs.statSync(dir).mode & 0o7777).toBe(mode);
	});

	it('refuses a record file nobody owns, and one with a second name', () => {
		const stateDir = rootsStateDir();
		const index = path.join(stateDir, 'index.json');
		fs.writeFileSync(index, '{}', {mode: 0o600});
		fs.chownSync(index, NOBODY, NOBODY);
		expect(thrown(() => resolveStateDir({RAMPART_HOME: stateDir})).message).toContain(`${index} is owned by nobody (uid ${NOBODY}), not root`);
		fs.chownSync(index, 0, 0);
		const other = path.join(tempDir(), 'other');
		fs.linkSync(index, other);
		expect(thrown(() => resolveStateDir({RAMPART_HOME: stateDir})).message).toContain(`${index} has 2 names (hard links)`);
	});

	it('a log directory that became a link mid-run is refused when the run opens a log there', () => {
		const stateDir = rootsStateDir();
		const journal = createRunJournal(stateDir, RUN);
		const elsewhere = tempDir();
		fs.mkdirSync(path.join(stateDir, 'logs'), {mode: 0o700});
		fs.symlinkSync(elsewhere, path.join(stateDir, 'logs', RUN));
		expect(() => journal.openLog('one', 'run')).toThrow(StateDirError);
		journal.close();
		expect(fs.readdirSync(elsewhere)).toEqual([]);
	});

	it("a normal state directory (root's, 0700) still works: a whole run, its logs, lock and index", async () => {
		const stateDir = rootsStateDir();
		expect(resolveStateDir({RAMPART_HOME: stateDir})).toBe(stateDir);
		const work = tempDir();
		const runbook = writeRunbook(work, 'book', BOOK);
		const session = RunSession.start({runbook, inputs: {}, stateDir, cwd: work, env: baseEnv(), killGraceMs: 500});
		expect((await session.runStep(runbook.steps[0]!.id)).status).toBe('done');
		expect(session.finish()).toBe('completed');
		expect(fs.existsSync(path.join(work, 'ran'))).toBe(true);
		expect(readCompletionIndex(stateDir)['book']?.lastRunId).toBe(session.runId);
		expect(resolveStateDir({RAMPART_HOME: stateDir})).toBe(stateDir);
	});
});

describe.skipIf(!asRoot)('as root, a state directory another user could change (the CLI)', () => {
	it('rampart run --yes refuses it with the message, no stack trace, runs nothing and writes nothing through the links', async () => {
		const attack = nobodysStateDir();
		const home = cliHome({RAMPART_HOME: attack.stateDir});
		writeRunbook(home.cwd, 'book', BOOK);
		const result = await runCli(['run', './book.md', '--yes', '--approve'], home);
		// Exit 3, as for a runbook others could change; a message, not an "unexpected error".
		expect(result.code).toBe(3);
		expect(result.stderr).toContain(ownerMessage(attack.stateDir));
		expect(result.stderr).not.toContain('unexpected error');
		expect(result.stderr).not.toMatch(/^\s+at /m);
		expect(fs.existsSync(path.join(home.cwd, 'ran'))).toBe(false);
		expectUntouched(attack);
	});

	it('rampart list refuses it too, and saves no header cache through the link', async () => {
		const attack = nobodysStateDir();
		const home = cliHome({RAMPART_HOME: attack.stateDir});
		writeRunbook(home.cwd, 'book', BOOK);
		const result = await runCli(['list'], {...home, env: {...home.env, RAMPART_RUNBOOKS: home.cwd}});
		expect(result.code).not.toBe(0);
		expect(result.stderr).toContain(ownerMessage(attack.stateDir));
		expectUntouched(attack);
	});

	it('a root-owned state directory with a group-writable subdirectory is refused; nothing runs', async () => {
		const stateDir = rootsStateDir();
		fs.mkdirSync(path.join(stateDir, 'logs'));
		fs.chmodSync(path.join(stateDir, 'logs'), 0o770);
		const home = cliHome({RAMPART_HOME: stateDir});
		writeRunbook(home.cwd, 'book', BOOK);
		const result = await runCli(['run', './book.md', '--yes', '--approve'], home);
		expect(result.code).not.toBe(0);
		expect(result.stderr).toContain(`${path.join(stateDir, 'logs')} is writable by the group root (gid 0) (mode 0770)`);
		expect(fs.existsSync(path.join(home.cwd, 'ran'))).toBe(false);
		expect(fs.readdirSync(stateDir)).toEqual(['logs']);
	});

	it('a root-owned 0700 state directory still works', async () => {
		const stateDir = rootsStateDir();
		const home = cliHome({RAMPART_HOME: stateDir});
		writeRunbook(home.cwd, 'book', BOOK);
		const result = await runCli(['run', './book.md', '--yes', '--approve'], home);
		expect(result.code, result.stderr).toBe(0);
		expect(fs.existsSync(path.join(home.cwd, 'ran'))).toBe(true);
		expect(Object.keys(readCompletionIndex(stateDir))).toEqual(['book']);
	});
});

describe.skipIf(!asRoot)('as any user, no links inside the state directory', () => {
	it("nobody's own run refuses a link nobody made in its own state directory, and writes nothing through it", async () => {
		const root = tempDir('rampart-state-trust-');
		fs.chmodSync(root, 0o755);
		const elsewhere = path.join(root, 'elsewhere');
		const stateDir = path.join(root, 'state');
		const work = path.join(root, 'work');
		for (const dir of [elsewhere, stateDir, work]) {
			fs.mkdirSync(dir, {mode: 0o755});
			fs.chownSync(dir, NOBODY, NOBODY);
		}
		asNobody('ln', '-s', elsewhere, path.join(stateDir, 'runs'));
		writeRunbook(work, 'book', BOOK);
		fs.chownSync(path.join(work, 'book.md'), NOBODY, NOBODY);
		const {CLI, startCli} = await import('../engine/helpers.js');
		const result = await startCli([], {
			cwd: work,
			env: baseEnv({HOME: work, RAMPART_HOME: stateDir}),
			command: ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, CLI, 'run', './book.md', '--yes', '--approve'],
		}).done;
		expect(result.code).not.toBe(0);
		expect(result.stderr).toContain(`${path.join(stateDir, 'runs')} is a symbolic link (to ${elsewhere}); Rampart never follows a link in its state directory`);
		expect(fs.readdirSync(elsewhere)).toEqual([]);
	});
});
