// The fleet view's keys, by mode: the one key owner (the app's KeyRouter)
// hands each press here; the open mode's command table names it, and the
// fleet's actions do it.

import {resolveCommand} from '../commands.js';
import {useKeypress} from '../use-keypress.js';
import {ASK_COMMANDS, CONFIRM_COMMANDS, TEXT_COMMANDS} from '../run/run-commands.js';
import {FLEET_COMMANDS, type FleetCommand} from './fleet-commands.js';
import type {FleetActions} from './use-fleet-actions.js';
import type {FleetAction, FleetUiState} from './use-fleet-state.js';

export interface FleetInputHandlers extends FleetActions {
	get: () => FleetUiState;
	dispatch: (action: FleetAction) => void;
	available: () => ReadonlySet<FleetCommand>;
}

export const useFleetInput = (handlers: FleetInputHandlers) => {
	const {get, dispatch} = handlers;
	useKeypress(({name, text}) => {
		const mode = get().mode;
		// Ctrl-C always reaches the running commands first; asked "leave?", it says yes.
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
				if (command === 'cancel') {
					dispatch({type: 'mode', mode: {kind: 'browse'}});
					dispatch({type: 'message', message: {tone: 'info', text: 'Cancelled; nothing was run or recorded.'}});
				} else if (command) handlers.submit();
				else if (typing) dispatch({type: 'edit', typed: text, backspace: name === 'backspace'});
				return;
			}
			case 'browse': {
				const command = resolveCommand(FLEET_COMMANDS, name, handlers.available());
				if (command) handlers.command(command);
				return;
			}
		}
	});
};
