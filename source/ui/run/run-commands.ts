// The run screen's keys. What is available comes from the session (the
// engine's rules); this table only names the intents and their keys.

import type {RunSession} from '../../engine/run-session.js';
import type {RunState} from '../../engine/state.js';
import type {CommandTable} from '../commands.js';

export type RunCommand =
	| 'run'
	| 'retry'
	| 'check'
	| 'accept'
	| 'tick'
	| 'skip'
	| 'note'
	| 'rollback'
	| 'rollback-run'
	| 'log'
	| 'finish'
	| 'prev'
	| 'next'
	| 'page-up'
	| 'page-down'
	| 'stop'
	| 'help'
	| 'quit';

export const RUN_COMMANDS: CommandTable<RunCommand> = [
	{id: 'run', keys: ['enter'], label: 'run step', help: 'Run the step (asks first); next'},
	{id: 'retry', keys: ['r'], label: 'run again', help: 'Run the step again'},
	{id: 'tick', keys: ['space', 'x'], label: 'tick item', help: 'Tick the next manual item'},
	{id: 'check', keys: ['c'], label: 'check only', help: "Run only the step's check"},
	{id: 'accept', keys: ['d'], label: 'mark already done', help: 'Accept a passing check as done'},
	{id: 'skip', keys: ['s'], label: 'skip', help: 'Skip the step, with a reason'},
	{id: 'rollback', keys: ['u'], label: 'roll back', help: "Roll back the step (asks)"},
	{id: 'rollback-run', keys: ['U'], label: 'roll back run', help: 'Roll back the whole run (asks)'},
	{id: 'note', keys: ['n'], label: 'note', help: 'Add a note to the step'},
	{id: 'log', keys: ['l'], label: 'log', help: "Full output log of the step"},
	{id: 'finish', keys: ['f'], label: 'finish', help: 'Finish the run, see summary'},
	{id: 'prev', keys: ['up', 'k'], label: 'previous step', help: 'Previous step', hidden: true},
	{id: 'next', keys: ['down', 'j'], label: 'next step', help: 'Next step', hidden: true},
	{id: 'page-up', keys: ['pgup'], label: 'scroll up', help: "Scroll the step's text up", hidden: true},
	{id: 'page-down', keys: ['pgdn'], label: 'scroll down', help: "Scroll the step's text down", hidden: true},
	{id: 'stop', keys: ['ctrl+c'], label: 'stop command', help: 'Stop the running command'},
	{id: 'help', keys: ['?'], label: 'help', help: 'This help'},
	{id: 'quit', keys: ['q', 'esc'], label: 'quit', help: 'Leave; resume it later'},
];

export const hasRole = (session: RunSession, stepId: string, role: string): boolean =>
	session.runbook.steps.find(s => s.id === stepId)?.blocks.some(b => b.runnable && b.role === role) ?? false;

/** The commands that make sense for the selected step right now. */
export const availableRunCommands = (session: RunSession, state: RunState, selected: number, busy: boolean): Set<RunCommand> => {
	const available = new Set<RunCommand>(['prev', 'next', 'page-up', 'page-down', 'help', 'quit', 'note']);
	if (busy) {
		available.add('stop');
		return available;
	}
	if (state.outcome) return available;
	const step = session.runbook.steps[selected];
	const stepState = state.steps[selected];
	if (!step || !stepState) return available;
	// The engine says what the rules allow; this only maps it to keys.
	const allowed = session.actionsFor(step.id);
	available.add('finish');
	if (allowed.has('run')) available.add('run');
	if (allowed.has('skip')) available.add('skip');
	if (allowed.has('run') && stepState.status !== 'pending' && stepState.status !== 'running') available.add('retry');
	if (allowed.has('tick')) available.add('tick');
	if (allowed.has('check')) available.add('check');
	if (allowed.has('accept')) available.add('accept');
	if (allowed.has('rollback')) available.add('rollback');
	if (session.rollbackPlan().length > 0) available.add('rollback-run');
	if (stepState.logs.length > 0) available.add('log');
	return available;
};
