// What the run screen shows besides the run itself: which step is selected,
// which prompt is open, the last message. The run's state is the engine's;
// this reducer never decides what the run may do.

import type {Confirmation} from '../../engine/run-session.js';
import {editText} from '../components/text-field.js';
import type {LogDocument} from '../../output/log-document.js';
import type {LogViewState} from './log-position.js';

export type Tone = 'info' | 'success' | 'warning' | 'danger';

export interface Message {
	tone: Tone;
	text: string;
}

export type Question = 'quit' | 'rollback-step' | 'rollback-run' | 'finish-stopped' | 'rerun-interrupted';

export type RunMode =
	| {kind: 'browse'}
	/** Before a step's blocks run: one key, then each confirm word typed in turn. */
	| {kind: 'confirm'; step: string; words: Confirmation[]; index: number; typed: string}
	| {kind: 'text'; purpose: 'skip' | 'note'; step: string; value: string}
	| {kind: 'ask'; question: Question; step?: string}
	/** A step's full log, read from its files as it is shown. */
	| {kind: 'log'; step: string; doc: LogDocument; view: LogViewState}
	| {kind: 'help'};

export type LogMode = Extract<RunMode, {kind: 'log'}>;

export interface RunUiState {
	selected: number;
	/** First line of the step's text shown (PgUp/PgDn). */
	scroll: number;
	mode: RunMode;
	message?: Message;
}

export type RunAction =
	| {type: 'select'; index: number}
	| {type: 'move'; by: number; count: number}
	| {type: 'scroll'; by: number}
	| {type: 'mode'; mode: RunMode}
	| {type: 'message'; message?: Message}
	| {type: 'edit'; typed?: string; backspace?: boolean}
	| {type: 'confirm-next'}
	| {type: 'log-view'; view: LogViewState};

/** What every screen with prompts does alike: the open mode, the last message, typing into the prompt. */
export type PromptAction<M> =
	{type: 'mode'; mode: M} | {type: 'message'; message?: Message} | {type: 'edit'; typed?: string; backspace?: boolean} | {type: 'confirm-next'};

/** Moving a prompt on: a `text` mode's value typed, a `confirm` mode's word typed or the next word asked. */
const promptStep = <M extends {kind: string}>(mode: M, action: PromptAction<M>): M => {
	const m = mode as {kind: string; value?: string; index?: number; typed?: string};
	if (action.type === 'confirm-next') return m.kind === 'confirm' ? {...mode, index: m.index! + 1, typed: ''} : mode;
	if (action.type !== 'edit') return mode;
	if (m.kind === 'text') return {...mode, value: editText(m.value!, action.typed, action.backspace === true)};
	if (m.kind === 'confirm' && m.index! >= 0) return {...mode, typed: editText(m.typed!, action.typed, action.backspace === true)};
	return mode;
};

export const promptReducer = <M extends {kind: string}, S extends {mode: M; message?: Message}>(state: S, action: PromptAction<M>): S => {
	if (action.type === 'mode') return {...state, mode: action.mode};
	if (action.type === 'message') return {...state, message: action.message};
	const mode = promptStep(state.mode, action);
	return mode === state.mode ? state : {...state, mode};
};

export const initialRunUi = (selected: number): RunUiState => ({selected, scroll: 0, mode: {kind: 'browse'}});

export const runUiReducer = (state: RunUiState, action: RunAction): RunUiState => {
	switch (action.type) {
		case 'select':
			return state.selected === action.index ? state : {...state, selected: action.index, scroll: 0};
		case 'move': {
			const selected = Math.max(0, Math.min(action.count - 1, state.selected + action.by));
			return selected === state.selected ? state : {...state, selected, scroll: 0};
		}
		case 'scroll':
			return {...state, scroll: Math.max(0, state.scroll + action.by)};
		case 'mode':
		case 'message':
		case 'edit':
		case 'confirm-next':
			return promptReducer(state, action);
		case 'log-view':
			return state.mode.kind === 'log' ? {...state, mode: {...state.mode, view: action.view}} : state;
		default:
			return state;
	}
};
