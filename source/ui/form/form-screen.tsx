// The inputs of a runbook about to run (or the secrets of a resumed run),
// then the review. Its own module so that the input rules load with it, when
// a runbook is opened, not with the home screen.

import type {Runbook} from '../../runbook/model.js';
import type {RunSummary} from '../../engine/run-catalog.js';
import {resolveDefault} from '../../runbook/inputs.js';
import {useRefReducer} from '../use-ref-reducer.js';
import {useTerminalSize} from '../use-terminal-size.js';
import {formReducer, initialForm} from './use-form-state.js';
import {useForm} from './use-form.js';
import {FormView} from './form-view.js';

export interface FormScreenProps {
	runbook: Runbook;
	given: Record<string, string>;
	resume?: RunSummary;
	env: NodeJS.ProcessEnv;
	/** What the run controller found wrong with the values last given, if anything. */
	problem?: string;
	/** Starts with these values. */
	onStart: (values: Record<string, string>) => void;
	onBack: () => void;
	onQuit: () => void;
}

export const FormScreen = (props: FormScreenProps) => {
	const {runbook, given, resume, env} = props;
	const fields = resume ? runbook.meta.inputs.filter(i => i.type === 'secret') : runbook.meta.inputs;
	const [state, dispatch, get] = useRefReducer(formReducer, () =>
		initialForm(fields, Object.fromEntries(fields.map(f => [f.name, given[f.name] ?? resolveDefault(f, env) ?? '']))),
	);
	const {columns, rows} = useTerminalSize();
	useForm({
		get,
		dispatch,
		onStart: () => props.onStart(get().values),
		onBack: props.onBack,
		onQuit: props.onQuit,
	});
	return <FormView runbook={runbook} state={state} fixed={resume?.state.inputs} columns={columns} rows={rows} resuming={Boolean(resume)} problem={props.problem} />;
};
