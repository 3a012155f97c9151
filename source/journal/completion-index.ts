// When each runbook last completed, and so when it is next due: a small conf
// store at <stateDir>/index.json, keyed by runbook id. The journals stay the
// record; this is a summary kept so listing runbooks never reads every journal.

import fs from 'node:fs';
import Conf from 'conf';
import {INDEX_NAME} from './layout.js';
import {nextDueAfter, type CompletionEntry, type CompletionIndex, type Completion} from './completion-index-read.js';

// Reading lives apart so that listing runbooks never loads conf (and its ajv).
export {indexPath, nextDueAfter, readCompletionIndex} from './completion-index-read.js';
export type {Completion, CompletionEntry, CompletionIndex} from './completion-index-read.js';
import {ensurePrivateDir, PRIVATE_FILE_MODE} from './state-dir.js';

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
