// What the fleet view shows besides the hosts' runs: the cursor (a host and
// a step), which hosts are selected, the open prompt and the last message.
// The runs' states are the engine's; this reducer never decides what a run
// may do.

import type {Confirmation} from '../../engine/run-session.js';
import {promptReducer, type Message, type PromptAction} from '../run/use-run-state.js';

export type FleetQuestion = 'quit' | 'rollback' | 'tick-all';

export type FleetMode =
	| {kind: 'browse'}
	/** Before a step's blocks run on the hosts: one key, then each confirm word typed once for all of them. */
	| {kind: 'confirm'; step: string; hosts: string[]; words: Confirmation[]; index: number; typed: string; rerun: string[]}
	| {kind: 'text'; purpose: 'skip'; step: string; host: string; value: string}
	| {kind: 'ask'; question: FleetQuestion; step?: string; hosts: string[]}
	| {kind: 'help'};

export interface FleetUiState {
	/** The host under the cursor: its output is shown, r/s/b act on it. */
	host: number;
	/** The step under the cursor: Enter runs it. */
	step: number;
	/** Hosts Enter runs the step on (by name). */
	selected: ReadonlySet<string>;
	mode: FleetMode;
	message?: Message;
}

export type FleetAction =
	| {type: 'host'; by: number; count: number; wrap?: boolean}
	| {type: 'step'; by: number; count: number}
	| {type: 'go-step'; index: number}
	| {type: 'toggle'; host: string}
	| {type: 'toggle-all'; hosts: readonly string[]}
	| PromptAction<FleetMode>;

/** Every reachable host selected: the common case is "this step, everywhere". */
export const initialFleetUi = (reached: readonly string[], step = 0): FleetUiState => ({host: 0, step, selected: new Set(reached), mode: {kind: 'browse'}});

const clamp = (value: number, count: number) => Math.max(0, Math.min(count - 1, value));

export const fleetUiReducer = (state: FleetUiState, action: FleetAction): FleetUiState => {
	switch (action.type) {
		case 'host': {
			const moved = state.host + action.by;
			const host = action.wrap ? ((moved % action.count) + action.count) % action.count : clamp(moved, action.count);
			return host === state.host ? state : {...state, host};
		}
		case 'step': {
			const step = clamp(state.step + action.by, action.count);
			return step === state.step ? state : {...state, step};
		}
		case 'go-step':
			return action.index === state.step ? state : {...state, step: action.index};
		case 'toggle': {
			const selected = new Set(state.selected);
			if (!selected.delete(action.host)) selected.add(action.host);
			return {...state, selected};
		}
		case 'toggle-all':
			// All selected: select none; otherwise all.
			return {...state, selected: action.hosts.every(h => state.selected.has(h)) ? new Set() : new Set(action.hosts)};
		case 'mode':
		case 'message':
		case 'edit':
		case 'confirm-next':
			return promptReducer(state, action);
	}
};
