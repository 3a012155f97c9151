// Where the full-log view is: the first line shown (and, when long lines
// wrap, the first row of it shown), how far it is scrolled sideways, and the
// search. Pure functions of that state and the log's geometry; the geometry
// asks how many rows a line takes only for the lines it passes over, so a
// move costs what it moves, however long the log.

export interface LogPosition {
	line: number;
	/** First row of `line` on screen: above 0 only when a wrapped line is taller than the screen. */
	row: number;
}

export interface LogViewState {
	top: LogPosition;
	/** First cell shown when lines are not wrapped. */
	left: number;
	wrap: boolean;
	/** The search being typed (after `/`). */
	typing?: string;
	/** The last search. */
	search?: string;
	/** The line the last search found. */
	match?: number;
	/** The line the last error jump found. */
	error?: number;
	/** The line shown highlighted: the last match or error line. */
	mark?: number;
	/** What the last command found nothing of. */
	notice?: string;
	/** The log view's keys are shown. */
	help?: boolean;
}

export interface LogGeometry {
	count: number;
	/** Rows of text on screen. */
	height: number;
	/** Rows a line takes; one each when not given (lines not wrapped). */
	rows?: (line: number) => number;
}

const rowsOf = (g: LogGeometry, line: number): number => (g.rows ? Math.max(1, g.rows(line)) : 1);
const before = (a: LogPosition, b: LogPosition): boolean => a.line < b.line || (a.line === b.line && a.row < b.row);

export const START: LogPosition = {line: 0, row: 0};

/** The top that puts the log's last row at the bottom of the screen (the start when it all fits). */
export const endOf = (g: LogGeometry): LogPosition => {
	if (!g.rows) return {line: Math.max(0, g.count - g.height), row: 0};
	let need = g.height;
	for (let line = g.count - 1; line >= 0; line--) {
		const rows = rowsOf(g, line);
		if (rows >= need) return {line, row: rows - need};
		need -= rows;
	}
	return START;
};

/** The top `by` rows further down (or up), kept between the start and the end. */
export const scrollBy = (top: LogPosition, by: number, g: LogGeometry): LogPosition => {
	if (by === 0) return top;
	if (by === -Infinity) return START;
	const end = endOf(g);
	if (by === Infinity) return end;
	if (!g.rows) return {line: Math.max(0, Math.min(end.line, top.line + by)), row: 0};
	let {line, row} = top;
	if (by > 0) {
		for (let left = by; left > 0 && before({line, row}, end);) {
			const rest = rowsOf(g, line) - row;
			if (left < rest) {
				row += left;
				left = 0;
			} else {
				left -= rest;
				line++;
				row = 0;
			}
		}
		return before({line, row}, end) ? {line, row} : end;
	}
	for (let left = -by; left > 0 && (line > 0 || row > 0);) {
		if (left <= row) {
			row -= left;
			left = 0;
		} else {
			left -= row + 1;
			if (line === 0) return START;
			line--;
			row = rowsOf(g, line) - 1;
		}
	}
	return {line, row};
};

/** Rows from the top of the screen down to `target`; Infinity when it is above the screen or below it. */
const rowsDown = (top: LogPosition, target: LogPosition, g: LogGeometry): number => {
	if (before(target, top)) return Infinity;
	if (target.line === top.line) return target.row - top.row < g.height ? target.row - top.row : Infinity;
	let rows = rowsOf(g, top.line) - top.row;
	for (let line = top.line + 1; line < target.line && rows < g.height; line++) rows += rowsOf(g, line);
	rows += target.row;
	return rows < g.height ? rows : Infinity;
};

/** The same top when it is within the log, else the end. */
export const clampTop = (top: LogPosition, g: LogGeometry): LogPosition => {
	const end = endOf(g);
	return before(end, top) ? end : top;
};

/** A top that shows `target`: the same top when it is on screen already, else one with a few rows before it. */
export const reveal = (target: LogPosition, top: LogPosition, g: LogGeometry): LogPosition => {
	if (rowsDown(top, target, g) !== Infinity) return top;
	return clampTop(scrollBy(target, -Math.min(3, Math.floor(g.height / 4)), g), g);
};

/** Half a screen sideways, never past the widest line on screen. */
export const scrollSideways = (left: number, direction: 1 | -1, width: number, widest: number): number =>
	Math.max(0, Math.min(Math.max(0, widest - width), left + direction * Math.max(1, Math.floor(width / 2))));

/** The first cell to show so that cells `from`..`from + length` are in view (the same when they are). */
export const revealColumn = (left: number, from: number, length: number, width: number): number => {
	if (from >= left && from + length <= left + width) return left;
	return Math.max(0, from - Math.floor(width / 2));
};
