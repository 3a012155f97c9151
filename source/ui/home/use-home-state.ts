// The home list: runbooks in urgency order, filtered as the operator types.

import type {RunbookRow} from '../../engine/runbook-list.js';
import {editText} from '../components/text-field.js';

const URGENCY: Record<RunbookRow['state'], number> = {overdue: 0, 'in-progress': 1, due: 2, 'never-run': 3, done: 4};

/** Overdue first, then runs to finish, then what is due; by title within each. */
export const sortRows = (rows: readonly RunbookRow[]): RunbookRow[] =>
	[...rows].sort((a, b) => {
		const ua = a.problem ? 9 : URGENCY[a.state];
		const ub = b.problem ? 9 : URGENCY[b.state];
		return ua - ub || a.title.localeCompare(b.title);
	});

/** Every word of the filter must appear in the id, title, summary or tags. */
export const filterRows = (rows: readonly RunbookRow[], filter: string): RunbookRow[] => {
	const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
	if (words.length === 0) return [...rows];
	return rows.filter(row => {
		const text = [row.id, row.title, row.summary, ...row.tags].join(' ').toLowerCase();
		return words.every(w => text.includes(w));
	});
};

export interface HomeState {
	rows: RunbookRow[];
	filter: string;
	selected: number;
	help: boolean;
}

export type HomeAction =
	| {type: 'rows'; rows: readonly RunbookRow[]}
	| {type: 'type'; text?: string; backspace?: boolean}
	| {type: 'clear'}
	| {type: 'move'; by: number}
	| {type: 'help'; open: boolean};

export const visibleRows = (state: HomeState): RunbookRow[] => filterRows(state.rows, state.filter);

export const initialHome = (rows: readonly RunbookRow[]): HomeState => ({rows: sortRows(rows), filter: '', selected: 0, help: false});

export const homeReducer = (state: HomeState, action: HomeAction): HomeState => {
	switch (action.type) {
		case 'rows':
			return {...state, rows: sortRows(action.rows), selected: 0};
		case 'type': {
			const filter = editText(state.filter, action.text, action.backspace === true);
			return filter === state.filter ? state : {...state, filter, selected: 0};
		}
		case 'clear':
			return {...state, filter: '', selected: 0};
		case 'move': {
			const count = visibleRows(state).length;
			const selected = Math.max(0, Math.min(count - 1, state.selected + action.by));
			return selected === state.selected ? state : {...state, selected};
		}
		case 'help':
			return {...state, help: action.open};
	}
};
