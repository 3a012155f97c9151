// Runs shellcheck on runnable blocks and maps its findings to the runbook.
// Each block is checked as its own script, because each runs as one: a
// variable set in one block means nothing in the next.

import {constants} from 'node:fs';
import {access} from 'node:fs/promises';
import {availableParallelism} from 'node:os';
import {delimiter, join} from 'node:path';
import {execa} from 'execa';
import type {CodeBlock, Runbook} from './model.js';
import {codePositions, type LintContext} from './rules/context.js';

export type ShellcheckLevel = 'error' | 'warning' | 'info' | 'style';

export interface ShellcheckFinding {
	/** 1-based line and column in the script (json1 counts a tab as one column). */
	line: number;
	column: number;
	level: ShellcheckLevel;
	code: number;
	message: string;
}

const ARGS = [
	'--format=json1',
	// Blocks run under bash whatever their fence says (sh blocks too).
	'--shell=bash',
	// Inputs reach blocks from the environment, which shellcheck cannot see, so
	// SC2154 ("referenced but not assigned") would flag every input; lint's own
	// undeclared-variable rule checks the same thing knowing the inputs.
	'--exclude=SC2154',
	// The same findings on every machine: no ~/.shellcheckrc or project rc file.
	'--norc',
	'-',
];

/** The path of `shellcheck` on PATH, or undefined when it is not installed. */
export const findShellcheck = async (path = process.env['PATH'] ?? ''): Promise<string | undefined> => {
	for (const directory of path.split(delimiter)) {
		if (directory === '') continue;
		const candidate = join(directory, 'shellcheck');
		try {
			await access(candidate, constants.X_OK);
			return candidate;
		} catch {
			// Not here; keep looking.
		}
	}
	return undefined;
};

/** Runs shellcheck on one script. Throws if shellcheck itself fails. */
export const runShellcheck = async (executable: string, code: string): Promise<ShellcheckFinding[]> => {
	const result = await execa(executable, ARGS, {input: code, reject: false, timeout: 60_000, stripFinalNewline: false});
	// Exit 1 means "found something"; anything else is shellcheck failing.
	if (result.exitCode !== 0 && result.exitCode !== 1) {
		const reason = String(result.stderr).trim() || result.shortMessage || `exit status ${result.exitCode}`;
		throw new Error(reason.split('\n')[0] ?? reason);
	}
	const output = JSON.parse(result.stdout) as {comments?: ShellcheckFinding[]};
	return (output.comments ?? []).map(({line, column, level, code, message}) => ({line, column, level, code, message}));
};

/** Runs `task` on every item, at most `limit` at a time, keeping the order. */
const pool = async <T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> => {
	const results: R[] = new Array(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const index = next++;
			results[index] = await task(items[index]!);
		}
	};
	await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker));
	return results;
};

/**
 * Blocks run under `bash -Eeuo pipefail`. Saying so at the end of the script
 * (so no line moves) lets shellcheck drop advice that `-e` already covers,
 * such as SC2164's "cd ... || exit".
 */
const AS_RUN = '\nset -Eeuo pipefail\n';

const runnableBlocks = (runbook: Runbook): CodeBlock[] => runbook.steps.flatMap(step => step.blocks.filter(block => block.runnable && block.code.trim() !== ''));

/**
 * Reports shellcheck's findings for every runnable block as
 * `shellcheck/SC2086` diagnostics at the runbook's own lines and columns.
 */
export const shellcheckRunbook = async (ctx: LintContext, executable: string): Promise<void> => {
	const blocks = runnableBlocks(ctx.runbook);
	const limit = Math.max(1, Math.min(8, availableParallelism()));
	const results = await pool(blocks, limit, async block => {
		try {
			return {block, findings: await runShellcheck(executable, block.code + AS_RUN)};
		} catch (error) {
			return {block, error: error instanceof Error ? error.message : String(error)};
		}
	});
	for (const result of results) {
		if ('error' in result) {
			ctx.report(result.block.position, 'warning', 'shellcheck-failed', `shellcheck could not check this block: ${result.error}`);
			continue;
		}
		const {block} = result;
		const position = codePositions(ctx, block);
		const lineCount = block.code.split('\n').length;
		// Past the added line is the end of the script ("expected fi"): the closing fence.
		const at = (finding: ShellcheckFinding) =>
			finding.line > lineCount ? {line: block.codeLine + lineCount, column: block.position.column} : position(finding.line, finding.column);
		for (const finding of result.findings) {
			// The line lint added is not the author's: "unreachable" after a final exit, say.
			if (finding.line === lineCount + 1) continue;
			ctx.report(at(finding), finding.level === 'error' ? 'error' : 'warning', `shellcheck/SC${finding.code}`, `SC${finding.code}: ${finding.message}`);
		}
	}
};
