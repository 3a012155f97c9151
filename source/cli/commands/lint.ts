import {readdirSync, statSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {discoverRunbooks, resolveRunbook} from '../../runbook/discover.js';
import {formatDiagnostic, lintFile} from '../../runbook/lint.js';
import type {Diagnostic} from '../../runbook/model.js';
import {usageError} from '../errors.js';
import {EXIT} from '../exit-codes.js';
import type {CliContext} from '../context.js';

export interface LintOptions {
	json?: boolean;
	shellcheck: boolean;
}

/** Files to lint for one argument: a file, every .md in a directory (recursively), or an id. */
const filesFor = (ctx: CliContext, arg: string): string[] => {
	const path = resolve(ctx.cwd, arg);
	let stats;
	try {
		stats = statSync(path);
	} catch {
		const found = resolveRunbook(arg, discoverRunbooks(ctx.env, ctx.cwd), ctx.cwd);
		if (found.ok) return [found.entry.path];
		const suggestion = found.suggestions.length ? ` (did you mean ${found.suggestions.join(', ')}?)` : '';
		throw usageError(`${arg}: no such file, directory or runbook id${suggestion}`);
	}
	if (!stats.isDirectory()) return [path];
	const files: string[] = [];
	for (const entry of readdirSync(path, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
		if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') files.push(...filesFor(ctx, join(path, entry.name)));
		else if (entry.isFile() && entry.name.toLowerCase().endsWith('.md') && entry.name.toLowerCase() !== 'readme.md') files.push(join(path, entry.name));
	}
	return files;
};

export const lintCommand = async (ctx: CliContext, paths: string[], options: LintOptions): Promise<number> => {
	const diagnostics: Diagnostic[] = [];
	let files: string[];
	if (paths.length > 0) {
		files = [...new Set(paths.flatMap(arg => filesFor(ctx, arg)))];
	} else {
		const discovery = discoverRunbooks(ctx.env, ctx.cwd);
		files = discovery.entries.map(e => e.path);
		for (const conflict of discovery.conflicts) {
			for (const path of conflict.paths) {
				diagnostics.push({
					file: path,
					line: 1,
					column: 1,
					severity: 'error',
					rule: 'duplicate-id',
					message: `the id "${conflict.id}" is also used by ${conflict.paths.filter(p => p !== path).join(', ')}; rename one`,
				});
			}
		}
	}
	const shellcheck = options.shellcheck ? 'auto' : false;
	for (const file of files) diagnostics.push(...(await lintFile(file, {shellcheck})));

	if (options.json) {
		ctx.out(JSON.stringify(diagnostics, null, 2));
	} else {
		for (const d of diagnostics) ctx.out(formatDiagnostic(d));
		const errors = diagnostics.filter(d => d.severity === 'error').length;
		const warnings = diagnostics.length - errors;
		ctx.err(
			`${files.length} runbook${files.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
		);
	}
	return diagnostics.some(d => d.severity === 'error') ? EXIT.failed : EXIT.ok;
};
