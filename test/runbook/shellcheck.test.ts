import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {lintRunbook} from '../../source/runbook/lint.js';
import {parseRunbookText} from '../../source/runbook/parse.js';
import {findShellcheck, runShellcheck} from '../../source/runbook/shellcheck.js';
import type {Diagnostic} from '../../source/runbook/model.js';

// CI installs shellcheck; skip only where it truly is not there.
const hasShellcheck = (await findShellcheck()) !== undefined;

const lines = (...text: string[]): string => `${text.join('\n')}\n`;
const doc = (...body: string[]): string => lines('---', 'title: T', 'inputs:', '  PATTERN:', '    type: string', '    prompt: Pattern', '---', '', ...body);
// With the inputs above, the body starts on line 9.

const lint = (text: string, shellcheck: boolean | 'auto' = true): Promise<Diagnostic[]> => lintRunbook(parseRunbookText('t.md', text), {shellcheck});

const shellcheckFindings = async (text: string): Promise<Array<[number, number, string, string]>> =>
	(await lint(text)).filter(d => d.rule.startsWith('shellcheck')).map(d => [d.line, d.column, d.severity, d.rule]);

describe('shellcheck', () => {
	it.skipIf(!hasShellcheck)('runs on a script and reads json1', async () => {
		const executable = (await findShellcheck())!;
		const findings = await runShellcheck(executable, 'grep $1 file\n');
		expect(findings).toEqual([{line: 1, column: 6, level: 'info', code: 2086, message: 'Double quote to prevent globbing and word splitting.'}]);
	});

	it.skipIf(!hasShellcheck)('maps a finding to the runbook line and column, with rule and message', async () => {
		const diagnostics = await lint(doc('## Step', '', '```sh', 'grep -- "$PATTERN" /var/log/auth.log', 'grep $PATTERN /var/log/auth.log', '```'));
		expect(diagnostics).toEqual([
			{
				file: 't.md',
				line: 13,
				column: 6,
				severity: 'warning',
				rule: 'shellcheck/SC2086',
				message: 'SC2086: Double quote to prevent globbing and word splitting.',
			},
		]);
	});

	it.skipIf(!hasShellcheck)('adds the list item indentation to the column', async () => {
		const text = doc('## Step', '', '1. Search:', '', '   ```bash', '   grep $PATTERN /var/log/auth.log', '   ```');
		expect(await shellcheckFindings(text)).toEqual([[14, 9, 'warning', 'shellcheck/SC2086']]);
	});

	it.skipIf(!hasShellcheck)('adds the block quote prefix to the column', async () => {
		const text = doc('## Step', '', '> ```sh', '> echo hi', '> grep $PATTERN f', '> ```');
		expect(await shellcheckFindings(text)).toEqual([[13, 8, 'warning', 'shellcheck/SC2086']]);
	});

	it.skipIf(!hasShellcheck)('counts a tab in the code as one column', async () => {
		const text = doc('## Step', '', '```sh', 'if true; then', '\tgrep $PATTERN f', 'fi', '```');
		expect(await shellcheckFindings(text)).toEqual([[13, 7, 'warning', 'shellcheck/SC2086']]);
	});

	it.skipIf(!hasShellcheck)('shellcheck errors are errors', async () => {
		const text = doc('## Step', '', '```sh', 'for f in $(ls); do echo "$f"; done', '```');
		expect(await shellcheckFindings(text)).toEqual([[12, 10, 'error', 'shellcheck/SC2045']]);
	});

	it.skipIf(!hasShellcheck)('the end of the script is the closing fence', async () => {
		const text = doc('## Step', '', '```sh', 'if true; then', '  echo hi', '```');
		const findings = (await lint(text)).filter(d => d.rule.startsWith('shellcheck/'));
		expect(findings.length).toBeGreaterThan(0);
		expect(findings.some(d => d.severity === 'error')).toBe(true);
		for (const d of findings) {
			expect(d.line).toBeGreaterThanOrEqual(11);
			expect(d.line).toBeLessThanOrEqual(14);
		}
	});

	it.skipIf(!hasShellcheck)('knows blocks run under set -e: no "cd ... || exit" advice', async () => {
		expect(await shellcheckFindings(doc('## Step', '', '```sh', 'cd /tmp', 'ls', '```'))).toEqual([]);
	});

	it.skipIf(!hasShellcheck)('checks each block as its own script', async () => {
		// Joined into one script, x would be used; alone, block one never uses it.
		const text = doc('## Step', '', '```sh', 'x=1', '```', '', '```sh', 'echo "$x"', '```');
		const findings = await shellcheckFindings(text);
		expect(findings).toEqual([[12, 1, 'warning', 'shellcheck/SC2034']]);
	});

	it.skipIf(!hasShellcheck)('leaves "referenced but not assigned" (SC2154) to undeclared-variable', async () => {
		const diagnostics = await lint(doc('## Step', '', '```sh', 'echo "$PATTERN" "$typo"', '```'));
		expect(diagnostics.map(d => d.rule)).toEqual(['undeclared-variable']);
	});

	it.skipIf(!hasShellcheck)('a disable comment in the block works', async () => {
		const text = doc('## Step', '', '```sh', '# shellcheck disable=SC2086', 'grep $PATTERN f', '```');
		expect(await shellcheckFindings(text)).toEqual([]);
	});

	it.skipIf(!hasShellcheck)('a disable comment on the first line covers the whole block', async () => {
		const text = doc('## Step', '', '```sh', '# shellcheck disable=SC2086', 'grep $PATTERN f', 'grep $PATTERN g', '```');
		expect(await shellcheckFindings(text)).toEqual([]);
	});

	it.skipIf(!hasShellcheck)('a final exit is not followed by unreachable code', async () => {
		const text = doc('## Step', '', '```sh', 'if [[ -n "$PATTERN" ]]; then', '  exit 0', 'fi', 'exit 1', '```');
		expect(await shellcheckFindings(text)).toEqual([]);
	});

	it.skipIf(!hasShellcheck)('only runnable blocks are checked', async () => {
		const text = doc('## Step', '', 'Text.', '', '```text', 'grep $PATTERN f', '```', '', '```sh', '```');
		expect(await shellcheckFindings(text)).toEqual([]);
	});

	it.skipIf(!hasShellcheck)('runs in auto mode when installed, never when off', async () => {
		const text = doc('## Step', '', '```sh', 'grep $PATTERN f', '```');
		expect((await lint(text, 'auto')).map(d => d.rule)).toEqual(['shellcheck/SC2086']);
		expect(await lint(text, false)).toEqual([]);
	});

	it.skipIf(!hasShellcheck)('many blocks are checked concurrently, findings in order', async () => {
		const body: string[] = ['## Step', ''];
		for (let i = 0; i < 20; i++) body.push('```sh', `grep $PATTERN f${i}`, '```', '');
		const findings = await shellcheckFindings(doc(...body));
		expect(findings.map(([line]) => line)).toEqual(Array.from({length: 20}, (_, i) => 12 + i * 4));
	});
});

describe('without shellcheck', () => {
	const savedPath = process.env['PATH'];
	afterEach(() => {
		process.env['PATH'] = savedPath;
	});

	it('asked for explicitly: one shellcheck-missing warning', async () => {
		process.env['PATH'] = mkdtempSync(join(tmpdir(), 'rampart-no-shellcheck-'));
		const diagnostics = await lint(doc('## Step', '', '```sh', 'grep $PATTERN f', '```', '', '```sh', 'true', '```'), true);
		expect(diagnostics.map(d => [d.line, d.column, d.severity, d.rule])).toEqual([[1, 1, 'warning', 'shellcheck-missing']]);
	});

	it('auto: skipped without a word', async () => {
		process.env['PATH'] = mkdtempSync(join(tmpdir(), 'rampart-no-shellcheck-'));
		expect(await lint(doc('## Step', '', '```sh', 'grep $PATTERN f', '```'), 'auto')).toEqual([]);
	});

	it('findShellcheck looks through PATH', async () => {
		expect(await findShellcheck('')).toBeUndefined();
		expect(await findShellcheck(mkdtempSync(join(tmpdir(), 'rampart-empty-')))).toBeUndefined();
	});
});
