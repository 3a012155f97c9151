// Headless forms of what the TUI offers on an unfinished run: roll it back,
// or stop it for good. The rules (what is undone, in which order) are the engine's.

import type {CliContext} from '../context.js';
import {usageError} from '../errors.js';
import {EXIT} from '../exit-codes.js';
import {reopenRun, type RunOptions} from './run.js';
import {jsonEvent} from '../../headless/reporters.js';
import {fleetOfRun} from '../fleet-of-run.js';
import {stripStyles} from '../../output/terminal-text.js';

/** The run reopened for `verb`: a fleet host's run over a new connection to its host, any other here. */
const reopen = async (ctx: CliContext, runId: string | undefined, options: RunOptions, verb: string) => {
	const remote = fleetOfRun(ctx, runId);
	if (remote?.host !== undefined && runId !== undefined) return (await import('./fleet.js')).reopenHostRun(ctx, runId, remote.fleetId, remote.host, options);
	const session = await reopenRun(ctx, runId, options, verb);
	return {session, close: async () => session.close()};
};

export const rollbackCommand = async (ctx: CliContext, runId: string | undefined, options: RunOptions): Promise<number> => {
	const {session, close} = await reopen(ctx, runId, options, 'roll back');
	try {
		const plan = session.rollbackPlan();
		const titles = plan.map(id => session.state.steps.find(s => s.id === id)?.title ?? id);
		if (!options.yes) {
			ctx.err(
				plan.length === 0
					? `rampart: run ${session.runId} has no step that changed anything and has a rollback; nothing would be undone.`
					: `rampart: rolling back run ${session.runId} would undo, in this order:\n${titles.map((t, i) => `  ${i + 1}. ${t}`).join('\n')}`,
			);
			throw usageError('nothing was undone: add --yes to roll back');
		}
		session.subscribe(event => {
			if (options.json) ctx.out(jsonEvent(event));
			else if (event.type === 'step-rolled-back')
				ctx.err(`  ${event.ok ? '↺ undone' : '✗ rollback FAILED'}: ${session.state.steps.find(s => s.id === event.step)?.title ?? event.step}`);
			else if (event.type === 'output') ctx.err(event.lines.map(line => `    › ${stripStyles(line)}`).join('\n'));
		});
		const ok = await session.rollbackRun();
		if (!ok) {
			ctx.err(`rampart: a rollback failed, so the earlier steps were left as they are. Fix the cause, then: rampart rollback ${session.runId} --yes`);
			return EXIT.failed;
		}
		ctx.err(`rampart: run ${session.runId} rolled back (${plan.length} step${plan.length === 1 ? '' : 's'} undone).`);
		return EXIT.ok;
	} finally {
		await close();
	}
};

export const stopCommand = async (ctx: CliContext, runId: string | undefined, options: RunOptions & {reason?: string}): Promise<number> => {
	if (!options.reason?.trim()) throw usageError('--reason is required: why the run is stopped goes into the record');
	const session = await reopenRun(ctx, runId, options, 'stop');
	try {
		session.finish('stopped', options.reason.trim());
		ctx.err(`rampart: run ${session.runId} stopped; it will not be resumed. Its record: rampart report ${session.runId}`);
		return EXIT.ok;
	} finally {
		session.close();
	}
};
