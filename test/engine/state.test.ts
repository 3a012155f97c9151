// The run state is a pure fold over the journal's events: what resume, the
// TUI and reports show. No processes and no files here.

import {describe, expect, it} from 'vitest';
import type {Operator, RunEvent, RunEventBody} from '../../source/types/events.js';
import {asSeenAfterCrash, foldRun, InvalidJournalError, isFinished, nextStepIndex, SETTLED} from '../../source/engine/state.js';

const operator: Operator = {user: 'alice', uid: 1000, host: 'web1'};
const runId = '20260101T000000Z-book-0000';

/** Events a second apart, so every event has its own time. */
const timeline = (...bodies: RunEventBody[]): RunEvent[] =>
	bodies.map((body, i) => ({runId, time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), ...body}) as RunEvent);

const started: RunEventBody = {
	type: 'run-started',
	runbook: {id: 'book', path: '/rb/book.md', sha256: 'a'.repeat(64), title: 'Book'},
	operator,
	rampartVersion: '0.1.0',
	inputs: {DOMAIN: 'example.org'},
	secrets: ['TOKEN'],
	steps: [
		{id: 'install', title: 'Install', sha256: '1'.repeat(64)},
		{id: 'configure', title: 'Configure', sha256: '2'.repeat(64)},
		{id: 'manual', title: 'Manual', sha256: '3'.repeat(64)},
		{id: 'restart', title: 'Restart', sha256: '4'.repeat(64)},
	],
	cwd: '/srv',
	mode: 'run',
};

const log = {path: 'logs/x/001-install-run-1.log', sha256: 'f'.repeat(64), bytes: 12};

describe('foldRun', () => {
	it('starts every step pending, with the recorded inputs and step hashes', () => {
		const state = foldRun(timeline(started));
		expect(state.steps.map(s => s.status)).toEqual(['pending', 'pending', 'pending', 'pending']);
		expect(state.inputs).toEqual({DOMAIN: 'example.org'});
		expect(state.secrets).toEqual(['TOKEN']);
		expect(state.stepHashes.configure).toBe('2'.repeat(64));
		expect(state.cwd).toBe('/srv');
		expect(nextStepIndex(state)).toBe(0);
		expect(isFinished(state)).toBe(false);
	});

	it('folds a whole run: done, skipped with its reason, ticks, notes, already done, rollback, finish', () => {
		const events = timeline(
			started,
			{type: 'step-started', step: 'install', attempt: 1},
			{type: 'block-started', step: 'install', block: 0, role: 'run'},
			{type: 'block-finished', step: 'install', block: 0, role: 'run', exitCode: 0, timedOut: false, cancelled: false, durationMs: 5},
			{type: 'step-finished', step: 'install', attempt: 1, status: 'done', exitCode: 0, log},
			{type: 'note-added', step: 'install', text: 'took a while'},
			{type: 'step-skipped', step: 'configure', reason: 'done by hand last week'},
			{type: 'task-ticked', step: 'manual', task: 0, text: 'Call the vendor'},
			{type: 'task-ticked', step: 'manual', task: 0, text: 'Call the vendor'},
			{type: 'task-ticked', step: 'manual', task: 1, text: 'Write it down'},
			{type: 'step-acknowledged', step: 'manual'},
			{type: 'check-finished', step: 'restart', passed: true},
			{type: 'step-already-done', step: 'restart'},
			{type: 'note-added', text: 'whole run note'},
		);
		const state = foldRun(events);
		const [install, configure, manual, restart] = state.steps;
		expect(install).toMatchObject({status: 'done', attempts: 1, exitCode: 0, logs: [log], startedAt: events[1]!.time, endedAt: events[4]!.time});
		expect(install!.notes.map(n => n.text)).toEqual(['took a while']);
		expect(configure).toMatchObject({status: 'skipped', skipReason: 'done by hand last week'});
		// A repeated tick of the same item is one tick, with the first time.
		expect(manual!.ticks).toEqual([
			{task: 0, text: 'Call the vendor', time: events[7]!.time},
			{task: 1, text: 'Write it down', time: events[9]!.time},
		]);
		expect(manual!.acknowledged).toBe(true);
		expect(manual!.status).toBe('pending');
		expect(restart).toMatchObject({status: 'already-done', checkPassed: true});
		expect(state.notes.map(n => n.text)).toEqual(['whole run note']);
		expect(state.updatedAt).toBe(events.at(-1)!.time);
		expect(nextStepIndex(state)).toBe(2);

		const rolled = foldRun([
			...events,
			...timeline(
				{type: 'rollback-started', steps: ['install']},
				{type: 'step-rolled-back', step: 'install', ok: true, log: {...log, path: 'logs/x/002-install-rollback.log'}},
				{type: 'run-finished', outcome: 'rolled-back'},
			),
		]);
		expect(rolled.steps[0]).toMatchObject({status: 'rolled-back', rollback: {ok: true}});
		expect(rolled.steps[0]!.logs).toHaveLength(2);
		expect(rolled.outcome).toBe('rolled-back');
		expect(rolled.rollingBack).toBe(false);
		expect(isFinished(rolled)).toBe(true);
	});

	it('keeps a step whose rollback failed at its old status, with the failure recorded', () => {
		const state = foldRun(
			timeline(
				started,
				{type: 'step-started', step: 'install', attempt: 1},
				{type: 'step-finished', step: 'install', attempt: 1, status: 'done'},
				{type: 'rollback-started', steps: ['install']},
				{type: 'step-rolled-back', step: 'install', ok: false},
			),
		);
		expect(state.steps[0]).toMatchObject({status: 'done', rollback: {ok: false}});
		expect(state.rollingBack).toBe(true);
	});

	it('turns a step that was running when the process died into interrupted on resume, never done', () => {
		const events = timeline(
			started,
			{type: 'step-started', step: 'install', attempt: 1},
			{type: 'step-finished', step: 'install', attempt: 1, status: 'done'},
			{type: 'step-started', step: 'configure', attempt: 1},
			{type: 'block-started', step: 'configure', block: 0, role: 'run'},
			{type: 'run-resumed', operator: {...operator, user: 'bob'}, rampartVersion: '0.1.0', runbookSha256: 'b'.repeat(64), changedSteps: ['restart']},
		);
		const state = foldRun(events);
		expect(state.steps.map(s => s.status)).toEqual(['done', 'interrupted', 'pending', 'pending']);
		expect(SETTLED.has('interrupted')).toBe(false);
		expect(nextStepIndex(state)).toBe(1);
		expect(state.resumes).toEqual([{time: events[5]!.time, operator: {...operator, user: 'bob'}, changedSteps: ['restart']}]);

		// Running it again is attempt 2; it is done only once it finishes.
		const again = foldRun([...events, ...timeline({type: 'step-started', step: 'configure', attempt: 2})]);
		expect(again.steps[1]).toMatchObject({status: 'running', attempts: 2});
		expect(nextStepIndex(again)).toBe(1);
	});

	it('shows a step running in a run nobody holds as interrupted', () => {
		const state = foldRun(timeline(started, {type: 'step-started', step: 'install', attempt: 1}));
		expect(state.steps[0]!.status).toBe('running');
		expect(asSeenAfterCrash(state).steps[0]!.status).toBe('interrupted');
		// A run with nothing running is shown as it is.
		const idle = foldRun(timeline(started));
		expect(asSeenAfterCrash(idle)).toBe(idle);
	});

	it('counts failed, timed-out and cancelled steps as still to do', () => {
		for (const status of ['failed', 'timed-out', 'cancelled'] as const) {
			const state = foldRun(
				timeline(
					started,
					{type: 'step-skipped', step: 'install', reason: 'n/a'},
					{type: 'step-started', step: 'configure', attempt: 1},
					{type: 'step-finished', step: 'configure', attempt: 1, status, exitCode: 7, error: 'boom'},
				),
			);
			expect(state.steps[1]).toMatchObject({status, exitCode: 7, error: 'boom'});
			expect(nextStepIndex(state)).toBe(1);
		}
	});

	it('clears the previous outcome when a step is started again', () => {
		const state = foldRun(
			timeline(
				started,
				{type: 'step-started', step: 'install', attempt: 1},
				{type: 'step-finished', step: 'install', attempt: 1, status: 'failed', exitCode: 2, error: 'nope'},
				{type: 'step-started', step: 'install', attempt: 2},
			),
		);
		expect(state.steps[0]).toMatchObject({status: 'running', attempts: 2, exitCode: undefined, error: undefined, endedAt: undefined});
	});

	it('forgets a passing check once the step is run: the check spoke of the state before', () => {
		const state = foldRun(
			timeline(
				started,
				{type: 'check-finished', step: 'install', passed: true},
				{type: 'step-started', step: 'install', attempt: 1},
				{type: 'step-finished', step: 'install', attempt: 1, status: 'failed', exitCode: 1},
			),
		);
		expect(state.steps[0]!.checkPassed).toBeUndefined();
	});

	it('forgets a passing check on resume: the machine may have changed during the break', () => {
		const state = foldRun(
			timeline(
				started,
				{type: 'check-finished', step: 'install', passed: true},
				{type: 'run-resumed', operator, rampartVersion: '0.1.0', runbookSha256: 'a'.repeat(64), changedSteps: []},
			),
		);
		expect(state.steps[0]!.checkPassed).toBeUndefined();
	});

	it('has nothing next once every step is settled, and records the outcome', () => {
		const state = foldRun(
			timeline(
				started,
				{type: 'step-started', step: 'install', attempt: 1},
				{type: 'step-finished', step: 'install', attempt: 1, status: 'done'},
				{type: 'step-already-done', step: 'configure'},
				{type: 'step-skipped', step: 'manual', reason: 'not needed'},
				{type: 'step-skipped', step: 'restart', reason: 'not needed'},
				{type: 'run-finished', outcome: 'completed'},
			),
		);
		expect(nextStepIndex(state)).toBeUndefined();
		expect(state.outcome).toBe('completed');
		expect(state.finishedAt).toBe(state.updatedAt);
	});

	it('ignores events for a step the runbook no longer has', () => {
		const events = timeline(started, {type: 'step-skipped', step: 'gone', reason: 'x'});
		const state = foldRun(events);
		expect(state.steps.every(s => s.status === 'pending')).toBe(true);
	});

	it('refuses a journal that does not begin with run-started', () => {
		expect(() => foldRun([])).toThrow(InvalidJournalError);
		expect(() => foldRun(timeline({type: 'note-added', text: 'x'}))).toThrow(/begin with run-started/);
	});
});
