// Turns what the operator gave (flags, files, environment, a form) into the
// validated values commands will see. Nothing runs unless every value passes,
// each within its size limit and all of them within the total.

import type {Runbook} from '../runbook/model.js';
import {MAX_INPUT_TOTAL_BYTES, resolveDefault, validateInputValue} from '../runbook/inputs.js';

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
	// Each value fits (validateInputValue); all of them must fit in one environment too.
	const sizes = Object.entries(values).map(([name, value]) => ({name, bytes: Buffer.byteLength(value, 'utf8')}));
	const total = sizes.reduce((sum, size) => sum + size.bytes, 0);
	if (total > MAX_INPUT_TOTAL_BYTES) {
		const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
		problems.push({
			input: largest.name,
			message: `is ${largest.bytes} bytes, and all values together are ${total} bytes; the input values of a run may be at most ${MAX_INPUT_TOTAL_BYTES} bytes (256 KiB) together`,
		});
	}
	return {values, problems};
};
