// `rampart approve <id|path>`: read a runbook (or what changed in it since it
// was approved) and record that its exact content may run.

import {checkFileTrust, invokingUid} from '../../trust/file-trust.js';
import {loadRunbook} from '../prepare-run.js';
import {usageError} from '../errors.js';
import {approvalText, askYesNo, describeStatus, readTrustStatus, recordApproval} from '../trust-gate.js';
import type {CliContext} from '../context.js';

export interface ApproveOptions {
	yes?: boolean;
}

export const approveCommand = async (ctx: CliContext, ref: string, options: ApproveOptions): Promise<number> => {
	const runbook = await loadRunbook(ctx, ref);
	const status = readTrustStatus(ctx, runbook);
	if (status.kind === 'bundled' || status.kind === 'approved') {
		ctx.out(`${describeStatus(runbook, status)}; nothing to approve.`);
		return 0;
	}
	// Approving the content is not enough when others can still change the file.
	const uid = process.getuid?.() ?? -1;
	const problems = checkFileTrust(runbook.path, {uid, invokingUid: invokingUid(ctx.env, uid)});
	for (const problem of problems) ctx.err(`rampart: warning: ${problem.message}${uid === 0 ? ' (root will refuse to run it until then)' : ''}`);

	ctx.out(`${describeStatus(runbook, status)}.`);
	ctx.out(approvalText(runbook, status));
	if (!options.yes) {
		if (!(ctx.stdinIsTTY && ctx.stdoutIsTTY)) {
			throw usageError(`${runbook.path} was not approved: without a terminal, approving needs --yes`, `After reading the text above: rampart approve ${ref} --yes`);
		}
		if (!(await askYesNo(`Approve ${status.kind === 'changed' ? 'this change to ' : ''}${runbook.path}?`))) {
			ctx.err('rampart: not approved.');
			return 1;
		}
	}
	recordApproval(ctx, runbook);
	return 0;
};
