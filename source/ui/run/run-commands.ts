// The run screen's keys, one table per mode. The same tables resolve a key
// press (use-run-input.ts), draw the hint bar and the prompts' key lines,
// and fill the `?` help; messages that name a key take it from here.
// Which commands are available comes from the session (the engine's rules).

import type {RunSession} from '../../engine/run-session.js';
import {SETTLED, type RunState} from '../../engine/state.js';
import {keysText, type CommandTable} from '../commands.js';
import {HELP_CLOSE_COMMANDS} from '../any-key.js';
import type {RunMode} from './use-run-state.js';

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

/** Browsing the steps. */
export const RUN_COMMANDS: CommandTable<RunCommand> = [
	{id: 'run', keys: ['enter'], label: 'run step', help: 'Run the step (checks first, asks before commands); on a settled step: the next step'},
	{id: 'retry', keys: ['r'], label: 'run again', help: 'Run a failed, stopped or interrupted step again'},
	{id: 'tick', keys: ['space', 'x'], label: 'tick item', help: 'Tick the next manual item'},
	{id: 'check', keys: ['c'], label: 'check only', help: "Run only the step's check"},
	{id: 'accept', keys: ['d'], label: 'mark already done', help: 'Accept a passing check as done'},
	{id: 'skip', keys: ['s'], label: 'skip', help: 'Skip the step, with a reason'},
	{id: 'rollback', keys: ['u'], label: 'roll back', help: 'Roll back the step (asks)'},
	{id: 'rollback-run', keys: ['U'], label: 'roll back run', help: 'Roll back the whole run (asks)'},
	{id: 'note', keys: ['n'], label: 'note', help: 'Add a note to the step'},
	{id: 'log', keys: ['l'], label: 'log', help: 'Full log of the step: scroll, search, wrap'},
	{id: 'finish', keys: ['f'], label: 'finish', help: 'Finish the run, see summary'},
	{id: 'prev', keys: ['up', 'k'], label: 'steps', help: 'Previous step'},
	{id: 'next', keys: ['down', 'j'], label: 'next step', help: 'Next step', hidden: true},
	{id: 'page-up', keys: ['pgup'], label: 'scroll up', help: "Scroll the step's text up", hidden: true},
	{id: 'page-down', keys: ['pgdn'], label: 'scroll down', help: "Scroll the step's text down", hidden: true},
	{id: 'stop', keys: ['ctrl+c'], label: 'stop command', help: 'Stop the running command'},
	{id: 'help', keys: ['?'], label: 'help', help: 'This help'},
	{id: 'quit', keys: ['q', 'esc'], label: 'quit', help: 'Leave; resume it later'},
];

/** Before a step's commands run: one key to go on. */
export const CONFIRM_COMMANDS: CommandTable<'go' | 'cancel'> = [
	{id: 'go', keys: ['enter', 'y'], label: 'run', help: 'Run the step now'},
	{id: 'cancel', keys: ['esc'], label: 'cancel', help: 'Cancel; nothing is run'},
];

/** Typing a confirmation word, a skip reason or a note (other keys type). */
export const TEXT_COMMANDS: CommandTable<'save' | 'cancel'> = [
	{id: 'save', keys: ['enter'], label: 'save', help: 'Save what you typed'},
	{id: 'cancel', keys: ['esc'], label: 'cancel', help: 'Cancel; nothing is recorded'},
];

/** A yes/no question. Ctrl-C answers yes only to "leave?" (pressed twice, it leaves). */
export const ASK_COMMANDS: CommandTable<'yes' | 'no'> = [
	{id: 'yes', keys: ['y', 'Y'], label: 'yes', help: 'Yes'},
	{id: 'no', keys: ['n', 'N', 'esc', 'q'], label: 'no', help: 'No'},
];

export type LogCommand =
	'up' | 'down' | 'page-up' | 'page-down' | 'top' | 'bottom' | 'wrap' | 'left' | 'right' | 'search' | 'next-match' | 'previous-match' | 'error' | 'help' | 'back';

/** The full log of a step. `l` scrolls right here, as h/j/k/l move in pagers; Esc and q go back. */
export const LOG_COMMANDS: CommandTable<LogCommand> = [
	{id: 'up', keys: ['up', 'k'], label: 'scroll', help: 'Up a line (a row, wrapped)'},
	{id: 'down', keys: ['down', 'j'], label: 'down', help: 'Down a line (a row, wrapped)', hidden: true},
	{id: 'page-up', keys: ['pgup', 'b'], label: 'page up', help: 'Up a page', hidden: true},
	{id: 'page-down', keys: ['pgdn', 'space'], label: 'page', help: 'Down a page'},
	{id: 'top', keys: ['g', 'home'], label: 'top', help: 'The first line'},
	{id: 'bottom', keys: ['G', 'end'], label: 'end', help: 'The last line'},
	{id: 'wrap', keys: ['w'], label: 'wrap', help: 'Wrap long lines on/off'},
	{id: 'left', keys: ['left', 'h'], label: 'sideways', help: 'Half a screen left'},
	{id: 'right', keys: ['right', 'l'], label: 'right', help: 'Half a screen right', hidden: true},
	{id: 'search', keys: ['/'], label: 'search', help: 'Search, in any case'},
	{id: 'next-match', keys: ['n'], label: 'next', help: 'Next match'},
	{id: 'previous-match', keys: ['N'], label: 'previous', help: 'Previous match', hidden: true},
	{id: 'error', keys: ['e'], label: 'error', help: 'Next line like an error'},
	{id: 'help', keys: ['?'], label: 'help', help: 'These keys'},
	{id: 'back', keys: ['esc', 'q'], label: 'back', help: 'Back to the step'},
];

/** Typing a search in the full log (other keys type). */
export const LOG_SEARCH_COMMANDS: CommandTable<'search' | 'cancel'> = [
	{id: 'search', keys: ['enter'], label: 'search', help: 'Search for what you typed'},
	{id: 'cancel', keys: ['esc'], label: 'cancel', help: 'Cancel the search'},
];

/** The table of an open prompt or the help; the confirm prompt types words once it asks for one. The same keys answer them on every screen. */
export const promptTableFor = (mode: {kind: 'confirm'; index: number} | {kind: 'text' | 'ask' | 'help'}): CommandTable => {
	if (mode.kind === 'confirm') return mode.index < 0 ? CONFIRM_COMMANDS : TEXT_COMMANDS;
	return {text: TEXT_COMMANDS, ask: ASK_COMMANDS, help: HELP_CLOSE_COMMANDS}[mode.kind];
};

/** The table of the open mode. */
export const tableFor = (mode: RunMode): CommandTable => {
	if (mode.kind === 'browse') return RUN_COMMANDS;
	if (mode.kind === 'log') return mode.view.help ? HELP_CLOSE_COMMANDS : mode.view.typing !== undefined ? LOG_SEARCH_COMMANDS : LOG_COMMANDS;
	return promptTableFor(mode);
};

/** The key(s) of one command, as shown: `key('skip')` is `s`. */
export const key = (id: RunCommand): string => keysText(RUN_COMMANDS.find(c => c.id === id)!);

/** Statuses a step can be run again from (`r`). */
export const AGAIN: ReadonlySet<string> = new Set(['failed', 'timed-out', 'cancelled', 'interrupted']);

/** The commands that make sense for the selected step right now (the engine's rules, mapped to keys). */
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
	const allowed = session.actionsFor(step.id);
	available.add('finish');
	// Enter also moves on from a settled step.
	available.add('run');
	if (allowed.has('run') && AGAIN.has(stepState.status)) available.add('retry');
	if (allowed.has('skip')) available.add('skip');
	if (allowed.has('tick')) available.add('tick');
	if (allowed.has('check')) available.add('check');
	if (allowed.has('accept')) available.add('accept');
	if (allowed.has('rollback')) available.add('rollback');
	if (session.rollbackPlan().length > 0) available.add('rollback-run');
	if (stepState.logs.length > 0) available.add('log');
	return available;
};

/** Enter's label on a settled step: it moves on. */
export const enterLabel = (state: RunState, selected: number): string | undefined => {
	const s = state.steps[selected];
	if (!s || !SETTLED.has(s.status)) return undefined;
	return state.steps.every(step => SETTLED.has(step.status)) ? 'finish' : 'next step';
};
