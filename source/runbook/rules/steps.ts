// Rules about steps as a whole: that there are some, that their ids are
// unique, and that verify and rollback blocks have something to act on.

import {toString} from 'mdast-util-to-string';
import {slug} from 'github-slugger';
import type {Nodes, RootContent} from 'mdast';
import type {Step} from '../model.js';
import {stepBodies, type LintContext} from './context.js';

export const noSteps = (ctx: LintContext) => {
	if (ctx.runbook.steps.length > 0) return;
	ctx.report({line: 1, column: 1}, 'error', 'no-steps', 'the runbook has no steps: each step starts with a level-2 heading (## Step title)');
};

export const stepTitles = (ctx: LintContext) => {
	const first = new Map<string, Step>();
	for (const step of ctx.runbook.steps) {
		if (step.title === '') {
			ctx.report(step.position, 'error', 'empty-step-title', 'this step heading has no text: write the step title after ##');
			continue;
		}
		// The parser already made the ids unique by numbering them; compare what the titles give.
		const id = slug(step.title);
		const earlier = first.get(id);
		if (earlier) {
			const same = earlier.title === step.title ? 'the same title as' : `the same id ("${id}") as`;
			ctx.report(
				step.position,
				'error',
				'duplicate-step',
				`step "${step.title}" has ${same} the step on line ${earlier.position.line}: step ids name steps in run records, so each must be unique`,
			);
		} else first.set(id, step);
	}
};

/** True if the step's body has text for the operator besides code and task items. */
const hasProse = (body: readonly RootContent[]): boolean => {
	const visit = (node: Nodes): boolean => {
		if (node.type === 'code' || node.type === 'html') return false;
		if (node.type === 'listItem' && typeof node.checked === 'boolean') return false;
		if (node.type === 'paragraph' || node.type === 'heading' || node.type === 'table') return toString(node).trim() !== '';
		return 'children' in node && node.children.some(child => visit(child as Nodes));
	};
	return body.some(visit);
};

export const verifyAndRollback = (ctx: LintContext) => {
	let bodies: RootContent[][] | undefined;
	for (const step of ctx.runbook.steps) {
		const runnable = step.blocks.filter(block => block.runnable);
		const runs = runnable.some(block => block.role === 'run');
		const checks = runnable.some(block => block.role === 'check');
		const tasks = step.tasks.length > 0;
		if (runs || tasks) continue;
		let prose: boolean | undefined;
		for (const block of runnable) {
			if (block.role === 'rollback') {
				ctx.report(block.position, 'error', 'nothing-to-undo', 'this rollback block has nothing to undo: the step has no run block and no task items');
			} else if (block.role === 'verify') {
				if (checks) {
					ctx.report(
						block.position,
						'error',
						'nothing-to-verify',
						'this verify block has nothing to verify: the step only has check blocks (an audit step); make it a check, or add the run block or task items it verifies',
					);
					continue;
				}
				// A prose-only step is a manual step the operator acknowledges; a verify proves it.
				bodies ??= stepBodies(ctx.tree);
				prose ??= hasProse(bodies[step.index] ?? []);
				if (!prose) {
					ctx.report(
						block.position,
						'error',
						'nothing-to-verify',
						'this verify block has nothing to verify: the step has no run block, no task items and no text telling the operator what to do',
					);
				}
			}
		}
	}
};
