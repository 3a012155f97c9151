import {resolveStateDir} from '../journal/state-dir.js';

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

export const processContext = (debug: boolean): CliContext => ({
	env: process.env,
	cwd: process.cwd(),
	out: line => process.stdout.write(`${line}\n`),
	err: line => process.stderr.write(`${line}\n`),
	stateDir: () => resolveStateDir(process.env),
	debug,
	stdinIsTTY: process.stdin.isTTY === true,
	stdoutIsTTY: process.stdout.isTTY === true,
});
