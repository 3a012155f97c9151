// The fleet view's keys, one table per mode: they resolve a key press
// (use-fleet-input.ts), draw the hint bar and fill the `?` help. Prompts
// reuse the run screen's tables (confirm, text, yes/no), so the same keys
// answer them everywhere. Which commands are available comes from each
// host's session (the engine's rules).

import type {RunSession} from '../../engine/run-session.js';
import {SETTLED} from '../../engine/state.js';
import {keysText, type CommandTable} from '../commands.js';
import {AGAIN, promptTableFor} from '../run/run-commands.js';
import type {FleetMode} from './use-fleet-state.js';

export type FleetCommand =
	| 'run'
	| 'select'
	| 'select-all'
	| 'next-host'
	| 'previous-host'
	| 'up'
	| 'down'
	| 'left'
	| 'right'
	| 'retry'
	| 'skip'
	| 'rollback'
	| 'tick'
	| 'tick-all'
	| 'accept'
	| 'stop'
	| 'help'
	| 'quit';

export const FLEET_COMMANDS: CommandTable<FleetCommand> = [
	{id: 'run', keys: ['enter'], label: 'run on selected', help: 'Run the step on the selected hosts (asks first; confirmations typed once for all)'},
	{id: 'select', keys: ['space'], label: 'select', help: 'Select or unselect the host under the cursor'},
	{id: 'select-all', keys: ['a'], label: 'all', help: 'Select every reached host (again: none)'},
	{id: 'next-host', keys: ['tab'], label: 'next output', help: 'Next host: its output is shown, r/s/b act on it'},
	{id: 'previous-host', keys: ['shift+tab'], label: 'previous host', help: 'Previous host', hidden: true},
	{id: 'retry', keys: ['r'], label: 'retry', help: 'Run the step again on the host under the cursor (failed, stopped or interrupted)'},
	{id: 'skip', keys: ['s'], label: 'skip', help: 'Skip the step on the host under the cursor, with a reason'},
	{id: 'rollback', keys: ['b'], label: 'roll back', help: 'Roll back the step on the host under the cursor alone (asks)'},
	{id: 'tick', keys: ['t'], label: 'tick', help: 'Tick the next manual item on the host under the cursor'},
	{id: 'tick-all', keys: ['T'], label: 'tick all', help: 'Tick every manual item of the step on the selected hosts (asks)'},
	{id: 'accept', keys: ['d'], label: 'already done', help: 'Record the step as already done on the selected hosts whose check passed'},
	{id: 'up', keys: ['up', 'k'], label: 'hosts', help: 'Previous host', hidden: true},
	{id: 'down', keys: ['down', 'j'], label: 'next host', help: 'Next host', hidden: true},
	{id: 'left', keys: ['left', 'h'], label: 'steps', help: 'Previous step'},
	{id: 'right', keys: ['right', 'l'], label: 'next step', help: 'Next step', hidden: true},
	{id: 'stop', keys: ['ctrl+c'], label: 'stop all', help: 'Stop the commands running on every host'},
	{id: 'help', keys: ['?'], label: 'help', help: 'This help'},
	{id: 'quit', keys: ['q', 'esc'], label: 'quit', help: 'Leave; unfinished hosts stay resumable (rampart resume FLEET-ID)'},
];

export const key = (id: FleetCommand): string => keysText(FLEET_COMMANDS.find(c => c.id === id)!);

/** The table of the open mode. */
export const fleetTableFor = (mode: FleetMode): CommandTable => (mode.kind === 'browse' ? FLEET_COMMANDS : promptTableFor(mode));

export interface FleetNow {
	/** The session of the host under the cursor (none when it was not reached). */
	session?: RunSession;
	stepIndex: number;
	/** The step has manual items. */
	hasTasks: boolean;
	/** A selected host's check passed for the step: it can be accepted as already done. */
	acceptable: boolean;
	/** A command runs on the host under the cursor; on any host. */
	busy: boolean;
	anyBusy: boolean;
}

/** The commands that make sense now, for the step and host under the cursor. */
export const availableFleetCommands = (now: FleetNow): Set<FleetCommand> => {
	const available = new Set<FleetCommand>(['run', 'select', 'select-all', 'next-host', 'previous-host', 'up', 'down', 'left', 'right', 'help', 'quit']);
	if (now.anyBusy) available.add('stop');
	if (now.hasTasks) available.add('tick-all');
	if (now.acceptable) available.add('accept');
	const {session} = now;
	const step = session?.runbook.steps[now.stepIndex];
	const state = session?.state.steps[now.stepIndex];
	if (!session || !step || !state || now.busy || session.state.outcome) return available;
	const allowed = session.actionsFor(step.id);
	if (allowed.has('run') && AGAIN.has(state.status)) available.add('retry');
	if (allowed.has('skip') && !SETTLED.has(state.status)) available.add('skip');
	if (allowed.has('rollback')) available.add('rollback');
	if (allowed.has('tick')) available.add('tick');
	return available;
};
