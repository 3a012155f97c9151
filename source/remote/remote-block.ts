// Runs blocks on a host over its SSH connection, with the guarantees of a
// local block: the start is recorded before the block is even sent,
// inputs travel only on stdin (see bootstrap.ts), and a timeout, a cancel or
// the end of Rampart stops everything the block started on the host.
//
// One agent per host runs them all: a single ssh session through the master,
// so the host's login shell (its ~/.bashrc) and sshd's session set-up are paid
// for once, not for every block.

import type {ChildProcess} from 'node:child_process';
import {randomUUID} from 'node:crypto';
import {DEFAULT_KILL_GRACE_MS, lineChunker, pacedReading, type BlockExecutor, type BlockResult, type BlockRun} from '../engine/execute-block.js';
import {BOOTSTRAP, HEADER_WIDTH, REMOTE_PROTOCOL, REMOTE_SETUP_FAILED} from './bootstrap.js';
import {recordScanner} from './agent-records.js';
import type {SshConnection} from './ssh-connection.js';

/** How long a host may take to start a block (its login shell, sudo, the agent) before it is given up on. */
const SETUP_LIMIT_MS = 5 * 60_000;

/** Every byte but printable ASCII other than the blank and the backslash. */
const UNSAFE = /[^\x21-\x5b\x5d-\x7e]/g;
const ESCAPES = Array.from({length: 256}, (_, byte) => `\\x${byte.toString(16).padStart(2, '0')}`);

/**
 * One field of a request: `=` (so no field is empty) and the text's UTF-8
 * bytes, printable ASCII as itself and every other byte (space, newline,
 * backslash, control, non-ASCII) as `\xHH`, which the agent's `printf %b`
 * turns back into that byte and nothing else.
 */
export const requestField = (text: string): string =>
	// Latin-1 of the UTF-8 bytes: one character per byte, so the escape of each is its code.
	'=' +
	Buffer.from(text, 'utf8')
		.toString('latin1')
		.replace(UNSAFE, c => ESCAPES[c.charCodeAt(0)]!);

/** A request: a header of fixed width (what it asks, its token, grace and the length of what follows), then its fields, escaped. */
const request = (kind: '@' | '?', token: string, graceMs: number, fields: readonly string[]): string => {
	// ASCII only, so its length in characters is its length in bytes.
	const body = fields.map(requestField).join(' ');
	const grace = String(Math.min(999_999, Math.max(1, Math.ceil(graceMs / 1000)))).padStart(6, '0');
	const header = `${kind}${token} ${grace} ${String(body.length).padStart(10, '0')}\n`;
	if (header.length !== HEADER_WIDTH || !/^[A-Za-z0-9]{16}$/.test(token)) throw new Error('a remote request needs a 16-character token and a body under 10 GB');
	return header + body;
};

/** One block's request: its directory, code and environment. */
export const remoteRequest = (token: string, graceMs: number, cwd: string | undefined, env: Record<string, string>, code: string): string => {
	const names = Object.keys(env).filter(name => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
	return request('@', token, graceMs, [cwd ?? '', code, ...names.flatMap(name => [name, env[name]!])]);
};

/** What the host has (see bootstrap.ts): the agent answers it without starting a process. */
export const factsRequest = (token: string, commands: readonly string[]): string => request('?', token, 1000, commands);

/** Why a block never started on the host, in words the operator can act on. */
const setupError = (connection: RemoteLink, stderr: string, code: number | null): string => {
	const said = stderr.trim().split('\n').slice(-6).join('\n');
	if (/sudo: (a password is required|a terminal is required)/.test(stderr)) {
		return `sudo on ${connection.host.name} needs a password; Rampart runs sudo -n and never types one. Allow the user to run bash through sudo without a password there, or connect as root (ansible_user=root).`;
	}
	if (/sudo: .*not found/.test(stderr)) return `sudo is not installed on ${connection.host.name} (needed by ansible_become / --become)`;
	if (/bash: .*not found|exec: bash: not found/.test(stderr)) return `bash is not installed on ${connection.host.name}`;
	return said !== '' ? said : `the block could not be started on ${connection.host.name} (ssh exited with ${code ?? 'a signal'})`;
};

/**
 * What a block needs of a connection: whether it is still up, and the host's
 * agent, a process whose stdin, stdout and stderr reach the command
 * agentCommand() on the host (undefined once it cannot give one any more).
 */
export type RemoteLink = Pick<SshConnection, 'host' | 'lost' | 'lostWithin' | 'openAgent'>;

/** What the agent said about the block in flight. */
interface BlockHandler {
	stdout: (chunk: Buffer) => void;
	stderr: (chunk: Buffer) => void;
	/** The agent's session ended: its exit status (255: ssh's own failure). */
	agentExited: (code: number | null, error?: Error) => void;
}

/** What the host said when asked what it has: the facts as printed (see FACTS_SEPARATOR), or how the asking went. */
export interface FactsAnswer {
	result: BlockResult;
	stdout: string;
	stderr: string;
}

/** A block's executor on one host; facts() asks the host what it has; close() ends the host's agent. */
export type RemoteExecutor = BlockExecutor & {close: () => void; facts: (commands: readonly string[], timeoutMs: number) => Promise<FactsAnswer>};

type Settled = {kind: 'started'} | {kind: 'ended'; status: number} | {kind: 'agent-exited'; code: number | null; error?: Error};

/** What Rampart has said to one block: whether it was sent, cancelled, and when it was told to stop. */
interface BlockControl {
	grace: number;
	sent: boolean;
	cancelled: boolean;
	stopAt?: number;
	stop: () => void;
}

const blockControl = (child: ChildProcess, grace: number): BlockControl => {
	const control: BlockControl = {
		grace,
		sent: false,
		cancelled: false,
		// Say stop: the agent stops the block's group and its marked processes, TERM then KILL.
		stop: () => {
			if (control.stopAt !== undefined) return;
			control.stopAt = Date.now();
			child.stdin!.write('k');
			// An agent that does not answer is cut off once it had its grace and more.
			setTimeout(() => child.kill('SIGKILL'), grace + 10_000).unref();
		},
	};
	return control;
};

export const remoteExecutor = (connection: RemoteLink): RemoteExecutor => {
	let agent: ChildProcess | undefined;
	let current: BlockHandler | undefined;
	let idleStderr = '';
	let queue: Promise<unknown> = Promise.resolve();

	const startAgent = (): ChildProcess | undefined => {
		const child = connection.openAgent();
		if (!child) return undefined;
		idleStderr = '';
		child.stdin!.on('error', () => {}); // the agent may be gone: its exit says why
		// ASCII only (a test holds it to that), so its length in characters is its length in bytes.
		child.stdin!.write(`${BOOTSTRAP.length}\n${BOOTSTRAP}${REMOTE_PROTOCOL}\n`);
		// Between blocks only a block's leftovers (RAMPART_DETACH=1 with its output still here) can write: dropped.
		child.stdout!.on('data', (chunk: Buffer) => current?.stdout(chunk));
		child.stderr!.on('data', (chunk: Buffer) => {
			if (current) current.stderr(chunk);
			else if (idleStderr.length < 8192) idleStderr += chunk.toString('utf8');
		});
		let exited = false;
		const onExit = (code: number | null, error?: Error) => {
			if (exited) return;
			exited = true;
			if (agent === child) agent = undefined;
			current?.agentExited(code, error);
		};
		child.on('error', error => onExit(null, error));
		child.on('close', code => onExit(code));
		// Its output may have waited (paused) since the connection was made.
		child.stdout!.resume();
		child.stderr!.resume();
		return child;
	};

	/** `ask`: the request for this run (a block's own by default). */
	const runOne = async (run: BlockRun, ask?: (token: string) => string): Promise<BlockResult> => {
		const startedAt = performance.now();
		const durationMs = () => Math.round(performance.now() - startedAt);
		if (run.signal?.aborted) return {exitCode: null, timedOut: false, cancelled: true, durationMs: 0};
		if (connection.lost) return {exitCode: null, timedOut: false, cancelled: false, durationMs: 0, connectionLost: connection.lost};
		// An interactive block needs the operator's terminal, which a host over SSH does not share here.
		if (run.interactive) {
			return {
				exitCode: null,
				timedOut: false,
				cancelled: false,
				durationMs: 0,
				error: `an interactive block needs your terminal: run this step on ${connection.host.name} itself`,
			};
		}
		const grace = run.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
		const token = randomUUID().replaceAll('-', '').slice(0, 16);
		const child = (agent ??= startAgent());
		if (!child) {
			return {
				exitCode: null,
				timedOut: false,
				cancelled: false,
				durationMs: 0,
				connectionLost: connection.lost ?? `the Rampart agent on ${connection.host.name} has ended`,
			};
		}
		const control = blockControl(child, grace);
		const onAbort = () => {
			control.cancelled = true;
			if (control.sent) control.stop();
		};
		run.signal?.addEventListener('abort', onAbort, {once: true});
		try {
			// The start is recorded before the block is even sent (a round trip less per block
			// than waiting for the host to say it is ready): not recorded, not sent, not run.
			await run.onSpawn?.(undefined);
			if (control.cancelled) return {exitCode: null, timedOut: false, cancelled: true, durationMs: durationMs()};
			const sent = ask?.(token) ?? remoteRequest(token, control.grace, run.cwd, run.env, run.code);
			return await sendAndWait(run, child, sent, token, control, durationMs);
		} finally {
			run.signal?.removeEventListener('abort', onAbort);
		}
	};

	/** The block sent to the host's agent and followed to its end. */
	const sendAndWait = async (run: BlockRun, child: ChildProcess, sent: string, token: string, control: BlockControl, durationMs: () => number): Promise<BlockResult> => {
		const out = lineChunker('stdout', run.onOutput);
		const err = lineChunker('stderr', run.onOutput);
		let setupStderr = idleStderr;
		let started = false;
		let stderrDone = false;
		let status: number | undefined;
		let wake: ((settled: Settled) => void) | undefined;
		const next = () => new Promise<Settled>(resolve => (wake = resolve));
		const settle = (settled: Settled) => wake?.(settled);
		const ended = () => {
			if (status !== undefined && stderrDone) settle({kind: 'ended', status});
		};
		const onRecord = (kind: string, arg: string) => {
			if (kind === 's' && !started) {
				started = true;
				settle({kind: 'started'});
			} else if (kind === 'x') {
				status = Number(arg);
				ended();
			} else if (kind === 'e') {
				stderrDone = true;
				ended();
			}
		};
		const pacing = pacedReading([child.stdout!, child.stderr!], run.backlog);
		// Before the start, stdout holds only what the login shell printed: not the block's.
		const stdout = recordScanner(token, bytes => started && out.write(bytes), onRecord);
		const stderr = recordScanner(
			token,
			bytes => {
				if (!started && setupStderr.length < 8192) setupStderr += bytes.toString('utf8');
				err.write(bytes);
			},
			onRecord,
		);
		let pending = next();
		current = {
			stdout: pacing.reader(stdout),
			stderr: pacing.reader(stderr),
			agentExited: (code, error) => settle({kind: 'agent-exited', code, error}),
		};
		const finish = () => {
			current = undefined;
			pacing.shellExited();
			out.end();
			err.end();
		};
		const lostOr = async (code: number | null, error: Error | undefined, otherwise: BlockResult): Promise<BlockResult> =>
			(code === 255 || error) && (await connection.lostWithin(1000))
				? {exitCode: null, timedOut: false, cancelled: false, durationMs: durationMs(), connectionLost: connection.lost ?? 'the connection closed'}
				: otherwise;
		let timedOut = false;
		let timer: NodeJS.Timeout | undefined;
		// A host that never starts the block (a login shell that hangs) is given up on.
		let setupTimedOut = false;
		const setupTimer = setTimeout(() => {
			setupTimedOut = true;
			child.kill('SIGKILL');
		}, SETUP_LIMIT_MS);
		try {
			child.stdin!.write(sent);
			control.sent = true;
			// Cancelled while it was being recorded or sent: the agent reads the stop once it runs the block.
			if (control.cancelled) control.stop();
			const first = await pending;
			clearTimeout(setupTimer);
			if (first.kind !== 'started') {
				finish();
				if (first.kind === 'agent-exited') {
					const why = setupTimedOut ? `${connection.host.name} did not start the block within ${SETUP_LIMIT_MS / 60_000} minutes (its login shell hung?)` : undefined;
					return lostOr(first.code, first.error, {
						exitCode: null,
						timedOut,
						cancelled: control.cancelled,
						durationMs: durationMs(),
						error: why ?? first.error?.message ?? setupError(connection, setupStderr, first.code),
					});
				}
				return {exitCode: null, timedOut, cancelled: control.cancelled, durationMs: durationMs(), error: setupError(connection, setupStderr, REMOTE_SETUP_FAILED)};
			}
			pending = next();
			// The block's time starts when the block does: a slow login shell on the host is not the block's.
			if (run.timeoutMs !== undefined) timer = setTimeout(() => ((timedOut = true), control.stop()), run.timeoutMs);
			const last = await pending;
			finish();
			const {cancelled, stopAt} = control;
			if (last.kind === 'agent-exited') {
				return lostOr(last.code, last.error, {
					exitCode: null,
					timedOut,
					cancelled: cancelled && !timedOut,
					durationMs: durationMs(),
					...(stopAt === undefined ? {error: `the Rampart agent on ${connection.host.name} ended while the block ran (exit ${last.code ?? 'by a signal'})`} : {}),
				});
			}
			const code = last.kind === 'ended' ? last.status : null;
			// A block killed by a signal exits 128+n, as bash reports it.
			const signalled = code !== null && code > 128 && code < 160 && stopAt !== undefined;
			return {exitCode: code, ...(signalled ? {signal: `signal ${code - 128}`} : {}), timedOut, cancelled: cancelled && !timedOut, durationMs: durationMs()};
		} finally {
			clearTimeout(setupTimer);
			if (timer) clearTimeout(timer);
			if (current !== undefined) finish();
		}
	};

	// One block at a time per host: the agent runs them in order.
	const inTurn = (run: BlockRun, ask?: (token: string) => string): Promise<BlockResult> => {
		const result = queue.then(() => runOne(run, ask));
		queue = result.catch(() => {});
		return result;
	};
	const facts = async (commands: readonly string[], timeoutMs: number): Promise<FactsAnswer> => {
		const said = {stdout: '', stderr: ''};
		const result = await inTurn({code: '', cwd: '', env: {}, interactive: false, timeoutMs, onOutput: (stream, text) => (said[stream] += text)}, token =>
			factsRequest(token, commands),
		);
		return {result, ...said};
	};
	return Object.assign((run: BlockRun) => inTurn(run), {
		facts,
		close: () => {
			agent?.stdin?.end();
			agent = undefined;
		},
	});
};
