// Runs one block on a host over its SSH connection, with the guarantees of a
// local block: the start is recorded before anything runs (the go byte),
// inputs travel only on stdin (see bootstrap.ts), and a timeout, a cancel or
// the end of Rampart stops everything the block started on the host.

import {spawn} from 'node:child_process';
import {randomUUID} from 'node:crypto';
import {DEFAULT_KILL_GRACE_MS, GO_GATE, lineChunker, pacedReading, type BlockExecutor, type BlockResult, type BlockRun} from '../engine/execute-block.js';
import {BOOTSTRAP, REMOTE_PROTOCOL, STARTED_PREFIX} from './bootstrap.js';
import type {SshConnection} from './ssh-connection.js';

/** The command ssh asks the host's login shell to run: constant, no value in it. */
export const remoteCommand = (become: boolean, becomeUser?: string): string => {
	if (becomeUser !== undefined && !/^[a-z_][a-z0-9_.-]*$/i.test(becomeUser)) throw new Error(`ansible_become_user "${becomeUser}" is not a user name`);
	const sudo = become ? `sudo -n ${becomeUser ? `-u ${becomeUser} ` : ''}-- ` : '';
	return `exec ${sudo}bash --noprofile --norc -c 'IFS= read -r -d "" __r_b && eval "$__r_b"' rampart-remote`;
};

/** How long a host may take to start a block (its login shell, sudo, the bootstrap) before it is given up on. */
const SETUP_LIMIT_MS = 5 * 60_000;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** What goes on stdin before the go byte: the bootstrap, then the block's code and environment, encoded. */
export const remotePayload = (token: string, graceMs: number, cwd: string | undefined, env: Record<string, string>, code: string): string => {
	const names = Object.keys(env).filter(name => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name));
	// One base64 line of NUL-terminated fields: one decoder on the host, whatever the number of values.
	const fields = [cwd ?? '', String(names.length), ...names.flatMap(name => [name, env[name]!]), GO_GATE + code];
	return [`${BOOTSTRAP}\0${REMOTE_PROTOCOL}`, token, String(Math.max(1, Math.ceil(graceMs / 1000))), b64(fields.map(f => `${f}\0`).join('')), ''].join('\n');
};

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

/** What a block needs of a connection: how to run a command there, and whether it is still up. */
export type RemoteLink = Pick<SshConnection, 'host' | 'lost' | 'lostWithin' | 'execArgs'> & {
	/** The program execArgs are for: `ssh` (a local shell in tests of the protocol). */
	program?: string;
};

export const remoteExecutor =
	(connection: RemoteLink): BlockExecutor =>
	async (run: BlockRun): Promise<BlockResult> => {
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
		const child = spawn(connection.program ?? 'ssh', connection.execArgs(remoteCommand(connection.host.become, connection.host.becomeUser)), {
			stdio: ['pipe', 'pipe', 'pipe'],
			// A Ctrl-C is Rampart's to turn into a stop on the host, not ssh's to act on.
			detached: true,
		});
		child.stdin.on('error', () => {}); // the bootstrap may be gone: its exit says why
		child.stdin.write(remotePayload(token, grace, run.cwd, run.env, run.code));

		const out = lineChunker('stdout', run.onOutput);
		const err = lineChunker('stderr', run.onOutput);
		let setupStderr = '';
		let head = '';
		let pgid: number | undefined;
		let started!: (pgid: number | undefined) => void;
		const spawned = new Promise<number | undefined>(resolve => (started = resolve));
		const pacing = pacedReading([child.stdout, child.stderr], run.backlog);
		child.stdout.on(
			'data',
			pacing.reader(chunk => {
				if (pgid !== undefined) return out.write(chunk);
				// The bootstrap's one line comes first: the block is still waiting for the go byte.
				head += chunk.toString('latin1');
				const end = head.indexOf('\n');
				if (end === -1) return;
				const line = head.slice(0, end);
				pgid = line.startsWith(STARTED_PREFIX) ? Number(line.slice(STARTED_PREFIX.length)) : Number.NaN;
				started(Number.isSafeInteger(pgid) ? pgid : undefined);
				const rest = Buffer.from(head.slice(end + 1), 'latin1');
				if (rest.length > 0) out.write(rest);
			}),
		);
		child.stderr.on(
			'data',
			pacing.reader(chunk => {
				if (pgid === undefined && setupStderr.length < 8192) setupStderr += chunk.toString('utf8');
				err.write(chunk);
			}),
		);
		const exited = new Promise<{code: number | null; error?: Error}>(resolve => {
			child.on('error', error => resolve({code: null, error}));
			child.on('close', code => resolve({code}));
		});
		void exited.then(() => {
			pacing.shellExited();
			started(undefined);
		});

		let timedOut = false;
		let cancelled = false;
		let stopAt: number | undefined;
		// Say stop: the bootstrap stops the block's group and its marked processes, TERM then KILL.
		const stop = () => {
			if (stopAt !== undefined) return;
			stopAt = Date.now();
			child.stdin.write('k');
			// A host that does not answer is cut off once the bootstrap had its grace and more.
			setTimeout(() => child.kill('SIGKILL'), grace + 10_000).unref();
		};
		// The block's time starts when the block does: a slow login shell on the host (its ~/.bashrc) is not the block's.
		let timer: NodeJS.Timeout | undefined;
		const startClock = () => {
			if (run.timeoutMs !== undefined) timer = setTimeout(() => ((timedOut = true), stop()), run.timeoutMs);
		};
		const onAbort = () => {
			cancelled = true;
			stop();
		};
		run.signal?.addEventListener('abort', onAbort, {once: true});
		// A host that never starts the block (a login shell that hangs) is given up on.
		let setupTimedOut = false;
		const setupTimer = setTimeout(() => {
			setupTimedOut = true;
			child.kill('SIGKILL');
		}, SETUP_LIMIT_MS);
		try {
			const remotePgid = await spawned;
			clearTimeout(setupTimer);
			if (remotePgid === undefined) {
				const {code, error} = await exited;
				out.end();
				err.end();
				if ((code === 255 || error) && (await connection.lostWithin(1000))) {
					return {exitCode: null, timedOut: false, cancelled: false, durationMs: durationMs(), connectionLost: connection.lost ?? 'the connection closed'};
				}
				const why = setupTimedOut ? `${connection.host.name} did not start the block within ${SETUP_LIMIT_MS / 60_000} minutes (its login shell hung?)` : undefined;
				return {exitCode: null, timedOut, cancelled, durationMs: durationMs(), error: why ?? error?.message ?? setupError(connection, setupStderr, code)};
			}
			try {
				await run.onSpawn?.(remotePgid);
			} catch (error) {
				// Not recorded, so not run: the end of stdin makes the bootstrap stop the waiting block.
				child.stdin.end();
				await exited;
				throw error;
			}
			child.stdin.write('g');
			startClock();
			const {code} = await exited;
			out.end();
			err.end();
			if (code === 255 && (await connection.lostWithin(1000))) {
				return {exitCode: null, timedOut, cancelled, durationMs: durationMs(), connectionLost: connection.lost ?? 'the connection closed'};
			}
			// A block killed by a signal exits 128+n through the bootstrap, as bash reports it.
			const signalled = code !== null && code > 128 && code < 160 && stopAt !== undefined;
			return {exitCode: code, ...(signalled ? {signal: `signal ${code - 128}`} : {}), timedOut, cancelled: cancelled && !timedOut, durationMs: durationMs()};
		} finally {
			clearTimeout(setupTimer);
			if (timer) clearTimeout(timer);
			run.signal?.removeEventListener('abort', onAbort);
			child.stdin.end();
		}
	};
