import {resolveStateDir} from '../journal/state-dir.js';
import {StateDirError} from '../journal/state-trust.js';
import {CliError} from './errors.js';
import {EXIT} from './exit-codes.js';

/** What a command needs from the outside world; tests can supply their own. */
export interface CliContext {
	env: NodeJS.ProcessEnv;
	cwd: string;
	out: (line: string) => void;
	/** Text to stdout as it is, for output that comes in pieces of many lines. */
	write: (text: string) => void;
	/** While stdout holds more than it can pass on (a slow pipe): settles once it has drained. */
	stdoutBacklog?: () => Promise<void> | undefined;
	/** Settles once everything written to stdout so far has left (before a last word on stderr). */
	stdoutFlushed?: () => Promise<void>;
	err: (line: string) => void;
	stateDir: () => string;
	debug: boolean;
	stdinIsTTY: boolean;
	stdoutIsTTY: boolean;
}

// A reader that goes away (`rampart history | head`) must not crash a run in
// progress: output to a closed pipe is dropped, the work and its record go on.
const closed = {stdout: false, stderr: false};
let guarded = false;
/** Installs the closed-pipe guard once; runCli does it before help or version text can be written. */
export const guardClosedPipes = (): void => {
	if (guarded) return;
	guarded = true;
	for (const name of ['stdout', 'stderr'] as const) {
		process[name].on('error', (error: NodeJS.ErrnoException) => {
			if (error.code !== 'EPIPE') throw error;
			closed[name] = true;
		});
	}
};

/** How much may wait for a slow reader of stdout before commands' output waits too. */
const STDOUT_BACKLOG_BYTES = 1024 * 1024;

export const processContext = (debug: boolean): CliContext => {
	guardClosedPipes();
	return {
		env: process.env,
		cwd: process.cwd(),
		out: line => {
			if (!closed.stdout) process.stdout.write(`${line}\n`);
		},
		write: text => {
			if (!closed.stdout) process.stdout.write(text);
		},
		err: line => {
			if (!closed.stderr) process.stderr.write(`${line}\n`);
		},
		stdoutFlushed: () =>
			new Promise<void>(resolve => {
				if (closed.stdout || process.stdout.writableLength === 0) resolve();
				else process.stdout.write('', () => resolve());
			}),
		stdoutBacklog: () => {
			if (closed.stdout || process.stdout.writableLength < STDOUT_BACKLOG_BYTES) return undefined;
			// A reader that goes away ends the wait too (EPIPE, then close).
			return new Promise(resolve => {
				const done = () => {
					process.stdout.off('drain', done).off('close', done).off('error', done);
					resolve();
				};
				process.stdout.on('drain', done).on('close', done).on('error', done);
			});
		},
		stateDir: () => {
			try {
				return resolveStateDir(process.env);
			} catch (error) {
				// A state directory others control: refused with the fix, as a runbook others could change is (exit 3).
				if (error instanceof StateDirError) throw new CliError(error.message, EXIT.requirements);
				throw error;
			}
		},
		debug,
		stdinIsTTY: process.stdin.isTTY === true,
		stdoutIsTTY: process.stdout.isTTY === true,
	};
};
