// `undeclared-variable`: a block uses a variable nothing gives it. Under
// `set -u` that fails only at run time, halfway through a step; here it is
// found before anything runs. What a block uses is decided by blockVariables,
// as is which secret inputs the block is given (engine/block-env.ts), so lint
// and the engine cannot disagree about it.

import {blockVariables, isCommonVariable, type BlockVariables} from '../shell-vars.js';
import type {CodeBlock} from '../model.js';
import {codePositions, likelyMeant, type LintContext} from './context.js';

export const undeclaredVariables = (ctx: LintContext) => {
	const inputs = new Set(ctx.runbook.meta.inputs.map(input => input.name));
	const scanned: Array<{block: CodeBlock; vars: BlockVariables}> = [];
	for (const step of ctx.runbook.steps) {
		for (const block of step.blocks) if (block.runnable) scanned.push({block, vars: blockVariables(block.code)});
	}
	for (const {block, vars} of scanned) {
		const known = [...inputs, ...vars.assigned];
		const position = codePositions(ctx, block);
		const reported = new Set<string>();
		for (const use of vars.uses) {
			const {name} = use;
			if (inputs.has(name) || vars.assigned.has(name) || isCommonVariable(name) || reported.has(name)) continue;
			// One report per name and block: the first use is where to look.
			reported.add(name);
			const guess = likelyMeant(name, known);
			// A sourced file (/etc/os-release, say) may set anything: report only likely typos.
			if (vars.dynamic && !guess) continue;
			const elsewhere = scanned.find(other => other.block !== block && other.vars.assigned.has(name));
			let hint: string;
			if (guess) hint = `did you mean $${guess}?`;
			else if (elsewhere) {
				hint = `it is set in the block on line ${elsewhere.block.position.line}, but each block runs in its own bash process: set it again here`;
			} else hint = 'declare it as an input, or set it in this block';
			ctx.report(
				position(use.line, use.column),
				'error',
				'undeclared-variable',
				`$${name} is not set: it is not an input, not set in this block and not a common environment variable; ${hint}`,
			);
		}
	}
};
