// `rampart approve <id|path>`: read a runbook (or what changed in it since it
// was approved) and record that its exact content may run.

import {loadRunbook} from '../prepare-run.js';
import {usageError} from '../errors.js';
import {askYesNo, trustOf} from '../open-run.js';
import {approveRun} from '../../engine/open-run.js';
import type {CliContext} from '../context.js';

export interface ApproveOptions {
	yes?: boolean;
}

export const approveCommand = async (ctx: CliContext, ref: string, options: ApproveOptions): Promise<number> => {
	const runbook = await loadRunbook(ctx, ref);
	const trust = trustOf(ctx, runbook);
	const status = trust.status;
	if (status.kind === 'bundled' || status.kind === 'approved') {
		ctx.out(`${trust.summary}; nothing to approve.`);
		return 0;
	}
	// Approving the content is not enough when others can still change the file.
	const uid = process.getuid?.() ?? -1;
	for (const problem of trust.fileProblems) ctx.err(`rampart: warning: ${problem.message}${uid === 0 ? ' (root will refuse to run it until then)' : ''}`);

	ctx.out(`${trust.summary}.`);
	ctx.out(trust.review ?? runbook.source);
	if (!options.yes) {
		if (!(ctx.stdinIsTTY && ctx.stdoutIsTTY)) {
			throw usageError(`${runbook.path} was not approved: without a terminal, approving needs --yes`, `After reading the text above: rampart approve ${ref} --yes`);
		}
		if (!(await askYesNo(`Approve ${status.kind === 'changed' ? 'this change to ' : ''}${runbook.path}?`))) {
			ctx.err('rampart: not approved.');
			return 1;
		}
	}
	const approval = approveRun({env: ctx.env, cwd: ctx.cwd, stateDir: ctx.stateDir}, runbook);
	ctx.err(`rampart: approved ${runbook.path} (SHA-256 ${runbook.sha256}) as ${approval.approvedBy.user}`);
	return 0;
};
