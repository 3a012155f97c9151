// The full-log view's arithmetic: where a key press leaves the view, and
// how a rendered line is cut into rows and windows of cells.

import {describe, expect, it} from 'vitest';
import {endOf, reveal, revealColumn, scrollBy, scrollSideways, type LogGeometry} from '../../source/ui/run/log-position.js';
import {cellCount, findCells, shownLine, sliceCells, wrapRows} from '../../source/ui/run/log-text.js';

const RED = '\u001B[31m';
const RESET = '\u001B[0m';

/** 100 lines of one row each. */
const flat: LogGeometry = {count: 100, height: 10};
/** Wrapped: line 2 takes 30 rows, the others one each. */
const tall: LogGeometry = {count: 4, height: 10, rows: line => (line === 2 ? 30 : 1)};

describe('scrolling the full log', () => {
	it('ends with the last row at the bottom of the screen', () => {
		expect(endOf(flat)).toEqual({line: 90, row: 0});
		expect(endOf({count: 5, height: 10})).toEqual({line: 0, row: 0});
		// The last line's one row, and the tall line's last 9.
		expect(endOf(tall)).toEqual({line: 2, row: 21});
	});

	it('moves by lines, never before the start or past the end', () => {
		expect(scrollBy({line: 0, row: 0}, 1, flat)).toEqual({line: 1, row: 0});
		expect(scrollBy({line: 85, row: 0}, 10, flat)).toEqual({line: 90, row: 0});
		expect(scrollBy({line: 3, row: 0}, -10, flat)).toEqual({line: 0, row: 0});
		expect(scrollBy({line: 40, row: 0}, Infinity, flat)).toEqual({line: 90, row: 0});
		expect(scrollBy({line: 40, row: 0}, -Infinity, flat)).toEqual({line: 0, row: 0});
	});

	it('moves through a wrapped line taller than the screen row by row', () => {
		expect(scrollBy({line: 1, row: 0}, 1, tall)).toEqual({line: 2, row: 0});
		expect(scrollBy({line: 2, row: 0}, 1, tall)).toEqual({line: 2, row: 1});
		expect(scrollBy({line: 2, row: 5}, 9, tall)).toEqual({line: 2, row: 14});
		expect(scrollBy({line: 2, row: 20}, 5, tall)).toEqual({line: 2, row: 21});
		expect(scrollBy({line: 2, row: 1}, -1, tall)).toEqual({line: 2, row: 0});
		expect(scrollBy({line: 2, row: 0}, -1, tall)).toEqual({line: 1, row: 0});
		expect(scrollBy({line: 3, row: 0}, -1, tall)).toEqual({line: 2, row: 29});
		expect(scrollBy({line: 2, row: 3}, -10, tall)).toEqual({line: 0, row: 0});
	});

	it('shows a found line with a few lines before it, or leaves the view where it is when it is on screen', () => {
		expect(reveal({line: 5, row: 0}, {line: 0, row: 0}, flat)).toEqual({line: 0, row: 0});
		expect(reveal({line: 50, row: 0}, {line: 0, row: 0}, flat)).toEqual({line: 48, row: 0});
		expect(reveal({line: 20, row: 0}, {line: 30, row: 0}, flat)).toEqual({line: 18, row: 0});
		expect(reveal({line: 99, row: 0}, {line: 0, row: 0}, flat)).toEqual({line: 90, row: 0});
		// A row deep in a tall line.
		expect(reveal({line: 2, row: 15}, {line: 0, row: 0}, tall)).toEqual({line: 2, row: 13});
	});

	it('scrolls sideways by half a screen, as far as the widest line on screen', () => {
		expect(scrollSideways(0, 1, 60, 100)).toBe(30);
		expect(scrollSideways(30, 1, 60, 100)).toBe(40);
		expect(scrollSideways(40, -1, 60, 100)).toBe(10);
		expect(scrollSideways(10, -1, 60, 100)).toBe(0);
		expect(scrollSideways(0, 1, 60, 50)).toBe(0);
		expect(revealColumn(0, 100, 5, 60)).toBe(70);
		expect(revealColumn(70, 100, 5, 60)).toBe(70);
	});
});

describe('a log line on screen', () => {
	it('is shown as a terminal shows it; colours only where they can be, never on Rampart’s own lines', () => {
		expect(shownLine('progress 10%\rprogress 100%', false)).toBe('progress 100%');
		expect(shownLine(`${RED}red${RESET}`, true)).toBe(`${RED}red${RESET}`);
		expect(shownLine(`${RED}red${RESET}`, false)).toBe('red');
		expect(shownLine(`# rampart: ${RED}exit 3`, true)).toBe('# rampart: exit 3');
	});

	it('is measured in cells: wide characters take two, combining marks none', () => {
		expect(cellCount('a中😀e\u0301')).toBe(6);
		expect(cellCount(`${RED}ab${RESET}`)).toBe(2);
		expect(findCells('ab中CD', 'cd')).toEqual({from: 4, length: 2});
		expect(findCells('abc', 'x')).toBeUndefined();
	});

	it('wraps into rows of the width, each row carrying its colour', () => {
		expect(wrapRows('abcdef', 4)).toEqual(['abcd', 'ef']);
		expect(wrapRows('', 4)).toEqual(['']);
		expect(wrapRows('中中中', 4)).toEqual(['中中', '中']);
		expect(wrapRows('ab中', 3)).toEqual(['ab', '中']);
		expect(wrapRows(`${RED}abcdef${RESET}`, 4)).toEqual([`${RED}abcd${RESET}`, `${RED}ef${RESET}`]);
		expect(wrapRows('abcdefghij', 2, 3)).toEqual(['ab', 'cd', 'ef']);
	});

	it('is cut to a window of cells when scrolled sideways', () => {
		expect(sliceCells('abcdefgh', 2, 3)).toBe('cde');
		expect(sliceCells('abc', 5, 3)).toBe('');
		expect(sliceCells(`${RED}abcdef${RESET}`, 2, 2)).toBe(`${RED}cd${RESET}`);
		// A wide character cut by an edge: a space at the left, nothing at the right.
		expect(sliceCells('a中b', 2, 2)).toBe(' b');
		expect(sliceCells('ab中', 0, 3)).toBe('ab');
	});
});
