// Rules about single code blocks: blocks that look runnable but are only
// shown, attributes that have no effect, and attributes that contradict the
// block's role.

import {BLOCK_ATTRIBUTES} from '../parse.js';
import type {CodeBlock, Position} from '../model.js';
import {isFenced, likelyMeant, type LintContext} from './context.js';

/** Languages that look like shell to an author but that Rampart shows and never runs. */
export const SHELL_LIKE_LANGS: ReadonlySet<string> = new Set([
	'shell',
	'console',
	'zsh',
	'ksh',
	'fish',
	'dash',
	'csh',
	'tcsh',
	'shell-session',
	'shellsession',
	'sh-session',
	'bash-session',
	'terminal',
	'ps',
	'ps1',
	'powershell',
	'pwsh',
	'cmd',
	'bat',
	'batch',
]);

const fence = (block: CodeBlock): string => `\`\`\`${block.lang}`;

/** The column of `text` on the block's fence line, or the fence's own position. */
const onFence = (ctx: LintContext, block: CodeBlock, text: string): Position => {
	const line = ctx.lines[block.position.line - 1] ?? '';
	const index = line.indexOf(text, block.position.column - 1);
	return index === -1 ? block.position : {line: block.position.line, column: index + 1};
};

export const shownBlocks = (ctx: LintContext) => {
	for (const step of ctx.runbook.steps) {
		for (const block of step.blocks) {
			if (block.runnable) continue;
			if (!isFenced(block)) {
				ctx.report(
					block.position,
					'warning',
					'no-language',
					'an indented code block is shown, not run: use a fenced block, ```sh or ```bash to run it, ```text to only show it',
				);
				continue;
			}
			if (block.lang === '') {
				ctx.report(
					block.position,
					'warning',
					'no-language',
					'this code block has no language, so it is shown, not run: write ```sh or ```bash if it should run, ```text if it should not',
				);
				continue;
			}
			if (block.lang.startsWith('{')) {
				ctx.report(
					block.position,
					'warning',
					'no-language',
					`this code block has attributes but no language, so they are ignored and it is shown, not run: write \`\`\`sh ${block.lang}`,
				);
				continue;
			}
			if (SHELL_LIKE_LANGS.has(block.lang)) {
				ctx.report(
					block.position,
					'warning',
					'non-runnable-shell',
					`${fence(block)} blocks are shown, not run: write \`\`\`sh or \`\`\`bash if it should run, \`\`\`text if it should not`,
				);
				continue;
			}
			const known = Object.keys(block.attributes).filter(key => (BLOCK_ATTRIBUTES as readonly string[]).includes(key));
			if (known.length > 0) {
				ctx.report(
					onFence(ctx, block, known[0]!),
					'warning',
					'attributes-on-shown-block',
					`${fence(block)} blocks are shown, not run, so ${known.join(', ')} ${known.length === 1 ? 'has' : 'have'} no effect: only sh and bash blocks run`,
				);
			}
		}
	}
};

export const runnableBlocks = (ctx: LintContext) => {
	const inputs = ctx.runbook.meta.inputs.map(input => input.name);
	for (const step of ctx.runbook.steps) {
		for (const block of step.blocks) {
			if (!block.runnable) continue;
			const confirm = block.attributes.confirm;
			if (typeof confirm === 'string' && !inputs.includes(confirm)) {
				const guess = likelyMeant(confirm, inputs);
				ctx.report(
					onFence(ctx, block, 'confirm='),
					'error',
					'confirm-unknown-input',
					`confirm=${confirm} names no input${guess ? ` (did you mean ${guess}?)` : ''}: confirm=NAME asks the operator to type the value of input NAME; write confirm alone to ask for a key press`,
				);
			}
			if (block.interactive && (block.role === 'check' || block.role === 'verify')) {
				ctx.report(
					onFence(ctx, block, 'interactive'),
					'warning',
					'interactive-role',
					`a ${block.role} block should not be interactive: checks and verifies also run in audit mode, unattended, and must only look`,
				);
			}
			if (block.finding && block.role !== 'check') {
				ctx.report(onFence(ctx, block, 'finding'), 'error', 'finding-role', `only a check block can be a finding: a failing ${block.role} block already fails its step`);
			} else if (block.finding && step.blocks.some(b => b.runnable && b.role === 'run')) {
				ctx.report(
					onFence(ctx, block, 'finding'),
					'error',
					'finding-with-run',
					'this step has run blocks, which are there to fix what its check finds: a failing check here means "run the step", not a finding; drop finding, or move the check to a step of its own',
				);
			}
			if (block.code.trim() === '') {
				ctx.report(block.position, 'warning', 'empty-block', `this ${block.lang} block has no code: it runs nothing`);
			}
		}
	}
};
