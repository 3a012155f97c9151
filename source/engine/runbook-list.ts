// Rows for `rampart list`: each runbook found, with its title and state.

import type {Discovery} from '../runbook/discover.js';
import {openHeaderCache, type ReadHeader} from './header-cache.js';
import {nextDueAfter, readCompletionIndex, type CompletionEntry} from '../journal/completion-index-read.js';
import {loadListingHeads, loadRun, loadRunHead, newestUnfinishedRun, type RunHead} from './run-catalog.js';
import {recordKey} from '../journal/layout.js';
import {COMPLETED_OUTCOMES} from '../journal/run-index.js';
import {runbookStatus, type RunbookStatus} from './runbook-status.js';

export interface RunbookRow {
	id: string;
	title: string;
	summary: string;
	tags: string[];
	every?: string;
	path: string;
	origin: string;
	state: RunbookStatus['kind'];
	stateText: string;
	lastRun?: string;
	nextDue?: string;
	/** The last completed run ended with findings that need attention. */
	attention?: {runId: string};
	/** Set when the file cannot be read or parsed as a runbook. */
	problem?: string;
	/** Hosts it has run on over SSH, each due on its own. */
	hosts?: HostRow[];
}

export interface HostRow {
	host: string;
	state: RunbookStatus['kind'];
	stateText: string;
	lastRun?: string;
	nextDue?: string;
}

/**
 * The index is a summary; the journals are the record. A kill between a run's
 * last event and the index update must not lose the completion.
 */
const latestCompletion = (
	indexed: CompletionEntry | undefined,
	heads: readonly RunHead[],
	runbookId: string,
	every: string | undefined,
	host?: string,
): CompletionEntry | undefined => {
	const run = [...heads].reverse().find(h => h.runbookId === runbookId && h.host === host && COMPLETED_OUTCOMES.has(h.outcome) && h.finishedAt);
	if (!run || (indexed && indexed.lastCompletedAt >= run.finishedAt!)) return indexed;
	return {lastRunId: run.runId, lastCompletedAt: run.finishedAt!, every, nextDue: every ? nextDueAfter(new Date(run.finishedAt!), every).toISOString() : undefined};
};

export const listRunbooks = (discovery: Discovery, stateDir: string, readHeader: ReadHeader, now = new Date()): RunbookRow[] => {
	let index: ReturnType<typeof readCompletionIndex> = {};
	try {
		index = readCompletionIndex(stateDir);
	} catch {
		index = {};
	}
	// Unfinished runs and each runbook's latest completed one: not every run ever recorded.
	const heads = loadListingHeads(stateDir);
	const headers = openHeaderCache(stateDir);
	const rows = discovery.entries.map(entry => {
		let title = entry.id;
		let summary = '';
		let tags: string[] = [];
		let every: string | undefined;
		let problem: string | undefined;
		try {
			const header = headers.get(entry.path, readHeader);
			title = header.title ?? entry.id;
			({summary, tags, every, problem} = header);
		} catch (error) {
			problem = (error as Error).message;
		}
		const completion = latestCompletion(index[entry.id], heads, entry.id, every);
		const status = runbookStatus(every, completion, newestUnfinishedRun(stateDir, entry.id, heads), now);
		const lastCompleted = completion && (heads.find(h => h.runId === completion.lastRunId) ?? loadRunHead(stateDir, completion.lastRunId));
		const attention = completion && lastCompleted?.outcome === 'needs-attention' ? {runId: completion.lastRunId} : undefined;
		const hosts = hostRows(stateDir, index, heads, entry.id, every, now);
		return {
			...(hosts.length > 0 ? {hosts} : {}),
			id: entry.id,
			title,
			summary,
			tags,
			every,
			path: entry.path,
			origin: entry.origin,
			state: status.kind,
			stateText: problem ? `cannot be used: ${problem}` : attention && status.kind !== 'in-progress' ? `${status.text}; findings need attention` : status.text,
			...(attention ? {attention} : {}),
			lastRun: completion?.lastCompletedAt,
			nextDue: 'nextDue' in status ? status.nextDue : undefined,
			problem,
		};
	});
	headers.save();
	return rows;
};

/** Where the runbook stands on each host it ran on over SSH (completions are kept per host: see recordKey). */
const hostRows = (
	stateDir: string,
	index: Record<string, CompletionEntry>,
	heads: readonly RunHead[],
	runbookId: string,
	every: string | undefined,
	now: Date,
): HostRow[] => {
	const prefix = recordKey(runbookId, '');
	const names = new Set([
		...Object.keys(index)
			.filter(k => k.startsWith(prefix))
			.map(k => k.slice(prefix.length)),
		...heads.filter(h => h.runbookId === runbookId && h.host !== undefined).map(h => h.host!),
	]);
	return [...names].sort().map(host => {
		const completion = latestCompletion(index[recordKey(runbookId, host)], heads, runbookId, every, host);
		const unfinishedHead = [...heads].reverse().find(h => h.runbookId === runbookId && h.host === host && !h.outcome);
		let unfinished;
		try {
			unfinished = unfinishedHead ? loadRun(stateDir, unfinishedHead.runId) : undefined;
		} catch {
			unfinished = undefined;
		}
		const status = runbookStatus(every, completion, unfinished, now);
		return {host, state: status.kind, stateText: status.text, lastRun: completion?.lastCompletedAt, nextDue: 'nextDue' in status ? status.nextDue : undefined};
	});
};

/**
 * The same, for commands that draw nothing: the Markdown and YAML parsers are
 * loaded only when a runbook changed since it was last listed.
 */
export const loadRunbookList = async (discovery: Discovery, stateDir: string, now = new Date()): Promise<RunbookRow[]> => {
	const stale = openHeaderCache(stateDir).stale(discovery.entries.map(e => e.path));
	const readHeader: ReadHeader =
		stale.length > 0
			? (await import('../runbook/header.js')).readRunbookHeader
			: path => {
					throw new Error(`${path} changed while it was listed`);
				};
	return listRunbooks(discovery, stateDir, readHeader, now);
};
