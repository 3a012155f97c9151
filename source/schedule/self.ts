// The command line that starts this Rampart again: for the units and cron
// lines, and for the audit job's own run. Absolute, so a job never depends on
// PATH; and limited to plain path characters, because it is written into unit
// files and crontabs, whose quoting rules (systemd's %, cron's %) differ.

import fs from 'node:fs';
import path from 'node:path';

const PLAIN = /^\/[A-Za-z0-9._/+@-]*$/;

export class UnplainPathError extends Error {}

export const assertPlainPath = (what: string, value: string): string => {
	if (!PLAIN.test(value)) {
		throw new UnplainPathError(`${what} ${JSON.stringify(value)} has characters a unit file or crontab line cannot carry safely (letters, digits and . _ / + @ - only)`);
	}
	return value;
};

const isSingleExecutable = async (): Promise<boolean> => {
	try {
		const sea = (await import('node:sea')) as {isSea?: () => boolean};
		return sea.isSea?.() ?? false;
	} catch {
		return false;
	}
};

/** [node, script] when run as a script (dist/rampart.js), [binary] when Rampart is one executable. */
export const selfCommand = async (argv: readonly string[] = process.argv, execPath = process.execPath): Promise<string[]> => {
	const binary = assertPlainPath('The Node executable', fs.realpathSync(execPath));
	const script = argv[1];
	if ((await isSingleExecutable()) || script === undefined) return [binary];
	return [binary, assertPlainPath('The rampart script', fs.realpathSync(path.resolve(script)))];
};
