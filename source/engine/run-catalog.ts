// The runs in a state directory, as summaries folded from their journals.

// Specific modules, not the journal's index: listing loads only what it reads.
import {journalPath} from '../journal/layout.js';
import {readJournal, type ReadJournalResult} from '../journal/read-journal.js';
import {readRunLock} from '../journal/lock.js';
import {readRunHead, type RunHead} from '../journal/read-records.js';
import {readRunIndex} from '../journal/run-index.js';
import {compareRuns, compareText, journalBirth, journalIds, startStamp} from '../journal/run-order.js';
import {runIdTime} from '../journal/run-id.js';
export type {RunHead};
import type {HostTarget, Operator, RunOutcome} from '../types/events.js';
import {asSeenAfterCrash, foldRun, InvalidJournalError, nextStepIndex, type RunState} from './state.js';

export interface RunSummary {
	runId: string;
	state: RunState;
	/** A live process holds this run now. */
	active: boolean;
	/** Problems found reading the journal (the chain is checked by `journal verify`). */
	damaged: boolean;
}

const summarize = (stateDir: string, runId: string, {events, problems}: ReadJournalResult): RunSummary => {
	const state = foldRun(events);
	const holder = state.outcome ? undefined : readRunLock(stateDir, state.runbook.id);
	const active = holder?.runId === runId && holder.alive;
	return {
		runId,
		state: active ? state : asSeenAfterCrash(state),
		active,
		damaged: problems.some(p => p.kind !== 'torn-tail'),
	};
};

export const loadRun = (stateDir: string, runId: string): RunSummary => summarize(stateDir, runId, readJournal(journalPath(stateDir, runId)));

/** The newest unfinished run's head: of any run, or of one runbook's runs on this machine. */
export const newestUnfinishedHead = (heads: readonly RunHead[], runbookId?: string): RunHead | undefined =>
	[...heads].reverse().find(h => !h.outcome && (runbookId === undefined || (h.runbookId === runbookId && h.host === undefined)));

/**
 * The newest unfinished run (of one runbook, or of any), found in the run
 * index and folded in full only for that run: a history of thousands of runs
 * costs a directory listing, not a read of each journal.
 */
export const newestUnfinishedRun = (stateDir: string, runbookId?: string, heads: readonly RunHead[] = loadListingHeads(stateDir)): RunSummary | undefined => {
	const head = newestUnfinishedHead(heads, runbookId);
	if (!head) return undefined;
	try {
		return loadRun(stateDir, head.runId);
	} catch {
		return undefined;
	}
};

export const progressOf = (state: RunState): {step: number; of: number} => {
	const next = nextStepIndex(state);
	return {step: (next ?? state.steps.length - 1) + 1, of: state.steps.length};
};

/**
 * The heads a listing needs, oldest first: every unfinished run and each
 * runbook's latest completed run (journal/run-index.ts).
 */
export const loadListingHeads = (stateDir: string): RunHead[] => readRunIndex(stateDir).heads;

/** One run's head, read from its journal (for a run the listing heads leave out). */
export const loadRunHead = (stateDir: string, runId: string): RunHead | undefined => readRunHead(stateDir, runId);

export interface HistoryQuery {
	/** Only runs of this runbook id. */
	runbookId?: string;
	/** Only runs started at or after this time. */
	since?: Date;
	/** At most this many runs (newest first); all when undefined. */
	limit?: number;
}

/** One line of history: who ran what, when, and how it ended. */
export interface HistoryEntry {
	runId: string;
	runbook: {id: string; title: string};
	operator: Operator;
	mode: RunState['mode'];
	startedAt: string;
	finishedAt?: string;
	outcome?: RunOutcome;
	/** Unfinished and held by a live process now. */
	active: boolean;
	/** Unfinished, not held, and a step was cut off while it ran. */
	interrupted: boolean;
	/** Problems found reading the journal (the chain is checked by `journal verify`). */
	damaged: boolean;
	/** The host the run's blocks ran on over SSH. */
	target?: HostTarget;
}

/**
 * A finished run's line comes from its first and last events (a finished
 * journal is never added to, so its last event is how it ended); an
 * unfinished one is folded, to tell running from interrupted.
 */
const historyEntry = (stateDir: string, runId: string): HistoryEntry => {
	const journal = readJournal(journalPath(stateDir, runId));
	const [first] = journal.events;
	if (first?.type !== 'run-started') throw new InvalidJournalError('the journal does not begin with run-started');
	const last = journal.events.at(-1)!;
	const common = {
		runId,
		runbook: {id: first.runbook.id, title: first.runbook.title},
		operator: first.operator,
		mode: first.mode,
		startedAt: first.time,
		...(first.target ? {target: first.target} : {}),
	};
	const damaged = journal.problems.some(p => p.kind !== 'torn-tail');
	if (last.type === 'run-finished') return {...common, finishedAt: last.time, outcome: last.outcome, active: false, interrupted: false, damaged};
	const run = summarize(stateDir, runId, journal);
	return {
		...common,
		...(run.state.outcome ? {finishedAt: run.state.finishedAt, outcome: run.state.outcome} : {}),
		active: run.active,
		interrupted: !run.active && run.state.steps.some(s => s.status === 'interrupted'),
		damaged,
	};
};

export interface HistoryPage {
	/** Newest first. */
	runs: HistoryEntry[];
	/** Runs matching the query were left out by the limit. */
	more: boolean;
}

/** When a run started, from its id (no read); undefined for an id without a time. */
const startOf = (runId: string): number | undefined => runIdTime(runId)?.getTime();

/**
 * Run ids newest first, in listRuns' order read backwards: by start second,
 * then by when the journal was made. Only runs that share a second are
 * stat'ed, so ordering a thousand runs costs a directory listing.
 */
const newestFirst = (stateDir: string): string[] => {
	const ids = journalIds(stateDir).sort((a, b) => compareText(startStamp(b), startStamp(a)));
	for (let i = 0; i < ids.length;) {
		let j = i + 1;
		while (j < ids.length && startStamp(ids[j]!) === startStamp(ids[i]!)) j++;
		if (j - i > 1) {
			const group = ids.slice(i, j).map(runId => ({runId, born: journalBirth(stateDir, runId)}));
			group.sort((a, b) => compareRuns(b, a));
			ids.splice(i, j - i, ...group.map(g => g.runId));
		}
		i = j;
	}
	return ids;
};

/**
 * A page of history, newest first: journals are read from the newest on and
 * folded only while the page fills (a runbook filter reads each journal's
 * first line to decide), so the first page costs the same after a thousand
 * runs as after ten. `--since` is judged from the run id's start time
 * where it has one, so older journals are never opened.
 */
export const loadHistory = (stateDir: string, query: HistoryQuery = {}): HistoryPage => {
	const runs: HistoryEntry[] = [];
	const since = query.since?.getTime();
	for (const runId of newestFirst(stateDir)) {
		const started = startOf(runId);
		// No read for a run the id shows is too old (an id without a time is judged by its journal).
		if (since !== undefined && started !== undefined && started < since) continue;
		if (query.runbookId !== undefined && readRunHead(stateDir, runId)?.runbookId !== query.runbookId) continue;
		let run: HistoryEntry;
		try {
			run = historyEntry(stateDir, runId);
		} catch {
			// A journal that does not even begin with run-started is not a run;
			// `rampart journal verify` reports it.
			continue;
		}
		if (since !== undefined && started === undefined && Date.parse(run.startedAt) < since) continue;
		if (query.runbookId !== undefined && run.runbook.id !== query.runbookId) continue;
		if (query.limit !== undefined && runs.length === query.limit) return {runs, more: true};
		runs.push(run);
	}
	return {runs, more: false};
};
