// How the command line answers the run controller (engine/open-run.ts):
// each Opening becomes a prompt on a terminal or an error with the
// documented exit code. The rules themselves are the controller's.

import {createInterface} from 'node:readline/promises';
import {beginRun, openRun, type Opening, type ReadyRun, type RunTarget} from '../engine/open-run.js';
import type {RunSession} from '../engine/run-session.js';
import type {InputProblem} from '../engine/resolve-inputs.js';
import {assessTrust, describeTrustStatus, type TrustAssessment} from '../trust/gate.js';
import {TrustStoreError} from '../trust/approvals.js';
import type {Runbook} from '../runbook/model.js';
import {CliError, usageError} from './errors.js';
import {EXIT} from './exit-codes.js';
import type {CliContext} from './context.js';
import {gatherInputs, INPUT_ENV_PREFIX} from './prepare-run.js';
import {maxLogBytes} from './log-limit.js';
import {sessionSigner} from '../trust/signing-config.js';
import {signingFor} from './commands/journal.js';

export interface OpenFlags {
	input?: string[];
	inputs?: string;
	/** Approve the runbook's content as it is now (recorded), then run it. */
	approve?: boolean;
	/** May ask on the terminal (no --yes, no --json, stdin and stdout are terminals). */
	interactive: boolean;
	check?: boolean;
	maxLogBytes?: string;
	/** What the command does to the run, for messages: "resume", "roll back", "stop". */
	verb?: string;
	/** The blocks run on other hosts (a fleet run): see OpenOptions.remote. */
	remote?: boolean;
	/** `--sign-key`: the key (or `agent`) that signs the record when the session ends; else the settings' sign.key. */
	signKey?: string;
}

/** The trust of a runbook that is only read (approve, plan); a trust store that cannot be trusted is an error. */
export const trustOf = (ctx: CliContext, runbook: Runbook): TrustAssessment => {
	try {
		return assessTrust(runbook, {stateDir: ctx.stateDir(), env: ctx.env});
	} catch (error) {
		if (error instanceof TrustStoreError) throw new CliError(error.message, EXIT.failed);
		throw error;
	}
};

/** A plain y/N question on the terminal; anything but yes is no. */
export const askYesNo = async (question: string): Promise<boolean> => {
	const rl = createInterface({input: process.stdin, output: process.stderr});
	try {
		const answer = await rl.question(`${question} [y/N] `);
		return /^y(es)?$/i.test(answer.trim());
	} finally {
		rl.close();
	}
};

export const inputError = (runbook: Runbook, problems: InputProblem[]): CliError => {
	const lines = problems.map(p => `  ${p.input}: ${p.message}`);
	// Show how to pass an input the runbook takes, never one it does not.
	const declared = new Set(runbook.meta.inputs.map(i => i.name));
	const example = problems.find(p => declared.has(p.input))?.input ?? runbook.meta.inputs[0]?.name;
	return usageError(
		`invalid or missing input${problems.length === 1 ? '' : 's'} for ${runbook.id}; nothing was run:\n${lines.join('\n')}`,
		example ? `Pass inputs with --input ${example}=VALUE, --inputs FILE.yaml, or the environment variable ${INPUT_ENV_PREFIX}${example}.` : undefined,
	);
};

/** The errors an Opening that cannot go on becomes, with their exit codes. */
const refusal = (opening: Exclude<Opening, {kind: 'ready' | 'needs-approval' | 'unfinished'}>): CliError => {
	switch (opening.kind) {
		case 'problem':
			return new CliError(
				opening.message,
				opening.reason === 'active' || opening.reason === 'leftovers' || opening.reason === 'trust-store' ? EXIT.failed : EXIT.usage,
				opening.hint,
			);
		case 'refused':
			return new CliError(opening.message, EXIT.requirements, 'Fix the permissions as shown (rampart lint reports them too), then run again.');
		case 'requirements':
			return new CliError(`${opening.runbook.id} cannot run here; nothing was run:\n${opening.problems.map(p => `  ${p}`).join('\n')}`, EXIT.requirements);
		case 'needs-inputs':
			return inputError(opening.runbook, opening.problems);
	}
};

/**
 * Asks the controller until the run is ready: approval is asked on a
 * terminal or given by --approve; an unfinished run of the runbook stays
 * resumable while a new one starts beside it (said on stderr).
 */
export const readyRun = async (ctx: CliContext, target: RunTarget, flags: OpenFlags): Promise<ReadyRun> => {
	const {values: given, sources} = gatherInputs(ctx, flags.input ?? [], flags.inputs);
	const run = {env: ctx.env, cwd: ctx.cwd, stateDir: ctx.stateDir};
	let approve = flags.approve === true;
	let unfinished: 'offer' | 'ignore' = 'offer';
	for (;;) {
		const opening = await openRun(run, target, {given, sources, approve, unfinished, remote: flags.remote});
		switch (opening.kind) {
			case 'ready':
				return opening;
			case 'needs-approval': {
				const status = opening.trust.status;
				const summary = describeTrustStatus(opening.runbook, status);
				if (!flags.interactive) {
					const shown = status.kind === 'changed' ? `\n${opening.review}` : '';
					throw usageError(
						`${summary}; nothing was run${shown}`,
						`Read it, then approve it with: rampart approve ${opening.runbook.path}\nor run again with --approve to approve this exact content and run it.`,
					);
				}
				ctx.err(`rampart: ${summary}.`);
				ctx.err(opening.review);
				if (!(await askYesNo(`Approve ${status.kind === 'changed' ? 'this change to ' : ''}${opening.runbook.path} and run it?`))) {
					throw usageError(`${opening.runbook.path} was not approved; nothing was run`);
				}
				approve = true;
				continue;
			}
			case 'unfinished':
				ctx.err(
					`rampart: run ${opening.run.runId} of ${opening.runbook.id} is unfinished; it stays resumable (rampart resume ${opening.run.runId}). Starting a new run.`,
				);
				unfinished = 'ignore';
				continue;
			default:
				throw refusal(opening);
		}
	}
};

/** Starts or resumes a ready run; a pending approval is recorded (and said) first. */
export const startRun = (ctx: CliContext, ready: ReadyRun, flags: OpenFlags): RunSession => {
	if (ready.pendingApproval?.status.kind === 'changed') {
		// Even when approved blind, the record of the run's output shows what changed.
		ctx.err(`rampart: ${ready.pendingApproval.summary}:\n${ready.pendingApproval.review ?? ''}`);
	}
	if (ready.changedSinceStart) ctx.err(`rampart: ${ready.runbook.path} has changed since this run started.`);
	const begun = beginRun({env: ctx.env, cwd: ctx.cwd, stateDir: ctx.stateDir}, ready, {
		mode: flags.check ? 'check' : 'run',
		maxLogBytes: maxLogBytes(flags.maxLogBytes, ctx.env),
	});
	if (begun.kind === 'problem') throw refusal(begun);
	if (begun.approved) ctx.err(`rampart: approved ${ready.runbook.path} (SHA-256 ${ready.runbook.sha256}) as ${begun.approved.approvedBy.user}`);
	return begun.session;
};

/** The whole way from a command line to a live session, signed when it ends if a key is configured. */
export const openSession = async (ctx: CliContext, target: RunTarget, flags: OpenFlags): Promise<RunSession> => {
	const sign = await sessionSigning(ctx, flags.signKey);
	const session = startRun(ctx, await readyRun(ctx, target, flags), flags);
	sign(session);
	return session;
};

/**
 * Makes each session it is given sign its record when it ends, with the key
 * of --sign-key or the settings; does nothing when no key is configured.
 */
export const sessionSigning = async (ctx: CliContext, flag: string | undefined): Promise<(session: RunSession) => void> => {
	const key = await signingFor(ctx, 'key', flag);
	if (!key) return () => {};
	return session => {
		session.afterClose = sessionSigner(ctx.stateDir(), key, ctx.env, ctx.err);
	};
};
