// When each runbook last completed, and so when it is next due: a small conf
// store at <stateDir>/index.json, keyed by runbook id. The journals stay the
// record; this is a summary kept so listing runbooks never reads every journal.

import fs from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import {addEvery, parseEvery} from '../runbook/duration.js';
import {INDEX_NAME} from './layout.js';
import {ensurePrivateDir, PRIVATE_FILE_MODE} from './state-dir.js';

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

const entrySchema = {
	type: 'object',
	properties: {
		lastRunId: {type: 'string', minLength: 1},
		lastCompletedAt: {type: 'string', format: 'date-time'},
		every: {type: 'string'},
		nextDue: {type: 'string', format: 'date-time'},
	},
	required: ['lastRunId', 'lastCompletedAt'],
	additionalProperties: false,
} as const;

/** The date a runbook with cadence `every` (e.g. `6m`) is next due after `date`. */
export function nextDueAfter(date: Date, every: string): Date {
	const parsed = parseEvery(every);
	if (!parsed) {
		throw new RangeError(`${JSON.stringify(every)} is not a cadence like 7d, 12w, 6m or 1y`);
	}

	return addEvery(date, parsed);
}

export function recordCompletion(stateDir: string, runbookId: string, completion: Completion): CompletionEntry {
	const completedAt = new Date(completion.completedAt);
	if (Number.isNaN(completedAt.getTime())) {
		throw new RangeError(`invalid completion time ${JSON.stringify(completion.completedAt)}`);
	}

	const entry: CompletionEntry = {lastRunId: completion.runId, lastCompletedAt: completedAt.toISOString()};
	if (completion.every !== undefined) {
		entry.every = completion.every;
		entry.nextDue = nextDueAfter(completedAt, completion.every).toISOString();
	}

	ensurePrivateDir(stateDir);
	const store = openStore(stateDir);
	store.set(runbookId, entry);
	// conf creates the file 0600 (configFileMode); this also fixes an older, looser one.
	fs.chmodSync(store.path, PRIVATE_FILE_MODE);
	return entry;
}

export function readCompletionIndex(stateDir: string): CompletionIndex {
	// Reading must not create the state directory (conf would, with its own mode).
	if (!fs.existsSync(indexPath(stateDir))) {
		return {};
	}

	return {...openStore(stateDir).store};
}

export function indexPath(stateDir: string): string {
	return path.join(stateDir, `${INDEX_NAME}.json`);
}

function openStore(stateDir: string): Conf<CompletionIndex> {
	return new Conf<CompletionIndex>({
		cwd: stateDir,
		configName: INDEX_NAME,
		configFileMode: PRIVATE_FILE_MODE,
		// Runbook ids may contain dots; they are keys, not paths.
		accessPropertiesByDotNotation: false,
		rootSchema: {additionalProperties: entrySchema},
		schema: {},
	});
}
