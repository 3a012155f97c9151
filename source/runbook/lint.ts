// `rampart lint`: the parser's diagnostics plus the rules that need the
// whole runbook, and shellcheck's findings when it is installed. Nothing is
// run; every problem comes back as a diagnostic, never as a throw.

import {readFile, stat} from 'node:fs/promises';
import type {Diagnostic, ParseResult} from './model.js';
import {parseRunbookBytes, parseRunbookText} from './parse.js';
import {MAX_RUNBOOK_BYTES} from './read-source.js';
import {createContext, type Rule} from './rules/context.js';
import {misplacedFrontMatter} from './rules/front-matter.js';
import {noSteps, stepTitles, verifyAndRollback} from './rules/steps.js';
import {inputSpecs} from './rules/input-specs.js';
import {runnableBlocks, shownBlocks} from './rules/blocks.js';
import {undeclaredVariables} from './rules/variables.js';
import {findShellcheck, shellcheckRunbook} from './shellcheck.js';
import {loadPatternEngine} from './pattern.js';
import {checkFileTrust, invokingUid} from '../trust/file-trust.js';

export interface LintOptions {
	/**
	 * `true`: run shellcheck, and warn if it is not installed. `'auto'` (the
	 * default): run it if it is on PATH. `false`: do not run it.
	 */
	shellcheck?: boolean | 'auto';
}

const RULES: readonly Rule[] = [misplacedFrontMatter, noSteps, stepTitles, verifyAndRollback, inputSpecs, shownBlocks, runnableBlocks, undeclaredVariables];

export const sortDiagnostics = (diagnostics: readonly Diagnostic[]): Diagnostic[] => [...diagnostics].sort((a, b) => a.line - b.line || a.column - b.column);

export const lintRunbook = async (result: ParseResult, options: LintOptions = {}): Promise<Diagnostic[]> => {
	const diagnostics = [...result.diagnostics];
	const {runbook} = result;
	if (runbook) {
		// Loaded here, for the rules and for whatever checks this runbook's values later (every runbook is linted before it runs).
		if (runbook.meta.inputs.some(input => input.pattern !== undefined)) await loadPatternEngine();
		// The parser's tree; a result made without one (by hand) is parsed here, once.
		const tree = result.tree ?? parseRunbookText(runbook.path, runbook.source).tree!;
		const ctx = createContext(runbook.path, runbook, tree, diagnostics);
		for (const rule of RULES) rule(ctx);
		const wanted = options.shellcheck ?? 'auto';
		if (wanted !== false) {
			const executable = await findShellcheck();
			if (executable) await shellcheckRunbook(ctx, executable);
			else if (wanted === true) {
				ctx.report(
					{line: 1, column: 1},
					'warning',
					'shellcheck-missing',
					'shellcheck is not installed (not found on PATH), so the blocks were not checked with it; install it, e.g. apt-get install shellcheck',
				);
			}
		}
	}
	return sortDiagnostics(diagnostics);
};

const unreadable = (file: string, reason: string): Diagnostic => ({
	file,
	line: 1,
	column: 1,
	severity: 'error',
	rule: 'unreadable',
	message: `cannot read the runbook: ${reason}`,
});

const REASONS: Record<string, string> = {
	ENOENT: 'no such file',
	ENOTDIR: 'no such file (a part of the path is not a directory)',
	EACCES: 'permission denied',
	EPERM: 'permission denied',
	EISDIR: 'it is a directory, not a file',
	ELOOP: 'too many symbolic links',
	ENAMETOOLONG: 'the path is too long',
};

/** The file's bytes, or the diagnostic that says why they cannot be had. */
const readRunbookFile = async (path: string): Promise<{bytes: Buffer} | {diagnostic: Diagnostic}> => {
	try {
		const info = await stat(path);
		if (info.isDirectory()) return {diagnostic: unreadable(path, REASONS['EISDIR']!)};
		// A FIFO or a device could block or never end.
		if (!info.isFile()) return {diagnostic: unreadable(path, 'it is not a regular file')};
		if (info.size > MAX_RUNBOOK_BYTES) {
			// Refused before reading: the file could be far larger than memory.
			return {
				diagnostic: {
					file: path,
					line: 1,
					column: 1,
					severity: 'error',
					rule: 'file-too-large',
					message: `file is ${info.size} bytes; a runbook may be at most 1 MiB (${MAX_RUNBOOK_BYTES} bytes)`,
				},
			};
		}
		return {bytes: await readFile(path)};
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code ?? '';
		const reason = REASONS[code] ?? (error instanceof Error ? error.message : String(error));
		return {diagnostic: unreadable(path, reason)};
	}
};

/** Reads, parses and lints one file. Diagnostics carry `path` as given. */
export const lintFile = async (path: string, options: LintOptions = {}): Promise<Diagnostic[]> => {
	const read = await readRunbookFile(path);
	if ('diagnostic' in read) return [read.diagnostic];
	const diagnostics = await lintRunbook(parseRunbookBytes(path, read.bytes), options);
	// What `rampart run` refuses as root, said early (as a warning: the file may be fine to run as someone else).
	const uid = process.getuid?.() ?? -1;
	for (const problem of checkFileTrust(path, {uid, invokingUid: invokingUid(process.env, uid)})) {
		if (problem.kind === 'unreadable') continue;
		diagnostics.unshift({file: path, line: 1, column: 1, severity: 'warning', rule: 'file-trust', message: problem.message});
	}
	return diagnostics;
};

/** `file:line:col: error: message [rule]`, the format editors and CI understand. */
export const formatDiagnostic = (d: Diagnostic): string => `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.rule}]`;
