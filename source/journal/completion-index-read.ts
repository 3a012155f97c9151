// Reading the completion index (see completion-index.ts, which writes it
// through conf). Kept free of conf so `rampart list` and `status` stay fast.

import fs from 'node:fs';
import path from 'node:path';
import {addEvery, parseEvery} from '../runbook/duration.js';
import {INDEX_NAME} from './layout.js';

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
 * The same shape conf's schema enforces when writing, checked by hand: four
 * fields of our own file, and a schema library here would cost every
 * `rampart list` more time than the rest of it.
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

/** Throws for an index that was edited into a shape it never has, rather than dropping it. */
export function readCompletionIndex(stateDir: string): CompletionIndex {
	let text: string;
	try {
		text = fs.readFileSync(indexPath(stateDir), 'utf8');
	} catch (error) {
		// No index yet: nothing has completed. Reading never creates it.
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
		throw error;
	}
	const data: unknown = text.trim() === '' ? {} : JSON.parse(text);
	const problem = shapeProblem(data);
	if (problem) throw new Error(`${indexPath(stateDir)} does not match the completion index schema (${problem}); fix or remove it`);
	return data as CompletionIndex;
}
