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

/**
 * Offset of the first byte of the first ill-formed sequence, by the table of
 * well-formed UTF-8 in the Unicode standard (section 3.9, table 3-7). One
 * pass: a long line with a bad byte at its end stays cheap.
 */
const firstInvalidUtf8 = (bytes: Uint8Array): number => {
	let i = 0;
	while (i < bytes.length) {
		const lead = bytes[i]!;
		if (lead < 0x80) {
			i++;
			continue;
		}
		let trailing: number;
		// The range of the second byte; later ones are always 0x80-0xbf.
		let low = 0x80;
		let high = 0xbf;
		if (lead >= 0xc2 && lead <= 0xdf) trailing = 1;
		else if (lead >= 0xe0 && lead <= 0xef) {
			trailing = 2;
			if (lead === 0xe0) low = 0xa0; // no overlong forms
			if (lead === 0xed) high = 0x9f; // no surrogates
		} else if (lead >= 0xf0 && lead <= 0xf4) {
			trailing = 3;
			if (lead === 0xf0) low = 0x90; // no overlong forms
			if (lead === 0xf4) high = 0x8f; // nothing above U+10FFFF
		} else return i;
		for (let k = 1; k <= trailing; k++) {
			const byte = bytes[i + k];
			if (byte === undefined || byte < (k === 1 ? low : 0x80) || byte > (k === 1 ? high : 0xbf)) return i;
		}
		i += trailing + 1;
	}
	return 0;
};

export const decodeRunbookBytes = (file: string, bytes: Buffer): SourceResult => {
	if (bytes.length > MAX_RUNBOOK_BYTES) {
		return problem(file, 'file-too-large', `file is ${bytes.length} bytes; a runbook may be at most 1 MiB (${MAX_RUNBOOK_BYTES} bytes)`);
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
