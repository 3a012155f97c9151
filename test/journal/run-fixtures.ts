// Journals written as the engine writes them, for tests that need many runs
// with chosen start times and outcomes without running anything.

import {createRunJournal} from '../../source/journal/run-journal.js';
import type {RunOutcome} from '../../source/types/events.js';

export const stamp = (date: Date) =>
	date
		.toISOString()
		.replaceAll(/[-:]/g, '')
		.replace(/\.\d+Z$/, 'Z');

let serial = 0;

/**
 * A run's journal as the engine writes it: started, one step, and finished
 * when `outcome` is given. Without one the step is left running (as a kill
 * leaves it); with 'between-steps' the step finished and the run did not.
 */
export const writeRun = (stateDir: string, runbookId: string, start: Date, outcome?: RunOutcome | 'between-steps'): string => {
	const runId = `${stamp(start)}-${runbookId}-${(serial++ % 0x10000).toString(16).padStart(4, '0')}`;
	const journal = createRunJournal(stateDir, runId);
	const time = (minutes: number) => new Date(start.getTime() + minutes * 60_000).toISOString();
	journal.append(
		{
			type: 'run-started',
			runId,
			time: time(0),
			runbook: {id: runbookId, path: `/runbooks/${runbookId}.md`, sha256: 'a'.repeat(64), title: runbookId, every: '30d'},
			operator: {user: 'ops', uid: 1000, host: 'web1'},
			rampartVersion: '0.1.0',
			inputs: {},
			secrets: [],
			steps: [{id: 'one', title: 'One', sha256: 'b'.repeat(64)}],
			cwd: '/',
			mode: 'run',
		},
		{sync: false},
	);
	journal.append({type: 'step-started', runId, time: time(1), step: 'one', attempt: 1}, {sync: false});
	if (outcome) journal.append({type: 'step-finished', runId, time: time(2), step: 'one', attempt: 1, status: 'done'}, {sync: false});
	if (outcome && outcome !== 'between-steps') journal.append({type: 'run-finished', runId, time: time(3), outcome}, {sync: false});
	journal.close();
	return runId;
};
