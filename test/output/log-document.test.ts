// The full log as a document: any size opens, pages and searches without
// being read whole, and every byte of the log is in some display line.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {LogDocument, looksLikeError, PIECE} from '../../source/output/log-document.js';

let dir: string;
beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-logdoc-'));
});
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

const write = (name: string, data: string | Buffer): string => {
	const file = path.join(dir, name);
	fs.writeFileSync(file, data);
	return file;
};
const open = (...files: string[]) => LogDocument.open(files.map(file => ({file, label: `logs/${path.basename(file)}`})));

/** The display lines of a log, by the rule, computed on the whole text: what the indexed document must agree with. */
const expectedLines = (text: string): string[] => {
	const out: string[] = [];
	const body = text.endsWith('\n') ? text.slice(0, -1) : text;
	if (text === '') return out;
	for (const line of body.split('\n')) {
		const bytes = Buffer.from(line);
		if (bytes.length === 0) out.push('');
		// Pieces of PIECE bytes; a character cut by a boundary belongs to the piece holding its first byte.
		const continues = (at: number) => at < bytes.length && (bytes[at]! & 0xc0) === 0x80;
		for (let start = 0; start < bytes.length; start += PIECE) {
			let from = start;
			while (start > 0 && continues(from)) from++;
			let end = Math.min(bytes.length, start + PIECE);
			while (continues(end)) end++;
			out.push(bytes.toString('utf8', from, end));
		}
	}
	return out;
};

describe('a log of 1,000,000 lines', () => {
	let doc: LogDocument;
	beforeAll(() => {
		const file = path.join(dir, 'million.log');
		const fd = fs.openSync(file, 'w');
		for (let from = 1; from <= 1_000_000; from += 10_000) {
			let chunk = '';
			for (let i = from; i < from + 10_000; i++) chunk += `${i}\n`;
			fs.writeSync(fd, chunk);
		}
		fs.closeSync(fd);
		doc = open(file);
	});

	it('counts every line and pages at the start, the middle and the end', () => {
		expect(doc.lineCount).toBe(1_000_000);
		expect(doc.lines(0, 3)).toEqual(['1', '2', '3']);
		expect(doc.lines(499_990, 20)).toEqual(Array.from({length: 20}, (_, i) => String(499_991 + i)));
		expect(doc.lines(999_998, 10)).toEqual(['999999', '1000000']);
		expect(doc.lines(1_000_000, 5)).toEqual([]);
		expect(doc.line(63)).toBe('64');
		expect(doc.line(64)).toBe('65');
	});

	it('finds forward and backward across the whole file', () => {
		expect(doc.find('1000000', 0, 1)).toBe(999_999);
		expect(doc.find('777777', 999_999, -1)).toBe(777_776);
		expect(doc.find('12345', 12_345, 1)).toBe(112_344);
		expect(doc.find('12345', 112_343, -1)).toBe(12_344);
		expect(doc.find('not there', 0, 1)).toBeUndefined();
		expect(doc.find('1', 1_000_000, 1)).toBeUndefined();
		expect(doc.findError(0)).toBeUndefined();
	});
});

describe('a 20 MB line without a newline', () => {
	// 10 bytes of 1-, 2-, 3- and 4-byte characters: piece boundaries cut them at every place.
	const pattern = 'aé€😀';
	const text = pattern.repeat(2 * 1024 * 1024);
	let doc: LogDocument;
	beforeAll(() => {
		doc = open(write('long.log', text));
	});

	it('becomes display lines of 64 KiB that hold it all, every character intact', () => {
		expect(Buffer.byteLength(text)).toBe(20 * 1024 * 1024);
		expect(doc.lineCount).toBe(320);
		const lines = doc.lines(0, 320);
		expect(lines.join('')).toBe(text);
		expect(lines.some(line => line.includes('\uFFFD'))).toBe(false);
		expect(doc.lines(319, 5)).toHaveLength(1);
		expect(doc.line(160)).toBe(lines[160]);
	});

	it('is searched to the end and back without an exception', () => {
		expect(doc.find('x', 0, 1)).toBeUndefined();
		expect(doc.find('é€😀', 319, -1)).toBe(319);
		expect(doc.find('A', 0, 1)).toBe(0);
		expect(doc.findError(0)).toBeUndefined();
	});
});

describe('display lines', () => {
	it('cut lines longer than a piece, and nothing else', () => {
		const text = `${'x'.repeat(PIECE)}\n${'y'.repeat(PIECE + 1)}\n\n${'z'.repeat(2 * PIECE)}\nlast`;
		const doc = open(write('pieces.log', text));
		expect(doc.lineCount).toBe(7);
		expect(doc.lines(0, 7).map(l => l.length)).toEqual([PIECE, PIECE, 1, 0, PIECE, PIECE, 4]);
		expect(doc.lines(0, 7)).toEqual(expectedLines(text));
	});

	it('agree with the rule applied to the whole text, read from any line', () => {
		const segment = fc.oneof(
			fc.constantFrom('\n', 'é', '€', '😀', 'plain text'),
			fc.integer({min: PIECE - 3, max: PIECE + 3}).map(n => 'w'.repeat(n)),
		);
		fc.assert(
			fc.property(fc.array(segment, {minLength: 1, maxLength: 300}), fc.nat(), (segments, seed) => {
				const text = segments.join('');
				const doc = open(write('property.log', text));
				const expected = expectedLines(text);
				const from = expected.length === 0 ? 0 : seed % expected.length;
				// A boolean, not expect(): a failing case is megabytes long, and fast-check shrinks it first.
				return (
					doc.lineCount === expected.length &&
					doc.lines(from, 70).every((line, i) => line === expected[from + i]) &&
					doc.lines(from, 70).length === expected.slice(from, from + 70).length
				);
			}),
			{numRuns: 25},
		);
	});

	it('of several logs follow each other; a log that cannot be read is one line saying so', () => {
		const first = write('001-first.log', 'first\nsecond\n');
		const missing = path.join(dir, '002-missing.log');
		const third = write('003-third.log', 'E: Unable to locate package nope\n# rampart: exit 100\nthird');
		const doc = open(first, missing, third);
		expect(doc.lineCount).toBe(6);
		expect(doc.lines(0, 6)).toEqual([
			'first',
			'second',
			'# rampart: cannot read logs/002-missing.log: ENOENT',
			'E: Unable to locate package nope',
			'# rampart: exit 100',
			'third',
		]);
		// Rampart's own lines never count as the command's errors.
		expect(doc.findError(0)).toBe(3);
		expect(doc.findError(4)).toBeUndefined();
		expect(doc.find('THIRD', 0, 1)).toBe(5);
		expect(doc.find('first', 5, -1)).toBe(0);
	});

	it('are searched as shown: carriage returns applied, colours and controls dropped', () => {
		const doc = open(write('progress.log', 'start\nprogress 10%\rprogress 100%\n\u001B[31mred alert\u001B[0m\n'));
		expect(doc.find('progress 100%', 0, 1)).toBe(1);
		expect(doc.find('progress 10%', 0, 1)).toBeUndefined();
		expect(doc.find('red alert', 0, 1)).toBe(2);
		expect(doc.find('31m', 0, 1)).toBeUndefined();
	});

	it('an empty log has no lines', () => {
		const doc = open(write('empty.log', ''));
		expect(doc.lineCount).toBe(0);
		expect(doc.lines(0, 10)).toEqual([]);
		expect(doc.find('x', 0, 1)).toBeUndefined();
		expect(doc.findError(0)).toBeUndefined();
	});
});

describe('what looks like an error', () => {
	it('is how commands usually report failure', () => {
		for (const line of [
			'E: Unable to locate package nginx-full',
			'error: failed to push some refs',
			'curl: (6) Could not resolve host: example.invalid',
			'rsync: send_files failed to open "/x": Permission denied (13)',
			'bash: foo: command not found',
			'ls: cannot access /nope: No such file or directory',
			'Traceback (most recent call last):',
			"thread 'main' panicked at src/main.rs:2:5",
			'npm ERR! code ELIFECYCLE',
			'ERROR 1045 (28000): Access denied for user',
		]) {
			expect(looksLikeError(line), line).toBe(true);
		}
		for (const line of ['Reading package lists... Done', 'Setting up nginx (1.22.1-9) ...', '# rampart: cannot read logs/x: ENOENT', 'terrors of the deep']) {
			expect(looksLikeError(line), line).toBe(false);
		}
	});
});
