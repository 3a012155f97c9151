// The run screen's one owner of key presses: it reads the latest UI state
// (not the last render's), looks the key up in the open mode's command
// table (run-commands.ts) and calls the matching action. Keys that are in
// no table type into the open prompt.

import {useKeypress} from '../use-keypress.js';
import {resolveCommand} from '../commands.js';
import {ASK_COMMANDS, CONFIRM_COMMANDS, RUN_COMMANDS, TEXT_COMMANDS, type RunCommand} from './run-commands.js';
import {logKey, type LogScreen} from './log-keys.js';
import type {LogMode, RunAction, RunUiState} from './use-run-state.js';
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

export const useRunInput = (handlers: RunInputHandlers) => {
	const {get, dispatch} = handlers;
	const cancel = () => {
		dispatch({type: 'mode', mode: {kind: 'browse'}});
		dispatch({type: 'message', message: {tone: 'info', text: 'Cancelled; nothing was run or recorded.'}});
	};
	useKeypress(({name, text}) => {
		const mode = get().mode;
		// Ctrl-C always reaches the running command first; asked "leave?", it says yes.
		if (name === 'ctrl+c') {
			if (mode.kind === 'ask') handlers.answer(mode.question === 'quit');
			else handlers.interrupt();
			return;
		}
		switch (mode.kind) {
			case 'help':
				return dispatch({type: 'mode', mode: {kind: 'browse'}});
			case 'ask': {
				const command = resolveCommand(ASK_COMMANDS, name);
				if (command) handlers.answer(command === 'yes');
				return;
			}
			case 'confirm':
			case 'text': {
				const typing = mode.kind === 'text' || mode.index >= 0;
				const command = resolveCommand(typing ? TEXT_COMMANDS : CONFIRM_COMMANDS, name);
				if (command === 'cancel') cancel();
				else if (command) handlers.submit();
				else if (typing) dispatch({type: 'edit', typed: text, backspace: name === 'backspace'});
				return;
			}
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
