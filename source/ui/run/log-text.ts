// A log line as the full-log view shows it: rendered by the one output model
// (terminal-text.ts), then cut into screen rows by cells (wrapped) or into a
// window of cells (scrolled sideways). The only escape sequences in a
// rendered line are the SGR colours terminal-text writes; each row made here
// opens the colour in effect at its start and resets at its end, so rows can
// be shown on their own.

import {renderLine, RESET, SGR_PATTERN, stripStyles} from '../../output/terminal-text.js';
import {LOG_NOTE_PREFIX} from '../../types/events.js';
import {eastAsianWidth} from 'get-east-asian-width';

/** The SGR sequences terminal-text writes, matched where a walk stands. */
const SGR = new RegExp(SGR_PATTERN, 'y');

/** Rampart's own lines in a log (`# rampart: exit 3`), shown muted. */
export const isOwnLine = (raw: string): boolean => raw.startsWith(LOG_NOTE_PREFIX);

/** A raw log line as a terminal shows it; colours only where they can be shown (never on Rampart's own lines). */
export const shownLine = (raw: string, colour: boolean): string => renderLine(raw, colour && !isOwnLine(raw));

/** Characters that take no cell: combining marks, format and default-ignorable characters (as Ink's string-width counts them). */
const ZERO_WIDTH = /[\p{Default_Ignorable_Code_Point}\p{Format}\p{Nonspacing_Mark}\p{Enclosing_Mark}]/u;

/**
 * Cells a character takes on a terminal, measured the way Ink measures the
 * rows it lays out: 0 for zero-width characters, else its East Asian width
 * (2 for wide ones and emoji).
 */
export const cellWidth = (cp: number): number => {
	if (cp < 0x7f) return 1; // ASCII, the common case, without a lookup
	return ZERO_WIDTH.test(String.fromCodePoint(cp)) ? 0 : eastAsianWidth(cp);
};

/**
 * Walks a rendered line character by character: `visit` gets each one's
 * index, length in UTF-16 units, cells and the colour in effect, and stops
 * the walk by returning false. Returns the colour in effect where it stopped.
 */
const walk = (text: string, visit: (index: number, length: number, cells: number, style: string) => boolean | void): string => {
	let style = '';
	for (let i = 0; i < text.length;) {
		if (text.charCodeAt(i) === 0x1b) {
			SGR.lastIndex = i;
			const sgr = SGR.exec(text);
			if (sgr) {
				style = sgr[0] === RESET || sgr[0] === '\u001B[m' ? '' : sgr[0];
				i += sgr[0].length;
				continue;
			}
		}
		const cp = text.codePointAt(i)!;
		const length = cp > 0xffff ? 2 : 1;
		if (visit(i, length, cellWidth(cp), style) === false) return style;
		i += length;
	}
	return style;
};

/** Cells a rendered line takes. */
export const cellCount = (text: string): number => {
	let cells = 0;
	walk(text, (_i, _l, w) => {
		cells += w;
	});
	return cells;
};

/** A row on its own: the colour in effect at its start opened, and reset at its end if one is still on. */
const piece = (start: string, body: string, end: string): string => start + body + (end === '' ? '' : RESET);

/** A rendered line cut into rows of `width` cells (at least one row); only the first `max` rows are made. */
export const wrapRows = (text: string, width: number, max = Infinity): string[] => {
	const rows: string[] = [];
	let from = 0;
	let fromStyle = '';
	let cells = 0;
	const last = walk(text, (i, _length, w, style) => {
		if (cells + w > width && cells > 0) {
			rows.push(piece(fromStyle, text.slice(from, i), style));
			if (rows.length >= max) return false;
			from = i;
			fromStyle = style;
			cells = 0;
		}
		cells += w;
	});
	if (rows.length < max) rows.push(piece(fromStyle, text.slice(from), last));
	return rows;
};

/** Rows a rendered line takes at `width`. */
// A UTF-16 unit is at most 2 cells: a line of up to width / 2 units fits without measuring.
export const rowCount = (text: string, width: number): number => (text.length * 2 <= width ? 1 : wrapRows(text, width).length);

/** The cells `left`..`left + width` of a rendered line; a wide character cut by the left edge shows as a space. */
export const sliceCells = (text: string, left: number, width: number): string => {
	if (left === 0 && text.length * 2 <= width) return text;
	let out = '';
	let opened = '';
	let cells = 0;
	walk(text, (i, length, w, style) => {
		if (cells >= left + width) return false;
		const start = cells;
		cells += w;
		if (cells <= left) return;
		if (style !== opened) {
			out += (opened === '' ? '' : RESET) + style;
			opened = style;
		}
		if (start < left) out += ' '.repeat(cells - left);
		else if (cells <= left + width) out += text.slice(i, i + length);
	});
	return opened === '' ? out : out + RESET;
};

/** Where a search term is in a rendered line, in cells: its first cell and its width (undefined when absent). */
export const findCells = (text: string, query: string): {from: number; length: number} | undefined => {
	const plain = stripStyles(text);
	const at = plain.toLowerCase().indexOf(query.toLowerCase());
	if (at === -1 || query === '') return undefined;
	return {from: cellCount(plain.slice(0, at)), length: cellCount(plain.slice(at, at + query.length))};
};
