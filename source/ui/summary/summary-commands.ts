import type {CommandTable} from '../commands.js';

export type SummaryCommand = 'close' | 'home';

export const SUMMARY_COMMANDS: CommandTable<SummaryCommand> = [
	{id: 'close', keys: ['enter', 'q', 'esc', 'ctrl+c'], label: 'close', help: 'Close the summary and leave Rampart'},
	{id: 'home', keys: ['h'], label: 'runbook list', help: 'Back to the runbook list'},
];

/** `h` only where there is a runbook list to go back to (not when Rampart was started on the run). */
export const summaryCommands = (canGoHome: boolean): ReadonlySet<SummaryCommand> => new Set<SummaryCommand>(canGoHome ? ['close', 'home'] : ['close']);
