// The environment a block runs with: the operator's own, without Rampart's
// variables, plus the inputs. Secret inputs go only to blocks that name them.

import type {CodeBlock, InputSpec} from '../runbook/model.js';

/** True when the code expands `name` itself: `$NAME`, `${NAME...}`, `${#NAME}`, not `$NAME_OTHER`. */
const mentions = (code: string, name: string): boolean => {
	const nameChar = /[A-Za-z0-9_]/;
	for (const prefix of ['$', '${', '${#', '${!']) {
		let at = code.indexOf(prefix + name);
		while (at !== -1) {
			const after = code[at + prefix.length + name.length];
			if (after === undefined || !nameChar.test(after)) return true;
			at = code.indexOf(prefix + name, at + 1);
		}
	}
	return false;
};

export const blockEnvironment = (
	base: NodeJS.ProcessEnv,
	inputs: readonly InputSpec[],
	values: Record<string, string>,
	block: Pick<CodeBlock, 'code'>,
): Record<string, string> => {
	const env: Record<string, string> = {};
	for (const [key, value] of Object.entries(base)) {
		if (value === undefined || key.startsWith('RAMPART_')) continue;
		env[key] = value;
	}
	for (const spec of inputs) {
		const value = values[spec.name];
		if (value === undefined) continue;
		if (spec.type === 'secret' && !mentions(block.code, spec.name)) continue;
		env[spec.name] = value;
	}
	return env;
};
