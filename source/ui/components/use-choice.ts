// A choice's one owner of key presses: the table's commands first, then the
// items' own keys. The latest state is read at once (keys typed ahead act on
// the selection the previous key left).

import {useKeypress} from '../use-keypress.js';
import {useRefReducer} from '../use-ref-reducer.js';
import {resolveCommand} from '../commands.js';
import {CHOICE_COMMANDS} from './choice-commands.js';

export interface ChoiceState {
	selected: number;
	help: boolean;
}

type ChoiceAction = {type: 'select'; index: number; count: number} | {type: 'help'; open: boolean};

const choiceReducer = (state: ChoiceState, action: ChoiceAction): ChoiceState => {
	switch (action.type) {
		case 'select':
			return {...state, selected: Math.max(0, Math.min(action.count - 1, action.index))};
		case 'help':
			return {...state, help: action.open};
	}
};

export const useChoice = <V extends string>(items: ReadonlyArray<{value: V; key: string}>, onPick: (value: V) => void, onBack: () => void): ChoiceState => {
	const [state, dispatch, get] = useRefReducer(choiceReducer, {selected: 0, help: false});
	useKeypress(({name}) => {
		const {selected, help} = get();
		if (help) return dispatch({type: 'help', open: false});
		switch (resolveCommand(CHOICE_COMMANDS, name)) {
			case 'up':
				return dispatch({type: 'select', index: selected - 1, count: items.length});
			case 'down':
				return dispatch({type: 'select', index: selected + 1, count: items.length});
			case 'pick':
				return onPick(items[selected]!.value);
			case 'back':
				return onBack();
			case 'help':
				return dispatch({type: 'help', open: true});
			case undefined: {
				const item = items.find(i => i.key === name);
				if (item) onPick(item.value);
			}
		}
	});
	return state;
};
