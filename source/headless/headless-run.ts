// Drives a run without a terminal: the policy a script or cron job wants,
// expressed only through RunSession's methods (the rules stay in the engine).

import {EngineError, type RunSession} from '../engine/run-session.js';
import {nextStepIndex} from '../engine/state.js';
import type {EngineEvent} from '../types/events.js';
import type {Step} from '../runbook/model.js';
import {describeInterrupted} from '../engine/step-rules.js';

export interface HeadlessOptions {
	/** --yes: confirm every block that asks for confirmation. */
	yes: boolean;
	/** --ack: tick manual items and acknowledge prose-only steps. */
	ack: boolean;
	/** --check: only check and verify blocks; report each step satisfied or not. */
	check: boolean;
	/** --rerun-interrupted: run again a step that was cut off mid-way. */
	rerunInterrupted?: boolean;
}

export interface Reporter {
	event(event: EngineEvent): void;
	stepStarting(step: Step, position: number, total: number): void;
}

export type HeadlessResult =
	| {kind: 'completed'}
	| {kind: 'attention'; message: string}
	| {kind: 'failed'; step: string; message: string}
	| {kind: 'waiting'; step: string; message: string}
	| {kind: 'interrupted'; step?: string};

export const runHeadless = async (session: RunSession, options: HeadlessOptions, reporter: Reporter, interrupted: () => boolean): Promise<HeadlessResult> => {
	// The opening event was emitted before anyone could listen: report it first.
	reporter.event(session.openingEvent);
	const unsubscribe = session.subscribe(event => reporter.event(event));
	try {
		return options.check ? await audit(session, reporter, interrupted) : await run(session, options, reporter, interrupted);
	} catch (error) {
		// A refusal or a record that could not be written: said as it is, the run left resumable.
		if (error instanceof EngineError) return stop(session, {kind: 'failed', step: '', message: error.message});
		throw error;
	} finally {
		unsubscribe();
	}
};

const audit = async (session: RunSession, reporter: Reporter, interrupted: () => boolean): Promise<HeadlessResult> => {
	const steps = session.runbook.steps;
	const unsatisfied: string[] = [];
	for (const step of steps) {
		if (interrupted()) return stop(session, {kind: 'interrupted', step: step.id});
		reporter.stepStarting(step, step.index + 1, steps.length);
		const {state, cancelled} = await session.proceed(step.id);
		if (interrupted() || cancelled) return stop(session, {kind: 'interrupted', step: step.id});
		// A finding is not a failure: the run ends as needing attention, as a full run does.
		if (state.status !== 'done' && state.status !== 'skipped' && state.status !== 'attention') unsatisfied.push(step.title);
	}
	if (unsatisfied.length === 0) return finishSettled(session);
	const message = `not satisfied: ${unsatisfied.join('; ')}`;
	session.finish('failed', message);
	return {kind: 'failed', step: unsatisfied[0]!, message};
};

const stop = (session: RunSession, result: HeadlessResult): HeadlessResult => {
	session.close();
	return result;
};

/** Each step as far as the operator's flags allow: --ack ticks and acknowledges, --yes confirms. */
const run = async (session: RunSession, options: HeadlessOptions, reporter: Reporter, interrupted: () => boolean): Promise<HeadlessResult> => {
	const steps = session.runbook.steps;
	for (let index = nextStepIndex(session.state); index !== undefined; index = nextStepIndex(session.state)) {
		const step = steps[index]!;
		if (interrupted()) return stop(session, {kind: 'interrupted', step: step.id});
		reporter.stepStarting(step, index + 1, steps.length);
		let progress;
		try {
			// A passing check means the work is already there: do not do it twice.
			progress = await session.proceed(step.id, {
				alreadyDone: 'accept',
				tickAll: options.ack,
				acknowledge: options.ack,
				confirmAll: options.yes,
				rerunInterrupted: options.rerunInterrupted,
				run: true,
			});
		} catch (error) {
			if (error instanceof EngineError) return stop(session, {kind: 'failed', step: step.id, message: error.message});
			throw error;
		}
		const {need, state} = progress;
		if (progress.cancelled || interrupted()) return stop(session, {kind: 'interrupted', step: step.id});
		if (need.kind === 'settled') continue;
		if (progress.ran) {
			const why = state.status === 'timed-out' ? 'timed out' : state.error ? state.error : `exited with ${state.exitCode ?? 'a signal'}`;
			return stop(session, {kind: 'failed', step: step.id, message: `step "${step.title}" failed: ${why}\nFix the cause, then: rampart resume ${session.runId}`});
		}
		if (need.kind === 'interrupted') {
			return stop(session, {
				kind: 'waiting',
				step: step.id,
				message:
					`${describeInterrupted(step, state)}\nLook at what it did (its log: rampart report ${session.runId}), then either run it again:\n` +
					`  rampart resume ${session.runId} --rerun-interrupted\nor, if its work is done, skip it with the reason:\n  rampart resume ${session.runId} --skip ${index + 1} --reason "..."`,
			});
		}
		if (need.kind === 'ticks' || need.kind === 'acknowledge') {
			const items = step.tasks.map(t => `  - [ ] ${t.text}`).join('\n');
			const what = step.tasks.length > 0 ? `manual items to confirm:\n${items}` : 'a manual step to acknowledge';
			return stop(session, {
				kind: 'waiting',
				step: step.id,
				message: `step "${step.title}" has ${what}\nDo them, then resume with --ack to record that they are done: rampart resume ${session.runId} --ack`,
			});
		}
		return stop(session, {
			kind: 'waiting',
			step: step.id,
			// Resume, not re-run: a new run would repeat the steps already done.
			message: `step "${step.title}" has a block that asks for confirmation; confirm it with: rampart resume ${session.runId} --yes (or use the TUI on a terminal)`,
		});
	}
	return finishSettled(session);
};

/** Every step is settled: the run completes, or needs attention when a check found something. */
const finishSettled = (session: RunSession): HeadlessResult => {
	if (session.finish() === 'completed') return {kind: 'completed'};
	const findings = session.state.steps.filter(s => s.status === 'attention').map(s => `  ${s.title}: ${(s.findings ?? []).join('; ') || 'see its log'}`);
	return {kind: 'attention', message: `the run completed, and these findings need attention:\n${findings.join('\n')}`};
};
