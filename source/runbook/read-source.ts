// Turns a file's bytes into runbook text, or into a diagnostic that says why it
// cannot be one. Everything that is wrong with the bytes themselves (size,
// binary content, encoding) is decided here, before any Markdown parsing.

import {createHash} from 'node:crypto';
import {isUtf8} from 'node:buffer';
import type {Diagnostic} from './model.js';

export const MAX_RUNBOOK_BYTES = 1024 * 1024;

export interface RunbookSource {
	text: string;
	sha256: string;
}

export type SourceResult = {ok: true; source: RunbookSource} | {ok: false; diagnostic: Diagnostic};

const problem = (file: string, rule: string, message: string, line = 1, column = 1): SourceResult => ({
	ok: false,
	diagnostic: {file, line, column, severity: 'error', rule, message},
});

/** Line and column (1-based, in bytes of that line) of a byte offset. */
const lineColumnOfByte = (bytes: Uint8Array, offset: number): {line: number; column: number} => {
	let line = 1;
	let lineStart = 0;
	for (let i = 0; i < offset; i++) {
		if (bytes[i] === 0x0a) {
			line++;
			lineStart = i + 1;
		}
	}
	return {line, column: offset - lineStart + 1};
};

/** Offset of the first byte that is not part of valid UTF-8. */
const firstInvalidUtf8 = (bytes: Buffer): number => {
	// Find the first bad line cheaply, then the first bad prefix within it.
	let start = 0;
	while (start < bytes.length) {
		let end = bytes.indexOf(0x0a, start);
		if (end === -1) end = bytes.length;
		const line = bytes.subarray(start, end);
		if (!isUtf8(line)) {
			for (let length = 1; length <= line.length; length++) {
				// A prefix that is invalid however it continues is where the error is.
				const prefix = line.subarray(0, length);
				if (!isUtf8(prefix) && !isTruncatedSequence(prefix)) {
					// A character cut short by a byte that cannot continue it: its first byte is the bad one.
					let bad = length - 1;
					if (bad > 0 && isTruncatedSequence(line.subarray(0, bad))) {
						bad--;
						while (bad > 0 && (line[bad]! & 0xc0) === 0x80) bad--;
					}
					return start + bad;
				}
			}
			return start + line.length - 1;
		}
		start = end + 1;
	}
	return 0;
};

/** True when the bytes end in the first bytes of a multi-byte character. */
const isTruncatedSequence = (bytes: Uint8Array): boolean => {
	for (let back = 1; back <= 3 && back <= bytes.length; back++) {
		const byte = bytes[bytes.length - back]!;
		if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
		const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
		return needed > back && isUtf8(bytes.subarray(0, bytes.length - back));
	}
	return false;
};

export const decodeRunbookBytes = (file: string, bytes: Buffer): SourceResult => {
	if (bytes.length > MAX_RUNBOOK_BYTES) {
		return problem(
			file,
			'file-too-large',
			`file is ${bytes.length} bytes; a runbook may be at most 1 MiB (${MAX_RUNBOOK_BYTES} bytes)`,
		);
	}
	const nul = bytes.indexOf(0);
	if (nul !== -1) {
		const at = lineColumnOfByte(bytes, nul);
		return problem(file, 'binary-file', 'file contains NUL bytes: it is binary, not a Markdown runbook', at.line, at.column);
	}
	if (!isUtf8(bytes)) {
		const at = lineColumnOfByte(bytes, firstInvalidUtf8(bytes));
		return problem(file, 'invalid-utf8', 'file is not valid UTF-8; save it as UTF-8', at.line, at.column);
	}
	let text = bytes.toString('utf8');
	// A BOM and CRLF line endings are common from Windows editors: accept them.
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
	text = text.replace(/\r\n?/g, '\n');
	if (text.trim() === '') return problem(file, 'empty-file', 'file is empty: a runbook needs front matter and at least one step');
	return {ok: true, source: {text, sha256: createHash('sha256').update(bytes).digest('hex')}};
};
