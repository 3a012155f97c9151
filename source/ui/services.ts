// What the TUI needs from the rest of Rampart, as one small interface: the
// CLI wires the real engine and journal in, tests wire temp directories.

import type {Runbook} from '../runbook/model.js';
import type {RunbookRow} from '../engine/runbook-list.js';
import type {RunSummary} from '../engine/run-catalog.js';
import type {RunSession} from '../engine/run-session.js';
import type {ResolvedInputs} from '../engine/resolve-inputs.js';
import type {TrustAssessment} from '../trust/gate.js';

export interface TuiServices {
	env: NodeJS.ProcessEnv;
	/** The home screen's rows; asynchronous because a changed runbook needs the parser loaded. */
	listRunbooks: () => Promise<RunbookRow[]>;
	/** By id or path; throws an Error whose message is for the operator. */
	loadRunbook: (ref: string) => Promise<Runbook>;
	/** The operator's values checked against the runbook's inputs, defaults filled in. */
	resolveInputs: (runbook: Runbook, given: Record<string, string>) => ResolvedInputs;
	/** Requirements not met, in words; empty when the runbook can run here. */
	requirementProblems: (runbook: Runbook) => string[];
	/** The newest unfinished run of a runbook, or of any runbook. */
	unfinishedRun: (runbookId?: string) => RunSummary | undefined;
	findRun: (runId: string) => RunSummary | undefined;
	start: (runbook: Runbook, inputs: Record<string, string>) => RunSession;
	resume: (runbook: Runbook, runId: string, inputs: Record<string, string>) => RunSession;
	/** Ends an unfinished run as stopped, so a new one can start cleanly. */
	abandon: (runbook: Runbook, run: RunSummary) => void;
	/** Whether the runbook may run as it is now (bundled or approved), see source/trust/gate.ts. */
	assessTrust: (runbook: Runbook) => TrustAssessment;
	/** Records the operator's approval of the runbook's exact content. */
	approve: (runbook: Runbook) => void;
	journalPath: (runId: string) => string;
	nextDue: (runbookId: string) => string | undefined;
}

export type TuiStart =
	/** rows: the home screen's, when read before the first frame (start-tui does); the App reads them otherwise. */
	| {screen: 'home'; rows?: RunbookRow[]}
	| {screen: 'run'; runbookRef: string; givenInputs: Record<string, string>}
	| {screen: 'resume'; runId?: string};

/** What the TUI leaves behind: an exit code and lines for the shell afterwards. */
export interface TuiResult {
	code: number;
	lines: string[];
}
