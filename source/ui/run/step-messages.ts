// What the run screen says after each session call, in words, with the keys
// from the command table. Pure: a step, its state and what it needs.

import type {StepNeed} from '../../engine/run-session.js';
import type {StepState} from '../../engine/state.js';
import {formatDuration} from '../../runbook/duration.js';
import {stepDuration} from './status-marks.js';
import {key} from './run-commands.js';
import type {Message} from './use-run-state.js';

/** How a step that just ran ended. `next`: where Enter goes now. */
export const describeResult = (title: string, s: StepState, canRollBack: boolean, left = 'nothing it started is left running.'): Message => {
	const survivors = left.startsWith('STILL');
	const took = stepDuration(s.startedAt, s.endedAt);
	const inTime = took === undefined ? '' : ` in ${formatDuration(took)}`;
	const options = `${key('retry')} runs it again, ${key('skip')} skips it${canRollBack ? `, ${key('rollback')} rolls it back` : ''}, ${key('log')} shows the log.`;
	switch (s.status) {
		case 'done':
			return {tone: 'success', text: `“${title}” done${inTime}.`};
		case 'already-done':
			return {tone: 'success', text: `“${title}” is already done.`};
		case 'skipped':
			return {tone: 'warning', text: `“${title}” skipped: ${s.skipReason ?? ''}`};
		case 'attention':
			return {tone: 'warning', text: `“${title}” needs attention: ${(s.findings ?? []).join('; ')}`};
		case 'cancelled':
			return {tone: survivors ? 'danger' : 'warning', text: `“${title}” was stopped; ${left} ${options}`};
		case 'timed-out':
			return {tone: 'danger', text: `“${title}” timed out; ${left} ${options}`};
		default: {
			const why = s.error ?? (s.exitCode === null || s.exitCode === undefined ? 'stopped by a signal' : `exit ${s.exitCode}`);
			return {tone: 'danger', text: `“${title}” failed (${why}). ${options}`};
		}
	}
};

/** What the operator is asked next, when the step stopped short of running. */
export const describeNeed = (need: StepNeed, s: StepState): Message | undefined => {
	const found = s.checkPassed === false && s.finding ? `The check found: ${s.finding}. ` : '';
	switch (need.kind) {
		case 'already-done':
			return {tone: 'success', text: `The check passed: this looks already done. ${key('accept')} records it as already done; Enter runs it anyway.`};
		case 'ticks':
			return {tone: found ? 'warning' : 'info', text: `${found}Tick the items as you do them (${key('tick')}), then Enter.`};
		case 'acknowledge':
			return {tone: 'info', text: 'Read the step, then Enter to acknowledge it.'};
		case 'interrupted':
			return {tone: 'warning', text: `${found}It was cut off the last time it ran: look at its log (${key('log')}) before you run it again.`};
		case 'run':
			return s.checkPassed === false ? {tone: found ? 'warning' : 'info', text: found || 'The check did not pass: the step is needed.'} : undefined;
		default:
			return undefined;
	}
};
