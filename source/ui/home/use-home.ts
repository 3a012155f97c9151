// The home screen's one owner of key presses.

import {useKeypress} from '../use-keypress.js';
import {resolveCommand} from '../commands.js';
import {HOME_COMMANDS} from './home-commands.js';
import {visibleRows, type HomeAction, type HomeState} from './use-home-state.js';
import type {RunbookRow} from '../../engine/runbook-list.js';

export const useHome = (get: () => HomeState, dispatch: (action: HomeAction) => void, onOpen: (row: RunbookRow) => void, onQuit: () => void) => {
	useKeypress(({name, text}) => {
		const state = get();
		if (state.help) {
			dispatch({type: 'help', open: false});
			return;
		}
		const typing = state.filter !== '';
		const command = resolveCommand(HOME_COMMANDS, name);
		if (command && !(typing && (name === 'q' || name === '?'))) {
			switch (command) {
				case 'open': {
					const row = visibleRows(state)[state.selected];
					if (row) onOpen(row);
					return;
				}
				case 'up':
					return dispatch({type: 'move', by: -1});
				case 'down':
					return dispatch({type: 'move', by: 1});
				case 'clear':
					return dispatch({type: 'clear'});
				case 'help':
					return dispatch({type: 'help', open: true});
				case 'quit':
					return onQuit();
			}
		}
		dispatch({type: 'type', text, backspace: name === 'backspace'});
	});
};
