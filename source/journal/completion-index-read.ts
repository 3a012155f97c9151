// Reading the completion index (see completion-index.ts, which writes it).
// Kept apart from the writer so `rampart list` and `status` load only this.

import path from 'node:path';
import {addEvery, parseEvery} from '../runbook/duration.js';
import {INDEX_NAME} from './layout.js';
import {isErrno, readRecordFile} from './state-dir.js';

export interface CompletionEntry {
	lastRunId: string;
	/** ISO 8601. */
	lastCompletedAt: string;
	/** The runbook's cadence as written, e.g. `90d`. */
	every?: string;
	/** ISO 8601: lastCompletedAt plus one `every`. */
	nextDue?: string;
}

export type CompletionIndex = Record<string, CompletionEntry>;

export interface Completion {
	runId: string;
	completedAt: Date | string;
	every?: string;
}

const isTime = (value: unknown) => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/**
 * The index's shape, checked by hand on reading and before each update: four
 * fields of our own file, and a schema library here would cost every
 * `rampart list` (and every completed run) more time than the rest of it.
 */
const shapeProblem = (data: unknown): string | undefined => {
	if (typeof data !== 'object' || data === null || Array.isArray(data)) return 'not an object';
	for (const [id, entry] of Object.entries(data)) {
		if (typeof entry !== 'object' || entry === null) return `${id}: not an object`;
		const {lastRunId, lastCompletedAt, every, nextDue, ...rest} = entry as Record<string, unknown>;
		if (typeof lastRunId !== 'string' || lastRunId === '') return `${id}.lastRunId: not a run id`;
		if (!isTime(lastCompletedAt)) return `${id}.lastCompletedAt: not a date-time`;
		if (every !== undefined && typeof every !== 'string') return `${id}.every: not a string`;
		if (nextDue !== undefined && !isTime(nextDue)) return `${id}.nextDue: not a date-time`;
		const extra = Object.keys(rest)[0];
		if (extra !== undefined) return `${id}.${extra}: unknown field`;
	}
	return undefined;
};

/** The date a runbook with cadence `every` (e.g. `6m`) is next due after `date`. */
export function nextDueAfter(date: Date, every: string): Date {
	const parsed = parseEvery(every);
	if (!parsed) {
		throw new RangeError(`${JSON.stringify(every)} is not a cadence like 7d, 12w, 6m or 1y`);
	}

	return addEvery(date, parsed);
}

export function indexPath(stateDir: string): string {
	return path.join(stateDir, `${INDEX_NAME}.json`);
}

/** The index in `text`; throws for text that is not JSON or not the index's shape. */
export function parseCompletionIndex(text: string, file: string): CompletionIndex {
	let data: unknown;
	try {
		data = text.trim() === '' ? {} : JSON.parse(text);
	} catch (error) {
		throw new Error(`${file} is not valid JSON (${(error as Error).message}); fix or remove it`);
	}
	const problem = shapeProblem(data);
	if (problem) throw new Error(`${file} does not match the completion index schema (${problem}); fix or remove it`);
	return data as CompletionIndex;
}

/**
 * Throws for an index that was edited into a shape it never has, rather than
 * dropping it (the listing then goes by the journals alone). Read without
 * following a link, like every record.
 */
export function readCompletionIndex(stateDir: string): CompletionIndex {
	const file = indexPath(stateDir);
	let text: string;
	try {
		text = readRecordFile(file).toString('utf8');
	} catch (error) {
		// No index yet: nothing has completed. Reading never creates it.
		if (isErrno(error, 'ENOENT')) return {};
		throw error;
	}
	return parseCompletionIndex(text, file);
}
