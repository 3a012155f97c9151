// One run of one runbook: the only place that decides what may happen next.
// Front ends call these methods with the operator's intent; every change is
// an event, appended to the journal (fsynced) before anyone else sees it.

import {createHash} from 'node:crypto';
import {hostname} from 'node:os';
import {resolve} from 'node:path';
import type {CodeBlock, Runbook, Step} from '../runbook/model.js';
import {
	acquireRunLock,
	createRunJournal,
	newRunId,
	readJournal,
	recordCompletion,
	reopenRunJournal,
	journalPath,
	type RunLock,
} from '../journal/index.js';
import type {RunJournal, StepLog} from '../journal/types.js';
import {RAMPART_VERSION} from '../version.js';
import type {EngineEvent, LogRef, Operator, RunEvent, RunEventBody, RunOutcome, StepStatus} from '../types/events.js';
import {foldRun, reduceRun, SETTLED, type RunState, type StepState} from './state.js';
import {executeBlock, type BlockResult} from './execute-block.js';
import {blockEnvironment} from './block-env.js';
import {createCredentialMasker, createMasker, maskCredentials, type Masker} from './mask.js';
import {lowDiskSpace} from '../trust/disk-space.js';
import {currentOperator} from './operator.js';
import {findLeftovers, type Leftover} from './leftover-processes.js';

/** What an operator may do to one step; the front ends offer exactly these. */
export type StepAction = 'run' | 'check' | 'accept' | 'skip' | 'tick' | 'rollback';

/** Statuses a step can be rolled back from: it did (some of) its work. */
const ROLLBACKABLE: ReadonlySet<StepStatus> = new Set(['done', 'failed', 'timed-out', 'cancelled', 'interrupted']);

/** A request the rules do not allow right now; the message is for the operator. */
export class EngineError extends Error {
	override name = 'EngineError';
}

/** Commands of an interrupted step still run: resuming now would do the step twice at once. */
export class LeftoverProcessError extends EngineError {
	override name = 'LeftoverProcessError';
	constructor(readonly leftovers: Leftover[]) {
		const lines = leftovers.flatMap(l => [
			`  step "${l.step}", process group ${l.pgid}:`,
			...l.processes.slice(0, 5).map(p => `    ${p.pid} ${p.command.slice(0, 100)}`),
		]);
		super(
			`commands of the interrupted run are still running; resuming now would run the step twice at once:\n${lines.join('\n')}\n` +
				`Wait for them to finish, or stop them: ${leftovers.map(l => `kill -TERM -- -${l.pgid}`).join('; ')}`,
		);
	}
}

export interface SessionOptions {
	runbook: Runbook;
	/** Validated input values (see resolveInputs), secrets included. */
	inputs: Record<string, string>;
	stateDir: string;
	mode?: 'run' | 'check';
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	operator?: Operator;
	maxLogBytes?: number;
	killGraceMs?: number;
}

export interface Confirmation {
	block: number;
	/** What the operator must type: an input's value, or `yes`. */
	word: string;
	/** Name of the input the word comes from, if any. */
	input?: string;
}

export interface RunStepOptions {
	/** Typed confirmation words by block index. */
	confirmations?: Record<number, string>;
	/** Headless `--yes`: every confirmation is given. */
	confirmAll?: boolean;
}

export type Listener = (event: EngineEvent) => void;

export const stepHash = (step: Step): string => createHash('sha256').update(`${step.title}\n${step.markdown}`).digest('hex');

const runnable = (step: Step, role: CodeBlock['role']) => step.blocks.filter(b => b.runnable && b.role === role);

/** The kind of work a step asks of the operator; the front ends only present it. */
export const stepKind = (step: Step): 'commands' | 'manual' | 'audit' | 'acknowledge' => {
	if (runnable(step, 'run').length > 0) return 'commands';
	if (step.tasks.length > 0) return 'manual';
	if (runnable(step, 'check').length > 0) return 'audit';
	return 'acknowledge';
};

/**
 * Events whose fsync is left to the event that always comes next (group
 * commit): a step's start is made durable by its first block-started, which
 * is fsynced before the block may run; a block's end by the next block's
 * start or by the step's end. No command runs, and no step is shown as
 * ended, before the record of it is on disk.
 */
const SYNCED_BY_NEXT_EVENT: ReadonlySet<RunEvent['type']> = new Set(['step-started', 'block-finished']);

const failed = (r: BlockResult) => r.exitCode !== 0 || r.timedOut || r.cancelled || r.error !== undefined;

/** Takes the runbook's lock, then opens the journal; a failure to open gives the lock back. */
const underLock = (stateDir: string, runbookId: string, runId: string, open: () => RunJournal): {lock: RunLock; journal: RunJournal} => {
	const lock = acquireRunLock(stateDir, runbookId, runId);
	try {
		return {lock, journal: open()};
	} catch (error) {
		lock.release();
		throw error;
	}
};

export class RunSession {
	private current: RunState;
	private readonly listeners = new Set<Listener>();
	private readonly mask: Masker;
	private abort: AbortController | undefined;
	private busy = false;
	private closed = false;
	private readonly env: NodeJS.ProcessEnv;
	private readonly warnedLowDisk = new Set<string>();
	/** run-started or run-resumed: emitted before anyone could subscribe. */
	private opening: RunEvent | undefined;

	private constructor(
		readonly runbook: Runbook,
		private readonly inputs: Record<string, string>,
		private readonly journal: RunJournal,
		private readonly lock: RunLock,
		readonly stateDir: string,
		state: RunState | undefined,
		private readonly options: SessionOptions,
	) {
		this.env = options.env ?? process.env;
		const secretNames = runbook.meta.inputs.filter(i => i.type === 'secret').map(i => i.name);
		this.mask = createMasker(secretNames.map(n => inputs[n] ?? '').filter(Boolean));
		this.current = state ?? (undefined as unknown as RunState);
	}

	/** Starts a new run: takes the runbook's lock, creates the journal, records who and what. */
	static start(options: SessionOptions): RunSession {
		const {runbook, inputs, stateDir} = options;
		const runId = newRunId(runbook.id);
		const {lock, journal} = underLock(stateDir, runbook.id, runId, () => createRunJournal(stateDir, runId, {maxLogBytes: options.maxLogBytes}));
		const session = new RunSession(runbook, inputs, journal, lock, stateDir, undefined, options);
		const secrets = runbook.meta.inputs.filter(i => i.type === 'secret').map(i => i.name);
		session.opening = session.emit({
			type: 'run-started',
			runbook: {id: runbook.id, path: runbook.path, sha256: runbook.sha256, title: runbook.meta.title, every: runbook.meta.every?.text},
			operator: options.operator ?? currentOperator(session.env),
			rampartVersion: RAMPART_VERSION,
			inputs: Object.fromEntries(Object.entries(inputs).filter(([name]) => !secrets.includes(name))),
			secrets,
			steps: runbook.steps.map(s => ({id: s.id, title: s.title, sha256: stepHash(s)})),
			cwd: options.cwd ?? process.cwd(),
			mode: options.mode ?? 'run',
		});
		return session;
	}

	/**
	 * Continues a run from its journal. Steps that were running when the
	 * process died become interrupted; changed steps are named in the event.
	 */
	static resume(options: SessionOptions & {runId: string}): RunSession {
		const {runbook, stateDir, runId} = options;
		const recorded = readJournal(journalPath(stateDir, runId));
		const broken = recorded.problems.filter(p => p.kind !== 'torn-tail');
		if (broken.length > 0) {
			throw new EngineError(`the record of run ${runId} is damaged (${broken[0]!.message}); check it with: rampart journal verify ${runId}`);
		}
		const before = foldRun(recorded.events);
		if (before.outcome) throw new EngineError(`run ${runId} has already finished (${before.outcome}); start a new run instead`);
		if (before.runbook.id !== runbook.id) throw new EngineError(`run ${runId} is a run of "${before.runbook.id}", not "${runbook.id}"`);
		const {lock, journal} = underLock(stateDir, runbook.id, runId, () => {
			// Only now, holding the lock, is a still-running block certainly an orphan.
			const leftovers = findLeftovers(recorded.events);
			if (leftovers.length > 0) throw new LeftoverProcessError(leftovers);
			return reopenRunJournal(stateDir, runId, {maxLogBytes: options.maxLogBytes});
		});
		const session = new RunSession(runbook, options.inputs, journal, lock, stateDir, before, {
			...options,
			mode: before.mode,
			cwd: before.cwd,
		});
		const changedSteps = runbook.steps.filter(s => before.stepHashes[s.id] !== stepHash(s)).map(s => s.id);
		for (const id of Object.keys(before.stepHashes)) if (!runbook.steps.some(s => s.id === id)) changedSteps.push(id);
		session.opening = session.emit({
			type: 'run-resumed',
			operator: options.operator ?? currentOperator(session.env),
			rampartVersion: RAMPART_VERSION,
			runbookSha256: runbook.sha256,
			changedSteps,
		});
		return session;
	}

	get state(): RunState {
		return this.current;
	}

	get runId(): string {
		return this.journal.runId;
	}

	/** The event that opened this session (run-started or run-resumed), for listeners that came later. */
	get openingEvent(): RunEvent {
		return this.opening!;
	}

	subscribe(listener: Listener): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private emit(body: RunEventBody): RunEvent {
		// Closed while a command ran: the lock is released and another process
		// may have resumed the run, so nothing more may be written here.
		if (this.closed) throw new EngineError('the run was closed while a command was running; resume it to run the step again');
		const event = {runId: this.journal.runId, time: new Date().toISOString(), ...body} as RunEvent;
		// Free text can quote a secret; mask it before it is recorded anywhere.
		const fields = event as unknown as Record<string, unknown>;
		for (const key of ['reason', 'text', 'error', 'message']) {
			if (typeof fields[key] === 'string') fields[key] = maskCredentials(this.mask(fields[key]));
		}
		this.journal.append(event, {sync: !SYNCED_BY_NEXT_EVENT.has(event.type)});
		this.current = event.type === 'run-started' ? foldRun([event]) : reduceRun(this.current, event);
		for (const listener of this.listeners) listener(event);
		return event;
	}

	private step(id: string): {step: Step; state: StepState} {
		const step = this.runbook.steps.find(s => s.id === id);
		const state = this.current.steps.find(s => s.id === id);
		if (!step || !state) throw new EngineError(`there is no step "${id}" in ${this.runbook.id}`);
		return {step, state};
	}

	private guard(what: string) {
		if (this.closed) throw new EngineError(`this run is closed; resume it to ${what}`);
		if (this.current.outcome) throw new EngineError(`this run has finished (${this.current.outcome})`);
		if (this.busy) throw new EngineError(`a command is still running; wait for it or cancel it before you ${what}`);
	}

	private async exclusive<T>(what: string, work: () => Promise<T>): Promise<T> {
		this.guard(what);
		this.busy = true;
		this.abort = new AbortController();
		try {
			return await work();
		} finally {
			this.busy = false;
			this.abort = undefined;
		}
	}

	/** Records a warning, once per step, while the state directory's disk is nearly full. */
	private warnIfLowDisk(stepId: string) {
		if (this.warnedLowDisk.has(stepId)) return;
		const low = lowDiskSpace(this.stateDir, this.env);
		if (!low) return;
		this.warnedLowDisk.add(stepId);
		this.emit({type: 'warning', step: stepId, message: low.message});
	}

	/** What the operator must confirm before the step's blocks may run. */
	confirmationsFor(stepId: string): Confirmation[] {
		const {step} = this.step(stepId);
		return step.blocks
			.filter(b => b.runnable && b.confirm && (b.role === 'run' || b.role === 'verify'))
			.map(b => {
				const name = typeof b.attributes.confirm === 'string' ? b.attributes.confirm : undefined;
				// A secret is never shown as the word to type (lint flags this too).
				const secret = this.runbook.meta.inputs.some(i => i.name === name && i.type === 'secret');
				const value = name && !secret ? this.inputs[name] : undefined;
				return value ? {block: b.index, word: value, input: name} : {block: b.index, word: 'yes'};
			});
	}

	/** Runs a block, streaming masked lines to listeners and to the log. */
	private async runBlock(step: Step, block: CodeBlock, log: StepLog): Promise<BlockResult> {
		const started = (pid: number | undefined) =>
			this.emit({
				type: 'block-started',
				step: step.id,
				block: block.index,
				role: block.role,
				name: block.name,
				// Interactive blocks share Rampart's group, which dies with it.
				...(pid !== undefined && !block.interactive ? {pgid: pid, host: hostname()} : {}),
			});
		let announced = false;
		// The log's name is made durable on another thread while the block is
		// spawned (the spawn blocks this one for about a millisecond).
		const logNameDurable = log.persistName();
		logNameDurable.catch(() => {}); // awaited below; finish() retries a failed one
		log.write(`# rampart: block ${block.index + 1} (${block.role})${block.name ? `: ${block.name}` : ''}\n`);
		// One masker per stream: a private key printed on stdout spans lines of stdout only.
		const credentials = block.maskCredentials ? {stdout: createCredentialMasker(), stderr: createCredentialMasker()} : {stdout: undefined, stderr: undefined};
		const result = await executeBlock({
			code: block.code,
			// A relative cwd= means relative to the run's directory, also on resume from elsewhere.
			cwd: resolve(this.current.cwd, block.cwd ?? '.'),
			env: blockEnvironment(this.env, this.runbook.meta.inputs, this.inputs, block),
			timeoutMs: block.timeoutMs,
			signal: this.abort?.signal,
			interactive: block.interactive,
			killGraceMs: this.options.killGraceMs,
			onSpawn: async pid => {
				announced = true;
				await logNameDurable;
				started(pid);
			},
			onLine: (stream, raw) => {
				const masked = this.mask(raw);
				const text = credentials[stream] ? credentials[stream](masked) : masked;
				log.write(`${text}\n`);
				const line: EngineEvent = {type: 'output', runId: this.runId, step: step.id, block: block.index, stream, time: Date.now(), text};
				for (const listener of this.listeners) listener(line);
			},
		});
		if (block.interactive) log.write('# rampart: interactive block: its output went to the terminal and is not recorded\n');
		const outcome = result.timedOut
			? `timed out after ${block.timeoutMs} ms`
			: result.cancelled
				? 'cancelled'
				: result.error
					? `could not start: ${result.error}`
					: `exit ${result.exitCode ?? result.signal}`;
		log.write(`# rampart: ${outcome}, ${result.durationMs} ms\n`);
		if (!announced) started(undefined);
		this.emit({
			type: 'block-finished',
			step: step.id,
			block: block.index,
			role: block.role,
			exitCode: result.exitCode,
			signal: result.signal,
			timedOut: result.timedOut,
			cancelled: result.cancelled,
			durationMs: result.durationMs,
		});
		return result;
	}

	/** Runs the check blocks; all must pass for the step to count as already done. */
	async runCheck(stepId: string): Promise<boolean> {
		return this.exclusive('run a check', async () => {
			const {step} = this.step(stepId);
			this.warnIfLowDisk(step.id);
			return this.check(step);
		});
	}

	private async check(step: Step): Promise<boolean> {
		const checks = runnable(step, 'check');
		if (checks.length === 0) throw new EngineError(`step "${step.title}" has no check`);
		const log = this.journal.openLog(step.id, 'check');
		let passed = true;
		for (const block of checks) {
			const result = await this.runBlock(step, block, log);
			if (failed(result)) {
				passed = false;
				break;
			}
		}
		this.emit({type: 'check-finished', step: step.id, passed, log: log.finish()});
		return passed;
	}

	/** What the rules allow for this step now (nothing while a command runs or after the run ended). */
	actionsFor(stepId: string): Set<StepAction> {
		const actions = new Set<StepAction>();
		if (this.closed || this.busy || this.current.outcome) return actions;
		const {step, state} = this.step(stepId);
		const settled = SETTLED.has(state.status);
		actions.add('run');
		if (!settled) actions.add('skip');
		if (step.tasks.some(t => !state.ticks.some(tick => tick.task === t.index))) actions.add('tick');
		if (stepKind(step) !== 'audit' && runnable(step, 'check').length > 0) actions.add('check');
		if (state.checkPassed === true && !settled) actions.add('accept');
		if (runnable(step, 'rollback').length > 0 && ROLLBACKABLE.has(state.status)) actions.add('rollback');
		return actions;
	}

	/** Accepts a passing check as proof the step is done. */
	markAlreadyDone(stepId: string): void {
		this.guard('mark a step done');
		const {step, state} = this.step(stepId);
		if (state.checkPassed !== true) throw new EngineError(`the check of "${step.title}" has not passed in this run; run it first`);
		if (SETTLED.has(state.status)) throw new EngineError(`"${step.title}" is already ${state.status}`);
		this.emit({type: 'step-already-done', step: stepId});
	}

	skip(stepId: string, reason: string): void {
		this.guard('skip a step');
		const {step, state} = this.step(stepId);
		if (reason.trim() === '') throw new EngineError(`say why "${step.title}" is skipped: the reason goes into the record`);
		if (SETTLED.has(state.status)) throw new EngineError(`"${step.title}" is already ${state.status}: there is nothing to skip`);
		this.emit({type: 'step-skipped', step: stepId, reason: reason.trim()});
	}

	tick(stepId: string, task: number): void {
		this.guard('tick an item');
		const {step, state} = this.step(stepId);
		const item = step.tasks[task];
		if (!item) throw new EngineError(`step "${step.title}" has no item ${task + 1}`);
		if (state.ticks.some(t => t.task === task)) return;
		this.emit({type: 'task-ticked', step: stepId, task, text: item.text});
	}

	acknowledge(stepId: string): void {
		this.guard('acknowledge a step');
		this.step(stepId);
		this.emit({type: 'step-acknowledged', step: stepId});
	}

	addNote(stepId: string | undefined, text: string): void {
		if (this.closed) throw new EngineError('this run is closed; resume it to add a note');
		if (stepId !== undefined) this.step(stepId);
		if (text.trim() === '') throw new EngineError('a note needs some text');
		this.emit({type: 'note-added', step: stepId, text: text.trim()});
	}

	/** What still stands between the step and running it, in words; empty when ready. */
	blockers(stepId: string): string[] {
		const {step, state} = this.step(stepId);
		const blockers: string[] = [];
		const open = step.tasks.filter(t => !state.ticks.some(tick => tick.task === t.index));
		if (open.length > 0) blockers.push(`${open.length} item${open.length === 1 ? '' : 's'} still to tick`);
		if (stepKind(step) === 'acknowledge' && !state.acknowledged) blockers.push('the step needs your acknowledgement');
		return blockers;
	}

	/**
	 * Does the step: manual items must be ticked first, then the run blocks
	 * run in order (the first failure stops the step unless continue-on-error),
	 * then the verify blocks; the step is done only if they all pass.
	 */
	async runStep(stepId: string, options: RunStepOptions = {}): Promise<StepState> {
		return this.exclusive('run a step', async () => {
			const {step} = this.step(stepId);
			this.warnIfLowDisk(step.id);
			if (this.current.mode === 'check') throw new EngineError('this is a check-only run: it runs checks and verifies, never the steps themselves');
			const blockers = this.blockers(stepId);
			if (blockers.length > 0) throw new EngineError(`"${step.title}" is not ready: ${blockers.join('; ')}`);
			const missing = this.confirmationsFor(stepId).filter(c => !options.confirmAll && options.confirmations?.[c.block] !== c.word);
			if (missing.length > 0) {
				throw new EngineError(
					`"${step.title}" has ${missing.length} block${missing.length === 1 ? '' : 's'} that must be confirmed first (type ${missing.map(m => `"${m.word}"`).join(', ')})`,
				);
			}
			if (stepKind(step) === 'audit') return this.auditStep(step);

			const attempt = this.step(stepId).state.attempts + 1;
			this.emit({type: 'step-started', step: step.id, attempt});
			const log = this.journal.openLog(step.id, `run-${attempt}`);
			const finish = (status: 'done' | 'failed' | 'timed-out' | 'cancelled', result?: BlockResult) => {
				this.emit({
					type: 'step-finished',
					step: step.id,
					attempt,
					status,
					exitCode: result?.exitCode,
					error: result?.error,
					log: log.finish(),
				});
				return this.step(stepId).state;
			};
			for (const role of ['run', 'verify'] as const) {
				for (const block of runnable(step, role)) {
					const result = await this.runBlock(step, block, log);
					if (result.cancelled) return finish('cancelled', result);
					if (result.timedOut) return finish('timed-out', result);
					if (failed(result) && !(role === 'run' && block.continueOnError)) return finish('failed', result);
				}
			}
			return finish('done');
		});
	}

	/** A step whose only code is a check: passing means done, failing is a finding. */
	private async auditStep(step: Step): Promise<StepState> {
		const passed = await this.check(step);
		if (passed) this.emit({type: 'step-already-done', step: step.id});
		else {
			const attempt = this.step(step.id).state.attempts + 1;
			this.emit({type: 'step-started', step: step.id, attempt});
			this.emit({type: 'step-finished', step: step.id, attempt, status: 'failed', error: 'the check did not pass, and this step has nothing to run'});
		}
		return this.step(step.id).state;
	}

	/** Audit mode: the step's checks (or, without any, its verifies) say whether it is satisfied; nothing is changed. */
	async auditOnly(stepId: string): Promise<StepState> {
		return this.exclusive('run a check', async () => {
			const {step} = this.step(stepId);
			this.warnIfLowDisk(step.id);
			const checks = runnable(step, 'check');
			const verifies = runnable(step, 'verify');
			if (checks.length === 0 && verifies.length === 0) {
				this.emit({type: 'step-skipped', step: step.id, reason: 'nothing to check: the step has no check or verify block'});
				return this.step(stepId).state;
			}
			const attempt = this.step(stepId).state.attempts + 1;
			this.emit({type: 'step-started', step: step.id, attempt});
			const log = this.journal.openLog(step.id, `audit-${attempt}`);
			// A check is the statement "this is already in place", so it decides
			// when there is one; a verify may assume its run blocks just ran, so
			// it judges only steps that have no check.
			for (const block of checks.length > 0 ? checks : verifies) {
				const result = await this.runBlock(step, block, log);
				if (failed(result)) {
					const status = result.cancelled ? 'cancelled' : result.timedOut ? 'timed-out' : 'failed';
					this.emit({type: 'step-finished', step: step.id, attempt, status, exitCode: result.exitCode, error: result.error, log: log.finish()});
					return this.step(stepId).state;
				}
			}
			this.emit({type: 'step-finished', step: step.id, attempt, status: 'done', exitCode: 0, log: log.finish()});
			return this.step(stepId).state;
		});
	}

	/** Steps a run rollback would undo, latest first. */
	rollbackPlan(): string[] {
		return this.current.steps
			.filter(s => s.status === 'done' && runnable(this.step(s.id).step, 'rollback').length > 0)
			.map(s => s.id)
			.reverse();
	}

	private async undo(step: Step): Promise<boolean> {
		const log = this.journal.openLog(step.id, 'rollback');
		let ok = true;
		for (const block of runnable(step, 'rollback')) {
			if (failed(await this.runBlock(step, block, log))) {
				ok = false;
				break;
			}
		}
		this.emit({type: 'step-rolled-back', step: step.id, ok, log: log.finish()});
		return ok;
	}

	/** Undoes one step (offered after a failure). */
	async rollbackStep(stepId: string): Promise<boolean> {
		return this.exclusive('roll back', async () => {
			const {step, state} = this.step(stepId);
			if (runnable(step, 'rollback').length === 0) throw new EngineError(`step "${step.title}" has no rollback`);
			if (!ROLLBACKABLE.has(state.status)) throw new EngineError(`step "${step.title}" is ${state.status}: it did nothing to roll back`);
			return this.undo(step);
		});
	}

	/**
	 * Undoes the run: the rollback blocks of every done step, in reverse order.
	 * Stops at the first rollback that fails, since undoing earlier steps on
	 * top of a half-undone later one may do harm.
	 */
	async rollbackRun(): Promise<boolean> {
		return this.exclusive('roll back', async () => {
			const plan = this.rollbackPlan();
			this.emit({type: 'rollback-started', steps: plan});
			for (const id of plan) {
				if (!(await this.undo(this.step(id).step))) return false;
			}
			this.finishWith('rolled-back', plan.length === 0 ? 'nothing to roll back' : undefined);
			return true;
		});
	}

	/** Cancels the running block (its whole process group). */
	cancel(): void {
		this.abort?.abort();
	}

	get isBusy(): boolean {
		return this.busy;
	}

	/** True when every step is done, already done or skipped. */
	get allSettled(): boolean {
		return this.current.steps.every(s => SETTLED.has(s.status));
	}

	/**
	 * Ends the run: `completed` when every step is settled (recorded in the
	 * completion index), otherwise `stopped` (or `failed`) with the reason.
	 */
	finish(outcome?: Exclude<RunOutcome, 'rolled-back'>, reason?: string): RunOutcome {
		this.guard('finish the run');
		const final: RunOutcome = outcome ?? (this.allSettled ? 'completed' : 'stopped');
		if (final === 'completed' && !this.allSettled) throw new EngineError('the run cannot be completed while steps are still open');
		this.finishWith(final, reason);
		return final;
	}

	private finishWith(outcome: RunOutcome, reason?: string) {
		const event = this.emit({type: 'run-finished', outcome, reason});
		if (outcome === 'completed') {
			recordCompletion(this.stateDir, this.runbook.id, {runId: this.runId, completedAt: event.time, every: this.runbook.meta.every?.text});
		}
		this.close();
	}

	/** Releases the run without finishing it, so it can be resumed later. */
	close(): void {
		if (this.closed) return;
		this.closed = true;
		this.cancel();
		this.journal.close();
		this.lock.release();
	}

	logRefs(): LogRef[] {
		return this.current.steps.flatMap(s => s.logs);
	}
}
