import {discoverRunbooks} from '../../runbook/discover.js';
import {loadRunbookList} from '../../engine/runbook-list.js';
import type {CliContext} from '../context.js';

export interface ListOptions {
	json?: boolean;
}

export const listCommand = async (ctx: CliContext, options: ListOptions): Promise<number> => {
	const discovery = discoverRunbooks(ctx.env, ctx.cwd);
	const rows = await loadRunbookList(discovery, ctx.stateDir());
	if (options.json) {
		ctx.out(JSON.stringify(rows, null, 2));
		return 0;
	}
	if (rows.length === 0) {
		ctx.out('No runbooks found. Searched:');
		for (const s of discovery.searched) ctx.out(`  ${s.dir} (${s.problem ?? 'empty'})`);
		return 0;
	}
	const width = Math.max(...rows.map(r => r.id.length), 2);
	for (const row of rows) {
		ctx.out(`${row.id.padEnd(width)}  ${row.title}${row.tags.length ? `  [${row.tags.join(', ')}]` : ''}`);
		ctx.out(`${''.padEnd(width)}  ${row.stateText}`);
	}
	for (const conflict of discovery.conflicts) {
		ctx.err(`warning: the id "${conflict.id}" is used by more than one runbook:\n${conflict.paths.map(p => `  ${p}`).join('\n')}`);
	}
	return 0;
};
