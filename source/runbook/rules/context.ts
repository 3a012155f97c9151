// What every lint rule gets: the runbook, its source lines, and a way to
// report. Also where a position inside a block's code is in the file.

import {closest, distance} from 'fastest-levenshtein';
import type {Root, RootContent} from 'mdast';
import type {CodeBlock, Diagnostic, Position, Runbook, Severity} from '../model.js';

export interface LintContext {
	runbook: Runbook;
	/** The runbook's source, split into lines (index 0 is line 1). */
	lines: string[];
	/** The Markdown tree the parser read it from: rules look at it, never parse again. */
	tree: Root;
	report(at: Position, severity: Severity, rule: string, message: string): void;
}

export type Rule = (ctx: LintContext) => void;

export const createContext = (file: string, runbook: Runbook, tree: Root, diagnostics: Diagnostic[]): LintContext => ({
	runbook,
	lines: runbook.source.split('\n'),
	tree,
	report(at, severity, rule, message) {
		diagnostics.push({file, line: at.line, column: at.column, severity, rule, message});
	},
});

/** Each step's body (the nodes below its heading), in step order, split as the parser splits them. */
export const stepBodies = (tree: Root): RootContent[][] => {
	const bodies: RootContent[][] = [];
	for (const node of tree.children) {
		if (node.type === 'heading' && node.depth === 2) bodies.push([]);
		else bodies.at(-1)?.push(node);
	}
	return bodies;
};

/** True for a fenced block (``` or ~~~); false for an indented one, whose code starts on its own line. */
export const isFenced = (block: CodeBlock): boolean => block.codeLine > block.position.line;

/**
 * Maps 1-based line and column in a block's code to the runbook. Code in a
 * list item or a block quote is indented in the source by its container's
 * prefix, which the code itself does not have.
 */
export const codePositions = (ctx: LintContext, block: CodeBlock): ((line: number, column: number) => Position) => {
	const codeLines = block.code.split('\n');
	return (line, column) => {
		const sourceLine = block.codeLine + line - 1;
		const text = ctx.lines[sourceLine - 1] ?? '';
		const code = codeLines[line - 1] ?? '';
		const prefix = text.endsWith(code) ? text.length - code.length : block.position.column - 1;
		return {line: sourceLine, column: Math.max(1, column + prefix)};
	};
};

/** The known name `name` is probably a typo of, if any: a transposition is a distance of 2. */
export const likelyMeant = (name: string, known: readonly string[]): string | undefined => {
	if (known.length === 0) return undefined;
	const guess = closest(name, [...known]);
	const d = distance(name, guess);
	return d <= 2 && d < name.length / 2 ? guess : undefined;
};
