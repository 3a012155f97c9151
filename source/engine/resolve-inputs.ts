// Turns what the operator gave (flags, files, environment, a form) into the
// validated values commands will see. Nothing runs unless every value passes.

import type {Runbook} from '../runbook/model.js';
import {resolveDefault, validateInputValue} from '../runbook/inputs.js';

export interface InputProblem {
	input: string;
	message: string;
}

export interface ResolvedInputs {
	values: Record<string, string>;
	problems: InputProblem[];
}

export const resolveInputs = (runbook: Runbook, given: Record<string, string>, env: NodeJS.ProcessEnv = process.env): ResolvedInputs => {
	const values: Record<string, string> = {};
	const problems: InputProblem[] = [];
	const known = new Set(runbook.meta.inputs.map(i => i.name));
	for (const name of Object.keys(given)) {
		if (!known.has(name)) {
			const takes = known.size ? `it takes: ${[...known].join(', ')}` : 'it takes no inputs';
			problems.push({input: name, message: `is not an input of ${runbook.id} (${takes})`});
		}
	}
	for (const spec of runbook.meta.inputs) {
		const raw = given[spec.name] ?? resolveDefault(spec, env) ?? '';
		const check = validateInputValue(spec, raw);
		if (check.ok) values[spec.name] = check.value;
		else problems.push({input: spec.name, message: check.message});
	}
	return {values, problems};
};
