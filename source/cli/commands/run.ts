// `rampart run` and `rampart resume`, headless (on a terminal without --yes
// the TUI takes over). The rules are the run controller's: opening through
// cli/open-run.ts, each step through RunSession.proceed.

import {EngineError, type RunSession} from '../../engine/run-session.js';
import {journalPath} from '../../journal/layout.js';
import {runHeadless, type HeadlessResult} from '../../headless/headless-run.js';
import {jsonReporter} from '../../headless/reporters.js';
import {listrReporter} from '../../headless/listr-reporter.js';
import {lineReporter} from '../../headless/line-reporter.js';
import {canShowColour} from '../../output/colour.js';
import {describeLeftRunning, SETTLED} from '../../engine/state.js';
import {usageError} from '../errors.js';
import {EXIT} from '../exit-codes.js';
import type {CliContext} from '../context.js';
import {openSession, type OpenFlags} from '../open-run.js';

export interface RunOptions {
	yes?: boolean;
	ack?: boolean;
	check?: boolean;
	json?: boolean;
	input?: string[];
	inputs?: string;
	/** Approve the runbook's content as it is now (recorded), then run it. */
	approve?: boolean;
	/** Per-step log limit; RAMPART_MAX_LOG_BYTES when not given. */
	maxLogBytes?: string;
	/** Run again a step that was cut off mid-way (resume only). */
	rerunInterrupted?: boolean;
}

/** May the approval be asked on this terminal? Never with --yes or --json. */
const canAsk = (ctx: CliContext, options: RunOptions) => !options.yes && !options.json && ctx.stdinIsTTY && ctx.stdoutIsTTY;

/** SIGINT/SIGTERM/SIGHUP: stop the running command (its whole group), then exit 130. */
const trapInterrupts = (session: RunSession) => {
	let interrupted = false;
	const onSignal = () => {
		interrupted = true;
		session.cancel();
	};
	const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
	for (const signal of signals) process.on(signal, onSignal);
	return {
		interrupted: () => interrupted,
		release: () => {
			for (const signal of signals) process.off(signal, onSignal);
		},
	};
};

const drive = async (ctx: CliContext, session: RunSession, options: RunOptions): Promise<number> => {
	// listr2's live view on a terminal; plain lines for CI, pipes and cron; JSON for tools.
	const settledBefore = new Map(session.state.steps.filter(s => SETTLED.has(s.status)).map(s => [s.id, s.status]));
	const steps = session.runbook.steps;
	const listr = options.json
		? undefined
		: ctx.stdoutIsTTY && !ctx.env.CI
			? listrReporter(steps, ctx.err, settledBefore, canShowColour(ctx.env, process.stdout))
			: lineReporter(steps, ctx.write, ctx.err, settledBefore);
	const reporter = listr ?? jsonReporter(ctx.out);
	// To a pipe, a flood is passed on at the reader's pace, not held in memory.
	if (!ctx.stdoutIsTTY || options.json) session.outputBacklog = ctx.stdoutBacklog;
	if (!options.json) ctx.err(`rampart: run ${session.runId} of "${session.runbook.meta.title}" (record: ${journalPath(session.stateDir, session.runId)})`);
	const trap = trapInterrupts(session);
	let result: HeadlessResult | undefined;
	try {
		result = await runHeadless(
			session,
			{yes: options.yes === true, ack: options.ack === true, check: options.check === true, rerunInterrupted: options.rerunInterrupted === true},
			reporter,
			trap.interrupted,
		);
	} finally {
		trap.release();
		session.close();
		const why = result?.kind === 'waiting' ? 'waiting for you (see below)' : result?.kind === 'interrupted' ? 'interrupted' : 'stopped';
		await listr?.finish(why);
		// Pipes: the output still queued for stdout goes before the last words on stderr.
		await ctx.stdoutFlushed?.();
	}
	switch (result.kind) {
		case 'completed':
			if (!options.json) ctx.err(`rampart: run ${session.runId} ${session.state.outcome ?? 'completed'}. Its record: rampart report ${session.runId}`);
			return EXIT.ok;
		case 'attention':
			ctx.err(`rampart: ${result.message}\nIts record: rampart report ${session.runId}`);
			return EXIT.failed;
		case 'interrupted':
			ctx.err(`rampart: interrupted; ${describeLeftRunning(session.state)} Resume with: rampart resume ${session.runId}`);
			return EXIT.interrupted;
		case 'waiting':
		case 'failed':
			ctx.err(`rampart: ${result.message}`);
			return EXIT.failed;
	}
};

const flagsOf = (ctx: CliContext, options: RunOptions, verb?: string): OpenFlags => ({...options, interactive: canAsk(ctx, options), verb});

export const runCommand = async (ctx: CliContext, ref: string, options: RunOptions): Promise<number> => {
	const session = await openSession(ctx, {runbook: ref}, flagsOf(ctx, options));
	return drive(ctx, session, options);
};

/** Reopens an unfinished run (the latest when no id is given), through the same gates as a start. */
export const reopenRun = async (ctx: CliContext, runId: string | undefined, options: RunOptions, verb = 'resume'): Promise<RunSession> => {
	const session = await openSession(ctx, {resume: runId}, flagsOf(ctx, options, verb));
	const resumed = session.state.resumes.at(-1);
	if (resumed && resumed.changedSteps.length > 0 && !options.json) {
		const titles = resumed.changedSteps.map(id => session.state.steps.find(s => s.id === id)?.title ?? id);
		ctx.err(`rampart: steps changed since the run started: ${titles.join('; ')}`);
	}
	return session;
};

/** A step named by its id, its number (1-based) or its exact title. */
export const findStep = (session: RunSession, ref: string): string => {
	const steps = session.runbook.steps;
	const byNumber = /^\d+$/.test(ref) ? steps[Number(ref) - 1] : undefined;
	const step = byNumber ?? steps.find(s => s.id === ref || s.title === ref);
	if (!step) throw usageError(`no step "${ref}" in ${session.runbook.id}; its steps are: ${steps.map((s, i) => `${i + 1} ${s.id}`).join(', ')}`);
	return step.id;
};

export interface ResumeOptions extends RunOptions {
	/** Skip this step (id, number or title) before going on; needs --reason. */
	skip?: string;
	reason?: string;
	note?: string;
}

export const resumeCommand = async (ctx: CliContext, runId: string | undefined, options: ResumeOptions): Promise<number> => {
	if (options.skip !== undefined && !options.reason?.trim()) throw usageError('--skip needs --reason: why the step is skipped goes into the record');
	const session = await reopenRun(ctx, runId, options);
	try {
		if (options.note) session.addNote(undefined, options.note);
		if (options.skip !== undefined) session.skip(findStep(session, options.skip), options.reason ?? '');
	} catch (error) {
		session.close();
		if (error instanceof EngineError) throw usageError(error.message);
		throw error;
	}
	return drive(ctx, session, {...options, check: session.state.mode === 'check'});
};
