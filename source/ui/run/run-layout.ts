// The run screen's layout in rows and cells, shared by the drawing
// (run-view.tsx) and the keys that need the screen's size (the full log's
// pages and rows), so the two cannot disagree.

export interface RunLayout {
	/** Rows the screen uses. */
	height: number;
	/** Rows between the title line and the message and hint lines. */
	body: number;
	listWidth: number;
	/** Cells of the selected step's column (its text, output and full log). */
	detailWidth: number;
}

export const runLayout = (columns: number, rows: number): RunLayout => {
	const height = Math.max(10, rows - 1);
	const listWidth = Math.min(32, Math.max(18, Math.floor(columns * 0.3)));
	return {height, body: height - 5, listWidth, detailWidth: Math.max(20, columns - listWidth - 3)};
};

/** The full log's area in the step's column: below the step's title and status lines. */
export const logArea = (columns: number, rows: number): {width: number; height: number} => {
	const layout = runLayout(columns, rows);
	return {width: layout.detailWidth, height: layout.body - 2};
};
