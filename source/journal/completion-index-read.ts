// Reading the completion index (see completion-index.ts, which writes it
// through conf). Kept free of conf so `rampart list` and `status` stay fast.

import fs from 'node:fs';
import path from 'node:path';
import {z} from 'zod';
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

const isoTime = z.string().refine(text => !Number.isNaN(Date.parse(text)), 'not a date-time');
/** The same shape conf's schema enforces when writing. */
const indexSchema = z.record(
	z.string(),
	z.strictObject({lastRunId: z.string().min(1), lastCompletedAt: isoTime, every: z.string().optional(), nextDue: isoTime.optional()}),
);

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
	const parsed = indexSchema.safeParse(text.trim() === '' ? {} : JSON.parse(text));
	if (!parsed.success) throw new Error(`${indexPath(stateDir)} does not match the completion index schema (${parsed.error.issues[0]?.path.join(".") ?? ""}: ${parsed.error.issues[0]?.message ?? "bad shape"}); fix or remove it`);
	return parsed.data;
}
