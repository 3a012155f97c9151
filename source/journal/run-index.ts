// The runs a listing needs, without opening every journal ever recorded:
// every unfinished run (and every journal that is not a run yet) and each
// runbook's latest completed run. `list`, `status`, the TUI's home screen and
// `resume` ask this; a server with years of history then pays for a
// directory listing, not for a thousand opens.
//
// The index (run-index.json in the state directory) is a cache, never
// trusted over the journals. Each use checks it against them:
//   - the set of journals: a digest of the sorted names it was made from. New
//     journals after the newest it knew are read and merged; any other
//     difference (a journal removed, or added among older ones) rebuilds it
//     from every journal's first and last lines.
//   - each run it holds: the journal's size, mtime and inode, as they were
//     before its lines were read. An unfinished run that moved on is read
//     again; a journal it names that is gone rebuilds it.
// A finished journal never changes (a finished run cannot be resumed), so the
// runs it leaves out stay as they were. An index that is missing, unreadable
// or not its shape is rebuilt; one that cannot be written only costs speed.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {RunOutcome} from '../types/events.js';
import {JOURNAL_SUFFIX, recordKey, runsDir} from './layout.js';
import {readRunHeadStamped, type JournalStamp, type RunHead} from './read-records.js';
import {readRecordFile, writeFileAtomically} from './state-dir.js';
import {compareRuns, compareText, journalIds} from './run-order.js';

export const RUN_INDEX_FILE = 'run-index.json';
const VERSION = 2;

/** Outcomes that count as the runbook done (findings are a result, not a failure to do it). */
export const COMPLETED_OUTCOMES: ReadonlySet<RunOutcome | undefined> = new Set<RunOutcome | undefined>(['completed', 'needs-attention']);

interface Entry {
	runId: string;
	stamp: JournalStamp;
	/** Null for a journal that is not a run, or not yet (its first line still being written). */
	head: RunHead | null;
}

interface IndexFile {
	version: number;
	/** How many journals the index was made from, and the digest of their sorted names. */
	count: number;
	digest: string;
	/** The last of those names in sort order. */
	last: string;
	entries: Entry[];
}

/** Oldest first, as listRuns. */
const byAge = (a: Entry, b: Entry): number => compareRuns({runId: a.runId, born: a.stamp.born}, {runId: b.runId, born: b.stamp.born});

const digestOf = (sortedIds: readonly string[]): string => crypto.createHash('sha256').update(sortedIds.join('\n')).digest('hex');

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isString = (value: unknown): value is string => typeof value === 'string';

/** The file's shape, checked by hand: a cache we wrote, read on every listing. */
const validEntry = (value: unknown): value is Entry => {
	if (typeof value !== 'object' || value === null) return false;
	const {runId, stamp, head} = value as Record<string, unknown>;
	if (!isString(runId) || typeof stamp !== 'object' || stamp === null) return false;
	const {size, mtimeMs, ino, born} = stamp as Record<string, unknown>;
	if (![size, mtimeMs, ino, born].every(isNumber)) return false;
	if (head === null) return true;
	if (typeof head !== 'object' || head === undefined) return false;
	const h = head as Record<string, unknown>;
	return (
		h['runId'] === runId &&
		isString(h['runbookId']) &&
		(h['outcome'] === undefined || isString(h['outcome'])) &&
		(h['finishedAt'] === undefined || isString(h['finishedAt'])) &&
		(h['every'] === undefined || isString(h['every'])) &&
		(h['host'] === undefined || isString(h['host'])) &&
		(h['fleet'] === undefined || isString(h['fleet']))
	);
};

const readIndexFile = (file: string): IndexFile | undefined => {
	try {
		const data = JSON.parse(readRecordFile(file).toString('utf8')) as Partial<IndexFile>;
		if (data.version !== VERSION || !isNumber(data.count) || !isString(data.digest) || !isString(data.last) || !Array.isArray(data.entries)) return undefined;
		return data.entries.every(validEntry) ? (data as IndexFile) : undefined;
	} catch {
		// Missing, torn, or not JSON: rebuilt from the journals.
		return undefined;
	}
};

const sameStamp = (a: JournalStamp, b: fs.Stats): boolean => a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;

/** Reads one journal's head; undefined when the journal is gone. */
const readEntry = (stateDir: string, runId: string): Entry | undefined => {
	const read = readRunHeadStamped(stateDir, runId);
	return read && {runId, stamp: read.stamp, head: read.head ?? null};
};

/** What the index keeps: unfinished runs and non-runs, and each runbook's latest completed run. */
const keep = (entries: Entry[]): Entry[] => {
	const sorted = [...entries].sort(byAge);
	const latestCompleted = new Map<string, Entry>();
	for (const entry of sorted) if (entry.head && COMPLETED_OUTCOMES.has(entry.head.outcome)) latestCompleted.set(recordKey(entry.head.runbookId, entry.head.host), entry);
	const kept = new Set(latestCompleted.values());
	return sorted.filter(entry => kept.has(entry) || !entry.head?.outcome);
};

/**
 * The journals of `added` read, the index's runs checked against their files
 * (an unfinished one read again when it moved on). Undefined when a run the
 * index holds has lost its journal: then only a rebuild can say what replaces it.
 */
const refresh = (stateDir: string, stored: IndexFile, added: readonly string[]): {entries: Entry[]; changed: boolean} | undefined => {
	const entries: Entry[] = [];
	let changed = added.length > 0;
	for (const entry of stored.entries) {
		let stats: fs.Stats;
		try {
			// lstat: a journal replaced by a link never matches, and is then refused on reading.
			stats = fs.lstatSync(path.join(runsDir(stateDir), entry.runId + JOURNAL_SUFFIX));
		} catch {
			return undefined;
		}
		if (sameStamp(entry.stamp, stats)) {
			entries.push(entry);
			continue;
		}
		const fresh = readEntry(stateDir, entry.runId);
		if (!fresh) return undefined;
		entries.push(fresh);
		changed = true;
	}
	for (const runId of added) {
		const entry = readEntry(stateDir, runId);
		if (entry) entries.push(entry);
	}
	return {entries, changed};
};

export interface RunIndexResult {
	/** Unfinished runs and each runbook's latest completed run, oldest first. */
	heads: RunHead[];
	/** How the answer was reached, for tests and the benchmark: 'hit', 'updated' or 'rebuilt'. */
	how: 'hit' | 'updated' | 'rebuilt' | 'empty';
}

/** The runs a listing needs, from the index checked against the journals (see the top of this file). */
export const readRunIndex = (stateDir: string): RunIndexResult => {
	const ids = journalIds(stateDir).sort(compareText);
	if (ids.length === 0) return {heads: [], how: 'empty'};
	const file = path.join(stateDir, RUN_INDEX_FILE);
	const stored = readIndexFile(file);
	let entries: Entry[] | undefined;
	let how: RunIndexResult['how'] = 'rebuilt';
	if (stored) {
		// The journals the index knew are those sorting up to its last name, if none was removed or slipped in among them.
		let known = ids.length;
		while (known > 0 && ids[known - 1]! > stored.last) known--;
		if (known === stored.count && digestOf(ids.slice(0, known)) === stored.digest) {
			const refreshed = refresh(stateDir, stored, ids.slice(known));
			if (refreshed) {
				entries = refreshed.changed ? keep(refreshed.entries) : refreshed.entries;
				how = refreshed.changed ? 'updated' : 'hit';
			}
		}
	}
	if (!entries) entries = keep(ids.flatMap(runId => readEntry(stateDir, runId) ?? []));
	if (how !== 'hit') {
		const index: IndexFile = {version: VERSION, count: ids.length, digest: digestOf(ids), last: ids.at(-1)!, entries};
		try {
			// A new file renamed over the old, never written through a link; not fsynced: a cache.
			writeFileAtomically(file, JSON.stringify(index), {durable: false});
		} catch {
			// A read-only or full state directory only makes the next listing slower.
		}
	}
	return {heads: entries.flatMap(entry => entry.head ?? []), how};
};
