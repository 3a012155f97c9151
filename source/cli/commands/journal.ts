import {journalPath, listRuns, verifyJournal, type VerifyResult} from '../../journal/index.js';
import {StateDirError} from '../../journal/state-trust.js';
import {usageError} from '../errors.js';
import {EXIT} from '../exit-codes.js';
import type {CliContext} from '../context.js';
import {existsSync} from 'node:fs';

/** One journal; one that cannot be read at all (a directory in its place, no permission) fails alone, the others are still checked. */
const verifyOne = (file: string, stateDir: string): VerifyResult => {
	try {
		return verifyJournal(file, stateDir);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (error instanceof StateDirError || code === undefined) throw error;
		const why = code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : code;
		return {ok: false, lines: 0, problems: [{line: 0, kind: 'unreadable', message: `cannot read ${file}: ${why}`}]};
	}
};

/** `rampart journal verify [run-id]`: checks each run's hash chain and logs. */
export const journalVerifyCommand = async (ctx: CliContext, runId: string | undefined, options: {json?: boolean}): Promise<number> => {
	const stateDir = ctx.stateDir();
	const runIds = runId ? [runId] : listRuns(stateDir);
	if (runId && !existsSync(journalPath(stateDir, runId))) throw usageError(`no run ${runId} in ${stateDir}`);
	const results = runIds.map(id => ({runId: id, ...verifyOne(journalPath(stateDir, id), stateDir)}));
	if (options.json) ctx.out(JSON.stringify(results, null, 2));
	else {
		if (results.length === 0) ctx.out(`No runs recorded in ${stateDir}.`);
		for (const r of results) {
			ctx.out(`${r.ok ? 'ok  ' : 'FAIL'} ${r.runId} (${r.lines} event${r.lines === 1 ? '' : 's'})`);
			for (const p of r.problems) ctx.out(`     ${p.message}`);
		}
	}
	return results.every(r => r.ok) ? EXIT.ok : EXIT.failed;
};
