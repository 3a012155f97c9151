// Runs one shell block: `bash -Eeuo pipefail -c CODE`, in its own process
// group so that cancel and timeout reach every process it started. Inputs
// arrive only through `env`; the code is passed as written.
//
// Blocks are spawned with node:child_process, not execa: a step's cost is
// mostly the spawn, and execa's option handling added about 0.4 ms to each
// (see BENCHMARKS.md); nothing execa adds is used here.

import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync} from 'node:fs';
import {StringDecoder} from 'node:string_decoder';
import {resolveBash} from './resolve-bash.js';

export interface BlockRun {
	code: string;
	cwd: string;
	env: Record<string, string>;
	timeoutMs?: number;
	signal?: AbortSignal;
	/** Give the command the real terminal (and no output capture). */
	interactive: boolean;
	onLine: (stream: 'stdout' | 'stderr', text: string) => void;
	/**
	 * Called right after the spawn, before any output, with the process
	 * (group) id. The block waits for it: it runs only once this resolves.
	 */
	onSpawn?: (pid: number | undefined) => void | Promise<void>;
	/** Time between SIGTERM and SIGKILL. */
	killGraceMs?: number;
}

export interface BlockResult {
	exitCode: number | null;
	signal?: string;
	timedOut: boolean;
	cancelled: boolean;
	durationMs: number;
	/** Set when the block could not be started at all. */
	error?: string;
}

export const DEFAULT_KILL_GRACE_MS = 2000;

/** Exit status of a block that never started because Rampart died before it was recorded. */
export const NOT_STARTED_EXIT = 125;

/**
 * Put in front of the block's code, on its first line so that bash's line
 * numbers stay the block's own: wait for Rampart's go byte on fd 3, sent only
 * once the block's process group is in the journal. If Rampart dies before,
 * the pipe closes and the block runs nothing, so no command ever runs that the
 * record cannot account for.
 */
export const GO_GATE = `IFS= read -r -n 1 -u 3 __rampart_go && [[ $__rampart_go == g ]] || exit ${NOT_STARTED_EXIT}; exec 3<&-; unset __rampart_go; `;

/** Signals every process in the group; false once the group is gone. */
const signalGroup = (pgid: number, signal: NodeJS.Signals): boolean => {
	try {
		process.kill(-pgid, signal);
		return true;
	} catch {
		return false;
	}
};

const groupAlive = (pgid: number): boolean => signalGroup(pgid, 0 as unknown as NodeJS.Signals);

/** TERM, then KILL after the grace period if anything in the group is left. */
const stopGroup = async (pgid: number, graceMs: number): Promise<void> => {
	if (!signalGroup(pgid, 'SIGTERM')) return;
	const deadline = Date.now() + graceMs;
	while (Date.now() < deadline) {
		await new Promise(resolve => setTimeout(resolve, 25));
		if (!groupAlive(pgid)) return;
	}
	signalGroup(pgid, 'SIGKILL');
};

/** The longest line passed on whole; longer ones arrive in pieces of this size. */
export const MAX_LINE_CHARS = 64 * 1024;

const lineSplitter = (stream: 'stdout' | 'stderr', onLine: BlockRun['onLine']) => {
	const decoder = new StringDecoder('utf8');
	let pending = '';
	const emit = (text: string) => {
		const lines = (pending + text).split('\n');
		pending = lines.pop() ?? '';
		for (const line of lines) onLine(stream, line.endsWith('\r') ? line.slice(0, -1) : line);
		// Output that never ends a line must not grow in memory without bound:
		// past MAX_LINE_CHARS it is passed on in pieces, each as a line.
		while (pending.length > MAX_LINE_CHARS) {
			onLine(stream, pending.slice(0, MAX_LINE_CHARS));
			pending = pending.slice(MAX_LINE_CHARS);
		}
	};
	return {
		write: (chunk: Buffer) => emit(decoder.write(chunk)),
		end: () => {
			emit(decoder.end());
			if (pending !== '') onLine(stream, pending);
			pending = '';
		},
	};
};

export const executeBlock = async (run: BlockRun): Promise<BlockResult> => {
	const startedAt = performance.now();
	const grace = run.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
	if (run.signal?.aborted) return {exitCode: null, timedOut: false, cancelled: true, durationMs: 0};

	// Without PATH, exec searches the C library's default, as a shell would.
	const path = run.env.PATH ?? '/usr/bin:/bin';
	const bash = resolveBash(path);
	if (bash === undefined) return {exitCode: null, timedOut: false, cancelled: false, durationMs: 0, error: `bash was not found on the block's PATH (${path})`};
	let child: ChildProcess;
	try {
		child = spawn(bash, ['-Eeuo', 'pipefail', '-c', GO_GATE + run.code, 'rampart-block'], {
			cwd: run.cwd,
			env: run.env,
			// An interactive command must stay in the terminal's foreground process
			// group to read from it; everything else gets a group of its own.
			detached: !run.interactive,
			stdio: run.interactive ? ['inherit', 'inherit', 'inherit', 'pipe'] : ['ignore', 'pipe', 'pipe', 'pipe'],
		});
	} catch (error) {
		return {exitCode: null, timedOut: false, cancelled: false, durationMs: 0, error: startError(error, bash, run.cwd)};
	}
	let spawnError: unknown;
	const closed = new Promise<{code: number | null; signal: NodeJS.Signals | null}>(resolve => {
		child.on('error', error => {
			spawnError ??= error;
		});
		child.on('close', (code, signal) => resolve({code, signal}));
	});
	const pgid = child.pid;
	let timedOut = false;
	let cancelled = false;
	let stopping: Promise<void> | undefined;
	const stop = () => {
		if (pgid === undefined) return;
		if (run.interactive) {
			child.kill('SIGTERM');
			return;
		}
		stopping ??= stopGroup(pgid, grace);
	};
	const timer =
		run.timeoutMs === undefined
			? undefined
			: setTimeout(() => {
					timedOut = true;
					stop();
				}, run.timeoutMs);
	const onAbort = () => {
		cancelled = true;
		stop();
	};
	run.signal?.addEventListener('abort', onAbort, {once: true});

	const out = lineSplitter('stdout', run.onLine);
	const err = lineSplitter('stderr', run.onLine);
	child.stdout?.on('data', (chunk: Buffer) => out.write(chunk));
	child.stderr?.on('data', (chunk: Buffer) => err.write(chunk));
	// Processes the block left running in its group would hold its output open
	// and outlive it: stop them as soon as the block's own shell has exited.
	child.on('exit', () => {
		if (pgid !== undefined && !run.interactive) stopping ??= stopGroup(pgid, grace);
	});

	const gate = child.stdio[3] as unknown as NodeJS.WritableStream | undefined;
	gate?.on('error', () => {}); // the block may already be gone: its exit status says so
	try {
		try {
			// Record first (the caller journals the process group), then let the block go.
			await run.onSpawn?.(pgid);
		} catch (error) {
			// Not recorded, so not run: without the go byte the block exits at once.
			gate?.end();
			await closed;
			throw error;
		}
		gate?.end('g');

		const {code, signal} = await closed;
		out.end();
		err.end();
		await stopping;
		// A block that never started has no exit status of its own.
		const didStart = child.pid !== undefined && spawnError === undefined;
		return {
			exitCode: didStart ? code : null,
			signal: didStart ? (signal ?? undefined) : undefined,
			timedOut,
			cancelled: cancelled && !timedOut,
			durationMs: Math.round(performance.now() - startedAt),
			error: didStart ? undefined : startError(spawnError, bash, run.cwd),
		};
	} finally {
		if (timer) clearTimeout(timer);
		run.signal?.removeEventListener('abort', onAbort);
	}
};

/** Why a block could not start, in the operator's terms. */
const startError = (error: unknown, bash: string, cwd: string): string => {
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	if (!existsSync(cwd)) return `the working directory ${cwd} does not exist`;
	if (code === 'ENOENT' && !existsSync(bash)) return `${bash} has gone`;
	return error instanceof Error ? error.message : String(error);
};
