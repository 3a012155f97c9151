// One run of one runbook: the only place that decides what may happen next.
// Front ends call these methods with the operator's intent; every change is
// an event, appended to the journal (fsynced) before anyone else sees it.

import {createHash} from 'node:crypto';
import {hostname} from 'node:os';
import {resolve} from 'node:path';
import type {CodeBlock, Runbook, Step} from '../runbook/model.js';
import {acquireRunLock, createRunJournal, newRunId, readJournal, recordCompletion, recordKey, reopenRunJournal, journalPath, type RunLock} from '../journal/index.js';
import type {RunJournal, StepLog} from '../journal/types.js';
import {RAMPART_VERSION} from '../version.js';
import type {EngineEvent, HostTarget, LogRef, Operator, RunEvent, RunEventBody, RunOutcome} from '../types/events.js';
import {foldRun, reduceRun, settledOutcome, SETTLED, type RunState, type StepState} from './state.js';
import {
	canRollBack,
	describeInterrupted,
	checkProvesDone,
	confirmationsFor,
	describeFinding,
	hasRole,
	isFindingCheck,
	nextNeed,
	openTasks,
	rollbackPlan,
	runnableBlocks as runnable,
	stepActions,
	stepKind,
	type Confirmation,
	type StepAction,
	type StepNeed,
} from './step-rules.js';
import {executeBlock, type BlockExecutor, type BlockResult} from './execute-block.js';
import {baseEnvironment, blockEnvironment} from './block-env.js';
import {createCredentialMasker, createMasker, maskCredentials, MIN_MASKED_ON_SCREEN, safeCut, type Masker} from './mask.js';
import {lowDiskSpace} from '../trust/disk-space.js';
import {LineRenderer, stripStyles} from '../output/terminal-text.js';
import {currentOperator} from './operator.js';
import {findLeftovers, type Leftover} from './leftover-processes.js';

export {stepKind, type Confirmation, type StepAction, type StepNeed};

/** A request the rules do not allow right now; the message is for the operator. */
export class EngineError extends Error {
	override name = 'EngineError';
}

/** How a failed write to the records reads to the operator. */
const describeIoError = (error: unknown): string => {
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	const words: Record<string, string> = {
		ENOSPC: 'no space left on the device',
		EDQUOT: 'the disk quota is used up',
		EROFS: 'the file system is read-only',
		EIO: 'an input/output error',
		EACCES: 'permission denied',
		EPERM: 'operation not permitted',
	};
	const detail = (error as Error | undefined)?.message ?? String(error);
	return code && words[code] ? `${words[code]} (${code})` : detail;
};

/**
 * The journal or a step log could not be written (a full disk, a read-only
 * file system): the run stops where it is, resumable once there is room, and
 * nothing more is run that the record could not account for.
 */
export class RecordWriteError extends EngineError {
	override name = 'RecordWriteError';
	constructor(readonly failure: unknown) {
		super(`the record could not be written: ${describeIoError(failure)}. The run stopped here; make room, then resume it (rampart resume)`);
	}
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
	/** Where blocks run: here (the default) or on `target` over SSH. */
	executor?: BlockExecutor;
	/**
	 * The host the blocks run on, recorded in run-started. Its blocks start
	 * from the host's own login environment, not the operator's, plus
	 * `targetEnv` (the operator's SSH_CLIENT as the host sees it).
	 */
	target?: HostTarget;
	targetEnv?: Record<string, string>;
}

/** A remote host's connection went while a block ran: the run stops there, resumable; other hosts go on. */
export class ConnectionLostError extends EngineError {
	override name = 'ConnectionLostError';
}

export interface RunStepOptions {
	/** Typed confirmation words by block index. */
	confirmations?: Record<number, string>;
	/** Headless `--yes`: every confirmation is given. */
	confirmAll?: boolean;
}

/** The operator's answers to what a step may need (see StepNeed); what is not given is asked for. */
export interface StepAnswer extends RunStepOptions {
	/** To a passing check: record the step as already done, or run it anyway. */
	alreadyDone?: 'accept' | 'run';
	/** Tick every open item (headless --ack: the operator says they are done). */
	tickAll?: boolean;
	/** Acknowledge a prose-only step. */
	acknowledge?: boolean;
	/** Run the step's blocks once it is ready; without it, proceed stops at the 'run' need. */
	run?: boolean;
	/** Run again a step that was cut off mid-way (headless: --rerun-interrupted). */
	rerunInterrupted?: boolean;
}

/** Where a step stands after proceed(): what it needs now, and whether the operator stopped a command. */
export interface StepProgress {
	need: StepNeed;
	state: StepState;
	/** The step's run and verify blocks (or its audit) ran in this call. */
	ran: boolean;
	cancelled: boolean;
}

export type Listener = (event: EngineEvent) => void;

export const stepHash = (step: Step): string => createHash('sha256').update(`${step.title}\n${step.markdown}`).digest('hex');

/**
 * Events whose fsync is left to the event that always comes next (group
 * commit): a step's start is made durable by its first block-started, which
 * is fsynced before the block may run; a block's end by the next block's
 * start or by the step's end. No command runs, and no step is shown as
 * ended, before the record of it is on disk.
 */
const SYNCED_BY_NEXT_EVENT: ReadonlySet<RunEvent['type']> = new Set(['step-started', 'block-finished']);

/** Keeps what a block said, briefly: its last line, and its first lines on stderr (a failing check's finding is worded from them). */
const noteSaid = (said: {stderr: string[]; lastLine?: string}, stream: 'stdout' | 'stderr', lines: readonly string[]): void => {
	for (let i = 0; stream === 'stderr' && said.stderr.length < 3 && i < lines.length; i++) {
		const line = stripStyles(lines[i]!).trim();
		if (line !== '') said.stderr.push(line);
	}
	for (let i = lines.length - 1; i >= 0; i--) {
		const line = stripStyles(lines[i]!).trim();
		if (line === '') continue;
		said.lastLine = line;
		return;
	}
};

const failed = (r: BlockResult) => r.exitCode !== 0 || r.timedOut || r.cancelled || r.error !== undefined;

/** How a block ended, in words: `exit 1`, `timed out after 60000 ms`, … */
const describeEnd = (result: BlockResult, block: CodeBlock): string =>
	result.timedOut
		? `timed out after ${block.timeoutMs} ms`
		: result.cancelled
			? 'cancelled'
			: result.error
				? `could not start: ${result.error}`
				: `exit ${result.exitCode ?? result.signal}`;

/** The executor of a host's run reopened without a connection: refuses every block, so none runs on the wrong machine. */
const notConnected =
	(host: string): BlockExecutor =>
	async () => ({
		exitCode: null,
		timedOut: false,
		cancelled: false,
		durationMs: 0,
		error: `this run's commands run on ${host} over SSH, and this command has no connection to it: use rampart resume (it connects)`,
	});

/** Takes the runbook's lock, then opens the journal; a failure to open gives the lock back. */
const underLock = (stateDir: string, key: string, runId: string, open: () => RunJournal): {lock: RunLock; journal: RunJournal} => {
	const lock = acquireRunLock(stateDir, key, runId);
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
	/** Masks every secret: for everything written to disk. */
	private readonly mask: Masker;
	/** Masks the secrets long enough to mask: for output shown live. */
	private readonly maskOnScreen: Masker;
	private readonly shortSecrets: string[];
	private abort: AbortController | undefined;
	private busy = false;
	private closed = false;
	private readonly env: NodeJS.ProcessEnv;
	/** The environment every block starts from (see baseEnvironment). */
	private blockBase: Readonly<Record<string, string>> | undefined;
	private readonly warnedLowDisk = new Set<string>();
	/** Steps the operator chose to run although their check passed (until the step starts). */
	private readonly overridden = new Set<string>();
	/** Interrupted steps the operator chose to run again (until the step starts). */
	private readonly rerunConfirmed = new Set<string>();
	/** The first failed write to the records; after it nothing more is written or run. */
	private recordError: unknown;
	/** Why the connection to the run's host went, when it did (the run is then closed). */
	lost: string | undefined;
	/** run-started or run-resumed: emitted before anyone could subscribe. */
	private opening: RunEvent | undefined;
	/**
	 * Events recorded but not yet told to listeners, in the record's order: an
	 * event made durable on a background thread holds back those after it, so
	 * nobody hears of it, or of what followed it, before it is on disk.
	 */
	private readonly untold: {event: RunEvent; durable: boolean}[] = [];

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
		const values = secretNames.map(n => inputs[n] ?? '').filter(Boolean);
		this.mask = createMasker(values);
		this.shortSecrets = secretNames.filter(n => (inputs[n] ?? '').length > 0 && (inputs[n] ?? '').length < MIN_MASKED_ON_SCREEN);
		this.maskOnScreen = this.shortSecrets.length > 0 ? createMasker(values, MIN_MASKED_ON_SCREEN) : this.mask;
		this.current = state ?? (undefined as unknown as RunState);
	}

	/** Starts a new run: takes the runbook's lock, creates the journal, records who and what. */
	static start(options: SessionOptions): RunSession {
		const {runbook, inputs, stateDir} = options;
		const key = recordKey(runbook.id, options.target?.host);
		const runId = newRunId(key);
		const {lock, journal} = underLock(stateDir, key, runId, () => createRunJournal(stateDir, runId, {maxLogBytes: options.maxLogBytes}));
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
			...(options.target ? {target: options.target} : {}),
		});
		session.warnShortSecrets();
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
		if (options.target && before.target?.host !== options.target.host) {
			throw new EngineError(
				before.target ? `run ${runId} ran on ${before.target.host}, not on ${options.target.host}` : `run ${runId} ran on this machine, not on ${options.target.host}`,
			);
		}
		const {lock, journal} = underLock(stateDir, recordKey(runbook.id, before.target?.host), runId, () => {
			// Only now, holding the lock, is a still-running block certainly an orphan.
			const leftovers = findLeftovers(recorded.events);
			if (leftovers.length > 0) throw new LeftoverProcessError(leftovers);
			return reopenRunJournal(stateDir, runId, {maxLogBytes: options.maxLogBytes});
		});
		const session = new RunSession(runbook, options.inputs, journal, lock, stateDir, before, {
			...options,
			mode: before.mode,
			cwd: before.cwd,
			// A host's run reopened without a connection (to stop it, or note something) never runs its blocks here.
			...(before.target && !options.target ? {target: before.target, executor: notConnected(before.target.host)} : {}),
		});
		const changedSteps = runbook.steps.filter(s => before.stepHashes[s.id] !== stepHash(s)).map(s => s.id);
		for (const id of Object.keys(before.stepHashes)) if (!runbook.steps.some(s => s.id === id)) changedSteps.push(id);
		session.opening = session.emit({
			type: 'run-resumed',
			operator: options.operator ?? currentOperator(session.env),
			rampartVersion: RAMPART_VERSION,
			runbookSha256: runbook.sha256,
			changedSteps,
			// The host as this connection found it: its key may have been replaced since.
			...(options.target ? {target: options.target} : {}),
		});
		session.warnShortSecrets();
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

	/**
	 * Set by a front end that can fall behind showing output (headless to a
	 * slow pipe): a promise while it is behind, and blocks' output is not read
	 * meanwhile (see BlockRun.backlog).
	 */
	outputBacklog?: () => Promise<void> | undefined;

	/** Called once at the end of close(), the record closed and the lock released (the cli signs the record there). */
	afterClose?: (runId: string) => void;

	subscribe(listener: Listener): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** `ownWords`: the text is Rampart's own, with no value in it, so it is not masked (a one-letter secret would garble it). */
	private emit(body: RunEventBody, ownWords = false): RunEvent {
		return this.record(body, ownWords, false).event;
	}

	/**
	 * Records an event and makes it durable on a background thread, so that
	 * one host's fsync does not hold up the others' runs (or the screen); it is
	 * told to listeners once it is on disk.
	 */
	private async emitDurably(body: RunEventBody): Promise<RunEvent> {
		const entry = this.record(body, false, true);
		try {
			await this.journal.syncInBackground();
		} catch (error) {
			this.untold.splice(this.untold.indexOf(entry), 1);
			throw this.recordFailed(error);
		} finally {
			entry.durable = true;
			this.tell();
		}
		return entry.event;
	}

	/** `held`: made durable by the caller on a background thread, and told once it is; otherwise fsynced here (or by the event that always follows it). */
	private record(body: RunEventBody, ownWords: boolean, held: boolean): {event: RunEvent; durable: boolean} {
		// Closed while a command ran: the lock is released and another process
		// may have resumed the run, so nothing more may be written here.
		if (this.closed) throw new EngineError('the run was closed while a command was running; resume it to run the step again');
		if (this.recordError !== undefined) throw new RecordWriteError(this.recordError);
		const event = {runId: this.journal.runId, time: new Date().toISOString(), ...body} as RunEvent;
		// Free text can quote a secret; mask it before it is recorded anywhere.
		const fields = event as unknown as Record<string, unknown>;
		for (const key of ownWords ? [] : ['reason', 'text', 'error', 'message']) {
			if (typeof fields[key] === 'string') fields[key] = maskCredentials(this.mask(fields[key]));
		}
		try {
			this.journal.append(event, {sync: !held && !SYNCED_BY_NEXT_EVENT.has(event.type)});
		} catch (error) {
			throw this.recordFailed(error);
		}
		this.current = event.type === 'run-started' ? foldRun([event]) : reduceRun(this.current, event);
		const entry = {event, durable: !held};
		this.untold.push(entry);
		this.tell();
		return entry;
	}

	/** The end of a step or a check: its log, then the event that points at it, each made durable on a background thread. */
	private async recordEnd(log: StepLog, body: (log: LogRef) => RunEventBody): Promise<void> {
		await log.flushDurably().catch(() => {}); // finish() fsyncs (and reports) what this could not
		await this.emitDurably(body(log.finish()));
	}

	/** Tells listeners every recorded event up to the first one still being made durable. */
	private tell() {
		while (this.untold[0]?.durable) {
			const {event} = this.untold.shift()!;
			for (const listener of this.listeners) listener(event);
		}
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

	/** Says, in the record, which secrets are too short to mask on screen (never their values or lengths). */
	private warnShortSecrets() {
		if (this.shortSecrets.length === 0) return;
		this.emit(
			{
				type: 'warning',
				message: `${this.shortSecrets.join(', ')} ${this.shortSecrets.length === 1 ? 'is' : 'are'} shorter than ${MIN_MASKED_ON_SCREEN} characters: masked in the records on disk, but not in the output shown on screen (masking a letter or two everywhere would show it as well)`,
			},
			true,
		);
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
		return confirmationsFor(this.step(stepId).step, this.runbook.meta.inputs, this.inputs);
	}

	/** What the step needs next (see step-rules.ts). */
	needOf(stepId: string): StepNeed {
		const {step, state} = this.step(stepId);
		return nextNeed(step, state, {
			mode: this.current.mode,
			overridden: this.overridden.has(stepId),
			rerunConfirmed: this.rerunConfirmed.has(stepId),
			confirmations: this.confirmationsFor(stepId),
		});
	}

	/** Runs a block, streaming its masked output to the log and, as lines to show, to listeners. */
	private async runBlock(step: Step, block: CodeBlock, log: StepLog): Promise<BlockResult & {said: {stderr: string[]; lastLine?: string}}> {
		// What the block said, kept short: a failing check's finding is worded from it.
		const said: {stderr: string[]; lastLine?: string} = {stderr: []};
		// Made durable on a background thread: the block waits for it, and other hosts' runs (and the screen) go on meanwhile.
		const started = (pid: number | undefined) =>
			this.emitDurably({
				type: 'block-started',
				step: step.id,
				block: block.index,
				role: block.role,
				name: block.name,
				// Interactive blocks share Rampart's group, which dies with it. A remote block is
				// recorded before it is sent, so its group on the host is not known yet.
				...(this.options.target
					? {...(pid !== undefined ? {pgid: pid} : {}), host: this.options.target.host, remote: true}
					: pid !== undefined && !block.interactive
						? {pgid: pid, host: hostname()}
						: {}),
			});
		let announced = false;
		// The log's name is made durable on another thread while the block is
		// spawned (the spawn blocks this one for about a millisecond).
		const logNameDurable = log.persistName();
		logNameDurable.catch(() => {}); // awaited below; finish() retries a failed one
		log.note(`block ${block.index + 1} (${block.role})${block.name ? `: ${block.name}` : ''}`);
		// One masker per stream: a private key printed on stdout spans lines of stdout only.
		const credentials = block.maskCredentials ? {stdout: createCredentialMasker(), stderr: createCredentialMasker()} : {stdout: undefined, stderr: undefined};
		// Only with a secret too short to mask on screen do the screen's lines differ from the log's.
		const onScreen =
			this.maskOnScreen !== this.mask && block.maskCredentials
				? {stdout: createCredentialMasker(), stderr: createCredentialMasker()}
				: {stdout: undefined, stderr: undefined};
		// One renderer per stream: colours carry from line to line, as on a terminal.
		const screen = {stdout: new LineRenderer(true), stderr: new LineRenderer(true)};
		const held = {stdout: '', stderr: ''};
		const remote = this.options.target !== undefined;
		const result = await (this.options.executor ?? executeBlock)({
			code: block.code,
			// A relative cwd= means relative to the run's directory, also on resume from elsewhere;
			// on a remote host, relative to the login directory.
			cwd: remote ? (block.cwd ?? '') : resolve(this.current.cwd, block.cwd ?? '.'),
			// A remote block starts from the host's environment: the operator's own means nothing there.
			env: blockEnvironment((this.blockBase ??= remote ? {...this.options.targetEnv} : baseEnvironment(this.env)), this.runbook.meta.inputs, this.inputs, block),
			timeoutMs: block.timeoutMs,
			signal: this.abort?.signal,
			interactive: block.interactive,
			killGraceMs: this.options.killGraceMs,
			backlog: () => this.outputBacklog?.(),
			onSpawn: async pid => {
				announced = true;
				await logNameDurable;
				await started(pid);
			},
			onOutput: (stream, piece, last) => {
				// A piece of a line longer than a read is cut where no secret straddles the cut; the rest waits for the next.
				let raw = held[stream] + piece;
				held[stream] = '';
				if (!last && !raw.endsWith('\n')) {
					const cut = safeCut(raw, this.mask.needles);
					held[stream] = raw.slice(cut);
					raw = raw.slice(0, cut);
				}
				const masked = this.mask(raw);
				const text = credentials[stream] ? credentials[stream](masked) : masked;
				log.write(text);
				const screenMasked = this.maskOnScreen === this.mask ? undefined : this.maskOnScreen(raw);
				const shown = screenMasked === undefined ? text : (onScreen[stream]?.(screenMasked) ?? screenMasked);
				const lines = screen[stream].lines(shown);
				const unfinished = last ? screen[stream].end() : undefined;
				if (unfinished !== undefined) lines.push(unfinished);
				if (lines.length === 0) return;
				// What the block said is worded from the record's masking, never the screen's.
				noteSaid(said, stream, shown === text ? lines : new LineRenderer(false).lines(text));
				const event: EngineEvent = {type: 'output', runId: this.runId, step: step.id, block: block.index, stream, time: Date.now(), lines};
				for (const listener of this.listeners) listener(event);
			},
		});
		if (this.recordError !== undefined) throw new RecordWriteError(this.recordError);
		if (result.connectionLost !== undefined) throw this.connectionLost(step, log, result.connectionLost);
		if (block.interactive) log.note('interactive block: its output went to the terminal and is not recorded');
		this.recordTree(step, result, log);
		log.note(`${describeEnd(result, block)}, ${result.durationMs} ms`);
		if (!announced) await started(undefined);
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
		return {...result, said};
	}

	/**
	 * What the block did on the host after the connection went is not known:
	 * the step is left as it is in the record (running), so that a resume
	 * shows it as interrupted, and this host's run stops here.
	 */
	private connectionLost(step: Step, log: StepLog, why: string): ConnectionLostError {
		const host = this.options.target?.host ?? 'the host';
		this.lost = why;
		log.note(`the connection to ${host} was lost while the block ran (${why}); what it did after that is not known`);
		try {
			log.finish();
		} catch {
			// The log's last words are a courtesy; the record says the step never finished.
		}
		this.close();
		return new ConnectionLostError(
			`the connection to ${host} was lost during "${step.title}"; the step is interrupted. When ${host} is reachable again: rampart resume ${this.runId}`,
		);
	}

	private recordFailed(error: unknown): RecordWriteError {
		this.recordError ??= error;
		return new RecordWriteError(this.recordError);
	}

	/**
	 * A step log whose write errors stop the running block (a full disk must
	 * not crash Rampart from inside an output handler) and fail the step.
	 */
	private openLog(stepId: string, label: string): StepLog {
		let log: StepLog;
		try {
			log = this.journal.openLog(stepId, label);
		} catch (error) {
			throw this.recordFailed(error);
		}
		const guarded = (write: (text: string) => void) => (text: string) => {
			if (this.recordError !== undefined) return;
			try {
				write(text);
			} catch (error) {
				this.recordFailed(error);
				this.abort?.abort();
			}
		};
		return {
			relativePath: log.relativePath,
			write: guarded(text => log.write(text)),
			note: guarded(text => log.note(text)),
			persistName: () => log.persistName(),
			flushDurably: () => log.flushDurably(),
			finish: () => {
				if (this.recordError !== undefined) throw new RecordWriteError(this.recordError);
				try {
					return log.finish();
				} catch (error) {
					throw this.recordFailed(error);
				}
			},
		};
	}

	/** What the block left behind, in its log; anything still running also in the record, by pid. */
	private recordTree(step: Step, result: BlockResult, log: StepLog) {
		const list = (ps: ReadonlyArray<{pid: number; command: string}>) => ps.map(p => `${p.pid} (${p.command.slice(0, 80)})`).join(', ');
		if (result.strays?.length) log.note(`stopped what the block left running outside its process group: ${list(result.strays)}`);
		if (result.detached?.length) log.note(`left running on purpose (RAMPART_DETACH=1): ${list(result.detached)}`);
		if (result.pipesAbandoned) log.note('the output pipes were still held open; later output is not recorded');
		if (result.survivors?.length) {
			const pids = result.survivors.map(p => p.pid);
			log.note(`STILL RUNNING after the block was stopped: ${list(result.survivors)}`);
			this.emit({
				type: 'warning',
				step: step.id,
				message: `processes of "${step.title}" are still running and could not be stopped: ${list(result.survivors)}; stop them with: kill -KILL ${pids.join(' ')}`,
				survivors: pids,
			});
		}
	}

	/** Runs the check blocks; all must pass for the step to count as already done. */
	async runCheck(stepId: string): Promise<boolean> {
		return this.exclusive('run a check', async () => {
			const {step} = this.step(stepId);
			this.warnIfLowDisk(step.id);
			return (await this.check(step)).passed;
		});
	}

	/**
	 * Runs the check blocks, stopping at the first that fails. A failing
	 * finding check records what it found; a cancelled check decides nothing.
	 */
	private async check(step: Step): Promise<{passed: boolean; cancelled: boolean}> {
		const checks = runnable(step, 'check');
		if (checks.length === 0) throw new EngineError(`step "${step.title}" has no check`);
		const log = this.openLog(step.id, 'check');
		for (const block of checks) {
			const result = await this.runBlock(step, block, log);
			if (!failed(result)) continue;
			if (result.cancelled) {
				await this.recordEnd(log, ref => ({type: 'check-finished', step: step.id, passed: false, cancelled: true, log: ref}));
				return {passed: false, cancelled: true};
			}
			const finding = isFindingCheck(block) ? describeFinding(block, result.said, describeEnd(result, block)) : undefined;
			await this.recordEnd(log, ref => ({type: 'check-finished', step: step.id, passed: false, log: ref, ...(finding ? {finding} : {})}));
			return {passed: false, cancelled: false};
		}
		await this.recordEnd(log, ref => ({type: 'check-finished', step: step.id, passed: true, log: ref}));
		return {passed: true, cancelled: false};
	}

	/** What the rules allow for this step now (nothing while a command runs or after the run ended). */
	actionsFor(stepId: string): Set<StepAction> {
		if (this.closed || this.busy || this.current.outcome) return new Set();
		const {step, state} = this.step(stepId);
		return stepActions(step, state);
	}

	/** Accepts a passing check as proof the step is done. */
	markAlreadyDone(stepId: string): void {
		this.guard('mark a step done');
		const {step, state} = this.step(stepId);
		if (state.checkPassed !== true) throw new EngineError(`the check of "${step.title}" has not passed in this run; run it first`);
		if (!checkProvesDone(step)) throw new EngineError(`the check of "${step.title}" audits only part of it: tick its items`);
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
		const open = openTasks(step, state);
		if (open.length > 0) blockers.push(`${open.length} item${open.length === 1 ? '' : 's'} still to tick`);
		if (stepKind(step) === 'acknowledge' && !state.acknowledged) blockers.push('the step needs your acknowledgement');
		return blockers;
	}

	/**
	 * Takes the step as far as the rules and the operator's answers allow:
	 * its checks first (a pass offers "already done"), then the manual items
	 * and acknowledgement, then (with `run` and every confirmation) its run
	 * and verify blocks. Returns what the step needs next. The one way both
	 * front ends move a step on.
	 */
	async proceed(stepId: string, answer: StepAnswer = {}): Promise<StepProgress> {
		return this.exclusive('run a step', async () => {
			const {step} = this.step(stepId);
			this.warnIfLowDisk(step.id);
			const progress = (ran = false, cancelled = false): StepProgress => ({need: this.needOf(stepId), state: this.step(stepId).state, ran, cancelled});
			for (;;) {
				const need = this.needOf(stepId);
				switch (need.kind) {
					case 'settled':
						return progress();
					case 'audit':
						return progress(true, (await this.audit(step)).status === 'cancelled');
					case 'check':
						if ((await this.check(step)).cancelled) return progress(false, true);
						continue;
					case 'already-done':
						// An audit step whose check passed has nothing else to do.
						if (need.only || answer.alreadyDone === 'accept') this.emit({type: 'step-already-done', step: stepId});
						else if (answer.alreadyDone === 'run') this.overridden.add(stepId);
						else return progress();
						continue;
					case 'interrupted':
						if (!answer.rerunInterrupted) return progress();
						this.rerunConfirmed.add(stepId);
						continue;
					case 'ticks':
						if (!answer.tickAll) return progress();
						for (const task of need.open) this.emit({type: 'task-ticked', step: stepId, task: task.index, text: task.text});
						continue;
					case 'acknowledge':
						if (!answer.acknowledge && !answer.tickAll) return progress();
						this.emit({type: 'step-acknowledged', step: stepId});
						continue;
					case 'run': {
						const missing = need.confirmations.filter(c => !answer.confirmAll && answer.confirmations?.[c.block] !== c.word);
						if (!answer.run || missing.length > 0) return progress();
						const state = await this.work(step);
						return progress(true, state.status === 'cancelled');
					}
				}
			}
		});
	}

	/**
	 * Runs the step now, as the operator's explicit choice ("run it anyway"
	 * after a passing check): its check runs first if it has not, then its
	 * blocks. Refused, with what is missing, while items are open or
	 * confirmations are not given.
	 */
	async runStep(stepId: string, options: RunStepOptions = {}): Promise<StepState> {
		if (this.current.mode === 'check') throw new EngineError('this is a check-only run: it runs checks and verifies, never the steps themselves');
		const {need, state, ran, cancelled} = await this.proceed(stepId, {...options, alreadyDone: 'run', run: true});
		const {step} = this.step(stepId);
		if (ran || cancelled || need.kind === 'settled') return state;
		if (need.kind === 'ticks' || need.kind === 'acknowledge') throw new EngineError(`"${step.title}" is not ready: ${this.blockers(stepId).join('; ')}`);
		if (need.kind === 'interrupted') throw new EngineError(`${describeInterrupted(step, state)} Run it again only as your explicit choice.`);
		if (need.kind === 'run') {
			const missing = need.confirmations.filter(c => !options.confirmAll && options.confirmations?.[c.block] !== c.word);
			throw new EngineError(
				`"${step.title}" has ${missing.length} block${missing.length === 1 ? '' : 's'} that must be confirmed first (type ${missing.map(m => `"${m.word}"`).join(', ')})`,
			);
		}
		return state;
	}

	/**
	 * The step's work: its run blocks in order (the first failure stops the
	 * step unless continue-on-error), then its verify blocks; done only if
	 * they all pass, and needing attention if its check found something.
	 */
	private async work(step: Step): Promise<StepState> {
		const {state: before} = this.step(step.id);
		const findings = before.checkPassed === false && before.finding ? [before.finding] : [];
		const attempt = before.attempts + 1;
		const rerun = before.status === 'interrupted' && this.rerunConfirmed.has(step.id);
		this.overridden.delete(step.id);
		this.rerunConfirmed.delete(step.id);
		this.emit({type: 'step-started', step: step.id, attempt, ...(rerun ? {rerun: 'interrupted' as const} : {})});
		const log = this.openLog(step.id, `run-${attempt}`);
		const finish = async (status: 'done' | 'failed' | 'timed-out' | 'cancelled', result?: BlockResult, error = result?.error) => {
			const attention = status === 'done' && findings.length > 0;
			await this.recordEnd(log, ref => ({
				type: 'step-finished',
				step: step.id,
				attempt,
				status: attention ? 'attention' : status,
				exitCode: result?.exitCode,
				error,
				log: ref,
				...(attention ? {findings} : {}),
			}));
			return this.step(step.id).state;
		};
		// An audit step's gate: its check failed and there is nothing to run that could change that.
		if (stepKind(step) === 'audit' && before.checkPassed === false && findings.length === 0) {
			return finish('failed', undefined, 'the check did not pass, and this step has nothing to run');
		}
		for (const role of ['run', 'verify'] as const) {
			for (const block of runnable(step, role)) {
				const result = await this.runBlock(step, block, log);
				if (result.cancelled) return finish('cancelled', result);
				if (result.timedOut) return finish('timed-out', result);
				if (failed(result) && !(role === 'run' && block.continueOnError)) return finish('failed', result);
			}
		}
		return finish('done');
	}

	/** Audit mode (a check-only run, through proceed): the step's checks (or, without any, its verifies) say whether it is satisfied; nothing is changed. */
	private async audit(step: Step): Promise<StepState> {
		const stepId = step.id;
		const checks = runnable(step, 'check');
		const verifies = runnable(step, 'verify');
		if (checks.length === 0 && verifies.length === 0) {
			this.emit({type: 'step-skipped', step: step.id, reason: 'nothing to check: the step has no check or verify block'});
			return this.step(stepId).state;
		}
		const attempt = this.step(stepId).state.attempts + 1;
		this.emit({type: 'step-started', step: step.id, attempt});
		const log = this.openLog(step.id, `audit-${attempt}`);
		// A check is the statement "this is already in place", so it decides
		// when there is one; a verify may assume its run blocks just ran, so
		// it judges only steps that have no check.
		// A finding check that fails is a finding, not a failure (as in a full run): the step needs attention.
		const findings: string[] = [];
		for (const block of checks.length > 0 ? checks : verifies) {
			const result = await this.runBlock(step, block, log);
			if (!failed(result)) continue;
			if (isFindingCheck(block) && !result.cancelled && !result.timedOut) {
				findings.push(describeFinding(block, result.said, describeEnd(result, block)));
				continue;
			}
			const status = result.cancelled ? 'cancelled' : result.timedOut ? 'timed-out' : 'failed';
			await this.recordEnd(log, ref => ({type: 'step-finished', step: step.id, attempt, status, exitCode: result.exitCode, error: result.error, log: ref}));
			return this.step(stepId).state;
		}
		const attention = findings.length > 0;
		await this.recordEnd(log, ref => ({
			type: 'step-finished',
			step: step.id,
			attempt,
			status: attention ? 'attention' : 'done',
			exitCode: 0,
			log: ref,
			...(attention ? {findings} : {}),
		}));
		return this.step(stepId).state;
	}

	/** Steps a run rollback would undo, latest first: every step that may have changed the machine. */
	rollbackPlan(): string[] {
		return rollbackPlan(this.runbook.steps, this.current);
	}

	private async undo(step: Step): Promise<boolean> {
		const log = this.openLog(step.id, 'rollback');
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
			if (!hasRole(step, 'rollback')) throw new EngineError(`step "${step.title}" has no rollback`);
			if (!canRollBack(step, state)) throw new EngineError(`step "${step.title}" is ${state.status}: it did nothing to roll back`);
			return this.undo(step);
		});
	}

	/**
	 * Undoes the run: the rollback blocks of every step that may have changed
	 * the machine (done, or failed after a run block started), in reverse order.
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

	/** True when every step is done, already done, skipped or needs attention. */
	get allSettled(): boolean {
		return this.current.steps.every(s => SETTLED.has(s.status));
	}

	/**
	 * Ends the run: `completed` when every step is settled (recorded in the
	 * completion index), otherwise `stopped` (or `failed`) with the reason.
	 */
	finish(outcome?: Exclude<RunOutcome, 'rolled-back'>, reason?: string): RunOutcome {
		this.guard('finish the run');
		if ((outcome === 'completed' || outcome === 'needs-attention') && !this.allSettled) {
			throw new EngineError('the run cannot be completed while steps are still open');
		}
		// Findings cannot be finished away: a settled run with them needs attention.
		const final: RunOutcome = outcome === 'completed' || outcome === undefined ? (this.allSettled ? settledOutcome(this.current) : 'stopped') : outcome;
		this.finishWith(final, reason);
		return final;
	}

	private finishWith(outcome: RunOutcome, reason?: string) {
		const event = this.emit({type: 'run-finished', outcome, reason});
		try {
			// A run with findings was still carried out: the review is done, and due again in one period.
			if (outcome === 'completed' || outcome === 'needs-attention') {
				recordCompletion(this.stateDir, recordKey(this.runbook.id, this.options.target?.host), {
					runId: this.runId,
					completedAt: event.time,
					every: this.runbook.meta.every?.text,
				});
			}
		} catch {
			// The index is a summary the listing rebuilds from the journals, where the run's end now is.
		} finally {
			this.close();
		}
	}

	/** Releases the run without finishing it, so it can be resumed later. */
	close(): void {
		if (this.closed) return;
		this.closed = true;
		this.cancel();
		try {
			this.journal.close();
		} catch (error) {
			// A full disk can fail the last fsync too: what was written stays; the lock must still go.
			this.recordError ??= error;
		} finally {
			this.lock.release();
		}
		this.afterClose?.(this.runId);
	}

	logRefs(): LogRef[] {
		return this.current.steps.flatMap(s => s.logs);
	}
}
