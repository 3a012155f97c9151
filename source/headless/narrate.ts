// What a headless view says about each event, in one place for both views:
// listr2's live view on a terminal (listr-reporter.ts) and the plain lines
// written to pipes, CI and cron (line-reporter.ts).

import type {EngineEvent} from '../types/events.js';
import {formatDuration} from '../runbook/duration.js';

export type Outcome = {kind: 'done'; text?: string} | {kind: 'skip'; text: string} | {kind: 'fail'; text: string};

export type Narration =
	| {kind: 'lines'; step: string; lines: readonly string[]}
	| {kind: 'settled'; step: string; outcome: Outcome}
	/** Not a step's output: it must be seen even when the step's lines scroll by. */
	| {kind: 'warning'; text: string}
	| undefined;

/** `startedAt`: when the step started (ms since the epoch), for its duration. */
export const narrate = (event: EngineEvent, startedAt: (step: string) => number | undefined): Narration => {
	switch (event.type) {
		case 'output':
			return {kind: 'lines', step: event.step, lines: event.lines};
		case 'block-started':
			return {kind: 'lines', step: event.step, lines: [`$ ${event.name ?? `block ${event.block + 1}`} (${event.role})`]};
		case 'check-finished':
			return event.passed ? undefined : {kind: 'lines', step: event.step, lines: ['check did not pass: the step will run']};
		case 'task-ticked':
			return {kind: 'lines', step: event.step, lines: [`☑ ${event.text}`]};
		case 'step-acknowledged':
			return {kind: 'lines', step: event.step, lines: ['☑ acknowledged']};
		case 'step-already-done':
			return {kind: 'settled', step: event.step, outcome: {kind: 'done', text: 'already done: its check passed'}};
		case 'step-skipped':
			return {kind: 'settled', step: event.step, outcome: {kind: 'skip', text: `skipped: ${event.reason}`}};
		case 'step-finished': {
			if (event.status === 'done')
				return {kind: 'settled', step: event.step, outcome: {kind: 'done', text: formatDuration(Date.now() - (startedAt(event.step) || Date.now()))}};
			const why = event.status === 'timed-out' ? 'timed out' : event.status === 'cancelled' ? 'cancelled' : (event.error ?? `exit ${event.exitCode ?? '?'}`);
			return {kind: 'settled', step: event.step, outcome: {kind: 'fail', text: `${event.status}: ${why}`}};
		}
		case 'warning':
			return {kind: 'warning', text: `rampart: warning: ${event.message}`};
		default:
			return undefined;
	}
};
