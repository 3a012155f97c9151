// The real engine and journal behind the TUI's screens. The home screen
// needs only the cached runbook listing and the run catalog, which are small;
// everything that works on a runbook (runbook-services.ts) is loaded by
// loadRunbook. The other services that take a Runbook can only be reached
// with one that loadRunbook returned, so they find it loaded.

import type {CliContext} from '../cli/context.js';
import {loadRunbookList} from '../engine/runbook-list.js';
import {latestUnfinished, loadRun, loadRuns} from '../engine/run-catalog.js';
import type {RunSession} from '../engine/run-session.js';
import {readCompletionIndex} from '../journal/completion-index-read.js';
import {journalPath} from '../journal/layout.js';
import {discoverRunbooks} from '../runbook/discover.js';
import type {RunbookServices} from './runbook-services.js';
import type {TuiServices} from './services.js';

export const engineServices = (ctx: CliContext, sessions: Set<RunSession> = new Set()): TuiServices => {
	const stateDir = () => ctx.stateDir();
	const track = (session: RunSession) => {
		sessions.add(session);
		return session;
	};
	let loading: Promise<RunbookServices> | undefined;
	let loaded: RunbookServices | undefined;
	const load = () => (loading ??= import('./runbook-services.js').then(m => (loaded = m.runbookServices(ctx, track))));
	const withRunbook = (): RunbookServices => {
		if (!loaded) throw new Error('a runbook service was used before any runbook was loaded');
		return loaded;
	};
	return {
		env: ctx.env,
		listRunbooks: () => loadRunbookList(discoverRunbooks(ctx.env, ctx.cwd), stateDir()),
		loadRunbook: async ref => (await load()).loadRunbook(ref),
		resolveInputs: (runbook, given) => withRunbook().resolveInputs(runbook, given),
		requirementProblems: runbook => withRunbook().requirementProblems(runbook),
		unfinishedRun: runbookId => latestUnfinished(loadRuns(stateDir()), runbookId),
		findRun: runId => {
			try {
				return loadRun(stateDir(), runId);
			} catch {
				return undefined;
			}
		},
		start: (runbook, inputs) => withRunbook().start(runbook, inputs),
		resume: (runbook, runId, inputs) => withRunbook().resume(runbook, runId, inputs),
		abandon: (runbook, run) => withRunbook().abandon(runbook, run),
		assessTrust: runbook => withRunbook().assessTrust(runbook),
		approve: runbook => withRunbook().approve(runbook),
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
