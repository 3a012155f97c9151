// Runs one shell block: `bash -Eeuo pipefail -c CODE`, in its own process
// group so that cancel and timeout reach every process it started. Inputs
// arrive only through `env`; the code is passed as written.
//
// Blocks are spawned with node:child_process, not execa: a step's cost is
// mostly the spawn, and execa's option handling added about 0.4 ms to each
// (see BENCHMARKS.md); nothing execa adds is used here.

import {spawn, type ChildProcess} from 'node:child_process';
import {randomUUID} from 'node:crypto';
import {existsSync} from 'node:fs';
import type {Readable} from 'node:stream';
import {StringDecoder} from 'node:string_decoder';
import {resolveBash} from './resolve-bash.js';
import {BLOCK_MARKER, blockTree, outputLinks, pipeHolders, type BlockTree, type TreeProcess} from './block-tree.js';
import {liveGroupMembers} from './leftover-processes.js';

export interface BlockRun {
	code: string;
	cwd: string;
	env: Record<string, string>;
	timeoutMs?: number;
	signal?: AbortSignal;
	/** Give the command the real terminal (and no output capture). */
	interactive: boolean;
	/**
	 * Output as it arrives: one or more whole lines, each with its newline, or
	 * a piece of a line too long to hold (no newline); `last` once per stream,
	 * with whatever it ended with (possibly nothing).
	 */
	onOutput: (stream: 'stdout' | 'stderr', text: string, last?: boolean) => void;
	/**
	 * Called after each piece of output: a promise when whoever shows the
	 * output is behind (a slow pipe). Reading stops until it settles, so the
	 * command waits on its own pipe instead of Rampart's memory growing.
	 */
	backlog?: () => Promise<void> | undefined;
	/**
	 * Called right after the spawn, before any output, with the process
	 * (group) id. The block waits for it: it runs only once this resolves.
	 * (A remote block calls it before it is sent, without an id.)
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
	/** Processes the block left behind outside its process group, stopped when it ended. */
	strays?: TreeProcess[];
	/** Processes of the block still running after it was stopped: named, never hidden. */
	survivors?: TreeProcess[];
	/** Processes that set RAMPART_DETACH=1 and were left running on purpose. */
	detached?: TreeProcess[];
	/** Its output pipes were still held open by something that could not be stopped; reading stopped. */
	pipesAbandoned?: boolean;
	/** A remote block whose connection went while it ran: what it did there is not known. */
	connectionLost?: string;
}

/** Runs one block somewhere: here (executeBlock) or on a host over SSH (remote/remote-block.ts). */
export type BlockExecutor = (run: BlockRun) => Promise<BlockResult>;

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

/**
 * TERM to the group and every other process of the block, then KILL after
 * the grace period to whatever is left. `others`: also the processes that
 * left the group (setsid, double fork), found through the block's tree.
 */
const stopTree = async (pgid: number, tree: BlockTree, graceMs: number, others: boolean): Promise<void> => {
	const signal = (s: NodeJS.Signals) => {
		const group = signalGroup(pgid, s);
		return (others && tree.signal(s, pgid)) || group;
	};
	// Zombies (reparented to an init that is slow to reap) count as gone.
	const done = () => liveGroupMembers(pgid).length === 0 && (!others || tree.members(pgid).running.length === 0);
	if (!signal('SIGTERM') || done()) return;
	const deadline = Date.now() + graceMs;
	while (Date.now() < deadline) {
		await sleep(25);
		if (done()) return;
	}
	// KILL until nothing is left: a fork between two sweeps is caught by the next.
	for (let round = 0; round < 20 && signal('SIGKILL') && !done(); round++) await sleep(25);
};

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** TERM, then KILL after the grace period, to single processes. */
const stopPids = async (pids: readonly number[], graceMs: number): Promise<void> => {
	const signal = (s: NodeJS.Signals) =>
		pids.filter(pid => {
			try {
				process.kill(pid, s);
				return true;
			} catch {
				return false;
			}
		}).length > 0;
	if (!signal('SIGTERM')) return;
	const deadline = Date.now() + graceMs;
	while (Date.now() < deadline) {
		await sleep(25);
		if (!signal(0 as unknown as NodeJS.Signals)) return;
	}
	signal('SIGKILL');
	await sleep(25);
};

/** How long output may still arrive after the block and its tree have ended. */
const DRAIN_MS = 200;

/** The longest line passed on whole; longer ones arrive in pieces of this size. */
export const MAX_LINE_CHARS = 64 * 1024;

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * Cuts a stream into pieces that end at a line end, so each piece can be
 * masked whole (a secret is never split between two) and written as it came:
 * every byte, `\r` and all. A piece is as large as what the pipe delivered, so
 * a flood costs a few calls per 64 KiB, not one per line. Output that never
 * ends a line is passed on past MAX_LINE_CHARS, so memory stays bounded.
 */
export const lineChunker = (stream: 'stdout' | 'stderr', onOutput: BlockRun['onOutput']) => {
	const decoder = new StringDecoder('utf8');
	let pending = '';
	const emit = (text: string) => {
		const all = pending === '' ? text : pending + text;
		const end = all.lastIndexOf('\n') + 1;
		if (end > 0) onOutput(stream, all.slice(0, end));
		pending = end > 0 ? all.slice(end) : all;
		while (pending.length > MAX_LINE_CHARS) {
			// Never between the two halves of a character outside the BMP (an emoji): the log keeps its bytes.
			const cut = isHighSurrogate(pending.charCodeAt(MAX_LINE_CHARS - 1)) ? MAX_LINE_CHARS - 1 : MAX_LINE_CHARS;
			onOutput(stream, pending.slice(0, cut));
			pending = pending.slice(cut);
		}
	};
	return {
		write: (chunk: Buffer) => emit(decoder.write(chunk)),
		end: () => {
			emit(decoder.end());
			onOutput(stream, pending, true);
			pending = '';
		},
	};
};

/**
 * Reads a block's output pipes at the pace of whoever shows the output
 * (BlockRun.backlog): both pause while it is behind. Once the block's shell
 * has exited, what is left in the pipes is bounded and must be read at once:
 * they are waited for only briefly.
 */
export const pacedReading = (readers: readonly Readable[], backlog: BlockRun['backlog']) => {
	let exited = false;
	return {
		reader: (write: (chunk: Buffer) => void) => (chunk: Buffer) => {
			write(chunk);
			const wait = exited ? undefined : backlog?.();
			if (!wait) return;
			for (const stream of readers) stream.pause();
			void wait.finally(() => {
				for (const stream of readers) stream.resume();
			});
		},
		shellExited: () => {
			exited = true;
			for (const stream of readers) stream.resume();
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
	// Every process the block starts inherits the marker (and, where allowed, its cgroup).
	// randomUUID draws on a cached pool of entropy: no system call per block.
	const token = randomUUID().replaceAll('-', '').slice(0, 16);
	let tree = blockTree(token);
	let child: ChildProcess;
	try {
		child = spawn(bash, ['-Eeuo', 'pipefail', '-c', GO_GATE + run.code, 'rampart-block'], {
			cwd: run.cwd,
			env: {...run.env, [BLOCK_MARKER]: token},
			// An interactive command must stay in the terminal's foreground process
			// group to read from it; everything else gets a group of its own.
			detached: !run.interactive,
			stdio: run.interactive ? ['inherit', 'inherit', 'inherit', 'pipe'] : ['ignore', 'pipe', 'pipe', 'pipe'],
		});
	} catch (error) {
		tree.release();
		return {exitCode: null, timedOut: false, cancelled: false, durationMs: 0, error: startError(error, bash, run.cwd)};
	}
	let spawnError: unknown;
	// The block's end is its shell's exit; its pipes may be held open longer by
	// what it left behind, so they are waited for only briefly (see below).
	const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>(resolve => {
		child.on('error', error => {
			spawnError ??= error;
			resolve({code: null, signal: null});
		});
		child.on('exit', (code, signal) => resolve({code, signal}));
	});
	const pipesClosed = new Promise<void>(resolve => child.on('close', () => resolve()));
	// The child end of its output, as the block's processes see it (the shell waits at the gate meanwhile).
	const pipes = run.interactive || child.pid === undefined ? [] : outputLinks(child.pid);
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
		stopping ??= stopTree(pgid, tree, grace, true);
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

	const out = lineChunker('stdout', run.onOutput);
	const err = lineChunker('stderr', run.onOutput);
	const pacing = pacedReading(
		[child.stdout, child.stderr].filter(stream => stream !== null),
		run.backlog,
	);
	child.stdout?.on(
		'data',
		pacing.reader(chunk => out.write(chunk)),
	);
	child.stderr?.on(
		'data',
		pacing.reader(chunk => err.write(chunk)),
	);
	// Processes the block left running in its group would hold its output open
	// and outlive it: stop them as soon as the block's own shell has exited.
	child.on('exit', () => {
		pacing.shellExited();
		if (pgid !== undefined && !run.interactive) stopping ??= stopTree(pgid, tree, grace, false);
	});

	const gate = child.stdio[3] as unknown as NodeJS.WritableStream | undefined;
	gate?.on('error', () => {}); // the block may already be gone: its exit status says so
	try {
		// Into its cgroup (on the thread pool) while the caller records the start (on this thread).
		const adopted =
			pgid !== undefined && !run.interactive
				? tree.adopt(pgid).catch(() => {
						// No cgroup after all: the environment marker still finds the tree.
						tree.release();
						tree = blockTree(token, {RAMPART_CGROUP: 'off'});
					})
				: Promise.resolve();
		try {
			// Record first (the caller journals the process group), then let the block go.
			await run.onSpawn?.(pgid);
		} catch (error) {
			// Not recorded, so not run: without the go byte the block exits at once.
			await adopted;
			gate?.end();
			await exited;
			throw error;
		}
		// Nothing runs before it is in its cgroup: what it starts is found there.
		await adopted;
		gate?.end('g');

		const {code, signal} = await exited;
		const ends = await endOfTree(pgid, run.interactive, tree, grace, pipesClosed, () => stopping, timedOut || cancelled, pipes);
		out.end();
		err.end();
		if (ends.pipesAbandoned) {
			child.stdout?.destroy();
			child.stderr?.destroy();
		}
		// A block that never started has no exit status of its own.
		const didStart = child.pid !== undefined && spawnError === undefined;
		return {
			exitCode: didStart ? code : null,
			signal: didStart ? (signal ?? undefined) : undefined,
			timedOut,
			cancelled: cancelled && !timedOut,
			durationMs: Math.round(performance.now() - startedAt),
			error: didStart ? undefined : startError(spawnError, bash, run.cwd),
			...ends.report,
			...(ends.pipesAbandoned ? {pipesAbandoned: true} : {}),
		};
	} finally {
		if (timer) clearTimeout(timer);
		run.signal?.removeEventListener('abort', onAbort);
		tree.release();
	}
};

/**
 * After the block's shell exited: its group is being stopped; what left the
 * group is stopped too (with a cgroup, always; otherwise when it holds the
 * output open, since a search of /proc per block would cost every step).
 * Then whatever still runs is named, and the pipes are read only briefly.
 */
const endOfTree = async (
	pgid: number | undefined,
	interactive: boolean,
	tree: BlockTree,
	grace: number,
	pipesClosed: Promise<void>,
	stopping: () => Promise<void> | undefined,
	stopped: boolean,
	pipes: readonly string[],
): Promise<{report: Pick<BlockResult, 'strays' | 'survivors' | 'detached'>; pipesAbandoned: boolean}> => {
	await stopping();
	if (pgid === undefined || interactive) {
		await pipesClosed;
		return {report: {}, pipesAbandoned: false};
	}
	const drained = () => Promise.race([pipesClosed.then(() => true), sleep(DRAIN_MS).then(() => false)]);
	let closedInTime = tree.kind === 'cgroup' ? undefined : await drained();
	const strays = closedInTime ? [] : tree.members(pgid).running;
	if (strays.length > 0) await stopTree(pgid, tree, grace, true);
	if (closedInTime === undefined || strays.length > 0) closedInTime = await drained();
	// Still held open: by something that escaped both the cgroup and the marker.
	const holders = closedInTime ? [] : pipeHolders(pipes);
	if (holders.length > 0) {
		await stopPids(
			holders.map(h => h.pid),
			grace,
		);
		closedInTime = await drained();
		strays.push(...holders);
	}
	// Who is still there: asked of the cgroup, or of /proc when something had to be stopped.
	const searched = tree.kind === 'cgroup' || stopped || strays.length > 0 || !closedInTime;
	const found = searched ? tree.members() : {running: [], detached: []};
	const running = [...found.running, ...(closedInTime ? [] : pipeHolders(pipes))].filter((p, i, all) => all.findIndex(q => q.pid === p.pid) === i);
	const detached = found.detached;
	return {
		report: {
			...(strays.length > 0 ? {strays} : {}),
			...(running.length > 0 ? {survivors: running} : {}),
			...(detached.length > 0 ? {detached} : {}),
		},
		pipesAbandoned: !closedInTime,
	};
};

/** Why a block could not start, in the operator's terms. */
const startError = (error: unknown, bash: string, cwd: string): string => {
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	if (!existsSync(cwd)) return `the working directory ${cwd} does not exist`;
	if (code === 'ENOENT' && !existsSync(bash)) return `${bash} has gone`;
	return error instanceof Error ? error.message : String(error);
};
