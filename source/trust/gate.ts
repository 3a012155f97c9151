// The trust decision for one runbook, the one entry point to trust: the run
// controller (engine/open-run.ts), `rampart approve` and `rampart plan` ask
// it and get the same answers. Nothing here prints or prompts.

import type {Runbook} from '../runbook/model.js';
import type {Operator} from '../types/events.js';
import {approve, isTrusted, trustStatus, type Approval, type TrustStatus} from './approvals.js';
import {checkFileTrust, describeFileTrust, invokingUid, type FileTrustProblem} from './file-trust.js';

export interface TrustAssessment {
	/**
	 * Set when the run must not start whatever the operator says: as root, a
	 * file someone else could change (exit 3). Show `message`; offer no approval.
	 */
	refused?: {exitCode: 3; message: string; problems: FileTrustProblem[]};
	status: TrustStatus;
	/** True when the runbook may run without asking (bundled or approved, and not refused). */
	mayRun: boolean;
	/** Ask the operator to approve, showing `review` first. */
	needsApproval: boolean;
	/** What to read before approving: a unified diff when changed (lines start with +, - or space), else the whole text. */
	review?: string;
	/** One line for the operator, e.g. "… has changed since alice approved it on …". */
	summary: string;
	/**
	 * Users other than root or the file's owner could change the file: refused
	 * as root (see `refused`), a warning for anyone else.
	 */
	fileProblems: FileTrustProblem[];
}

export interface AssessOptions {
	stateDir: string;
	env?: NodeJS.ProcessEnv;
	/** Effective uid; process.getuid() when not given. */
	uid?: number;
}

export const reviewText = (runbook: Runbook, status: TrustStatus): string | undefined => {
	if (status.kind === 'changed' && status.diff !== undefined) return status.diff;
	if (status.kind === 'changed') {
		return `(the approved copy of ${runbook.path} is missing or was altered, so no diff can be shown; this is the whole file now)\n${runbook.source}`;
	}
	if (status.kind === 'new') return runbook.source;
	return undefined;
};

export const describeTrustStatus = (runbook: Runbook, status: TrustStatus): string => {
	switch (status.kind) {
		case 'bundled':
			return `${runbook.path} is shipped with Rampart and trusted as shipped`;
		case 'approved':
			return `${runbook.path} is approved (by ${status.approval.approvedBy.user} on ${status.approval.approvedBy.host}, ${status.approval.approvedAt})`;
		case 'new':
			return `${runbook.path} has not been approved: it is not shipped with Rampart, so it runs only after you approve its content`;
		case 'changed':
			return `${runbook.path} has changed since ${status.approval.approvedBy.user} approved it on ${status.approval.approvedAt}; approve the change before it runs`;
	}
};

/**
 * Everything a front end needs to decide whether `runbook` may start. Throws
 * TrustStoreError when the approvals cannot be trusted (show its message).
 */
export const assessTrust = (runbook: Runbook, options: AssessOptions): TrustAssessment => {
	const uid = options.uid ?? process.getuid?.() ?? -1;
	const status = trustStatus(runbook, options.stateDir);
	const summary = describeTrustStatus(runbook, status);
	const fileProblems = checkFileTrust(runbook.path, {uid, invokingUid: invokingUid(options.env ?? process.env, uid)});
	if (uid === 0 && fileProblems.length > 0) {
		return {
			refused: {exitCode: 3, message: describeFileTrust(runbook.path, fileProblems), problems: fileProblems},
			status,
			mayRun: false,
			needsApproval: false,
			summary,
			fileProblems,
		};
	}
	const trusted = isTrusted(status);
	return {status, mayRun: trusted, needsApproval: !trusted, review: trusted ? undefined : reviewText(runbook, status), summary, fileProblems};
};

/** Records the operator's approval of the runbook's content as it is now. */
export const approveRunbook = (runbook: Runbook, stateDir: string, operator: Pick<Operator, 'user' | 'uid' | 'host'>): Approval => approve(runbook, stateDir, operator);
