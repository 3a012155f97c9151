// A run's state is a pure fold over its events: the live engine, resume, the
// TUI, reports and `rampart history` all see the same thing from the same
// journal. No I/O here.

import type {HostTarget, LogRef, Operator, RunEvent, RunOutcome, StepStatus} from '../types/events.js';

export interface StepState {
	id: string;
	title: string;
	status: StepStatus;
	attempts: number;
	startedAt?: string;
	endedAt?: string;
	exitCode?: number | null;
	error?: string;
	skipReason?: string;
	/** Task indexes ticked in this run, with when. */
	ticks: Array<{task: number; text: string; time: string}>;
	acknowledged: boolean;
	notes: Array<{text: string; time: string}>;
	logs: LogRef[];
	/** Result of the latest check run in this run, if any. */
	checkPassed?: boolean;
	/** What the latest check found, when it failed as a finding. */
	finding?: string;
	/** Findings the step ended with (status `attention`). */
	findings?: string[];
	/**
	 * A run block of this step started and has not been rolled back since:
	 * the step may have changed the machine, whatever its status says.
	 */
	changed: boolean;
	/** Rollback outcome, when the step was rolled back. */
	rollback?: {ok: boolean; time: string};
	/** The run and verify blocks of the latest attempt, as far as they got: what an interrupted step had done. */
	lastAttempt: Array<{block: number; role: string; name?: string; exitCode?: number | null; finished: boolean}>;
}

export interface RunState {
	runId: string;
	runbook: {id: string; path: string; sha256: string; title: string; every?: string};
	operator: Operator;
	rampartVersion: string;
	inputs: Record<string, string>;
	secrets: string[];
	mode: 'run' | 'check';
	cwd: string;
	/** The host the blocks ran on, for a run over SSH. */
	target?: HostTarget;
	startedAt: string;
	/** Step content hashes as they were when the run started. */
	stepHashes: Record<string, string>;
	steps: StepState[];
	notes: Array<{text: string; time: string}>;
	/** Warnings recorded during the run (e.g. low disk space), oldest first. */
	warnings: Array<{message: string; time: string; step?: string; survivors?: number[]}>;
	resumes: Array<{time: string; operator: Operator; changedSteps: string[]}>;
	rollingBack: boolean;
	finishedAt?: string;
	outcome?: RunOutcome;
	finishReason?: string;
	/** Time of the latest event. */
	updatedAt: string;
}

/** Statuses after which a step needs nothing more for the run to complete. */
export const SETTLED: ReadonlySet<StepStatus> = new Set(['done', 'already-done', 'skipped', 'attention']);

export class InvalidJournalError extends Error {}

const updateStep = (state: RunState, id: string, change: (step: StepState) => StepState): RunState => {
	const index = state.steps.findIndex(s => s.id === id);
	if (index === -1) return state; // an event for a step the runbook no longer has: keep the rest
	const steps = state.steps.slice();
	steps[index] = change(steps[index]!);
	return {...state, steps};
};

export const initialState = (event: Extract<RunEvent, {type: 'run-started'}>): RunState => ({
	runId: event.runId,
	runbook: event.runbook,
	operator: event.operator,
	rampartVersion: event.rampartVersion,
	inputs: event.inputs,
	secrets: event.secrets,
	mode: event.mode,
	cwd: event.cwd,
	...(event.target ? {target: event.target} : {}),
	startedAt: event.time,
	stepHashes: Object.fromEntries(event.steps.map(s => [s.id, s.sha256])),
	steps: event.steps.map(s => ({
		id: s.id,
		title: s.title,
		status: 'pending',
		attempts: 0,
		ticks: [],
		acknowledged: false,
		notes: [],
		logs: [],
		changed: false,
		lastAttempt: [],
	})),
	notes: [],
	warnings: [],
	resumes: [],
	rollingBack: false,
	updatedAt: event.time,
});

export const reduceRun = (state: RunState, event: RunEvent): RunState => {
	const next = reduce(state, event);
	return next === state ? state : {...next, updatedAt: event.time};
};

const reduce = (state: RunState, event: RunEvent): RunState => {
	switch (event.type) {
		case 'run-started':
			return state;
		case 'run-resumed':
			return {
				...state,
				// A step that was running when the process died never finished:
				// it is interrupted, never done. A check that passed before the
				// break proves nothing now: the machine may have changed since.
				steps: state.steps.map(s => ({
					...s,
					status: s.status === 'running' ? 'interrupted' : s.status,
					checkPassed: undefined,
				})),
				rollingBack: false,
				resumes: [...state.resumes, {time: event.time, operator: event.operator, changedSteps: event.changedSteps}],
			};
		case 'step-started':
			return updateStep(state, event.step, s => ({
				...s,
				status: 'running',
				attempts: event.attempt,
				startedAt: event.time,
				endedAt: undefined,
				exitCode: undefined,
				error: undefined,
				findings: undefined,
				// A check's verdict was about the system before this attempt changed
				// it. Its finding stays: the step ends with it (see step-finished).
				checkPassed: undefined,
				lastAttempt: [],
			}));
		case 'block-started':
			if (event.role !== 'run' && event.role !== 'verify') return state;
			return updateStep(state, event.step, s => ({
				...s,
				changed: s.changed || event.role === 'run',
				lastAttempt: [...s.lastAttempt, {block: event.block, role: event.role, ...(event.name ? {name: event.name} : {}), finished: false}],
			}));
		case 'block-finished':
			if (event.role !== 'run' && event.role !== 'verify') return state;
			return updateStep(state, event.step, s => ({
				...s,
				lastAttempt: s.lastAttempt.map(b => (b.block === event.block && !b.finished ? {...b, exitCode: event.exitCode, finished: true} : b)),
			}));
		case 'step-finished':
			return updateStep(state, event.step, s => ({
				...s,
				status: event.status,
				endedAt: event.time,
				exitCode: event.exitCode,
				error: event.error,
				findings: event.findings,
				logs: event.log ? [...s.logs, event.log] : s.logs,
			}));
		case 'check-finished':
			return updateStep(state, event.step, s => ({
				...s,
				checkPassed: event.cancelled ? s.checkPassed : event.passed,
				finding: event.cancelled ? s.finding : event.finding,
				logs: event.log ? [...s.logs, event.log] : s.logs,
			}));
		case 'step-already-done':
			return updateStep(state, event.step, s => ({...s, status: 'already-done', endedAt: event.time}));
		case 'step-skipped':
			return updateStep(state, event.step, s => ({...s, status: 'skipped', skipReason: event.reason, endedAt: event.time}));
		case 'task-ticked':
			return updateStep(state, event.step, s =>
				s.ticks.some(t => t.task === event.task) ? s : {...s, ticks: [...s.ticks, {task: event.task, text: event.text, time: event.time}]},
			);
		case 'step-acknowledged':
			return updateStep(state, event.step, s => ({...s, acknowledged: true}));
		case 'note-added':
			if (event.step === undefined) return {...state, notes: [...state.notes, {text: event.text, time: event.time}]};
			return updateStep(state, event.step, s => ({...s, notes: [...s.notes, {text: event.text, time: event.time}]}));
		case 'rollback-started':
			return {...state, rollingBack: true};
		case 'step-rolled-back':
			// A done step that is undone is rolled back; a failed one stays
			// failed (its rollback is shown beside it), so the record keeps both.
			return updateStep(state, event.step, s => ({
				...s,
				status: event.ok && s.status === 'done' ? 'rolled-back' : s.status,
				changed: event.ok ? false : s.changed,
				rollback: {ok: event.ok, time: event.time},
				logs: event.log ? [...s.logs, event.log] : s.logs,
			}));
		case 'warning':
			return {
				...state,
				warnings: [
					...state.warnings,
					{message: event.message, time: event.time, ...(event.step === undefined ? {} : {step: event.step}), ...(event.survivors ? {survivors: event.survivors} : {})},
				],
			};
		case 'run-finished':
			return {...state, rollingBack: false, finishedAt: event.time, outcome: event.outcome, finishReason: event.reason};
		default: {
			const unknown: never = event;
			return unknown;
		}
	}
};

/** Folds a journal's events; the first must be `run-started`. */
export const foldRun = (events: readonly RunEvent[]): RunState => {
	const [first, ...rest] = events;
	if (!first || first.type !== 'run-started') throw new InvalidJournalError('the journal does not begin with run-started');
	return rest.reduce(reduceRun, initialState(first));
};

/** The first step that still needs something, or undefined when every step is settled. */
export const nextStepIndex = (state: RunState): number | undefined => {
	const index = state.steps.findIndex(s => !SETTLED.has(s.status));
	return index === -1 ? undefined : index;
};

/**
 * Where to go once step `index` is settled: the first open step after it,
 * never back to an earlier one (that one stays listed as it is).
 */
export const nextOpenStepAfter = (state: RunState, index: number): number | undefined => {
	const found = state.steps.findIndex((s, i) => i > index && !SETTLED.has(s.status));
	return found === -1 ? undefined : found;
};

/** How a run whose every step is settled ends: findings make it need attention. */
export const settledOutcome = (state: RunState): 'completed' | 'needs-attention' => (state.steps.some(s => s.status === 'attention') ? 'needs-attention' : 'completed');

/** Processes a step left running that Rampart could not stop, by pid (from its warnings). */
export const survivorsOf = (state: RunState, stepId?: string): number[] =>
	state.warnings.filter(w => (stepId === undefined || w.step === stepId) && w.survivors).flatMap(w => w.survivors!);

/** What the operator is told on the way out: never "nothing is left running" when something is. */
export const describeLeftRunning = (state: RunState, stepId?: string): string => {
	const pids = survivorsOf(state, stepId);
	if (pids.length === 0) return stepId === undefined ? 'nothing is left running.' : 'nothing it started is left running.';
	return `STILL RUNNING, could not be stopped: pid ${pids.join(', ')} (kill -KILL ${pids.join(' ')}).`;
};

export const isFinished = (state: RunState): boolean => state.outcome !== undefined;

/** How a run looks from outside: a step "running" in a run nobody holds was interrupted. */
export const asSeenAfterCrash = (state: RunState): RunState =>
	state.steps.some(s => s.status === 'running') ? {...state, steps: state.steps.map(s => (s.status === 'running' ? {...s, status: 'interrupted'} : s))} : state;
