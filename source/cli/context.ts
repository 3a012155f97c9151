import {resolveStateDir} from '../journal/state-dir.js';
import {StateDirError} from '../journal/state-trust.js';
import {CliError} from './errors.js';
import {EXIT} from './exit-codes.js';

/** What a command needs from the outside world; tests can supply their own. */
export interface CliContext {
	env: NodeJS.ProcessEnv;
	cwd: string;
	out: (line: string) => void;
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

export const processContext = (debug: boolean): CliContext => {
	guardClosedPipes();
	return {
		env: process.env,
		cwd: process.cwd(),
		out: line => {
			if (!closed.stdout) process.stdout.write(`${line}\n`);
		},
		err: line => {
			if (!closed.stderr) process.stderr.write(`${line}\n`);
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
