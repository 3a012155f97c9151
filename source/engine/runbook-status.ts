// Where a runbook stands for this operator: never run, in progress, done,
// due or overdue. One rule for the list, `rampart status` and the TUI home.

import type {CompletionEntry} from '../journal/completion-index-read.js';
import {nextDueAfter} from '../journal/completion-index-read.js';
import {progressOf, type RunSummary} from './run-catalog.js';

export type RunbookStatus =
	| {kind: 'never-run'; text: string}
	| {kind: 'in-progress'; text: string; runId: string; step: number; of: number}
	| {kind: 'done'; text: string; lastCompletedAt: string; nextDue?: string; dueInDays?: number}
	| {kind: 'due'; text: string; lastCompletedAt?: string; nextDue?: string; dueInDays: number}
	| {kind: 'overdue'; text: string; lastCompletedAt: string; nextDue: string; overdueDays: number};

const DAY = 24 * 60 * 60 * 1000;
/** A periodic runbook counts as due this many days before its date. */
export const DUE_SOON_DAYS = 7;

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;
const ago = (from: Date, now: Date) => {
	const n = Math.floor((now.getTime() - from.getTime()) / DAY);
	return n === 0 ? 'today' : `${days(n)} ago`;
};

export const runbookStatus = (
	every: string | undefined,
	completion: CompletionEntry | undefined,
	unfinished: RunSummary | undefined,
	now = new Date(),
): RunbookStatus => {
	if (unfinished) {
		const {step, of} = progressOf(unfinished.state);
		const holder = unfinished.active ? ', running now' : ', resumable';
		return {kind: 'in-progress', text: `in progress (step ${step} of ${of}${holder})`, runId: unfinished.runId, step, of};
	}
	if (!completion) {
		return every ? {kind: 'due', text: `never run; every ${every}`, dueInDays: 0} : {kind: 'never-run', text: 'never run'};
	}
	const last = new Date(completion.lastCompletedAt);
	if (!every) return {kind: 'done', text: `done ${ago(last, now)}`, lastCompletedAt: completion.lastCompletedAt};
	const nextDue = completion.nextDue ? new Date(completion.nextDue) : nextDueAfter(last, every);
	const left = Math.ceil((nextDue.getTime() - now.getTime()) / DAY);
	if (left < 0) {
		return {
			kind: 'overdue',
			text: `overdue by ${days(-left)} (done ${ago(last, now)})`,
			lastCompletedAt: completion.lastCompletedAt,
			nextDue: nextDue.toISOString(),
			overdueDays: -left,
		};
	}
	if (left <= DUE_SOON_DAYS) {
		return {
			kind: 'due',
			text: left === 0 ? 'due today' : `due in ${days(left)}`,
			lastCompletedAt: completion.lastCompletedAt,
			nextDue: nextDue.toISOString(),
			dueInDays: left,
		};
	}
	return {
		kind: 'done',
		text: `done ${ago(last, now)}; due in ${days(left)}`,
		lastCompletedAt: completion.lastCompletedAt,
		nextDue: nextDue.toISOString(),
		dueInDays: left,
	};
};
