import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import fc from 'fast-check';
import {describe, expect, test} from 'vitest';
import {lintRunbook} from '../../source/runbook/lint.js';
import {parseRunbookBytes} from '../../source/runbook/parse.js';
import {hasErrors} from '../../source/runbook/model.js';

const valid = readFileSync(fileURLToPath(new URL('../fixtures/runbooks/valid.md', import.meta.url)));

/** Parse and lint never throw, and say something whenever they give no runbook. */
const check = async (bytes: Buffer) => {
	const result = parseRunbookBytes('runbooks/fuzz.md', bytes);
	const diagnostics = await lintRunbook(result, {shellcheck: false});
	expect(result.runbook !== undefined || hasErrors(diagnostics)).toBe(true);
	const lineCount = bytes.toString('latin1').split(/\r\n|\r|\n/).length;
	for (const d of diagnostics) {
		expect(Number.isInteger(d.line) && d.line >= 1, `line of ${JSON.stringify(d)}`).toBe(true);
		expect(Number.isInteger(d.column) && d.column >= 1, `column of ${JSON.stringify(d)}`).toBe(true);
		expect(d.line, `line of ${JSON.stringify(d)}`).toBeLessThanOrEqual(lineCount + 1);
		expect(d.file).toBe('runbooks/fuzz.md');
		expect(d.rule).not.toBe('');
		expect(['error', 'warning']).toContain(d.severity);
	}
};

/** Pieces runbooks are made of, so random text reaches the interesting paths. */
const token = fc.constantFrom(
	'---\n',
	'## ',
	'# ',
	'### ',
	'Step\n',
	'\n',
	'\n\n',
	'\r\n',
	'\t',
	'  ',
	'    ',
	'title: T\n',
	'title:\n',
	'inputs:\n',
	'  X:\n',
	'    type: integer\n',
	'    type: enum\n',
	'    prompt: P\n',
	'    default: x\n',
	'    values: [a]\n',
	'    pattern: "(("\n',
	'    default-from: env\n',
	'every: 3x\n',
	'- ',
	'- [ ] ',
	'- [x] ',
	'1. ',
	'> ',
	'```',
	'```sh',
	'```bash',
	'```text',
	'```shell',
	'~~~',
	' {role=verify}',
	' {role=check}',
	' {role=rollback}',
	' {confirm=Y}',
	' {interactive',
	' {timeout=5m}',
	' {bogus}',
	'}',
	'$X',
	'${Y:-z}',
	'$(',
	')',
	"'",
	'"',
	'<<EOF\n',
	'EOF\n',
	'echo ',
	'\\',
	'*',
	'_',
	'[',
	']',
	'|',
	'<',
	'é',
	'\u0000',
	'\ufeff',
	'---',
);

describe('parse and lint never throw on', () => {
	test('random text', async () => {
		await fc.assert(
			fc.asyncProperty(fc.string({unit: 'binary', maxLength: 400}), async text => check(Buffer.from(text))),
			{numRuns: 300},
		);
	});

	test('random bytes', async () => {
		await fc.assert(
			fc.asyncProperty(fc.uint8Array({maxLength: 400}), async bytes => check(Buffer.from(bytes))),
			{numRuns: 300},
		);
	});

	test('random runbook pieces', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(token, {maxLength: 120}), async parts => check(Buffer.from(parts.join('')))),
			{numRuns: 500},
		);
	});

	test('mutations of a valid runbook', async () => {
		type Mutation =
			| {kind: 'insert'; at: number; text: string}
			| {kind: 'delete'; at: number; length: number}
			| {kind: 'duplicate-char'; at: number}
			| {kind: 'bytes'; at: number; bytes: Uint8Array}
			| {kind: 'delete-line' | 'duplicate-line'; line: number}
			| {kind: 'swap-lines'; a: number; b: number};
		const at = fc.nat({max: valid.length});
		const line = fc.nat({max: 80});
		const mutation: fc.Arbitrary<Mutation> = fc.oneof(
			fc.record({kind: fc.constant('insert' as const), at, text: fc.oneof(fc.string({maxLength: 8}), token)}),
			fc.record({kind: fc.constant('delete' as const), at, length: fc.integer({min: 1, max: 40})}),
			fc.record({kind: fc.constant('duplicate-char' as const), at}),
			fc.record({kind: fc.constant('bytes' as const), at, bytes: fc.uint8Array({minLength: 1, maxLength: 4})}),
			fc.record({kind: fc.constantFrom('delete-line' as const, 'duplicate-line' as const), line}),
			fc.record({kind: fc.constant('swap-lines' as const), a: line, b: line}),
		);
		const apply = (bytes: Buffer, m: Mutation): Buffer => {
			const clamp = (n: number) => Math.min(n, bytes.length);
			switch (m.kind) {
				case 'insert':
					return Buffer.concat([bytes.subarray(0, clamp(m.at)), Buffer.from(m.text), bytes.subarray(clamp(m.at))]);
				case 'delete':
					return Buffer.concat([bytes.subarray(0, clamp(m.at)), bytes.subarray(clamp(m.at + m.length))]);
				case 'duplicate-char':
					return Buffer.concat([bytes.subarray(0, clamp(m.at + 1)), bytes.subarray(clamp(m.at), clamp(m.at + 1)), bytes.subarray(clamp(m.at + 1))]);
				case 'bytes':
					return Buffer.concat([bytes.subarray(0, clamp(m.at)), Buffer.from(m.bytes), bytes.subarray(clamp(m.at))]);
				default: {
					const lines = bytes.toString('latin1').split('\n');
					if (m.kind === 'swap-lines') {
						const a = m.a % lines.length;
						const b = m.b % lines.length;
						[lines[a], lines[b]] = [lines[b]!, lines[a]!];
					} else if (m.kind === 'delete-line') lines.splice(m.line % lines.length, 1);
					else lines.splice(m.line % lines.length, 0, lines[m.line % lines.length]!);
					return Buffer.from(lines.join('\n'), 'latin1');
				}
			}
		};
		await fc.assert(
			fc.asyncProperty(fc.array(mutation, {minLength: 1, maxLength: 6}), async mutations => check(mutations.reduce(apply, valid))),
			{numRuns: 500},
		);
	});
});
