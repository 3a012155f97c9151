// Shared scaffolding for the engine and CLI tests: temporary directories,
// runbook fixtures written to real files, sessions on a temporary state
// directory, the built CLI run as a child process, and process-table checks.
// Nothing here mocks the file system or bash.

import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach} from 'vitest';
import {parseRunbookBytes} from '../../source/runbook/parse.js';
import {hasErrors, type Runbook} from '../../source/runbook/model.js';
import {RunSession, type SessionOptions} from '../../source/engine/run-session.js';
import {journalPath, listRuns, readJournal, type JournalLine} from '../../source/journal/index.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = path.join(ROOT, 'dist', 'rampart.js');
/**
 * The command line that starts Rampart: `node dist/rampart.js`, or the
 * executable $RAMPART_TEST_BIN names (the single executable: the system
 * tests run the CLI tests against it).
 */
export const RAMPART: readonly string[] = process.env['RAMPART_TEST_BIN'] ? [path.resolve(process.env['RAMPART_TEST_BIN'])] : [process.execPath, CLI];

const made: string[] = [];
const sessions: RunSession[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
	for (const session of sessions.splice(0)) session.close();
	for (const child of children.splice(0)) {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
	}
	for (const dir of made.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

/** A fresh directory under the OS temp dir, removed after the test. */
export const tempDir = (prefix = 'rampart-engine-'): string => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	made.push(dir);
	return dir;
};

/** Writes `<dir>/<id>.md` and parses it from the file's bytes, as the CLI does. */
export const writeRunbook = (dir: string, id: string, text: string): Runbook => {
	const file = path.join(dir, `${id}.md`);
	fs.writeFileSync(file, text);
	const parsed = parseRunbookBytes(file, fs.readFileSync(file));
	if (!parsed.runbook || hasErrors(parsed.diagnostics)) {
		throw new Error(`fixture ${id} does not parse:\n${parsed.diagnostics.map(d => `${d.line}:${d.column} ${d.message}`).join('\n')}`);
	}
	return parsed.runbook;
};

/** Front matter with the given inputs (a YAML fragment, already indented by 2). */
export const frontMatter = (title: string, inputs?: string): string =>
	inputs ? `---\ntitle: ${title}\ninputs:\n${inputs}\n---\n\n# ${title}\n\n` : `---\ntitle: ${title}\n---\n\n# ${title}\n\n`;

/** A fenced sh block with optional attributes. */
export const sh = (code: string, attributes = ''): string => `\`\`\`sh${attributes ? ` {${attributes}}` : ''}\n${code}\n\`\`\`\n\n`;

export interface Fixture {
	/** Working directory of the run (the session's cwd). */
	work: string;
	stateDir: string;
	runbook: Runbook;
}

/** A runbook written into a fresh directory, with a state dir beside it. */
export const fixture = (text: string, id = 'book'): Fixture => {
	const root = tempDir();
	const work = path.join(root, 'work');
	fs.mkdirSync(work);
	return {work, stateDir: path.join(root, 'state'), runbook: writeRunbook(root, id, text)};
};

/** A minimal, controlled operator environment: no RAMPART_* from the test runner. */
export const baseEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
	PATH: process.env.PATH ?? '/usr/bin:/bin',
	LANG: 'C.UTF-8',
	...extra,
});

/** The options every test session shares: the fixture's dirs, a controlled environment, a short kill grace. */
const sessionDefaults = (f: Fixture) => ({runbook: f.runbook, inputs: {}, stateDir: f.stateDir, cwd: f.work, env: baseEnv(), killGraceMs: 500});

const tracked = (session: RunSession): RunSession => {
	sessions.push(session);
	return session;
};

export const startSession = (f: Fixture, options: Partial<SessionOptions> = {}): RunSession => tracked(RunSession.start({...sessionDefaults(f), ...options}));

export const resumeSession = (f: Fixture, runId: string, options: Partial<SessionOptions> = {}): RunSession =>
	tracked(RunSession.resume({...sessionDefaults(f), runId, ...options}));

/** The events of a run as stored on disk. */
export const eventsOf = (stateDir: string, runId: string): JournalLine[] => readJournal(journalPath(stateDir, runId)).events;

/** The only run in a state directory. */
export const onlyRun = (stateDir: string): string => {
	const runs = listRuns(stateDir);
	if (runs.length !== 1) throw new Error(`expected one run in ${stateDir}, found ${runs.length}`);
	return runs[0]!;
};

/** Polls until `condition` is true; fails with `what` after `timeoutMs`. */
export const waitFor = async (condition: () => boolean, what: string, timeoutMs = 10_000, intervalMs = 10): Promise<void> => {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise(resolve => setTimeout(resolve, intervalMs));
	}
};

export const readIfExists = (file: string): string | undefined => {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
};

/** Every file and directory below `dir`, recursively (not `dir` itself). */
export const walk = (dir: string): Array<{path: string; dir: boolean}> => {
	const found: Array<{path: string; dir: boolean}> = [];
	for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
		const full = path.join(dir, entry.name);
		found.push({path: full, dir: entry.isDirectory()});
		if (entry.isDirectory()) found.push(...walk(full));
	}
	return found;
};

// --- Processes -----------------------------------------------------------------

/**
 * A process that exited but was never reaped counts as gone. Some containers
 * run an init that does not reap orphans; a killed block's background
 * children become zombies there, which hold no resources and run nothing.
 */
const isZombie = (pid: number): boolean => {
	const stat = readIfExists(`/proc/${pid}/stat`);
	if (stat === undefined) return false;
	// The state follows the command name in parentheses, which may contain spaces.
	return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
};

/** True while a process with this pid exists and is not a zombie. */
export const isAlive = (pid: number): boolean => {
	try {
		process.kill(pid, 0);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
		throw error;
	}
	return !isZombie(pid);
};

/** Live (non-zombie) members of a process group, by `pgrep -g`. */
export const liveGroupMembers = (pgid: number): number[] => {
	const result = spawnSync('pgrep', ['-g', String(pgid)], {encoding: 'utf8'});
	if (result.error) throw result.error;
	return result.stdout
		.split('\n')
		.filter(Boolean)
		.map(Number)
		.filter(pid => !isZombie(pid));
};

/** Live processes whose command line contains `marker` (`pgrep -f`). */
export const processesWith = (marker: string): number[] => {
	const result = spawnSync('pgrep', ['-f', marker], {encoding: 'utf8'});
	if (result.error) throw result.error;
	return result.stdout
		.split('\n')
		.filter(Boolean)
		.map(Number)
		.filter(pid => pid !== process.pid && isAlive(pid));
};

// --- The built CLI ---------------------------------------------------------------

const newestSource = (dir: string): {file: string; mtimeMs: number} => {
	let newest = {file: dir, mtimeMs: 0};
	for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
		const full = path.join(dir, entry.name);
		const candidate = entry.isDirectory() ? newestSource(full) : {file: full, mtimeMs: fs.statSync(full).mtimeMs};
		if (candidate.mtimeMs > newest.mtimeMs) newest = candidate;
	}
	return newest;
};

let checkedBuild = false;

/**
 * The CLI tests run dist/rampart.js (`npm test` builds it first). A missing
 * bundle fails; one older than the sources is tested with a warning.
 */
export const assertBuilt = (): void => {
	if (checkedBuild) return;
	if (process.env['RAMPART_TEST_BIN']) {
		if (!fs.existsSync(RAMPART[0]!)) throw new Error(`RAMPART_TEST_BIN: ${RAMPART[0]} does not exist (npm run package makes dist/rampart-linux-x64)`);
		checkedBuild = true;
		return;
	}
	if (!fs.existsSync(CLI)) throw new Error(`${CLI} does not exist: run \`npm run build\` first`);
	const built = fs.statSync(CLI).mtimeMs;
	const newest = newestSource(path.join(ROOT, 'source'));
	if (newest.mtimeMs > built) {
		console.warn(`warning: ${CLI} is older than ${path.relative(ROOT, newest.file)}; the CLI tests run the old build (run \`npm run build\`)`);
	}
	checkedBuild = true;
};

export interface CliHome {
	/** RAMPART_HOME: does not exist until Rampart creates it. */
	stateDir: string;
	/** The directory the CLI is started in. */
	cwd: string;
	env: Record<string, string>;
}

/** A temp HOME, config dir, state dir and working directory for CLI runs. */
export const cliHome = (extra: Record<string, string> = {}): CliHome => {
	const root = tempDir('rampart-cli-');
	const cwd = path.join(root, 'work');
	const home = path.join(root, 'home');
	fs.mkdirSync(cwd);
	fs.mkdirSync(home);
	const stateDir = path.join(root, 'state');
	return {
		stateDir,
		cwd,
		env: baseEnv({HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local/share'), RAMPART_HOME: stateDir, ...extra}),
	};
};

export interface CliResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

export interface CliProcess {
	child: ChildProcess;
	done: Promise<CliResult>;
	stdout: () => string;
	stderr: () => string;
}

/** Starts `node dist/rampart.js ARGS` (see RAMPART; or another command line with `command`). */
export const startCli = (args: string[], options: {cwd: string; env: Record<string, string>; command?: string[]}): CliProcess => {
	assertBuilt();
	const [file, ...rest] = options.command ?? [...RAMPART, ...args];
	const child = spawn(file!, rest, {cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe']});
	children.push(child);
	let stdout = '';
	let stderr = '';
	child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	const done = new Promise<CliResult>((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (code, signal) => resolve({code, signal, stdout, stderr}));
	});
	return {child, done, stdout: () => stdout, stderr: () => stderr};
};

export const runCli = async (args: string[], home: Pick<CliHome, 'cwd' | 'env'>): Promise<CliResult> => startCli(args, {cwd: home.cwd, env: home.env}).done;
