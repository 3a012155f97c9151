// Which runs have a journal, and their order: by the second their id says
// they started, then, within one second, by when the journal was made, then
// by id. One rule for the listing, the run index and the history.

import fs from 'node:fs';
import path from 'node:path';
import {JOURNAL_SUFFIX, runsDir} from './layout.js';
import {isErrno} from './state-dir.js';

/** Ids of the runs that have a journal, in no particular order (no stat: just the directory). */
export const journalIds = (stateDir: string): string[] => {
	let names: string[];
	try {
		names = fs.readdirSync(runsDir(stateDir));
	} catch (error) {
		if (isErrno(error, 'ENOENT')) return [];
		throw error;
	}
	return names.filter(name => name.endsWith(JOURNAL_SUFFIX) && !name.startsWith('.')).map(name => name.slice(0, -JOURNAL_SUFFIX.length));
};

/** The second a run id says its run started in. */
export const startStamp = (runId: string): string => runId.slice(0, runId.indexOf('-'));

/** When a run's journal was made (its birth time where the file system keeps one); 0 when it is gone. */
export const journalBirth = (stateDir: string, runId: string): number => {
	try {
		const stats = fs.statSync(path.join(runsDir(stateDir), runId + JOURNAL_SUFFIX));
		return stats.birthtimeMs || stats.mtimeMs;
	} catch {
		return 0;
	}
};

export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Oldest first. */
export const compareRuns = (a: {runId: string; born: number}, b: {runId: string; born: number}): number =>
	compareText(startStamp(a.runId), startStamp(b.runId)) || a.born - b.born || compareText(a.runId, b.runId);
