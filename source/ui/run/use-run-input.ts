// The run screen's one owner of key presses: it reads the latest UI state
// (not the last render's), looks the key up in the open mode's command
// table (run-commands.ts) and calls the matching action. Keys that are in
// no table type into the open prompt.

import {useKeypress, type Keypress} from '../use-keypress.js';
import {resolveCommand} from '../commands.js';
import {ASK_COMMANDS, CONFIRM_COMMANDS, RUN_COMMANDS, TEXT_COMMANDS, type RunCommand} from './run-commands.js';
import {logKey, type LogScreen} from './log-keys.js';
import type {LogMode, Message, RunAction, RunUiState} from './use-run-state.js';
import type {RunActions} from './use-run-actions.js';

export interface RunInputHandlers extends RunActions {
	get: () => RunUiState;
	dispatch: (action: RunAction) => void;
	available: () => ReadonlySet<RunCommand>;
	/** The open log on the screen as it is now. */
	logScreen: (mode: LogMode) => LogScreen;
	/** While a block has the terminal, Rampart reads no keys. */
	suspended: boolean;
}

/** What a screen with prompts is asked to do by the keys they share. */
export interface PromptKeyHandlers {
	answer: (yes: boolean) => void;
	submit: () => void;
	/** Ctrl-C outside a question: stop what runs, or ask before leaving. */
	interrupt: () => void;
	dispatch: (action: {type: 'mode'; mode: {kind: 'browse'}} | {type: 'message'; message: Message} | {type: 'edit'; typed?: string; backspace?: boolean}) => void;
}

/**
 * The keys every screen with prompts shares: Ctrl-C (to the running command
 * first; asked "leave?", it says yes), any key closing the help, and an
 * open prompt's keys (a yes/no question, the go-ahead, a confirmation word,
 * a reason). False when the press is the screen's own to handle.
 */
export const promptKey = (press: Keypress, mode: {kind: string; question?: string; index?: number}, handlers: PromptKeyHandlers): boolean => {
	const {dispatch} = handlers;
	if (press.name === 'ctrl+c') {
		if (mode.kind === 'ask') handlers.answer(mode.question === 'quit');
		else handlers.interrupt();
		return true;
	}
	if (mode.kind === 'help') {
		dispatch({type: 'mode', mode: {kind: 'browse'}});
		return true;
	}
	if (mode.kind === 'ask') {
		const command = resolveCommand(ASK_COMMANDS, press.name);
		if (command) handlers.answer(command === 'yes');
		return true;
	}
	if (mode.kind !== 'confirm' && mode.kind !== 'text') return false;
	const typing = mode.kind === 'text' || mode.index! >= 0;
	const command = resolveCommand(typing ? TEXT_COMMANDS : CONFIRM_COMMANDS, press.name);
	if (command === 'cancel') {
		dispatch({type: 'mode', mode: {kind: 'browse'}});
		dispatch({type: 'message', message: {tone: 'info', text: 'Cancelled; nothing was run or recorded.'}});
	} else if (command) handlers.submit();
	else if (typing) dispatch({type: 'edit', typed: press.text, backspace: press.name === 'backspace'});
	return true;
};

export const useRunInput = (handlers: RunInputHandlers) => {
	const {get, dispatch} = handlers;
	useKeypress(({name, text}) => {
		const mode = get().mode;
		if (promptKey({name, text}, mode, handlers)) return;
		switch (mode.kind) {
			case 'log': {
				const view = logKey({name, text}, mode.view, handlers.logScreen(mode));
				if (view === 'back') dispatch({type: 'mode', mode: {kind: 'browse'}});
				else if (view !== mode.view) dispatch({type: 'log-view', view});
				return;
			}
			case 'browse': {
				const command = resolveCommand(RUN_COMMANDS, name, handlers.available());
				if (command) handlers.command(command);
				return;
			}
		}
	}, !handlers.suspended);
};
