import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {describe, expect, test} from 'vitest';
import {MAX_NESTING, nestingDepth, parseRunbookBytes, parseRunbookText, RUNNABLE_LANGS} from '../../source/runbook/parse.js';
import type {ParseResult, Runbook} from '../../source/runbook/model.js';

const fixture = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`../fixtures/runbooks/${name}`, import.meta.url)));

const parseValid = (): ParseResult => parseRunbookBytes('runbooks/valid.md', fixture('valid.md'));

const runbookOf = (result: ParseResult): Runbook => {
	if (!result.runbook) throw new Error(`no runbook: ${JSON.stringify(result.diagnostics)}`);
	return result.runbook;
};

const lines = (...text: string[]): string => `${text.join('\n')}\n`;

describe('the valid fixture', () => {
	test('parses without diagnostics', () => {
		expect(parseValid().diagnostics).toEqual([]);
	});

	test('id comes from the file name, path as given, sha256 of the bytes', () => {
		const runbook = runbookOf(parseValid());
		expect(runbook.id).toBe('valid');
		expect(runbook.path).toBe('runbooks/valid.md');
		expect(runbook.sha256).toMatch(/^[0-9a-f]{64}$/);
	});

	test('front matter becomes meta', () => {
		const {meta} = runbookOf(parseValid());
		expect(meta.title).toBe('Example runbook');
		expect(meta.summary).toBe('Exercises every part of the format that the parser reads.');
		expect(meta.tags).toEqual(['example', 'test']);
		expect(meta.every).toEqual({count: 30, unit: 'd', text: '30d'});
		expect(meta.requires).toEqual({root: true, os: ['debian'], commands: ['sshd', 'getent']});
	});

	test('inputs become InputSpecs at the line and column of their names', () => {
		const {inputs} = runbookOf(parseValid()).meta;
		expect(inputs.map(input => input.name)).toEqual(['ADMIN_USER', 'SSH_PORT', 'MODE', 'NOTE']);
		expect(inputs[0]).toEqual({
			name: 'ADMIN_USER',
			type: 'user',
			prompt: 'Admin account',
			description: 'The account you log in with.',
			default: undefined,
			defaultFrom: 'env:SUDO_USER',
			pattern: undefined,
			optional: false,
			values: undefined,
			min: undefined,
			max: undefined,
			position: {line: 11, column: 3},
		});
		// A YAML number reaches the model as the string it is written as.
		expect(inputs[1]).toMatchObject({type: 'port', default: '22', min: 1, max: 65535, position: {line: 16, column: 3}});
		expect(inputs[2]).toMatchObject({type: 'enum', values: ['drop', 'reject'], default: 'drop', position: {line: 22, column: 3}});
		expect(inputs[3]).toMatchObject({type: 'string', optional: true, pattern: '[a-z ]*', position: {line: 27, column: 3}});
	});

	test('## headings are steps, with slug ids and positions; a setext heading is one too', () => {
		const {steps} = runbookOf(parseValid());
		expect(steps.map(step => [step.index, step.id, step.title, step.position])).toEqual([
			[0, 'prove-that-key-login-works', 'Prove that key login works', {line: 42, column: 1}],
			[1, 'write-the-configuration', 'Write the configuration', {line: 54, column: 1}],
			// "Close the spare session" underlined with ---.
			[2, 'close-the-spare-session', 'Close the spare session', {line: 74, column: 1}],
		]);
		expect(steps[2]!.markdown).toBe('Open a new session. If it works, close the spare one.');
	});

	test('the introduction is what comes between the # title and the first step', () => {
		const runbook = runbookOf(parseValid());
		expect(runbook.intro).toBe('The introduction. Code here is shown, never run:\n\n```text\nnot a step\n```');
		// The intro's code block belongs to no step.
		expect(runbook.steps.flatMap(step => step.blocks).some(block => block.code === 'not a step')).toBe(false);
	});

	test('a block carries its role, attributes and position', () => {
		const [verify] = runbookOf(parseValid()).steps[0]!.blocks;
		expect(verify).toEqual({
			index: 0,
			lang: 'sh',
			runnable: true,
			role: 'verify',
			code: 'home=$(getent passwd -- "$ADMIN_USER" | cut -d: -f6)\ntest -s "$home/.ssh/authorized_keys"',
			name: 'The admin account has keys',
			timeoutMs: 10_000,
			cwd: undefined,
			confirm: false,
			interactive: false,
			continueOnError: false,
			maskCredentials: true,
			finding: false,
			idempotent: false,
			attributes: {role: 'verify', name: 'The admin account has keys', timeout: '10s'},
			position: {line: 49, column: 1},
			codeLine: 50,
		});
	});

	test('code blocks inside list items are found, without the list indentation', () => {
		const [check, run, rollback] = runbookOf(parseValid()).steps[1]!.blocks;
		expect(check).toMatchObject({
			index: 0,
			role: 'check',
			position: {line: 58, column: 4},
			codeLine: 59,
			code: 'settings=$(sshd -T)\ngrep -qx "port $SSH_PORT" <<<"$settings"',
		});
		expect(run).toMatchObject({
			index: 1,
			lang: 'bash',
			role: 'run',
			name: 'Write the drop-in',
			cwd: '/etc/ssh',
			confirm: true,
			attributes: {confirm: 'ADMIN_USER'},
			position: {line: 65, column: 4},
			codeLine: 66,
		});
		expect(run!.code.startsWith("printf 'Port")).toBe(true);
		expect(rollback).toMatchObject({role: 'rollback', continueOnError: true, position: {line: 70, column: 1}});
	});

	test('task items carry their text, ticked state and position', () => {
		const {tasks} = runbookOf(parseValid()).steps[0]!;
		expect(tasks).toEqual([
			{index: 0, text: 'A new SSH login as the admin account works', checkedInSource: false, position: {line: 46, column: 1}},
			// Emphasis is flattened to its text.
			{index: 1, text: 'The spare session stays open', checkedInSource: true, position: {line: 47, column: 1}},
		]);
	});
});

describe('document structure', () => {
	test('the # heading is the title when the front matter has none', () => {
		const result = parseRunbookText('t.md', lines('---', 'summary: s', '---', '', '# From the heading', '', '## Step', '', 'Text.'));
		expect(result.diagnostics).toEqual([]);
		expect(runbookOf(result).meta.title).toBe('From the heading');
	});

	test('the front matter title wins over the # heading', () => {
		const result = parseRunbookText('t.md', lines('---', 'title: From YAML', '---', '', '# From the heading', '', '## Step', '', 'Text.'));
		expect(runbookOf(result).meta.title).toBe('From YAML');
	});

	test('no title anywhere is missing-title, and the id stands in', () => {
		const result = parseRunbookText('dir/no-title.md', lines('## Step', '', 'Text.'));
		expect(result.diagnostics.map(d => [d.rule, d.line, d.column])).toEqual([['missing-title', 1, 1]]);
		expect(runbookOf(result).meta.title).toBe('no-title');
	});

	test('### headings and deeper are part of the step body', () => {
		const result = parseRunbookText('t.md', lines('---', 'title: T', '---', '', '## Step', '', '### Detail', '', 'Text.'));
		const {steps} = runbookOf(result);
		expect(steps).toHaveLength(1);
		expect(steps[0]!.markdown).toBe('### Detail\n\nText.');
	});

	test('a --- after a blank line is a rule, not a step', () => {
		const result = parseRunbookText('t.md', lines('---', 'title: T', '---', '', '## Step', '', 'Text.', '', '---', '', 'More.'));
		expect(runbookOf(result).steps).toHaveLength(1);
	});

	test('steps whose titles give the same id get numbered ids', () => {
		const result = parseRunbookText('t.md', lines('---', 'title: T', '---', '', '## Same', '', 'a', '', '## Same', '', 'b'));
		expect(runbookOf(result).steps.map(step => step.id)).toEqual(['same', 'same-2']);
	});

	test('only sh and bash blocks are runnable; the language is lowercased', () => {
		const result = parseRunbookText(
			't.md',
			lines('---', 'title: T', '---', '', '## Step', '', '```SH', 'true', '```', '', '```bash', 'true', '```', '', '```nginx', 'x;', '```'),
		);
		expect(runbookOf(result).steps[0]!.blocks.map(block => [block.lang, block.runnable])).toEqual([
			['sh', true],
			['bash', true],
			['nginx', false],
		]);
		expect([...RUNNABLE_LANGS].sort()).toEqual(['bash', 'sh']);
	});

	test('code in a block quote is found, with the fence position after the >', () => {
		const result = parseRunbookText('t.md', lines('---', 'title: T', '---', '', '## Step', '', '> ```sh', '> echo hi', '> ```'));
		expect(result.diagnostics).toEqual([]);
		expect(runbookOf(result).steps[0]!.blocks[0]).toMatchObject({code: 'echo hi', position: {line: 7, column: 3}, codeLine: 8});
	});

	test('an indented code block is a shown block whose code starts on its own line, and needs no closing fence', () => {
		const result = parseRunbookText('t.md', lines('---', 'title: T', '---', '', '## Step', '', 'Text.', '', '    indented', '    code'));
		expect(result.diagnostics).toEqual([]);
		expect(runbookOf(result).steps[0]!.blocks[0]).toMatchObject({lang: '', runnable: false, code: 'indented\ncode', position: {line: 9, column: 1}, codeLine: 9});
	});

	test('bad attributes are reported at their column on the fence line', () => {
		const result = parseRunbookText('t.md', lines('---', 'title: T', '---', '', '## Step', '', '```sh {role=chek timeuot=5s}', 'true', '```'));
		expect(result.diagnostics.map(d => [d.rule, d.line, d.column])).toEqual([
			['unknown-role', 7, 8],
			['unknown-attribute', 7, 18],
		]);
	});
});

describe('nesting guard', () => {
	// The count errs high (spaces after markers count as indentation too): it is a guard, not a parser.
	test('counts list markers, ordered markers, quotes and indentation', () => {
		expect(nestingDepth('- - - x').depth).toBeGreaterThanOrEqual(3);
		expect(nestingDepth('1. 2) 3. x').depth).toBeGreaterThanOrEqual(3);
		expect(nestingDepth('>>> x').depth).toBe(3);
		expect(nestingDepth('text\n      x')).toEqual({depth: 3, line: 2});
		expect(nestingDepth('1.5 is not a list').depth).toBe(0);
		expect(nestingDepth('2024 was a year').depth).toBe(0);
	});

	test(`refuses more than ${MAX_NESTING} levels before parsing`, () => {
		const result = parseRunbookText('t.md', lines('---', 'title: T', '---', '', '## Step', '', `${'1. '.repeat(MAX_NESTING + 1)}x`));
		expect(result.runbook).toBeUndefined();
		expect(result.diagnostics.map(d => [d.rule, d.line, d.column])).toEqual([['too-deeply-nested', 7, 1]]);
	});
});
