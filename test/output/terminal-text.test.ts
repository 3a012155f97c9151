// The output model: what a command's bytes look like once shown, and that
// nothing in them can reach the terminal as a control sequence.

import {describe, expect, it} from 'vitest';
import fc from 'fast-check';
import {LineRenderer, MAX_CELLS, renderLine, stripStyles} from '../../source/output/terminal-text.js';

const ESC = '\u001B';

describe('a line as a terminal shows it', () => {
	it('ends a carriage-return progress bar at its last state', () => {
		expect(renderLine('progress  20%\rprogress  60%\rprogress 100%')).toBe('progress 100%');
		// A shorter redraw leaves the longer one's tail, as on a terminal, unless it erases it.
		expect(renderLine('downloading 100 files\rdone')).toBe('doneloading 100 files');
		expect(renderLine(`downloading 100 files\r${ESC}[2Kdone`)).toBe('done');
		expect(renderLine(`downloading\r${ESC}[Kdone`)).toBe('done');
	});

	it('applies backspace, tabs and sideways cursor moves within the line', () => {
		expect(renderLine('abc\bX')).toBe('abX');
		expect(renderLine('a\tb')).toBe('a       b');
		expect(renderLine(`abcdef${ESC}[3DXY`)).toBe('abcXYf');
		expect(renderLine(`ab${ESC}[3Cc`)).toBe('ab   c');
		expect(renderLine(`abcdef${ESC}[2GZ`)).toBe('aZcdef');
	});

	it('drops every control sequence that could move, clear or re-title the screen', () => {
		const hostile = [
			`${ESC}[2J`,
			`${ESC}[H`,
			`${ESC}[10;10H`,
			`${ESC}[5A`,
			`${ESC}]0;owned${'\u0007'}`,
			`${ESC}]52;c;aGVsbG8+/=${'\u0007'}`,
			`${ESC}]8;;https://evil.example${ESC}\\link${ESC}]8;;${ESC}\\`,
			`${ESC}[?1049h`,
			`${ESC}[?25l`,
			`${ESC}P+q544e${ESC}\\`,
			`${ESC}c`,
			`${ESC}7${ESC}8`,
			'\u0007',
			'\u009B2J',
			`${ESC}[1;24r`,
		].join('');
		const shown = renderLine(`before${hostile}after`, true);
		expect(shown).toBe('beforelinkafter');
		expect(shown).not.toContain(ESC);
	});

	it('keeps colours, rebuilt from their parameters, and carries them across lines', () => {
		const r = new LineRenderer(true);
		expect(r.line(`${ESC}[31mred${ESC}[0m plain`)).toBe(`${ESC}[31mred${ESC}[0m plain`);
		// Black in 256 colours is not a reset.
		expect(r.line(`${ESC}[1;38;5;0mbold black`)).toBe(`${ESC}[1;38;5;0mbold black${ESC}[0m`);
		expect(r.lines('still bold\nand here\n')).toEqual([`${ESC}[1;38;5;0mstill bold${ESC}[0m`, `${ESC}[1;38;5;0mand here${ESC}[0m`]);
		expect(r.line(`${ESC}[mplain again`)).toBe('plain again');
	});

	it('keeps truecolor as written, and drops blink and concealed text', () => {
		expect(renderLine(`${ESC}[38;2;10;200;30mgreen`, true)).toBe(`${ESC}[38;2;10;200;30mgreen${ESC}[0m`);
		expect(renderLine(`${ESC}[1;48;2;200;10;10mred`, true)).toBe(`${ESC}[1;48;2;200;10;10mred${ESC}[0m`);
		// Concealed text could hide a line from the operator: it is shown.
		expect(renderLine(`${ESC}[8mhidden`, true)).toBe('hidden');
		expect(renderLine(`${ESC}[5;31mblinking`, true)).toBe(`${ESC}[31mblinking${ESC}[0m`);
	});

	it('drops bidirectional overrides, so a line reads as what it is', () => {
		expect(renderLine('invoice\u202Etxt.exe')).toBe('invoicetxt.exe');
		expect(renderLine('a\u2066b\u2069c')).toBe('abc');
	});

	it('keeps a line that arrives in pieces open until it ends, so progress longer than a read ends as one line', () => {
		const r = new LineRenderer(false);
		expect(r.lines('progress 1/3')).toEqual([]);
		expect(r.lines('\rprogress 2/3')).toEqual([]);
		expect(r.lines('\rprogress 3/3\nnext\nhalf')).toEqual(['progress 3/3', 'next']);
		expect(r.end()).toBe('half');
		expect(r.end()).toBeUndefined();
	});

	it('strips colours for views that cannot show them', () => {
		expect(renderLine(`${ESC}[32mok${ESC}[0m`, false)).toBe('ok');
		expect(stripStyles(renderLine(`${ESC}[32mok${ESC}[0m done`, true))).toBe('ok done');
	});

	it('bounds a line for display however long it is', () => {
		// Cut with a mark, so a cut line never looks whole.
		expect(renderLine('x'.repeat(MAX_CELLS * 2))).toBe(`${'x'.repeat(MAX_CELLS)} …`);
		expect(renderLine(`${'y'.repeat(MAX_CELLS * 2)}\r${ESC}[2Kend`)).toBe('end');
	});

	it('never lets an escape byte through except its own colour sequences, whatever the input', () => {
		const piece = fc.oneof(
			fc.string(),
			fc.constantFrom(ESC, '\u009B', '\u009D', '\u0090', '\u0007', '\r', '\b', '\t', '[', ']', ';', 'm', 'H', 'J', '31', '\\', '?1049h', '52;c;'),
		);
		fc.assert(
			fc.property(fc.array(piece, {maxLength: 40}), parts => {
				const shown = new LineRenderer(true).line(parts.join(''));
				// eslint-disable-next-line no-control-regex -- looking for control characters is the test
				expect(shown.replace(/\u001B\[[0-9;:]*m/g, '')).not.toMatch(/[\u0000-\u001F\u007F-\u009F]/);
			}),
			{numRuns: 2000},
		);
	});
});
