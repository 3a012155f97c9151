import {discoverRunbooks} from '../../runbook/discover.js';
import {loadRunbookList} from '../../engine/runbook-list.js';
import {EXIT} from '../exit-codes.js';
import {recordKey} from '../../journal/layout.js';
import type {CliContext} from '../context.js';

/** `rampart status`: what is due, overdue or unfinished; exit 1 when anything is overdue (for cron and monitoring). */
export const statusCommand = async (ctx: CliContext, options: {json?: boolean}): Promise<number> => {
	const rows = await loadRunbookList(discoverRunbooks(ctx.env, ctx.cwd), ctx.stateDir());
	// Each host a runbook ran on over SSH is due on its own: shown as id@host.
	// `run`: the arguments of `rampart run` that do it again.
	const all = rows.flatMap(r => [
		{...r, run: r.id},
		...(r.hosts ?? []).map(h => ({...r, ...h, id: recordKey(r.id, h.host), run: `${r.id} --host ${h.host}`, attention: undefined})),
	]);
	const relevant = all.filter(r => r.every || r.state === 'in-progress');
	const rank = {overdue: 0, due: 1, 'in-progress': 2, done: 3, 'never-run': 4} as const;
	// Ids in code-unit order, as `list` shows them: the same on every machine
	// whatever its locale (and no ICU collator to start, ~6 ms).
	relevant.sort((a, b) => rank[a.state] - rank[b.state] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	const overdue = relevant.filter(r => r.state === 'overdue');
	if (options.json) {
		ctx.out(
			JSON.stringify(
				{
					overdue: overdue.length,
					due: relevant.filter(r => r.state === 'due').length,
					inProgress: relevant.filter(r => r.state === 'in-progress').length,
					runbooks: relevant.map(r => ({
						id: r.id,
						title: r.title,
						every: r.every,
						state: r.state,
						text: r.stateText,
						lastRun: r.lastRun,
						nextDue: r.nextDue,
						attention: r.attention?.runId,
					})),
				},
				null,
				2,
			),
		);
	} else if (relevant.length === 0) {
		ctx.out('Nothing periodic and nothing in progress.');
	} else {
		const width = Math.max(...relevant.map(r => r.id.length));
		for (const r of relevant) ctx.out(`${r.state === 'overdue' ? 'OVERDUE ' : r.state === 'due' ? 'due     ' : '        '}${r.id.padEnd(width)}  ${r.stateText}`);
		if (overdue.length > 0) ctx.out(`\n${overdue.length} overdue: run ${overdue.map(r => `rampart run ${r.run}`).join(', ')}`);
		for (const r of relevant.filter(row => row.attention)) ctx.out(`${r.id}: its last run has findings: rampart report ${r.attention!.runId}`);
	}
	return overdue.length > 0 ? EXIT.failed : EXIT.ok;
};
