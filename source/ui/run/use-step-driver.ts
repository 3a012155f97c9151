// Moves the selected step on through the session's one step driver
// (RunSession.proceed): Enter runs its check, then asks for what the step
// needs (ticks, "already done?", the confirmation before commands), then
// runs it. Whatever the session answers is said on screen; once a step is
// settled the selection goes to the next open step after it, never back.

import type {RunSession, StepAnswer, StepNeed, StepProgress} from '../../engine/run-session.js';
import {stepKind} from '../../engine/run-session.js';
import {describeLeftRunning, nextOpenStepAfter, SETTLED} from '../../engine/state.js';
import {canRollBack} from '../../engine/step-rules.js';
import type {SessionWork} from './use-session-work.js';
import type {OutputTails} from './output-tail.js';
import type {Message, RunAction} from './use-run-state.js';
import {describeNeed, describeResult} from './step-messages.js';
import {key} from './run-commands.js';

export interface StepDriver {
	/** Enter (or r) on a step that is not settled. */
	go: (stepId: string, answer?: StepAnswer) => void;
	/** Enter on a settled step: the next open step after it, or the end of the run. */
	moveOn: (index: number) => void;
	/** Select the next open step after this one, if there is one. */
	selectNextAfter: (stepId: string) => void;
}

/** The operator is shown the commands (and asked for any words) before a step with commands runs. */
const asksFirst = (session: RunSession, stepId: string, need: Extract<StepNeed, {kind: 'run'}>) =>
	need.confirmations.length > 0 || stepKind(session.runbook.steps.find(s => s.id === stepId)!) === 'commands';

export const useStepDriver = (
	session: RunSession,
	work: SessionWork,
	tails: OutputTails,
	dispatch: (action: RunAction) => void,
	say: (message: Message | undefined) => void,
	finish: () => void,
): StepDriver => {
	const steps = session.runbook.steps;
	const indexOf = (stepId: string) => steps.findIndex(s => s.id === stepId);

	const selectNextAfter = (stepId: string) => {
		const next = nextOpenStepAfter(session.state, indexOf(stepId));
		if (next !== undefined) dispatch({type: 'select', index: next});
	};

	const report = (stepId: string, progress: StepProgress) => {
		const step = steps[indexOf(stepId)]!;
		const {need, state} = progress;
		if (progress.ran || progress.cancelled || need.kind === 'settled') {
			say(describeResult(step.title, state, canRollBack(step, state), describeLeftRunning(session.state, stepId)));
			if (SETTLED.has(state.status)) selectNextAfter(stepId);
			return;
		}
		if (need.kind === 'run' && asksFirst(session, stepId, need)) {
			dispatch({type: 'mode', mode: {kind: 'confirm', step: stepId, words: need.confirmations, index: -1, typed: ''}});
		}
		if (need.kind === 'interrupted') dispatch({type: 'mode', mode: {kind: 'ask', question: 'rerun-interrupted', step: stepId}});
		say(describeNeed(need, state));
	};

	const go = (stepId: string, answer: StepAnswer = {acknowledge: true}) => {
		dispatch({type: 'mode', mode: {kind: 'browse'}});
		say(undefined);
		// Ready and only the operator's go-ahead missing: ask at once, so a key
		// typed right after Enter answers the prompt.
		const need = session.needOf(stepId);
		if (!answer.run && need.kind === 'run' && asksFirst(session, stepId, need)) {
			report(stepId, {need, state: session.state.steps[indexOf(stepId)]!, ran: false, cancelled: false});
			return;
		}
		void work.perform(stepId, answer.run ? ['check', 'run', 'verify'] : ['check'], async () => {
			tails.clear(stepId);
			let progress = await session.proceed(stepId, answer);
			// Nothing left to ask: a manual or audit step runs what it has (verify) at once.
			if (!progress.ran && !progress.cancelled && progress.need.kind === 'run' && !asksFirst(session, stepId, progress.need)) {
				progress = await session.proceed(stepId, {...answer, run: true});
			}
			report(stepId, progress);
		});
	};

	const moveOn = (index: number) => {
		const next = nextOpenStepAfter(session.state, index);
		if (next !== undefined) {
			dispatch({type: 'select', index: next});
			say(undefined);
			return;
		}
		if (session.allSettled) {
			finish();
			return;
		}
		const open = session.state.steps.flatMap((s, i) => (SETTLED.has(s.status) ? [] : [`${i + 1}. ${s.title}`]));
		say({
			tone: 'warning',
			text: `Every step after this one is settled; still open: ${open.join(', ')}. Select it (${key('prev')}), or ${key('finish')} to finish the run as stopped.`,
		});
	};

	return {go, moveOn, selectNextAfter};
};
