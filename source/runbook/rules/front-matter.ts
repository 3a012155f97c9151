// `misplaced-front-matter`: front matter that is not on line 1 is not front
// matter to Markdown. It becomes a horizontal rule and a heading, which then
// is a step named "title: …", and the real title and inputs are lost without
// a word. Found on the Markdown tree, so a YAML example in a code block is
// never taken for it.

import {toString} from 'mdast-util-to-string';
import {FRONT_MATTER_KEYS} from '../front-matter.js';
import type {LintContext} from './context.js';

export const misplacedFrontMatter = (ctx: LintContext) => {
	// Front matter on line 1 was read by the parser, which reports its own problems.
	if (ctx.lines[0]?.trimEnd() === '---') return;
	// The parser's tree: without front matter on line 1 it is the tree plain GFM gives.
	const nodes = ctx.tree.children;
	for (let i = 0; i + 1 < nodes.length; i++) {
		const rule = nodes[i]!;
		const next = nodes[i + 1]!;
		if (rule.type !== 'thematicBreak' || (next.type !== 'paragraph' && next.type !== 'heading')) continue;
		const firstLine = toString(next).split('\n')[0] ?? '';
		if (!FRONT_MATTER_KEYS.some(key => firstLine.startsWith(`${key}:`))) continue;
		ctx.report(
			{line: rule.position?.start.line ?? 1, column: rule.position?.start.column ?? 1},
			'error',
			'misplaced-front-matter',
			'this looks like front matter, but front matter must start on line 1 with nothing before it (not even a blank line); here it is read as Markdown',
		);
		return;
	}
};
