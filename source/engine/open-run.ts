// Everything that must be right before a run starts or resumes, in one
// order, for both front ends: the runbook (found, lint-clean), file trust,
// the requirements, approval, an unfinished run, the inputs. Each call
// answers with where the run stands (an Opening); the front end shows it
// (a screen, a prompt, an exit code), gets the operator's answer and asks
// again. Nothing here prints, prompts or exits.

import {existsSync, readFileSync} from 'node:fs';
import {discoverRunbooks, resolveRunbook} from '../runbook/discover.js';
import {parseRunbookBytes} from '../runbook/parse.js';
import {formatDiagnostic, lintRunbook} from '../runbook/lint.js';
import type {Runbook} from '../runbook/model.js';
import {approveRunbook, assessTrust, type TrustAssessment} from '../trust/gate.js';
import {TrustStoreError, type Approval} from '../trust/approvals.js';
import {readRunLock, RunAlreadyActiveError} from '../journal/lock.js';
import {recordKey} from '../journal/layout.js';
import {checkRequirements, currentHost} from './requirements.js';
import {resolveInputs, type InputProblem} from './resolve-inputs.js';
import {loadRun, newestUnfinishedRun, type RunSummary} from './run-catalog.js';
import {currentOperator} from './operator.js';
import {EngineError, LeftoverProcessError, RunSession, type SessionOptions} from './run-session.js';

/** Where Rampart runs: the operator's environment, directory and state directory. */
export interface RunContext {
	env: NodeJS.ProcessEnv;
	cwd: string;
	stateDir: () => string;
}

/** What to open: a runbook for a new run (id or path), or an unfinished run (the latest when no id). */
export type RunTarget = {runbook: string} | {resume: string | undefined};

/** Where an input value came from. A command line is readable by every local user (ps), as is a file others may read. */
export type InputSource = 'command-line' | 'shared-file' | 'private-file' | 'environment' | 'stdin' | 'form';

const EXPOSED: ReadonlySet<InputSource> = new Set(['command-line', 'shared-file']);

export interface OpenOptions {
	/** Input values the operator gave; for a resume, on top of the recorded ones. */
	given?: Record<string, string>;
	/** Where each given value came from; a secret from a place others can read is refused. */
	sources?: Record<string, InputSource>;
	/**
	 * The operator approves the runbook as it is now (`--approve`). The
	 * approval is recorded by beginRun, so nothing is approved for a run
	 * that cannot start.
	 */
	approve?: boolean;
	/** An unfinished run of the runbook: 'offer' it (the default), or 'ignore' it and start a new run beside it. */
	unfinished?: 'offer' | 'ignore';
	/**
	 * The blocks run on other hosts over SSH: `requires` is checked on each
	 * host (see remote/host-facts.ts), and runs here are no concern.
	 */
	remote?: boolean;
}

export type ProblemReason = 'not-found' | 'invalid' | 'unknown-run' | 'finished' | 'no-unfinished' | 'trust-store' | 'active' | 'leftovers' | 'record' | 'secret-exposed';

/** Everything a front end needs to start or resume. */
export interface ReadyRun {
	runbook: Runbook;
	/** Validated values, secrets included. */
	inputs: Record<string, string>;
	/** The run to continue, for a resume. */
	resume?: RunSummary;
	/** For a resume: the runbook's file changed since the run started. */
	changedSinceStart: boolean;
	/**
	 * For a resume: secret inputs the operator did not give again. Secrets are
	 * never recorded, so an optional one now runs empty unless it is asked for.
	 */
	secretsNotGiven: string[];
	/** Approval that beginRun records first (`approve` was given and the runbook needed it). */
	pendingApproval?: TrustAssessment;
	/**
	 * A fleet run's inputs whose default is the operator's address as each
	 * host sees it (`default-from: ssh-client`, not given): resolved per host
	 * once it is connected (withHostInputs), so each host's record holds its own.
	 */
	perHostInputs?: string[];
}

export type Opening =
	| {kind: 'problem'; reason: ProblemReason; message: string; hint?: string}
	/** As root, a runbook someone else could change: refused whatever the operator says. */
	| {kind: 'refused'; runbook: Runbook; message: string}
	| {kind: 'requirements'; runbook: Runbook; problems: string[]}
	| {kind: 'needs-approval'; runbook: Runbook; trust: TrustAssessment; review: string}
	/** An unfinished run of this runbook, held by no process: resume it, or start over. */
	| {kind: 'unfinished'; runbook: Runbook; run: RunSummary}
	| {kind: 'needs-inputs'; runbook: Runbook; given: Record<string, string>; problems: InputProblem[]; resume?: RunSummary}
	| ({kind: 'ready'} & ReadyRun);

export type Loaded = {ok: true; runbook: Runbook} | {ok: false; reason: 'not-found' | 'invalid'; message: string; hint?: string};

/** Reads and lints one runbook file; a runbook with lint errors never runs. */
export const loadRunbookFile = async (path: string): Promise<Loaded> => {
	let bytes: Buffer;
	try {
		bytes = readFileSync(path);
	} catch (error) {
		return {ok: false, reason: 'not-found', message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`};
	}
	const parsed = parseRunbookBytes(path, bytes);
	const errors = (await lintRunbook(parsed, {shellcheck: false})).filter(d => d.severity === 'error');
	if (errors.length > 0 || !parsed.runbook) {
		return {
			ok: false,
			reason: 'invalid',
			message: `${path} has ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was run:\n${errors.map(formatDiagnostic).join('\n')}`,
			hint: 'Fix them (rampart lint shows them too), then run again.',
		};
	}
	return {ok: true, runbook: parsed.runbook};
};

/** A runbook by id (from the places runbooks are found) or by path. */
export const loadRunbook = async (ctx: Pick<RunContext, 'env' | 'cwd'>, ref: string): Promise<Loaded> => {
	const found = resolveRunbook(ref, discoverRunbooks(ctx.env, ctx.cwd), ctx.cwd);
	if (!found.ok) {
		const hint = found.suggestions.length ? `Did you mean: ${found.suggestions.join(', ')}?` : 'See the runbooks found with: rampart list';
		return {ok: false, reason: 'not-found', message: found.message, hint};
	}
	return loadRunbookFile(found.entry.path);
};

/** The run a resume means: the one named, or the latest unfinished one. */
const findRun = (stateDir: string, runId: string | undefined): RunSummary | Opening => {
	if (runId) {
		try {
			return loadRun(stateDir, runId);
		} catch {
			return {kind: 'problem', reason: 'unknown-run', message: `no run ${runId} in ${stateDir}`, hint: 'See the runs with: rampart history'};
		}
	}
	const latest = newestUnfinishedRun(stateDir);
	return latest ?? {kind: 'problem', reason: 'no-unfinished', message: 'there is no unfinished run to resume', hint: 'Start one with: rampart run <runbook>'};
};

/** A run held by a live process: named with its holder, as the lock says it. */
const activeProblem = (stateDir: string, run: RunSummary): Opening => {
	const key = recordKey(run.state.runbook.id, run.state.target?.host);
	const holder = readRunLock(stateDir, key);
	const message = holder ? new RunAlreadyActiveError(key, holder).message : `${key} is already running`;
	return {kind: 'problem', reason: 'active', message: `${message}: run ${run.runId}`, hint: 'Wait for it to finish, or stop that process first.'};
};

/** Secrets given where any local user can read them: refused before they reach anything, with the safe ways. */
export const checkSecretSources = (runbook: Runbook, sources: Record<string, InputSource> = {}): Extract<Opening, {kind: 'problem'}> | undefined => {
	const exposed = runbook.meta.inputs.filter(i => i.type === 'secret' && EXPOSED.has(sources[i.name] ?? 'form')).map(i => ({name: i.name, source: sources[i.name]!}));
	return exposed.length > 0 ? exposedSecrets(exposed) : undefined;
};

const exposedSecrets = (exposed: Array<{name: string; source: InputSource}>): Extract<Opening, {kind: 'problem'}> => {
	const where = exposed.map(
		e => `${e.name} (${e.source === 'command-line' ? 'on the command line, which every local user can read with ps' : 'in a file that other users can read'})`,
	);
	const name = exposed[0]!.name;
	return {
		kind: 'problem',
		reason: 'secret-exposed',
		message: `a secret input was given where others can read it: ${where.join(', ')}; nothing was run`,
		hint: [
			'Give a secret in one of these ways:',
			`  --input ${name}=@FILE      a file only you can read (chmod 600 FILE)`,
			`  --input ${name}=@-         read from stdin`,
			`  --inputs FILE.yaml        with mode 0600`,
			`  RAMPART_INPUT_${name}=…   in the environment`,
			'  or type it when asked, in Rampart on a terminal.',
			'If it was typed on a command line already, consider it seen: change it.',
		].join('\n'),
	};
};

/** The gates every run passes, in order; `resume` is the recorded run being continued. */
const gates = (ctx: RunContext, runbook: Runbook, options: OpenOptions, resume?: RunSummary): Opening => {
	const stateDir = ctx.stateDir();
	let trust: TrustAssessment;
	try {
		trust = assessTrust(runbook, {stateDir, env: ctx.env});
	} catch (error) {
		if (error instanceof TrustStoreError) return {kind: 'problem', reason: 'trust-store', message: error.message};
		throw error;
	}
	if (trust.refused) return {kind: 'refused', runbook, message: trust.refused.message};
	const requirements = options.remote ? [] : checkRequirements(runbook.meta.requires, currentHost(ctx.env)).map(p => p.message);
	if (requirements.length > 0) return {kind: 'requirements', runbook, problems: requirements};
	if (!trust.mayRun && !options.approve) return {kind: 'needs-approval', runbook, trust, review: trust.review ?? runbook.source};
	if (!resume && options.unfinished !== 'ignore' && !options.remote) {
		const unfinished = newestUnfinishedRun(stateDir, runbook.id);
		if (unfinished?.active) return activeProblem(stateDir, unfinished);
		if (unfinished) return {kind: 'unfinished', runbook, run: unfinished};
	}
	const exposed = checkSecretSources(runbook, options.sources);
	if (exposed) return exposed;
	// Recorded values, except secrets (never recorded): those are given again.
	const given = {...resume?.state.inputs, ...options.given};
	// On fleet hosts, "the address you connect from" is each host's view of it, known once connected.
	const perHost = options.remote
		? runbook.meta.inputs.filter(i => i.defaultFrom === 'ssh-client' && i.default === undefined && given[i.name] === undefined).map(i => i.name)
		: [];
	const resolved = resolveInputs(runbook, given, perHost.length > 0 ? {...ctx.env, SSH_CLIENT: undefined} : ctx.env);
	const values = resolved.values;
	const problems = resolved.problems.filter(p => !perHost.includes(p.input));
	if (problems.length > 0) return {kind: 'needs-inputs', runbook, given, problems, ...(resume ? {resume} : {})};
	return {
		kind: 'ready',
		runbook,
		inputs: values,
		...(resume ? {resume} : {}),
		changedSinceStart: resume !== undefined && resume.state.runbook.sha256 !== runbook.sha256,
		secretsNotGiven: resume ? runbook.meta.inputs.filter(i => i.type === 'secret' && options.given?.[i.name] === undefined).map(i => i.name) : [],
		...(trust.mayRun ? {} : {pendingApproval: trust}),
		...(perHost.length > 0 ? {perHostInputs: perHost} : {}),
	};
};

/**
 * A fleet host's own values for the inputs that default to the operator's
 * address as that host sees it (`hostEnv`: its SSH_CLIENT); the problems
 * instead, in words, when a value does not fit (nothing runs there then).
 */
export const withHostInputs = (ready: ReadyRun, hostEnv: NodeJS.ProcessEnv): {ready: ReadyRun} | {problems: InputProblem[]} => {
	if (!ready.perHostInputs?.length) return {ready};
	const {values, problems} = resolveInputs(ready.runbook, ready.inputs, hostEnv);
	if (problems.length > 0) return {problems};
	return {ready: {...ready, inputs: values, perHostInputs: undefined}};
};

/** Where a run of `target` stands now; ask again after each answer. */
export const openRun = async (ctx: RunContext, target: RunTarget, options: OpenOptions = {}): Promise<Opening> => {
	if ('runbook' in target) {
		const loaded = await loadRunbook(ctx, target.runbook);
		if (!loaded.ok) return {kind: 'problem', reason: loaded.reason, message: loaded.message, hint: loaded.hint};
		return gates(ctx, loaded.runbook, options);
	}
	const run = findRun(ctx.stateDir(), target.resume);
	if ('kind' in run) return run;
	const recorded = run.state;
	if (recorded.outcome) {
		return {
			kind: 'problem',
			reason: 'finished',
			message: `run ${run.runId} has already finished (${recorded.outcome})`,
			hint: `Start a new one with: rampart run ${recorded.runbook.id}`,
		};
	}
	if (run.active) return activeProblem(ctx.stateDir(), run);
	// The runbook as it is now, from where the run found it.
	const loaded = existsSync(recorded.runbook.path) ? await loadRunbookFile(recorded.runbook.path) : await loadRunbook(ctx, recorded.runbook.id);
	if (!loaded.ok) return {kind: 'problem', reason: loaded.reason, message: loaded.message, hint: loaded.hint};
	return gates(ctx, loaded.runbook, options, run);
};

/** Records the operator's approval of the runbook's exact content. */
export const approveRun = (ctx: RunContext, runbook: Runbook): Approval => approveRunbook(runbook, ctx.stateDir(), currentOperator(ctx.env));

export type Begun = {kind: 'started'; session: RunSession; approved?: Approval} | {kind: 'problem'; reason: ProblemReason; message: string; hint?: string};

/** Starts (or resumes) a ready run: records a pending approval, takes the lock, opens the journal. */
export const beginRun = (
	ctx: RunContext,
	ready: ReadyRun,
	options: Pick<SessionOptions, 'mode' | 'maxLogBytes' | 'killGraceMs' | 'executor' | 'target' | 'targetEnv'> = {},
): Begun => {
	const approved = ready.pendingApproval ? approveRun(ctx, ready.runbook) : undefined;
	const common = {
		runbook: ready.runbook,
		inputs: ready.inputs,
		stateDir: ctx.stateDir(),
		env: ctx.env,
		maxLogBytes: options.maxLogBytes,
		killGraceMs: options.killGraceMs,
		executor: options.executor,
		target: options.target,
		targetEnv: options.targetEnv,
	};
	try {
		const session = ready.resume
			? RunSession.resume({...common, runId: ready.resume.runId, cwd: ready.resume.state.cwd})
			: RunSession.start({...common, cwd: ctx.cwd, mode: options.mode});
		return {kind: 'started', session, ...(approved ? {approved} : {})};
	} catch (error) {
		if (error instanceof RunAlreadyActiveError)
			return {kind: 'problem', reason: 'active', message: error.message, hint: 'Wait for it to finish, or stop that process first.'};
		if (error instanceof LeftoverProcessError) return {kind: 'problem', reason: 'leftovers', message: error.message};
		if (error instanceof EngineError) return {kind: 'problem', reason: 'record', message: error.message};
		throw error;
	}
};

/** "Start over": ends an unfinished run as stopped, so a new one can begin cleanly. */
export const abandonRun = (ctx: RunContext, ready: {runbook: Runbook; run: RunSummary}, reason = 'the operator started over'): void => {
	const session = RunSession.resume({runbook: ready.runbook, inputs: ready.run.state.inputs, stateDir: ctx.stateDir(), runId: ready.run.runId, env: ctx.env});
	session.finish('stopped', reason);
};
