import {loadRuns} from '../../engine/run-catalog.js';
import type {CliContext} from '../context.js';

/** `rampart history [id]`: runs with who, when and how they ended, newest first. */
export const historyCommand = async (ctx: CliContext, runbookId: string | undefined, options: {json?: boolean}): Promise<number> => {
	const runs = loadRuns(ctx.stateDir())
		.filter(r => runbookId === undefined || r.state.runbook.id === runbookId)
		.reverse();
	const rows = runs.map(({runId, state, active, damaged}) => ({
		runId,
		runbook: state.runbook.id,
		title: state.runbook.title,
		operator: state.operator.user,
		host: state.operator.host,
		mode: state.mode,
		start: state.startedAt,
		end: state.finishedAt ?? null,
		outcome: state.outcome ?? (active ? 'running' : state.steps.some(s => s.status === 'interrupted') ? 'interrupted' : 'in progress'),
		damaged,
	}));
	if (options.json) {
		ctx.out(JSON.stringify(rows, null, 2));
		return 0;
	}
	if (rows.length === 0) {
		ctx.out(runbookId ? `No runs of ${runbookId} recorded.` : 'No runs recorded yet.');
		return 0;
	}
	for (const r of rows) {
		ctx.out(
			`${r.runId}  ${r.outcome.padEnd(11)}  ${r.operator}@${r.host}  ${r.start}${r.end ? ` → ${r.end}` : ''}${r.damaged ? '  (record damaged: run `rampart journal verify`)' : ''}`,
		);
	}
	return 0;
};
