// The one output model: a command's raw output (as the step log keeps it,
// every byte) in, lines to show out, the way a terminal would show them.
// Within a line, carriage return, backspace, tab, erase-in-line and
// sideways cursor moves are applied, so a progress bar ends as its last
// state; colours (SGR) are kept, rebuilt from their parsed parameters, or
// dropped; every other control sequence and control character (cursor
// up/down, screen clears, titles, OSC 8/52, bells, alternate screen, DCS)
// is dropped. No byte of a command's output can move, clear or re-title the
// screen that shows it: the only escape sequences in what comes out are the
// SGR ones written here.
//
// Sequences are tokenised by @ansi-tools/parser (a VT-style state machine:
// CSI, OSC, DCS, ESC, APC/PM/SOS, 7- and 8-bit introducers; 7 KB, no
// dependencies). Most output holds no control character at all and takes a
// fast path that never calls it.

import {parse} from '@ansi-tools/parser';

/** The widest line kept for display; the log on disk keeps everything. */
export const MAX_CELLS = 64 * 1024;

const TAB_WIDTH = 8;
/** Ends every colour this module opens. */
export const RESET = '\u001B[0m';

/**
 * Anything that needs the slow path: C0 controls but newline, DEL, C1
 * controls, and the bidirectional overrides and isolates, which can make a
 * line read as something else than it is ("Trojan Source").
 */
// eslint-disable-next-line no-control-regex -- control characters are what this module is about
const CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const isBidiControl = (c: number) => (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
/** Exactly the SGR sequences this module writes (and nothing a command could sneak past it), as a pattern. */
export const SGR_PATTERN = String.raw`\u001B\[[0-9;:]*m`;
const SGR = new RegExp(SGR_PATTERN, 'g');

/** Removes the colours this module keeps: for views that cannot show them. */
export const stripStyles = (text: string): string => (text.includes('\u001B') ? text.replace(SGR, '') : text);

/**
 * SGR parameters kept across lines, as a terminal keeps them. Extended
 * colours (38/48/58 with 5;n or 2;r;g;b) are consumed whole, so their 0s
 * are never taken for a reset.
 */
const applySgr = (active: string[], params: readonly string[]): string[] => {
	if (params.some(p => !/^[0-9:]{0,32}$/.test(p))) return active;
	let next = active;
	for (let i = 0; i < Math.max(1, params.length); i++) {
		const p = params[i] ?? '';
		if (p === '' || /^0+$/.test(p)) {
			next = [];
			continue;
		}
		if ((p === '38' || p === '48' || p === '58') && (params[i + 1] === '5' || params[i + 1] === '2')) {
			const take = params[i + 1] === '5' ? 3 : 5;
			next = [...next, params.slice(i, i + take).join(';')];
			i += take - 1;
			continue;
		}
		// Blink and concealed text are not passed on: concealed output could hide a line from the operator.
		if (p === '5' || p === '6' || p === '8') continue;
		next = [...next, p];
	}
	// Bounded: a command setting attributes forever must not grow a line's prefix.
	return next.length > 16 ? next.slice(-16) : next;
};

/**
 * An SGR sequence's parameters as written (the parser rewrites `38;2;r;g;b`
 * into the ITU form with a colour space, which terminals would misread).
 */
const sgrParams = (raw: string): string[] => {
	// eslint-disable-next-line no-control-regex -- the sequence's introducer, ESC [ or CSI
	const inner = raw.replace(/^(?:\u001B\[|\u009B)/, '').slice(0, -1);
	return inner === '' ? [] : inner.split(';');
};

const styleOf = (active: readonly string[]): string => (active.length === 0 ? '' : `\u001B[${active.join(';')}m`);

const count = (params: readonly string[] | undefined, fallback = 1): number => {
	const n = Number.parseInt(params?.[0] ?? '', 10);
	return Number.isFinite(n) && n > 0 ? Math.min(n, MAX_CELLS) : fallback;
};

/** One line of cells, written the way a terminal writes a row. */
class Row {
	readonly cells: string[] = [];
	readonly styles: string[] = [];
	col = 0;
	/** Text fell beyond MAX_CELLS: shown with a mark, so a cut line never looks whole. */
	cut = false;

	put(ch: string, style: string): void {
		if (this.col >= MAX_CELLS) {
			this.cut = true;
			return;
		}
		while (this.cells.length < this.col) {
			this.cells.push(' ');
			this.styles.push('');
		}
		this.cells[this.col] = ch;
		this.styles[this.col] = style;
		this.col++;
	}

	erase(mode: number): void {
		if (mode === 0) {
			this.cells.length = Math.min(this.cells.length, this.col);
			this.styles.length = this.cells.length;
		} else if (mode === 1) {
			for (let i = 0; i <= this.col && i < this.cells.length; i++) {
				this.cells[i] = ' ';
				this.styles[i] = '';
			}
		} else if (mode === 2) {
			this.cells.length = 0;
			this.styles.length = 0;
		}
	}

	text(colour: boolean): string {
		const more = this.cut && this.cells.length >= MAX_CELLS ? ' …' : '';
		return this.styled(colour) + more;
	}

	private styled(colour: boolean): string {
		if (!colour) return this.cells.join('');
		let out = '';
		let current = '';
		for (let i = 0; i < this.cells.length; i++) {
			const style = this.styles[i] ?? '';
			if (style !== current) {
				out += (current === '' ? '' : RESET) + style;
				current = style;
			}
			out += this.cells[i];
		}
		return current === '' ? out : out + RESET;
	}
}

/**
 * Renders the lines of one stream, in order: colours set on one line carry
 * to the next, as on a terminal. Each line comes out self-contained (its
 * colours opened at its start and reset at its end), so any view can cut,
 * scroll or drop lines without a colour leaking into the rest of the screen.
 */
export class LineRenderer {
	private active: string[] = [];
	/** A line that output began but has not ended yet (a piece of a line longer than a read). */
	private open: Row | undefined;

	constructor(private readonly colour: boolean) {}

	/** One whole line, without its newline. */
	line(raw: string): string {
		if (!CONTROL.test(raw)) return this.plainLine(raw);
		const row = new Row();
		this.feed(row, raw);
		return row.text(this.colour);
	}

	/**
	 * The lines that a piece of output ends. Text after its last newline is
	 * a line still being written: it is kept (within MAX_CELLS) and comes out
	 * with the piece that ends it, or from end(), so a progress bar longer
	 * than one read still ends as one line in its last state.
	 */
	lines(text: string): string[] {
		if (text === '') return [];
		const ended = text.endsWith('\n');
		const parts = (ended ? text.slice(0, -1) : text).split('\n');
		const fragment = ended ? undefined : parts.pop();
		const out: string[] = [];
		let from = 0;
		if (this.open && parts.length > 0) {
			this.feed(this.open, parts[0]!);
			out.push(this.open.text(this.colour));
			this.open = undefined;
			from = 1;
		}
		const rest = from === 0 ? parts : parts.slice(from);
		// The common case, a chunk with no control character at all, costs one test.
		if (!CONTROL.test(text)) out.push(...(this.active.length === 0 || !this.colour ? rest : rest.map(l => this.plainLine(l))));
		else for (const line of rest) out.push(this.line(line));
		if (fragment !== undefined && fragment !== '') this.feed((this.open ??= new Row()), fragment);
		return out;
	}

	/** The line still being written when the output ends, if any. */
	end(): string | undefined {
		const open = this.open;
		this.open = undefined;
		return open?.text(this.colour);
	}

	private plainLine(raw: string): string {
		const style = this.colour ? styleOf(this.active) : '';
		const shown = raw.length > MAX_CELLS ? `${raw.slice(0, MAX_CELLS)} …` : raw;
		return style === '' || shown === '' ? shown : style + shown + RESET;
	}

	/** Writes raw output into a row as a terminal would. */
	private feed(row: Row, raw: string): void {
		// Past the widest line, plain text changes nothing: only what moves the cursor back counts.
		if (row.col >= MAX_CELLS && !CONTROL.test(raw)) {
			if (raw !== '') row.cut = true;
			return;
		}
		let style = styleOf(this.active);
		for (const code of parse(raw)) {
			if (code.type === 'TEXT') {
				for (const ch of code.raw) {
					const c = ch.codePointAt(0)!;
					if (c >= 0x20 && c !== 0x7f && (c < 0x80 || c > 0x9f) && !isBidiControl(c)) row.put(ch, style);
					else if (c === 0x0d) row.col = 0;
					else if (c === 0x08) row.col = Math.max(0, row.col - 1);
					else if (c === 0x09) {
						const stop = Math.min(MAX_CELLS, (Math.floor(row.col / TAB_WIDTH) + 1) * TAB_WIDTH);
						while (row.col < stop) row.put(' ', '');
					}
					// Every other control character (bell, shift-in/out, NUL, C1, bidi overrides) is dropped.
				}
				continue;
			}
			if (code.type !== 'CSI' && code.type !== 'SGR') continue;
			switch (code.command) {
				case 'm':
					this.active = applySgr(this.active, sgrParams(code.raw));
					style = styleOf(this.active);
					break;
				case 'K':
					row.erase(code.params?.[0] === undefined ? 0 : Number(code.params[0]));
					break;
				case 'G':
					row.col = count(code.params) - 1;
					break;
				case 'C':
					row.col = Math.min(MAX_CELLS, row.col + count(code.params));
					break;
				case 'D':
					row.col = Math.max(0, row.col - count(code.params));
					break;
				default:
					// Cursor up/down, screen clears, scroll regions, modes: not for a line of output.
					break;
			}
		}
	}
}

/** One line rendered on its own (no colour carried in from earlier lines). */
export const renderLine = (raw: string, colour = false): string => new LineRenderer(colour).line(raw);
