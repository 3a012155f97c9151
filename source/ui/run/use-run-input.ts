// The run screen's one owner of key presses: it reads the latest UI state
// (not the last render's), turns the key into a command of the current
// mode's table and calls the matching action.

import {useKeypress} from '../use-keypress.js';
import {resolveCommand} from '../commands.js';
import {RUN_COMMANDS, type RunCommand} from './run-commands.js';
import type {RunAction, RunUiState} from './use-run-state.js';

export interface RunInputHandlers {
	get: () => RunUiState;
	dispatch: (action: RunAction) => void;
	available: () => ReadonlySet<RunCommand>;
	command: (command: RunCommand) => void;
	/** Enter in a prompt (confirm word, reason, note). */
	submit: () => void;
	answer: (yes: boolean) => void;
	/** Ctrl-C: stop the command, or ask before leaving. */
	interrupt: () => void;
	logPage: () => number;
	/** While a block has the terminal, Rampart reads no keys. */
	suspended: boolean;
}

export const useRunInput = (handlers: RunInputHandlers) => {
	useKeypress(
		({name, text}) => {
			const ui = handlers.get();
			const mode = ui.mode;
			if (name === 'ctrl+c' && mode.kind !== 'ask') {
				handlers.interrupt();
				return;
			}
			switch (mode.kind) {
				case 'help':
					handlers.dispatch({type: 'mode', mode: {kind: 'browse'}});
					return;
				case 'ask':
					if (name === 'y' || name === 'Y' || name === 'ctrl+c') handlers.answer(true);
					else if (name === 'n' || name === 'N' || name === 'esc' || name === 'q') handlers.answer(false);
					return;
				case 'confirm':
				case 'text':
					if (name === 'esc') {
						handlers.dispatch({type: 'mode', mode: {kind: 'browse'}});
						handlers.dispatch({type: 'message', message: {tone: 'info', text: 'Cancelled; nothing was run or recorded.'}});
					} else if (name === 'enter' || (mode.kind === 'confirm' && mode.index < 0 && (name === 'y' || name === 'Y'))) handlers.submit();
					else if (mode.kind === 'text' || mode.index >= 0) {
						handlers.dispatch({type: 'edit', typed: text, backspace: name === 'backspace'});
					}
					return;
				case 'log': {
					const page = handlers.logPage();
					const by = {up: -1, k: -1, down: 1, j: 1, pgup: -page, pgdn: page, space: page, home: -Infinity, g: -Infinity, end: Infinity, G: Infinity}[name ?? ''];
					if (by !== undefined) handlers.dispatch({type: 'log-scroll', by, page});
					else if (name === 'esc' || name === 'q' || name === 'l') handlers.dispatch({type: 'mode', mode: {kind: 'browse'}});
					return;
				}
				case 'browse': {
					const command = resolveCommand(RUN_COMMANDS, name, handlers.available());
					if (command) handlers.command(command);
					return;
				}
			}
		},
		!handlers.suspended,
	);
};
