// The trust checks every run passes before anything runs: as root, a runbook
// someone else could have changed is refused (exit 3); a runbook that is not
// shipped with Rampart runs only once its exact content is approved (exit 2
// when it is not, headless). The rules are in source/trust/; this is how the
// command line asks and answers.

import {createInterface} from 'node:readline/promises';
import type {Runbook} from '../runbook/model.js';
import {currentOperator} from '../engine/operator.js';
import {checkFileTrust, describeFileTrust, invokingUid} from '../trust/file-trust.js';
import {approve, isTrusted, trustStatus, TrustStoreError, type Approval, type TrustStatus} from '../trust/approvals.js';
import {describeTrustStatus, reviewText} from '../trust/gate.js';
import {CliError, usageError} from './errors.js';
import {EXIT} from './exit-codes.js';
import type {CliContext} from './context.js';

const effectiveUid = () => process.getuid?.() ?? -1;

/** As root, refuses a runbook that a user other than root or its owner could have changed. */
export const ensureFileTrust = (ctx: CliContext, runbook: Pick<Runbook, 'path'>): void => {
	const uid = effectiveUid();
	if (uid !== 0) return;
	const problems = checkFileTrust(runbook.path, {uid, invokingUid: invokingUid(ctx.env, uid)});
	if (problems.length > 0) {
		throw new CliError(describeFileTrust(runbook.path, problems), EXIT.requirements, 'Fix the permissions as shown (rampart lint reports them too), then run again.');
	}
};

export const readTrustStatus = (ctx: CliContext, runbook: Runbook): TrustStatus => {
	try {
		return trustStatus(runbook, ctx.stateDir());
	} catch (error) {
		if (error instanceof TrustStoreError) throw new CliError(error.message, EXIT.failed);
		throw error;
	}
};

/** What the operator is asked to read before approving: the diff, or the whole file. */
export const approvalText = (runbook: Runbook, status: TrustStatus): string => reviewText(runbook, status) ?? runbook.source;

export const describeStatus = describeTrustStatus;

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

export const recordApproval = (ctx: CliContext, runbook: Runbook): Approval => {
	const approval = approve(runbook, ctx.stateDir(), currentOperator(ctx.env));
	ctx.err(`rampart: approved ${runbook.path} (SHA-256 ${runbook.sha256}) as ${approval.approvedBy.user}`);
	return approval;
};

export interface ApprovalGateOptions {
	/** `--approve`: approve the content as it is now and go on. */
	approve?: boolean;
	/** May ask on the terminal (no --yes, no --json, stdin and stdout are terminals). */
	interactive: boolean;
}

/**
 * Lets the run go on only with a bundled or approved runbook. `--approve`
 * records the approval (after printing what changed); on a terminal the
 * operator is asked; otherwise the run is refused with exit 2.
 */
export const ensureApproved = async (ctx: CliContext, runbook: Runbook, options: ApprovalGateOptions): Promise<TrustStatus> => {
	const status = readTrustStatus(ctx, runbook);
	if (isTrusted(status)) return status;
	if (options.approve) {
		// Even when approved blind, the record of the run's output shows what changed.
		if (status.kind === 'changed') ctx.err(`rampart: ${describeStatus(runbook, status)}:\n${approvalText(runbook, status)}`);
		recordApproval(ctx, runbook);
		return readTrustStatus(ctx, runbook);
	}
	if (options.interactive) {
		ctx.err(`rampart: ${describeStatus(runbook, status)}.`);
		ctx.err(approvalText(runbook, status));
		if (await askYesNo(`Approve ${status.kind === 'changed' ? 'this change to ' : ''}${runbook.path} and run it?`)) {
			recordApproval(ctx, runbook);
			return readTrustStatus(ctx, runbook);
		}
		throw usageError(`${runbook.path} was not approved; nothing was run`);
	}
	const shown = status.kind === 'changed' ? `\n${approvalText(runbook, status)}` : '';
	throw usageError(
		`${describeStatus(runbook, status)}; nothing was run${shown}`,
		`Read it, then approve it with: rampart approve ${runbook.path}\nor run again with --approve to approve this exact content and run it.`,
	);
};

/**
 * `rampart run --approve` on a terminal: records the approval before the TUI
 * opens. Without --approve the TUI asks itself (source/trust/gate.ts), showing
 * the runbook or its diff; file trust is checked there too. A runbook that
 * cannot be loaded is left to the TUI, which shows why.
 */
export const trustBeforeTui = async (ctx: CliContext, target: {ref: string} | {runId?: string}, approve?: boolean): Promise<void> => {
	if (!approve) return;
	const {loadRunbook, loadRunbookFile} = await import('./prepare-run.js');
	let runbook: Runbook;
	try {
		if ('ref' in target) runbook = await loadRunbook(ctx, target.ref);
		else {
			const {latestUnfinished, loadRun, loadRuns} = await import('../engine/run-catalog.js');
			const summary = target.runId ? loadRun(ctx.stateDir(), target.runId) : latestUnfinished(loadRuns(ctx.stateDir()));
			if (!summary) return;
			runbook = await loadRunbookFile(summary.state.runbook.path);
		}
	} catch {
		return;
	}
	ensureFileTrust(ctx, runbook);
	await ensureApproved(ctx, runbook, {approve: true, interactive: false});
};
