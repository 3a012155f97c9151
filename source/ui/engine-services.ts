// The real engine and journal behind the TUI's screens. The home screen
// needs only the cached runbook listing and the completion index, which are
// small; the run controller (parser, run session, trust) is loaded when a
// runbook is first opened. begin, abandon and approve can only be reached
// with what open returned, so they find it loaded.

import {loadRunbookList} from '../engine/runbook-list.js';
import type {RunSession} from '../engine/run-session.js';
import {readCompletionIndex} from '../journal/completion-index-read.js';
import {journalPath} from '../journal/layout.js';
import {discoverRunbooks} from '../runbook/discover.js';
import type {RunContext} from '../engine/open-run.js';
import type {TuiServices} from './services.js';

type Controller = typeof import('../engine/open-run.js');

/** `prepare`: given each session begun, before it runs (start-tui hooks signing there). */
export const engineServices = (ctx: RunContext, sessions: Set<RunSession> = new Set(), prepare?: (session: RunSession) => void): TuiServices => {
	const stateDir = () => ctx.stateDir();
	let loaded: Controller | undefined;
	const load = async () => (loaded ??= await import('../engine/open-run.js'));
	const controller = (): Controller => {
		if (!loaded) throw new Error('the run controller was used before any runbook was opened');
		return loaded;
	};
	return {
		env: ctx.env,
		listRunbooks: () => loadRunbookList(discoverRunbooks(ctx.env, ctx.cwd), stateDir()),
		open: async (target, options) => (await load()).openRun(ctx, target, options),
		begin: ready => {
			const begun = controller().beginRun(ctx, ready);
			// Tracked so that leaving the TUI any way releases the run.
			if (begun.kind === 'started') {
				sessions.add(begun.session);
				prepare?.(begun.session);
			}
			return begun;
		},
		abandon: (runbook, run) => controller().abandonRun(ctx, {runbook, run}),
		approve: runbook => {
			controller().approveRun(ctx, runbook);
		},
		journalPath: runId => journalPath(stateDir(), runId),
		nextDue: runbookId => {
			try {
				return readCompletionIndex(stateDir())[runbookId]?.nextDue;
			} catch {
				return undefined;
			}
		},
	};
};
