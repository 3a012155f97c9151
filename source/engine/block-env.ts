// The environment a block runs with: the operator's own, without Rampart's
// variables, plus the inputs. Secret inputs go only to blocks that may read
// them, as runbook/shell-vars.ts's blockVariables decides (the same analysis
// lint uses): a block gets a secret when its code expands it ("$S", ${S},
// ${S:-x}, in $(…), in an unquoted heredoc, in arithmetic); every secret when
// it may read a variable by a name made at run time (eval, source or `.`,
// ${!name}, declare -n, printenv "$x"); and, when it lists the environment
// (env, printenv, export -p, set, compgen -v), the secrets it names. A name
// only in single quotes, a comment or after a backslash is not a use.

import type {CodeBlock, InputSpec} from '../runbook/model.js';
import {blockVariables, type BlockVariables} from '../runbook/shell-vars.js';

/**
 * The operator's environment without Rampart's own variables, as a plain
 * object: made once per run, since reading process.env (a view of the C
 * environment, one lookup per name) costs about half a millisecond a block.
 */
export const baseEnvironment = (env: NodeJS.ProcessEnv): Readonly<Record<string, string>> => {
	const base: Record<string, string> = {};
	for (const [key, value] of Object.entries(env)) {
		if (value === undefined || key.startsWith('RAMPART_')) continue;
		base[key] = value;
	}
	return base;
};

export const blockEnvironment = (
	base: Readonly<Record<string, string>>,
	inputs: readonly InputSpec[],
	values: Record<string, string>,
	block: Pick<CodeBlock, 'code'>,
): Record<string, string> => {
	const env: Record<string, string> = {...base};
	let variables: BlockVariables | undefined;
	for (const spec of inputs) {
		const value = values[spec.name];
		if (value === undefined) continue;
		if (spec.type === 'secret' && !(variables ??= blockVariables(block.code)).mayRead(spec.name)) continue;
		env[spec.name] = value;
	}
	return env;
};
