// The full-log view's keys: a key press and the view's state in, the next
// state out (or 'back' to the step). Keys resolve through LOG_COMMANDS, or
// LOG_SEARCH_COMMANDS while a search is typed; the log is read only where a
// command looks: the lines it passes over, or a search's way through it.

import type {LogDocument} from '../../output/log-document.js';
import {keysText, resolveCommand} from '../commands.js';
import {editText} from '../components/text-field.js';
import type {Keypress} from '../use-keypress.js';
import {LOG_COMMANDS, LOG_SEARCH_COMMANDS, type LogCommand} from './run-commands.js';
import {cellCount, findCells, rowCount, shownLine} from './log-text.js';
import {clampTop, endOf, reveal, revealColumn, scrollBy, scrollSideways, START, type LogGeometry, type LogViewState} from './log-position.js';
import {logArea} from './run-layout.js';

export interface LogScreen {
	doc: LogDocument;
	/** Cells a row has. */
	width: number;
	/** Rows of log text on screen. */
	height: number;
}

/** The log on a screen of that size: the text rows are the log's area less its header. */
export const logScreen = (doc: LogDocument, columns: number, rows: number): LogScreen => {
	const area = logArea(columns, rows);
	return {doc, width: area.width, height: Math.max(1, area.height - 1)};
};

const keyOf = (id: LogCommand): string => keysText(LOG_COMMANDS.find(c => c.id === id)!);

export const logGeometry = (wrap: boolean, {doc, width, height}: LogScreen): LogGeometry => ({
	count: doc.lineCount,
	height,
	...(wrap ? {rows: (line: number) => rowCount(shownLine(doc.line(line), false), width)} : {}),
});

/** The log as it opens: its last page, not wrapped. */
export const openLogView = (screen: LogScreen): LogViewState => ({top: endOf(logGeometry(false, screen)), left: 0, wrap: false});

/** Shows a found line: the row and the cells of the match in view, the line highlighted. */
const jumpTo = (view: LogViewState, line: number, screen: LogScreen, query?: string): LogViewState => {
	const found = query === undefined ? undefined : findCells(shownLine(screen.doc.line(line), false), query);
	const row = view.wrap && found ? Math.floor(found.from / screen.width) : 0;
	const left = view.wrap ? 0 : found ? revealColumn(view.left, found.from, found.length, screen.width) : 0;
	return {...view, top: reveal({line, row}, view.top, logGeometry(view.wrap, screen)), left, mark: line};
};

const search = (view: LogViewState, screen: LogScreen): LogViewState => {
	const query = view.typing ?? '';
	if (query === '') return {...view, typing: undefined};
	const from = view.top.line;
	const hit = screen.doc.find(query, from, 1) ?? (from > 0 ? screen.doc.find(query, 0, 1) : undefined);
	const searched: LogViewState = {...view, typing: undefined, search: query, match: hit};
	if (hit === undefined) return {...searched, mark: undefined, notice: `“${query}” not found`};
	return jumpTo(searched, hit, screen, query);
};

const again = (view: LogViewState, direction: 1 | -1, screen: LogScreen): LogViewState => {
	if (view.search === undefined) return {...view, notice: `${keyOf('search')} searches first`};
	const from = view.match === undefined ? view.top.line : view.match + direction;
	const hit = screen.doc.find(view.search, from, direction);
	if (hit === undefined) return {...view, notice: 'no more matches'};
	return jumpTo({...view, match: hit}, hit, screen, view.search);
};

const nextError = (view: LogViewState, screen: LogScreen): LogViewState => {
	const hit = screen.doc.findError(view.error === undefined ? 0 : view.error + 1);
	if (hit === undefined) return {...view, notice: view.error === undefined ? 'no error lines' : 'no more error lines'};
	return jumpTo({...view, error: hit}, hit, screen);
};

const sideways = (view: LogViewState, direction: 1 | -1, screen: LogScreen): LogViewState => {
	if (view.wrap) return {...view, notice: `wrapped: ${keyOf('wrap')} unwraps`};
	const shown = screen.doc.lines(view.top.line, screen.height).map(raw => cellCount(shownLine(raw, false)));
	return {...view, left: scrollSideways(view.left, direction, screen.width, Math.max(0, ...shown))};
};

export const logKey = (press: Keypress, view: LogViewState, screen: LogScreen): LogViewState | 'back' => {
	if (view.help) return {...view, help: false};
	if (view.typing !== undefined) {
		const command = resolveCommand(LOG_SEARCH_COMMANDS, press.name);
		if (command === 'cancel') return {...view, typing: undefined};
		if (command === 'search') return search(view, screen);
		return {...view, typing: editText(view.typing, press.text, press.name === 'backspace')};
	}
	const command = resolveCommand(LOG_COMMANDS, press.name);
	if (!command) return view;
	// A notice answers one key press.
	const quiet: LogViewState = {...view, notice: undefined};
	const g = logGeometry(view.wrap, screen);
	const page = Math.max(1, screen.height - 1);
	switch (command) {
		case 'up':
		case 'down':
			return {...quiet, top: scrollBy(view.top, command === 'up' ? -1 : 1, g)};
		case 'page-up':
		case 'page-down':
			return {...quiet, top: scrollBy(view.top, command === 'page-up' ? -page : page, g)};
		case 'top':
			return {...quiet, top: START};
		case 'bottom':
			return {...quiet, top: endOf(g)};
		case 'wrap': {
			const wrap = !view.wrap;
			return {...quiet, wrap, left: 0, top: clampTop({line: view.top.line, row: 0}, logGeometry(wrap, screen))};
		}
		case 'left':
		case 'right':
			return sideways(quiet, command === 'left' ? -1 : 1, screen);
		case 'search':
			return {...quiet, typing: ''};
		case 'next-match':
		case 'previous-match':
			return again(quiet, command === 'next-match' ? 1 : -1, screen);
		case 'error':
			return nextError(quiet, screen);
		case 'help':
			return {...quiet, help: true};
		case 'back':
			return 'back';
	}
};
