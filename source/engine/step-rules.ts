// The step rules, as pure functions of a step and its recorded state: what a
// step needs next, what the operator may do to it, what a rollback undoes.
// RunSession enforces them; the TUI and the headless runner only present
// what these say. Documented in docs/runbook-format.md ("How a step runs").

import type {CodeBlock, InputSpec, Step} from '../runbook/model.js';
import type {StepStatus} from '../types/events.js';
import {SETTLED, type RunState, type StepState} from './state.js';

export const runnableBlocks = (step: Step, role: CodeBlock['role']): CodeBlock[] => step.blocks.filter(b => b.runnable && b.role === role);

export const hasRole = (step: Step, role: CodeBlock['role']): boolean => runnableBlocks(step, role).length > 0;

/** The kind of work a step asks of the operator. */
export const stepKind = (step: Step): 'commands' | 'manual' | 'audit' | 'acknowledge' => {
	if (hasRole(step, 'run')) return 'commands';
	if (step.tasks.length > 0) return 'manual';
	if (hasRole(step, 'check')) return 'audit';
	return 'acknowledge';
};

/**
 * Whether a failing check of this block is a finding (something the step
 * cannot fix, which makes it end as needing attention and the run go on)
 * rather than "the step is needed". Only as the runbook says: an audit
 * step's check without `finding` is a gate, and failing it fails the step.
 */
export const isFindingCheck = (block: CodeBlock): boolean => block.finding;

/**
 * Whether a passing check shows the step is already done. Finding checks
 * audit one part of a manual step (the date, not the auto-renew setting):
 * passing, they leave the items to tick.
 */
export const checkProvesDone = (step: Step): boolean => stepKind(step) === 'audit' || !runnableBlocks(step, 'check').every(b => b.finding);

export interface Confirmation {
	block: number;
	/** What the operator must type: an input's value, or `yes`. */
	word: string;
	/** Name of the input the word comes from, if any. */
	input?: string;
}

/** What the operator must confirm before the step's run and verify blocks run. */
export const confirmationsFor = (step: Step, specs: readonly InputSpec[], inputs: Readonly<Record<string, string>>): Confirmation[] =>
	step.blocks
		.filter(b => b.runnable && b.confirm && (b.role === 'run' || b.role === 'verify'))
		.map(b => {
			const name = typeof b.attributes.confirm === 'string' ? b.attributes.confirm : undefined;
			// A secret is never shown as the word to type (lint flags this too).
			const secret = specs.some(i => i.name === name && i.type === 'secret');
			const value = name && !secret ? inputs[name] : undefined;
			return value ? {block: b.index, word: value, input: name} : {block: b.index, word: 'yes'};
		});

/**
 * What a step needs next, in the order the rules give:
 * settled → (check-only run: audit) → check → "already done?" → ticks →
 * acknowledgement → run (after the confirmations).
 */
export type StepNeed =
	| {kind: 'settled'; status: StepStatus}
	/** A check-only run: the step's checks (or verifies) say whether it is in place. */
	| {kind: 'audit'}
	/** The step's check blocks run next; nothing is asked of the operator. */
	| {kind: 'check'}
	/** The check passed: accept it as already done, or run the step anyway. `only`: there is nothing else to run. */
	| {kind: 'already-done'; only: boolean}
	/** The step was cut off while it ran (Rampart died): running it again must be the operator's choice. */
	| {kind: 'interrupted'; blocks: StepState['lastAttempt']}
	| {kind: 'ticks'; open: Array<{index: number; text: string}>}
	| {kind: 'acknowledge'}
	/** Ready: the run and verify blocks run once these words are given. */
	| {kind: 'run'; confirmations: Confirmation[]};

export interface NeedContext {
	mode: 'run' | 'check';
	/** The operator chose to run the step although its check passed. */
	overridden: boolean;
	/** The operator chose to run an interrupted step again. */
	rerunConfirmed: boolean;
	confirmations: Confirmation[];
}

export const openTasks = (step: Step, state: StepState) =>
	step.tasks.filter(t => !state.ticks.some(tick => tick.task === t.index)).map(t => ({index: t.index, text: t.text}));

export const nextNeed = (step: Step, state: StepState, context: NeedContext): StepNeed => {
	if (SETTLED.has(state.status)) return {kind: 'settled', status: state.status};
	if (context.mode === 'check') return {kind: 'audit'};
	const kind = stepKind(step);
	if (hasRole(step, 'check')) {
		if (state.checkPassed === undefined) return {kind: 'check'};
		if (state.checkPassed && !context.overridden && checkProvesDone(step)) return {kind: 'already-done', only: kind === 'audit'};
	}
	if (state.status === 'interrupted' && !context.rerunConfirmed && !safeToRepeat(step)) return {kind: 'interrupted', blocks: state.lastAttempt};
	const open = openTasks(step, state);
	if (open.length > 0) return {kind: 'ticks', open};
	if (kind === 'acknowledge' && !state.acknowledged) return {kind: 'acknowledge'};
	return {kind: 'run', confirmations: context.confirmations};
};

/** Running the step again after it was cut off is safe: it runs nothing, or every run block says `idempotent`. */
export const safeToRepeat = (step: Step): boolean => runnableBlocks(step, 'run').every(b => b.idempotent);

/** A block as the operator knows it: its name, else its first line of code. */
export const blockLabel = (step: Step, index: number): string => {
	const block = step.blocks[index];
	return (
		block?.name ??
		block?.code
			.split('\n')
			.find(l => l.trim() !== '' && !l.trim().startsWith('#'))
			?.trim() ??
		`block ${index + 1}`
	);
};

/** What an interrupted step had done, in words, for the question whether to run it again. */
export const describeInterrupted = (step: Step, state: StepState): string => {
	const label = (index: number) => blockLabel(step, index);
	const done = state.lastAttempt.map(b =>
		b.finished ? `block ${b.block + 1} "${label(b.block)}" finished (exit ${b.exitCode ?? 'by a signal'})` : `block ${b.block + 1} "${label(b.block)}" was cut off`,
	);
	const what = done.length > 0 ? done.join('; ') : 'no block had started yet';
	return `"${step.title}" was interrupted while it ran (attempt ${state.attempts}): ${what}. Whether its work completed is not known.`;
};

/**
 * Whether a rollback of the step has something to undo: a run block of it
 * started (done, or failed part-way: the first block may have changed the
 * machine before the second failed), or a manual step was done by hand.
 */
export const canRollBack = (step: Step, state: StepState): boolean => hasRole(step, 'rollback') && (state.changed || (state.status === 'done' && !hasRole(step, 'run')));

/** The steps a run rollback undoes, latest first. */
export const rollbackPlan = (steps: readonly Step[], state: RunState): string[] =>
	state.steps
		.filter(s => {
			const step = steps.find(candidate => candidate.id === s.id);
			return step !== undefined && canRollBack(step, s);
		})
		.map(s => s.id)
		.reverse();

/** What an operator may do to one step; the front ends offer exactly these. */
export type StepAction = 'run' | 'check' | 'accept' | 'skip' | 'tick' | 'rollback';

export const stepActions = (step: Step, state: StepState): Set<StepAction> => {
	const actions = new Set<StepAction>(['run']);
	const settled = SETTLED.has(state.status);
	if (!settled) actions.add('skip');
	if (openTasks(step, state).length > 0) actions.add('tick');
	if (stepKind(step) !== 'audit' && hasRole(step, 'check')) actions.add('check');
	if (state.checkPassed === true && !settled && checkProvesDone(step)) actions.add('accept');
	if (canRollBack(step, state)) actions.add('rollback');
	return actions;
};

/**
 * A finding in words: the check's name, then what it printed on stderr
 * (where checks explain a failure), else its last line of output.
 */
export const describeFinding = (block: CodeBlock, output: {stderr: string[]; lastLine?: string}, failure: string): string => {
	const said = output.stderr.length > 0 ? output.stderr.join(' ') : (output.lastLine ?? failure);
	const text = said.length > 300 ? `${said.slice(0, 299)}…` : said;
	return block.name ? `${block.name}: ${text}` : text;
};
