// The input form: one field per input, checked by the same rules the engine
// uses (validateInputValue), then a review of every value before anything runs.

import type {InputSpec} from '../../runbook/model.js';
import {validateInputValue} from '../../runbook/inputs.js';
import {editText} from '../components/text-field.js';

export interface FormState {
	fields: InputSpec[];
	values: Record<string, string>;
	/** Messages for fields that were left (or submitted) with a bad value. */
	errors: Record<string, string | undefined>;
	focus: number;
	phase: 'edit' | 'review' | 'help';
}

export type FormAction =
	| {type: 'type'; text?: string; backspace?: boolean}
	| {type: 'move'; by: number}
	| {type: 'cycle'; by: number}
	| {type: 'submit'}
	| {type: 'phase'; phase: FormState['phase']}
	| {type: 'errors'; errors: Record<string, string>};

export const initialForm = (fields: InputSpec[], values: Record<string, string>): FormState => ({
	fields,
	values: Object.fromEntries(fields.map(f => [f.name, values[f.name] ?? ''])),
	errors: {},
	focus: 0,
	phase: fields.length === 0 ? 'review' : 'edit',
});

/** Values an enum or boolean field can cycle through with ←/→. */
export const choicesOf = (spec: InputSpec): string[] | undefined => (spec.type === 'enum' ? (spec.values ?? []) : spec.type === 'boolean' ? ['yes', 'no'] : undefined);

const check = (state: FormState, index: number): string | undefined => {
	const spec = state.fields[index];
	if (!spec) return undefined;
	const result = validateInputValue(spec, state.values[spec.name] ?? '');
	return result.ok ? undefined : result.message;
};

const withError = (state: FormState, index: number): FormState => {
	const spec = state.fields[index]!;
	return {...state, errors: {...state.errors, [spec.name]: check(state, index)}};
};

export const formReducer = (state: FormState, action: FormAction): FormState => {
	switch (action.type) {
		case 'type': {
			const spec = state.fields[state.focus];
			if (!spec || state.phase !== 'edit') return state;
			const value = editText(state.values[spec.name] ?? '', action.text, action.backspace === true);
			const next = {...state, values: {...state.values, [spec.name]: value}};
			// Once a field has shown an error, it follows the typing so the operator sees it go.
			return state.errors[spec.name] ? withError(next, state.focus) : next;
		}
		case 'cycle': {
			const spec = state.fields[state.focus];
			const choices = spec && choicesOf(spec);
			if (!spec || !choices || choices.length === 0) return state;
			const at = choices.indexOf(state.values[spec.name] ?? '');
			const value = choices[(at + action.by + choices.length) % choices.length]!;
			return withError({...state, values: {...state.values, [spec.name]: value}}, state.focus);
		}
		case 'move': {
			const focus = Math.max(0, Math.min(state.fields.length - 1, state.focus + action.by));
			if (focus === state.focus) return state;
			return {...withError(state, state.focus), focus};
		}
		case 'submit': {
			const checked = withError(state, state.focus);
			if (checked.errors[state.fields[state.focus]!.name]) return checked;
			if (state.focus < state.fields.length - 1) return {...checked, focus: state.focus + 1};
			// Last field: every field must pass before the review.
			const bad = state.fields.findIndex((_, i) => check(state, i) !== undefined);
			if (bad !== -1) return {...state.fields.reduce((s, _, i) => withError(s, i), checked), focus: bad};
			return {...checked, phase: 'review'};
		}
		case 'phase':
			return {...state, phase: action.phase};
		case 'errors': {
			const bad = state.fields.findIndex(f => action.errors[f.name]);
			return {...state, errors: {...state.errors, ...action.errors}, phase: 'edit', focus: bad === -1 ? state.focus : bad};
		}
	}
};
