// What the TUI needs from the rest of Rampart, as one small interface: the
// run controller (engine/open-run.ts) behind it, wired by engine-services.ts;
// tests wire temporary directories.

import type {Runbook} from '../runbook/model.js';
import type {RunbookRow} from '../engine/runbook-list.js';
import type {RunSummary} from '../engine/run-catalog.js';
import type {Begun, InputSource, Opening, OpenOptions, ReadyRun, RunContext, RunTarget} from '../engine/open-run.js';
import type {FleetHost} from '../remote/targets.js';

/** Where the TUI runs: the run context, plus --debug for unexpected errors. */
export interface TuiContext extends RunContext {
	debug: boolean;
	/** `--sign-key`: signs each run's record when its session ends (else the settings' sign.key). */
	signKey?: string;
}

export interface TuiServices {
	env: NodeJS.ProcessEnv;
	/** The home screen's rows; asynchronous because a changed runbook needs the parser loaded. */
	listRunbooks: () => Promise<RunbookRow[]>;
	/** Where a run of `target` stands now (the controller's answer). */
	open: (target: RunTarget, options: OpenOptions) => Promise<Opening>;
	/** Starts or resumes a ready run. */
	begin: (ready: ReadyRun) => Begun;
	/** Ends an unfinished run as stopped, so a new one can start cleanly. */
	abandon: (runbook: Runbook, run: RunSummary) => void;
	/** Records the operator's approval of the runbook's exact content. */
	approve: (runbook: Runbook) => void;
	journalPath: (runId: string) => string;
	nextDue: (runbookId: string) => string | undefined;
}

export type TuiStart =
	/** rows: the home screen's, when read before the first frame (start-tui does); the App reads them otherwise. */
	| {screen: 'home'; rows?: RunbookRow[]}
	/** approve: `--approve`, recorded when the run starts. */
	| {screen: 'run'; runbookRef: string; givenInputs: Record<string, string>; sources?: Record<string, InputSource>; approve?: boolean}
	| {screen: 'resume'; runId?: string; approve?: boolean}
	/** A fleet run (--host/--inventory): the runbook ready (approved, inputs checked) and its hosts; start-tui connects them before the first frame. */
	| {screen: 'fleet'; ready: ReadyRun; hosts: FleetHost[]; forks: number; maxLogBytes?: number};

/** What the TUI leaves behind: an exit code and lines for the shell afterwards. */
export interface TuiResult {
	code: number;
	lines: string[];
}
