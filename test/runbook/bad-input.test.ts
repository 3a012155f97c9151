import {execFileSync} from 'node:child_process';
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it, test} from 'vitest';
import {lintFile, lintRunbook} from '../../source/runbook/lint.js';
import {parseRunbookBytes} from '../../source/runbook/parse.js';
import {MAX_RUNBOOK_BYTES} from '../../source/runbook/read-source.js';
import type {Diagnostic, Runbook} from '../../source/runbook/model.js';

const valid = readFileSync(fileURLToPath(new URL('../fixtures/runbooks/valid.md', import.meta.url)));

const lintBytes = async (bytes: Buffer | string, file = 'runbooks/t.md') => {
	const result = parseRunbookBytes(file, Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
	return {result, diagnostics: await lintRunbook(result, {shellcheck: false})};
};

const where = (diagnostics: Diagnostic[]) => diagnostics.map(d => [d.rule, d.line, d.column, d.severity]);

/** The model without what depends on the exact bytes. */
const model = (runbook: Runbook | undefined) => runbook && {...runbook, sha256: undefined};

const tempDir = () => mkdtempSync(join(tmpdir(), 'rampart-lint-'));

describe('accepted variations', () => {
	test('the LF fixture is clean', async () => {
		expect((await lintBytes(valid)).diagnostics).toEqual([]);
	});

	test.each([
		['CRLF line endings', Buffer.from(valid.toString('utf8').replaceAll('\n', '\r\n'))],
		['a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), valid])],
		['a BOM and CRLF', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid.toString('utf8').replaceAll('\n', '\r\n'))])],
		['old Mac CR line endings', Buffer.from(valid.toString('utf8').replaceAll('\n', '\r'))],
	])('%s: no diagnostics, and the same model as LF', async (_, bytes) => {
		const lf = await lintBytes(valid);
		const other = await lintBytes(bytes);
		expect(other.diagnostics).toEqual([]);
		expect(model(other.result.runbook)).toEqual(model(lf.result.runbook));
		// The hash is of the bytes as read.
		expect(other.result.runbook!.sha256).not.toBe(lf.result.runbook!.sha256);
	});

	test('tabs in Markdown are fine', async () => {
		const text = '---\ntitle: T\n---\n\n## Step\n\n-\tA list item with a tab\n\n\t```sh\n\tif true; then\n\t\techo "tab"\n\tfi\n\t```\n';
		const {result, diagnostics} = await lintBytes(text);
		expect(diagnostics).toEqual([]);
		expect(result.runbook!.steps[0]!.blocks[0]!.code).toBe('if true; then\n\techo "tab"\nfi');
	});
});

describe('front matter', () => {
	test('indented with tabs: a yaml-syntax error that says so', async () => {
		const {diagnostics} = await lintBytes('---\ntitle: T\ninputs:\n\tX:\n\t\ttype: string\n---\n\n## Step\n\nText.\n');
		const yaml = diagnostics.filter(d => d.rule === 'yaml-syntax');
		expect(yaml.length).toBeGreaterThan(0);
		expect(where(yaml)[0]).toEqual(['yaml-syntax', 4, 1, 'error']);
		expect(yaml[0]!.message).toMatch(/tab/i);
	});

	test('a list: front-matter-not-mapping', async () => {
		const {diagnostics} = await lintBytes('---\n- title\n- T\n---\n\n## Step\n\nText.\n');
		expect(where(diagnostics.filter(d => d.rule === 'front-matter-not-mapping'))).toEqual([['front-matter-not-mapping', 2, 1, 'error']]);
	});

	test('a scalar: front-matter-not-mapping', async () => {
		const {diagnostics} = await lintBytes('---\njust a sentence\n---\n\n## Step\n\nText.\n');
		expect(where(diagnostics.filter(d => d.rule === 'front-matter-not-mapping'))).toEqual([['front-matter-not-mapping', 2, 1, 'error']]);
	});
});

describe('hostile YAML in the front matter: a finding at a line and column, quickly, never a throw', () => {
	const runbook = (yaml: string) => `---\ntitle: T\n${yaml}---\n\n## Step\n\nText.\n`;
	/** Each level aliases the one before nine times: 9^9 strings if expanded. */
	const aliasBomb = () => {
		let yaml = 'x:\n  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
		for (let level = 1; level < 10; level++) {
			const name = String.fromCharCode(97 + level);
			const previous = String.fromCharCode(96 + level);
			yaml += `  ${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]\n`;
		}
		return yaml;
	};
	// Hostile inputs must not blow up: a hang or an exponential blow-up runs into the test's
	// timeout; how fast lint is belongs in the bench (bench/lint.mjs), not here.
	const lint = (text: string) => lintBytes(text);

	test('an alias bomb: yaml-limit at the first alias, naming the limit (not expanded: the test timeout is the guard)', async () => {
		const {diagnostics} = await lint(runbook(aliasBomb()));
		expect(where(diagnostics)).toEqual([
			['missing-title', 1, 1, 'error'],
			['yaml-limit', 5, 10, 'error'],
		]);
		expect(diagnostics[1]!.message).toContain('more than 100 aliased nodes');
	});

	test('more than 100 aliases: yaml-limit at the 101st', async () => {
		const yaml = `x: &x 1\nlist:\n${'  - *x\n'.repeat(150)}`;
		const {diagnostics} = await lint(runbook(yaml));
		expect(where(diagnostics.filter(d => d.rule === 'yaml-limit'))).toEqual([['yaml-limit', 3 + 2 + 100, 5, 'error']]);
		expect(diagnostics.find(d => d.rule === 'yaml-limit')!.message).toBe('front matter uses more than 100 YAML aliases (*name); write the values out instead');
	});

	test('a few aliases are fine', async () => {
		const yaml = 'tags: &t [a, b]\nsummary: &s Short.\ninputs:\n  X: &spec {type: string, prompt: X}\n  Y: *spec\n';
		const {diagnostics, result} = await lint(runbook(yaml));
		expect(diagnostics.filter(d => d.severity === 'error')).toEqual([]);
		expect(result.runbook!.meta.inputs.map(i => i.name)).toEqual(['X', 'Y']);
	});

	test('an alias before its anchor: yaml-syntax at the alias', async () => {
		const {diagnostics} = await lint(runbook('tags: &t [a]\nsummary: *t\nevery: *nowhere\n'));
		expect(where(diagnostics.filter(d => d.rule === 'yaml-syntax'))).toEqual([['yaml-syntax', 5, 8, 'error']]);
		expect(diagnostics.find(d => d.rule === 'yaml-syntax')!.message).toContain('Unresolved alias');
	});

	test('nesting thousands deep: one yaml-limit finding, not one per level', async () => {
		const {diagnostics} = await lint(runbook(`x: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`));
		expect(where(diagnostics.filter(d => d.rule === 'yaml-limit'))).toEqual([['yaml-limit', 3, expect.any(Number), 'error']]);
		expect(diagnostics.find(d => d.rule === 'yaml-limit')!.message).toContain('nested too deeply');
	});

	test('40,000 keys: each unknown key reported', async () => {
		const keys = Array.from({length: 40_000}, (_, i) => `k${i}: 1\n`).join('');
		const {diagnostics} = await lint(runbook(keys));
		expect(diagnostics.filter(d => d.rule === 'unknown-key')).toHaveLength(40_000);
		expect(where(diagnostics.filter(d => d.rule === 'unknown-key')).at(-1)).toEqual(['unknown-key', 40_002, 1, 'error']);
	});

	test('a key twice: yaml-syntax at the second, with the key', async () => {
		const {diagnostics} = await lint(runbook('summary: a\nsummary: b\n'));
		expect(where(diagnostics.filter(d => d.rule === 'yaml-syntax'))).toEqual([['yaml-syntax', 4, 1, 'error']]);
		expect(diagnostics.find(d => d.rule === 'yaml-syntax')!.message).toBe('front matter is not valid YAML: Map keys must be unique ("summary" appears twice)');
	});

	test('through lintFile too: the alias bomb is a finding, not an exception', async () => {
		const dir = tempDir();
		const file = join(dir, 'bomb.md');
		writeFileSync(file, runbook(aliasBomb()));
		const diagnostics = await lintFile(file, {shellcheck: false});
		expect(diagnostics.map(d => d.rule)).toContain('yaml-limit');
	});
});

describe('files that are not runbooks', () => {
	test.each([
		['empty', ''],
		['whitespace only', ' \n\n\t\r\n  '],
		['a BOM only', '\ufeff'],
	])('%s: empty-file', async (_, text) => {
		const {result, diagnostics} = await lintBytes(text);
		expect(result.runbook).toBeUndefined();
		expect(where(diagnostics)).toEqual([['empty-file', 1, 1, 'error']]);
	});

	test('a NUL byte: binary-file at the NUL', async () => {
		const {diagnostics} = await lintBytes(Buffer.from('---\ntitle: T\n---\nab\0cd\n'));
		expect(where(diagnostics)).toEqual([['binary-file', 4, 3, 'error']]);
	});

	test('over 1 MiB: file-too-large', async () => {
		const {diagnostics} = await lintBytes(Buffer.alloc(MAX_RUNBOOK_BYTES + 1, 'a'));
		expect(where(diagnostics)).toEqual([['file-too-large', 1, 1, 'error']]);
	});

	test('exactly 1 MiB is still read', async () => {
		const padding = MAX_RUNBOOK_BYTES - valid.length;
		const bytes = Buffer.concat([valid, Buffer.from(`\n${'x'.repeat(padding - 2)}\n`)]);
		expect(bytes.length).toBe(MAX_RUNBOOK_BYTES);
		expect((await lintBytes(bytes)).diagnostics).toEqual([]);
	});
});

describe('invalid UTF-8: the line and column (in bytes) of the bad byte', () => {
	test.each([
		['a byte that never starts a character', [0x61, 0x62, 0xff, 0x63], 3],
		['a character cut short by an ASCII byte', [0x61, 0x62, 0xc3, 0x28], 3],
		['after a valid two-byte character', [0xc3, 0xa9, 0xfe], 3],
		['an overlong form', [0x61, 0xc0, 0xaf], 2],
		['a surrogate', [0x61, 0xed, 0xa0, 0x80], 2],
		['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 1],
		['a lone continuation byte', [0x61, 0x80], 2],
		['a character cut short by the end of the line', [0x61, 0xe2, 0x82], 2],
	])('%s', async (_, bad, column) => {
		const bytes = Buffer.concat([Buffer.from('---\ntitle: T\n---\n\n## Step\n\n'), Buffer.from(bad), Buffer.from('\nmore\n')]);
		expect(where((await lintBytes(bytes)).diagnostics)).toEqual([['invalid-utf8', 7, column, 'error']]);
	});

	test('a bad byte at the end of a long line is found', async () => {
		const bytes = Buffer.concat([Buffer.alloc(MAX_RUNBOOK_BYTES - 10, 'a'), Buffer.from([0xff])]);
		expect(where((await lintBytes(bytes)).diagnostics)).toEqual([['invalid-utf8', 1, MAX_RUNBOOK_BYTES - 9, 'error']]);
	});
});

describe('unclosed code fences', () => {
	test('at the top level', async () => {
		const {diagnostics} = await lintBytes('---\ntitle: T\n---\n\n## Step\n\n```sh\necho hi\n');
		expect(where(diagnostics.filter(d => d.rule === 'unclosed-fence'))).toEqual([['unclosed-fence', 7, 1, 'error']]);
	});

	test('inside a list item (closed by the end of the item)', async () => {
		const {diagnostics} = await lintBytes('---\ntitle: T\n---\n\n## Step\n\n- Item:\n\n  ```sh\n  echo hi\n\nNot in the list.\n');
		expect(where(diagnostics.filter(d => d.rule === 'unclosed-fence'))).toEqual([['unclosed-fence', 9, 3, 'error']]);
	});

	test('inside a block quote', async () => {
		const {diagnostics} = await lintBytes('---\ntitle: T\n---\n\n## Step\n\n> ```sh\n> echo hi\n\nNot quoted.\n');
		expect(where(diagnostics.filter(d => d.rule === 'unclosed-fence'))).toEqual([['unclosed-fence', 7, 3, 'error']]);
	});

	test('a longer closing fence closes; a shorter one does not', async () => {
		const closed = await lintBytes('---\ntitle: T\n---\n\n## Step\n\n```sh\necho hi\n`````\n');
		expect(closed.diagnostics).toEqual([]);
		const open = await lintBytes('---\ntitle: T\n---\n\n## Step\n\n````sh\necho hi\n```\n');
		expect(where(open.diagnostics.filter(d => d.rule === 'unclosed-fence'))).toEqual([['unclosed-fence', 7, 1, 'error']]);
	});
});

describe('deep nesting: refused clearly, without overflowing the stack', () => {
	const head = '---\ntitle: T\n---\n\n## Step\n\n';
	test.each([
		['10,000 levels of bullet lists', `${'- '.repeat(10_000)}x\n`, 7],
		['10,000 levels of ordered lists', `${'1. '.repeat(10_000)}x\n`, 7],
		['10,000 levels of block quotes', `${'> '.repeat(10_000)}x\n`, 7],
		['10,000 levels of block quotes without spaces', `${'>'.repeat(10_000)} x\n`, 7],
		['quotes and lists mixed', `${'> 1. - '.repeat(3_000)}x\n`, 7],
		// 10,000 levels of indentation would be far over 1 MiB; the deepest line is reported.
		['500 levels of indented lists', Array.from({length: 500}, (_, i) => `${'  '.repeat(i)}- x`).join('\n'), 506],
	])('%s', async (_, body, line) => {
		const {result, diagnostics} = await lintBytes(head + body);
		expect(result.runbook).toBeUndefined();
		expect(where(diagnostics)).toEqual([['too-deeply-nested', line, 1, 'error']]);
		expect(diagnostics[0]!.message).toContain('nested');
	});
});

describe('lintFile', () => {
	test('reads, parses and lints a file, naming it as given', async () => {
		const dir = tempDir();
		const path = join(dir, 'x.md');
		writeFileSync(path, '---\ntitle: T\n---\n\n## Step\n\n```\nx\n```\n');
		expect(await lintFile(path, {shellcheck: false})).toEqual([
			{file: path, line: 7, column: 1, severity: 'warning', rule: 'no-language', message: expect.stringContaining('no language')},
		]);
	});

	test('a path that does not exist: unreadable, not a throw', async () => {
		const path = join(tempDir(), 'missing.md');
		const diagnostics = await lintFile(path, {shellcheck: false});
		expect(where(diagnostics)).toEqual([['unreadable', 1, 1, 'error']]);
		expect(diagnostics[0]!.message).toContain('no such file');
		expect(diagnostics[0]!.file).toBe(path);
	});

	test('a path through a file: unreadable', async () => {
		const dir = tempDir();
		writeFileSync(join(dir, 'file'), 'x');
		expect(where(await lintFile(join(dir, 'file', 'x.md'), {shellcheck: false}))).toEqual([['unreadable', 1, 1, 'error']]);
	});

	test('a directory: unreadable', async () => {
		const dir = tempDir();
		mkdirSync(join(dir, 'runbook.md'));
		const diagnostics = await lintFile(join(dir, 'runbook.md'), {shellcheck: false});
		expect(where(diagnostics)).toEqual([['unreadable', 1, 1, 'error']]);
		expect(diagnostics[0]!.message).toContain('directory');
	});

	test('a FIFO: unreadable, without waiting for a writer', async () => {
		const path = join(tempDir(), 'fifo.md');
		execFileSync('mkfifo', [path]);
		const diagnostics = await lintFile(path, {shellcheck: false});
		expect(where(diagnostics)).toEqual([['unreadable', 1, 1, 'error']]);
		expect(diagnostics[0]!.message).toContain('not a regular file');
	});

	// Root reads any file, so permissions cannot be tested as root.
	it.skipIf(process.getuid?.() === 0)('a file without read permission: unreadable', async () => {
		const path = join(tempDir(), 'secret.md');
		writeFileSync(path, '---\ntitle: T\n---\n\n## Step\n\nText.\n');
		chmodSync(path, 0o000);
		const diagnostics = await lintFile(path, {shellcheck: false});
		expect(where(diagnostics)).toEqual([['unreadable', 1, 1, 'error']]);
		expect(diagnostics[0]!.message).toContain('permission denied');
	});

	test('a file over 1 MiB is refused without reading it', async () => {
		const path = join(tempDir(), 'big.md');
		writeFileSync(path, Buffer.alloc(MAX_RUNBOOK_BYTES + 1, 'a'));
		const diagnostics = await lintFile(path, {shellcheck: false});
		expect(where(diagnostics)).toEqual([['file-too-large', 1, 1, 'error']]);
		expect(diagnostics[0]!.message).toContain(`${MAX_RUNBOOK_BYTES + 1} bytes`);
	});
});
