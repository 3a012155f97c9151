// The step rules as pure functions: what a step needs next, what may be
// rolled back, and the state the events leave. No processes, no React.

import {describe, expect, it} from 'vitest';
import type {Operator, RunEvent, RunEventBody} from '../../source/types/events.js';
import {foldRun, nextOpenStepAfter, settledOutcome, type StepState} from '../../source/engine/state.js';
import {
	canRollBack,
	checkProvesDone,
	describeFinding,
	describeInterrupted,
	nextNeed,
	rollbackPlan,
	safeToRepeat,
	stepActions,
	type NeedContext,
} from '../../source/engine/step-rules.js';
import {fixture, frontMatter, sh} from './helpers.js';

const BOOK =
	frontMatter('Rules') +
	`## Commands with a check

${sh('true', 'role=check')}
${sh('echo work')}
${sh('true', 'role=verify')}
${sh('echo undo', 'role=rollback')}
## Manual with a finding

- [ ] First
- [ ] Second

${sh('false', 'role=check finding name="Expiry"')}
## Audit

${sh('false', 'role=check')}
## Prose only

Read this.

## Confirmed

${sh('echo drop', 'confirm')}
`;

const {runbook} = fixture(BOOK);
const step = (i: number) => runbook.steps[i]!;
const operator: Operator = {user: 'alice', uid: 1000, host: 'web1'};
const runId = '20260101T000000Z-rules-0000';
const started: RunEventBody = {
	type: 'run-started',
	runbook: {id: 'rules', path: runbook.path, sha256: runbook.sha256, title: 'Rules'},
	operator,
	rampartVersion: '0.1.0',
	inputs: {},
	secrets: [],
	steps: runbook.steps.map(s => ({id: s.id, title: s.title, sha256: 'x'})),
	cwd: '/',
	mode: 'run',
};
const fold = (...bodies: RunEventBody[]) =>
	foldRun([started, ...bodies].map((body, i) => ({runId, time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), ...body}) as RunEvent));
const stateOf = (bodies: RunEventBody[], i: number): StepState => fold(...bodies).steps[i]!;
const context = (overrides: Partial<NeedContext> = {}): NeedContext => ({mode: 'run', overridden: false, rerunConfirmed: false, confirmations: [], ...overrides});

describe('nextNeed: the order of a step', () => {
	it('runs the check first, then offers "already done", then runs when overridden', () => {
		const id = step(0).id;
		expect(nextNeed(step(0), stateOf([], 0), context())).toEqual({kind: 'check'});
		const passed = stateOf([{type: 'check-finished', step: id, passed: true}], 0);
		expect(nextNeed(step(0), passed, context())).toEqual({kind: 'already-done', only: false});
		expect(nextNeed(step(0), passed, context({overridden: true}))).toEqual({kind: 'run', confirmations: []});
		const failed = stateOf([{type: 'check-finished', step: id, passed: false}], 0);
		expect(nextNeed(step(0), failed, context())).toEqual({kind: 'run', confirmations: []});
	});

	it('a stopped check decides nothing: the check runs again', () => {
		const state = stateOf([{type: 'check-finished', step: step(0).id, passed: false, cancelled: true}], 0);
		expect(nextNeed(step(0), state, context())).toEqual({kind: 'check'});
	});

	it('asks for the items after the check, and a passing finding check does not make a manual step done', () => {
		const id = step(1).id;
		const failed = stateOf([{type: 'check-finished', step: id, passed: false, finding: 'Expiry: 83 days left'}], 1);
		expect(nextNeed(step(1), failed, context())).toMatchObject({kind: 'ticks', open: [{index: 0}, {index: 1}]});
		const passed = stateOf([{type: 'check-finished', step: id, passed: true}], 1);
		expect(checkProvesDone(step(1))).toBe(false);
		expect(nextNeed(step(1), passed, context())).toMatchObject({kind: 'ticks'});
		expect(stepActions(step(1), passed).has('accept')).toBe(false);
		const ticked = stateOf(
			[
				{type: 'check-finished', step: id, passed: false},
				{type: 'task-ticked', step: id, task: 0, text: 'First'},
				{type: 'task-ticked', step: id, task: 1, text: 'Second'},
			],
			1,
		);
		expect(nextNeed(step(1), ticked, context())).toEqual({kind: 'run', confirmations: []});
	});

	it('an audit step that passes has nothing else to do; a prose step needs an acknowledgement', () => {
		const audit = stateOf([{type: 'check-finished', step: step(2).id, passed: true}], 2);
		expect(nextNeed(step(2), audit, context())).toEqual({kind: 'already-done', only: true});
		expect(nextNeed(step(3), stateOf([], 3), context())).toEqual({kind: 'acknowledge'});
		const acknowledged = stateOf([{type: 'step-acknowledged', step: step(3).id}], 3);
		expect(nextNeed(step(3), acknowledged, context())).toEqual({kind: 'run', confirmations: []});
	});

	it('a settled step needs nothing, whatever its check said; a check-only run audits', () => {
		const done = stateOf([{type: 'step-skipped', step: step(0).id, reason: 'done by hand'}], 0);
		expect(nextNeed(step(0), done, context())).toEqual({kind: 'settled', status: 'skipped'});
		expect(nextNeed(step(0), stateOf([], 0), context({mode: 'check'}))).toEqual({kind: 'audit'});
	});

	it('an interrupted step says what it had done and waits for the operator, unless its run blocks are idempotent', () => {
		const id = step(0).id;
		const cut = stateOf(
			[
				{type: 'check-finished', step: id, passed: false},
				{type: 'step-started', step: id, attempt: 1},
				{type: 'block-started', step: id, block: 1, role: 'run'},
				{type: 'block-finished', step: id, block: 1, role: 'run', exitCode: 0, timedOut: false, cancelled: false, durationMs: 5},
				{type: 'block-started', step: id, block: 2, role: 'verify'},
				{type: 'run-resumed', operator, rampartVersion: '0.1.0', runbookSha256: 'x', changedSteps: []},
				{type: 'check-finished', step: id, passed: false},
			],
			0,
		);
		expect(cut.status).toBe('interrupted');
		expect(nextNeed(step(0), cut, context())).toEqual({
			kind: 'interrupted',
			blocks: [
				{block: 1, role: 'run', exitCode: 0, finished: true},
				{block: 2, role: 'verify', finished: false},
			],
		});
		expect(nextNeed(step(0), cut, context({rerunConfirmed: true}))).toEqual({kind: 'run', confirmations: []});
		expect(describeInterrupted(step(0), cut)).toBe(
			'"Commands with a check" was interrupted while it ran (attempt 1): block 2 "echo work" finished (exit 0); block 3 "true" was cut off. Whether its work completed is not known.',
		);
		expect(safeToRepeat(step(0))).toBe(false);
		expect(safeToRepeat(step(1))).toBe(true); // nothing to run
	});

	it('passes the confirmations on with the run need', () => {
		const words = [{block: 0, word: 'yes'}];
		expect(nextNeed(step(4), stateOf([], 4), context({confirmations: words}))).toEqual({kind: 'run', confirmations: words});
	});
});

describe('rollback: a step that started a run block may have changed the machine', () => {
	const id = step(0).id;
	const runBlock: RunEventBody = {type: 'block-started', step: id, block: 1, role: 'run'};

	it('is offered for a step that failed after a run block started, never for one whose check alone ran', () => {
		const checkOnly = stateOf(
			[
				{type: 'check-finished', step: id, passed: false},
				{type: 'block-started', step: id, block: 0, role: 'check'},
			],
			0,
		);
		expect(canRollBack(step(0), checkOnly)).toBe(false);
		const partial = stateOf([{type: 'step-started', step: id, attempt: 1}, runBlock, {type: 'step-finished', step: id, attempt: 1, status: 'failed', exitCode: 3}], 0);
		expect(partial.changed).toBe(true);
		expect(canRollBack(step(0), partial)).toBe(true);
		expect(rollbackPlan(runbook.steps, fold({type: 'step-started', step: id, attempt: 1}, runBlock))).toEqual([id]);
	});

	it('keeps a failed step failed after its rollback, and a done one becomes rolled back', () => {
		const failed = fold(
			{type: 'step-started', step: id, attempt: 1},
			runBlock,
			{type: 'step-finished', step: id, attempt: 1, status: 'failed'},
			{type: 'step-rolled-back', step: id, ok: true},
		).steps[0]!;
		expect(failed).toMatchObject({status: 'failed', changed: false, rollback: {ok: true}});
		expect(canRollBack(step(0), failed)).toBe(false);
		const done = fold(
			{type: 'step-started', step: id, attempt: 1},
			runBlock,
			{type: 'step-finished', step: id, attempt: 1, status: 'done'},
			{type: 'step-rolled-back', step: id, ok: true},
		).steps[0]!;
		expect(done.status).toBe('rolled-back');
		const failedRollback = fold({type: 'step-started', step: id, attempt: 1}, runBlock, {type: 'step-rolled-back', step: id, ok: false}).steps[0]!;
		expect(failedRollback.changed).toBe(true);
	});
});

describe('findings and where to go next', () => {
	it('a step that ends with findings needs attention; the run then needs attention too', () => {
		const id = step(1).id;
		const state = fold(
			{type: 'check-finished', step: id, passed: false, finding: 'Expiry: 83 days left'},
			{type: 'step-started', step: id, attempt: 1},
			{type: 'step-finished', step: id, attempt: 1, status: 'attention', findings: ['Expiry: 83 days left']},
		);
		expect(state.steps[1]).toMatchObject({status: 'attention', findings: ['Expiry: 83 days left']});
		const others = runbook.steps.filter((_, i) => i !== 1).map(s => ({type: 'step-skipped', step: s.id, reason: 'n/a'}) as RunEventBody);
		expect(settledOutcome(fold(...others))).toBe('completed');
		expect(
			settledOutcome(fold(...others, {type: 'step-started', step: id, attempt: 1}, {type: 'step-finished', step: id, attempt: 1, status: 'attention', findings: ['x']})),
		).toBe('needs-attention');
	});

	it('moves on to the next open step after the one settled, never back to an earlier one', () => {
		const state = fold(
			{type: 'step-started', step: step(0).id, attempt: 1},
			{type: 'step-finished', step: step(0).id, attempt: 1, status: 'failed'},
			{type: 'step-skipped', step: step(2).id, reason: 'n/a'},
		);
		expect(nextOpenStepAfter(state, 1)).toBe(3);
		expect(nextOpenStepAfter(state, 4)).toBeUndefined();
	});

	it('words a finding from what the check said on stderr, else its last line, else how it ended', () => {
		const block = step(1).blocks.find(b => b.role === 'check')!;
		expect(describeFinding(block, {stderr: ['Only 83 days left.', 'Renew now.']}, 'exit 1')).toBe('Expiry: Only 83 days left. Renew now.');
		expect(describeFinding(block, {stderr: [], lastLine: 'no date found'}, 'exit 1')).toBe('Expiry: no date found');
		expect(describeFinding(block, {stderr: []}, 'timed out after 60000 ms')).toBe('Expiry: timed out after 60000 ms');
	});
});
