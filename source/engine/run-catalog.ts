// The runs in a state directory, as summaries folded from their journals.

// Specific modules, not the journal's index: listing must not load conf.
import {journalPath} from '../journal/layout.js';
import {listRuns, readJournal} from '../journal/read-journal.js';
import {readRunLock} from '../journal/lock.js';
import {readFileSync} from 'node:fs';
import type {RunEvent, RunOutcome} from './events.js';
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

/** The newest run that has not finished, of one runbook or of any. */
export const latestUnfinished = (runs: readonly RunSummary[], runbookId?: string): RunSummary | undefined =>
	[...runs].reverse().find(r => !r.state.outcome && (runbookId === undefined || r.state.runbook.id === runbookId));

export const progressOf = (state: RunState): {step: number; of: number} => {
	const next = nextStepIndex(state);
	return {step: (next ?? state.steps.length - 1) + 1, of: state.steps.length};
};

/** Whose run it is and how it ended: all a listing needs of a finished run. */
export interface RunHead {
	runId: string;
	runbookId: string;
	outcome?: RunOutcome;
	finishedAt?: string;
}

/**
 * The first and last events of a journal, without hashing or folding the
 * rest: `list` and `status` read every run ever recorded, so this is their
 * hot path. Undefined for a journal that is not a run.
 */
export const readRunHead = (stateDir: string, runId: string): RunHead | undefined => {
	try {
		const text = readFileSync(journalPath(stateDir, runId), 'utf8');
		const firstEnd = text.indexOf('\n');
		const lastEnd = text.lastIndexOf('\n');
		if (firstEnd === -1) return undefined;
		const first = JSON.parse(text.slice(0, firstEnd)) as RunEvent;
		// A torn last line (a crash mid-write) was never an event: use the line before it.
		const last = JSON.parse(text.slice(text.lastIndexOf('\n', lastEnd - 1) + 1, lastEnd)) as RunEvent;
		if (first.type !== 'run-started') return undefined;
		return {
			runId,
			runbookId: first.runbook.id,
			...(last.type === 'run-finished' ? {outcome: last.outcome, finishedAt: last.time} : {}),
		};
	} catch {
		return undefined;
	}
};

/** Every run's head, oldest first. */
export const loadRunHeads = (stateDir: string): RunHead[] =>
	listRuns(stateDir).flatMap(runId => readRunHead(stateDir, runId) ?? []);
