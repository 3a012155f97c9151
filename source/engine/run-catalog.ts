// The runs in a state directory, as summaries folded from their journals.

// Specific modules, not the journal's index: listing must not load conf.
import {journalPath} from '../journal/layout.js';
import {listRuns, readJournal} from '../journal/read-journal.js';
import {readRunLock} from '../journal/lock.js';
import {readRunHead, type RunHead} from '../journal/read-records.js';
export type {RunHead};
import {asSeenAfterCrash, foldRun, nextStepIndex, type RunState} from './state.js';

export interface RunSummary {
	runId: string;
	state: RunState;
	/** A live process holds this run now. */
	active: boolean;
	/** Problems found reading the journal (the chain is checked by `journal verify`). */
	damaged: boolean;
}

export const loadRun = (stateDir: string, runId: string): RunSummary => {
	const {events, problems} = readJournal(journalPath(stateDir, runId));
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

/** Every readable run, oldest first; unreadable journals are left out. */
export const loadRuns = (stateDir: string): RunSummary[] => {
	const runs: RunSummary[] = [];
	for (const runId of listRuns(stateDir)) {
		try {
			runs.push(loadRun(stateDir, runId));
		} catch {
			// A journal that does not even begin with run-started is not a run;
			// `rampart journal verify` reports it.
		}
	}
	return runs;
};

/**
 * The newest unfinished run (of one runbook, or of any), found from the
 * journals' first and last lines and folded in full only for that run: a
 * history of thousands of runs costs one small read each, not a fold each.
 */
export const newestUnfinishedRun = (stateDir: string, runbookId?: string, heads: readonly RunHead[] = loadRunHeads(stateDir)): RunSummary | undefined => {
	const head = [...heads].reverse().find(h => !h.outcome && (runbookId === undefined || h.runbookId === runbookId));
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

/** Every run's head, oldest first. */
export const loadRunHeads = (stateDir: string): RunHead[] => listRuns(stateDir).flatMap(runId => readRunHead(stateDir, runId) ?? []);
