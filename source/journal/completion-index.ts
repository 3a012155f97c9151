// When each runbook last completed, and so when it is next due:
// <stateDir>/index.json, keyed by runbook id. The journals stay the record;
// this is a summary kept so listing runbooks never reads every journal.
//
// Runs of different runbooks finish at the same time, and each adds its entry
// by reading the index, changing it and writing it back. So the update runs
// under a brief lock (locks/.index.lock, the O_EXCL lock of lock.ts, waited
// for rather than refused), re-reads the index there, and replaces it whole
// (written beside it, fsynced, renamed over it): no writer loses another's
// entry, and a crash leaves the old index or the new one, never half of one.
//
// An index that is missing, cannot be read, or is not the index's shape is
// never fatal to the run that completes: a bad one is put aside as
// index.json.corrupt-<time>, and the index is rebuilt from the journals' first
// and last events (what the listing does anyway), then updated.

import fs from 'node:fs';
import {indexLockPath, LOCKS, recordKey} from './layout.js';
import {indexPath, nextDueAfter, parseCompletionIndex, type CompletionEntry, type CompletionIndex, type Completion} from './completion-index-read.js';
import {LockBusyError, withBriefLock} from './lock.js';
import {listRuns} from './read-journal.js';
import {readRunHead} from './read-records.js';
import {ensurePrivateDir, isErrno, readRecordFile, writeFileAtomically} from './state-dir.js';

// Reading lives apart, so that listing runbooks loads only the reader.
export {indexPath, nextDueAfter, parseCompletionIndex, readCompletionIndex} from './completion-index-read.js';
export type {Completion, CompletionEntry, CompletionIndex} from './completion-index-read.js';

/**
 * An update takes milliseconds; a lock held for 10 s is a hung or vanished
 * holder's. Past 15 s of waiting the update is made without the lock: the
 * journals are the record, and the listing reads them too.
 */
const LOCK = {staleMs: 10_000, waitMs: 15_000};

/** The runs that count as the runbook done: findings are a result, not a failure to do it. */
const COMPLETED: ReadonlySet<string | undefined> = new Set(['completed', 'needs-attention']);

const entryFor = (runId: string, completedAt: Date, every: string | undefined): CompletionEntry => {
	const entry: CompletionEntry = {lastRunId: runId, lastCompletedAt: completedAt.toISOString()};
	if (every !== undefined) {
		entry.every = every;
		entry.nextDue = nextDueAfter(completedAt, every).toISOString();
	}

	return entry;
};

export function recordCompletion(stateDir: string, runbookId: string, completion: Completion): CompletionEntry {
	const completedAt = new Date(completion.completedAt);
	if (Number.isNaN(completedAt.getTime())) {
		throw new RangeError(`invalid completion time ${JSON.stringify(completion.completedAt)}`);
	}

	const entry = entryFor(completion.runId, completedAt, completion.every);
	ensurePrivateDir(stateDir, LOCKS);
	const update = () => {
		// A computed key: an id such as `__proto__` is an entry like any other.
		const next: CompletionIndex = {...currentIndex(stateDir), [runbookId]: entry};
		writeFileAtomically(indexPath(stateDir), JSON.stringify(next, undefined, '\t') + '\n');
	};

	try {
		withBriefLock(indexLockPath(stateDir), update, LOCK);
	} catch (error) {
		if (!(error instanceof LockBusyError)) {
			throw error;
		}

		update();
	}

	return entry;
}

/** The index as it is now, or as the journals say it should be when it cannot be used. */
function currentIndex(stateDir: string): CompletionIndex {
	const file = indexPath(stateDir);
	try {
		return parseCompletionIndex(readRecordFile(file).toString('utf8'), file);
	} catch (error) {
		if (!isErrno(error, 'ENOENT')) {
			putAside(file);
		}

		return rebuildIndex(stateDir);
	}
}

/** Keeps a bad index for whoever wants to see what it said; the rename never follows a link. */
function putAside(file: string): void {
	const stamp = new Date().toISOString().replaceAll(/[-:]/g, '').replace(/\.\d+/, '');
	try {
		fs.renameSync(file, `${file}.corrupt-${stamp}-${process.pid}`);
	} catch {
		// Gone meanwhile, or cannot be moved: the rename of the new index will say so if it matters.
	}
}

/** Each runbook's latest completed run, from the journals' first and last events. */
export function rebuildIndex(stateDir: string): CompletionIndex {
	const index = new Map<string, CompletionEntry>();
	for (const runId of listRuns(stateDir)) {
		const head = readRunHead(stateDir, runId);
		if (!head?.finishedAt || !COMPLETED.has(head.outcome)) {
			continue;
		}

		const finishedAt = new Date(head.finishedAt);
		const key = recordKey(head.runbookId, head.host);
		const known = index.get(key);
		if (Number.isNaN(finishedAt.getTime()) || (known && known.lastCompletedAt > finishedAt.toISOString())) {
			continue;
		}

		let entry: CompletionEntry;
		try {
			entry = entryFor(runId, finishedAt, head.every);
		} catch {
			// A cadence this version does not read: the completion still counts.
			entry = entryFor(runId, finishedAt, undefined);
		}

		index.set(key, entry);
	}

	// fromEntries makes each id its own key, `__proto__` too.
	return Object.fromEntries(index);
}
