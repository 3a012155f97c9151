// The full log of a step as drawn: a header (where the view is, wrapping,
// the search and what the last key found), then only the rows on screen,
// read from the log document and rendered by the one output model. Lines
// wrap into rows of the column's width, or are cut to it and scrolled
// sideways; Rampart's own lines are muted, the line found last is inverse.

import {Box, Text} from 'ink';
import type {LogDocument} from '../../output/log-document.js';
import {TextField} from '../components/text-field.js';
import {useTheme} from '../theme.js';
import type {LogViewState} from './log-position.js';
import {isOwnLine, shownLine, sliceCells, wrapRows} from './log-text.js';

export interface ScreenRow {
	text: string;
	own: boolean;
	marked: boolean;
}

/** The rows on screen, and the last line they show part of. */
export const screenRows = (doc: LogDocument, view: LogViewState, width: number, height: number, colour: boolean): {rows: ScreenRow[]; last: number} => {
	const rows: ScreenRow[] = [];
	let last = view.top.line - 1;
	// Each line takes a row at least: never more lines than rows are read.
	const raws = doc.lines(view.top.line, height);
	for (let i = 0; i < raws.length && rows.length < height; i++) {
		const raw = raws[i]!;
		const line = view.top.line + i;
		const marked = line === view.mark;
		const own = isOwnLine(raw);
		// The highlight is drawn over plain text: the command's own colours would end it early.
		const shown = shownLine(raw, colour && !marked);
		const skip = i === 0 ? view.top.row : 0;
		const parts = view.wrap ? wrapRows(shown, width, skip + height - rows.length).slice(skip) : [sliceCells(shown, view.left, width)];
		for (const text of parts) rows.push({text, own, marked});
		last = line;
	}
	return {rows: rows.slice(0, height), last};
};

const position = (view: LogViewState, last: number, count: number): string => {
	if (count === 0) return 'empty';
	const within = view.top.row > 0 ? ` (from row ${view.top.row + 1})` : '';
	return `lines ${view.top.line + 1}–${Math.max(view.top.line, last) + 1} of ${count}${within}`;
};

export const LogView = ({doc, view, width, height}: {doc: LogDocument; view: LogViewState; width: number; height: number}) => {
	const theme = useTheme();
	const {rows, last} = screenRows(doc, view, width, Math.max(1, height - 1), theme.color);
	// The notice first: the header is cut at the column's width.
	const details = [view.wrap ? 'wrap on' : 'wrap off'];
	if (!view.wrap && view.left > 0) details.push(`from column ${view.left + 1}`);
	if (view.search !== undefined) details.push(`“${view.search}”`);
	return (
		<Box flexDirection="column" height={height} overflow="hidden">
			{view.typing === undefined ? (
				<Text color={theme.muted} wrap="truncate-end">
					── full log · {position(view, last, doc.lineCount)}
					{view.notice ? <Text color={theme.warning}> · {view.notice}</Text> : null} · {details.join(' · ')} ──
				</Text>
			) : (
				<Text wrap="truncate-end">
					<Text color={theme.muted}>── search the log </Text>
					<TextField value={view.typing} />
				</Text>
			)}
			{rows.map((row, i) => (
				<Text key={i} wrap="truncate-end" inverse={row.marked} color={row.own ? theme.muted : undefined}>
					{row.text === '' ? ' ' : row.text}
				</Text>
			))}
		</Box>
	);
};
