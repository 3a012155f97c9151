// The form's one owner of key presses: printable keys type into the field.

import {useKeypress} from '../use-keypress.js';
import {resolveCommand} from '../commands.js';
import {FORM_COMMANDS, REVIEW_COMMANDS} from './form-commands.js';
import type {FormAction, FormState} from './use-form-state.js';

export interface FormHandlers {
	get: () => FormState;
	dispatch: (action: FormAction) => void;
	/** Review accepted: start with these values. */
	onStart: () => void;
	onBack: () => void;
	onQuit: () => void;
}

export const useForm = ({get, dispatch, onStart, onBack, onQuit}: FormHandlers) => {
	useKeypress(({name, text}) => {
		const state = get();
		if (state.phase === 'help') return dispatch({type: 'phase', phase: 'edit'});
		if (state.phase === 'review') {
			switch (resolveCommand(REVIEW_COMMANDS, name)) {
				case 'start':
					return onStart();
				case 'edit':
					return state.fields.length === 0 ? onBack() : dispatch({type: 'phase', phase: 'edit'});
				case 'quit':
					return onQuit();
				default:
					return;
			}
		}
		// `?` shows the keys on an empty field; anywhere else it is typed.
		const spec = state.fields[state.focus];
		if (name === '?' && spec && (state.values[spec.name] ?? '') === '') return dispatch({type: 'phase', phase: 'help'});
		switch (resolveCommand(FORM_COMMANDS, name)) {
			case 'next':
				return dispatch({type: 'submit'});
			case 'prev':
				return dispatch({type: 'move', by: -1});
			case 'down':
				return dispatch({type: 'move', by: 1});
			case 'cycle-back':
				return dispatch({type: 'cycle', by: -1});
			case 'cycle':
				return dispatch({type: 'cycle', by: 1});
			case 'back':
				return onBack();
			case 'quit':
				return onQuit();
			default:
				return dispatch({type: 'type', text, backspace: name === 'backspace'});
		}
	});
};
