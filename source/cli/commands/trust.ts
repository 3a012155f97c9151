// `rampart trust list`: the runbooks approved to run here, and whether each
// file is still the content that was approved.

import {listApprovals, TrustStoreError, type TrustListEntry} from '../../trust/approvals.js';
import {CliError} from '../errors.js';
import {EXIT} from '../exit-codes.js';
import type {CliContext} from '../context.js';

export const trustListCommand = async (ctx: CliContext, options: {json?: boolean}): Promise<number> => {
	let entries: TrustListEntry[];
	try {
		entries = listApprovals(ctx.stateDir());
	} catch (error) {
		if (error instanceof TrustStoreError) throw new CliError(error.message, EXIT.failed);
		throw error;
	}
	if (options.json) {
		ctx.out(JSON.stringify(entries, null, 2));
		return 0;
	}
	ctx.out('Bundled runbooks are trusted as shipped. Approved runbooks:');
	if (entries.length === 0) ctx.out('  none yet (rampart approve <id|path>)');
	for (const e of entries) {
		const now = e.now === 'approved' ? 'unchanged' : e.now === 'changed' ? 'CHANGED since approval' : 'file missing';
		ctx.out(
			`  ${e.path}\n    ${e.runbookId}, SHA-256 ${e.sha256.slice(0, 16)}…, approved by ${e.approvedBy.user} (uid ${e.approvedBy.uid}) on ${e.approvedBy.host} at ${e.approvedAt}; ${now}`,
		);
	}
	return 0;
};
