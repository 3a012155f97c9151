// The approve screen's one owner of key presses: scrolling the text under
// review, `?` help, back, and the approval, which counts only once the end
// of the text has been on screen (a press before that says so instead).

import {useKeypress} from '../use-keypress.js';
import {useRefReducer} from '../use-ref-reducer.js';
import {resolveCommand} from '../commands.js';
import {APPROVE_COMMANDS, type ApproveCommand} from './approve-commands.js';

export interface ApproveState {
	offset: number;
	/** The last line has been on screen (it stays seen when scrolling back). */
	seen: boolean;
	help: boolean;
	/** Approve was pressed before the end was seen. */
	early: boolean;
}

type ApproveAction = {type: 'scroll'; by: number; max: number} | {type: 'help'; open: boolean} | {type: 'early'};

const approveReducer = (state: ApproveState, action: ApproveAction): ApproveState => {
	switch (action.type) {
		case 'scroll': {
			const offset = Math.max(0, Math.min(action.max, state.offset + action.by));
			return {...state, offset, seen: state.seen || offset >= action.max};
		}
		case 'help':
			return {...state, help: action.open};
		case 'early':
			return {...state, early: true};
	}
};

export const seenEnd = (state: ApproveState, max: number): boolean => state.seen || state.offset >= max;

const SCROLL: Partial<Record<ApproveCommand, (page: number) => number>> = {
	up: () => -1,
	down: () => 1,
	'page-up': page => -page,
	'page-down': page => page,
	top: () => -Infinity,
	bottom: () => Infinity,
};

/** `max`: the largest first line (the text's length less a page). */
export const useApprove = (page: number, max: number, onApprove: () => void, onBack: () => void): ApproveState => {
	const [state, dispatch, get] = useRefReducer(approveReducer, {offset: 0, seen: false, help: false, early: false});
	useKeypress(({name}) => {
		const current = get();
		if (current.help) return dispatch({type: 'help', open: false});
		const command = resolveCommand(APPROVE_COMMANDS, name);
		switch (command) {
			case undefined:
				return;
			case 'approve':
				return seenEnd(current, max) ? onApprove() : dispatch({type: 'early'});
			case 'back':
				return onBack();
			case 'help':
				return dispatch({type: 'help', open: true});
			default:
				return dispatch({type: 'scroll', by: SCROLL[command]!(page), max});
		}
	});
	return state;
};
