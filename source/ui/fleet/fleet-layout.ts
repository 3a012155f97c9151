// The fleet view's layout in rows and cells: how many hosts and steps the
// grid shows at 80×24 or any other size, and which ones (the cursor's
// neighbourhood). Shared by the drawing and nothing else needs to guess it.

/** Cells a step takes in the grid: its mark between two spaces. */
export const CELL = 3;

export interface FleetLayout {
	/** Rows the screen uses. */
	height: number;
	/** Host rows of the grid shown at once. */
	gridRows: number;
	/** Rows of the output pane (or the open prompt). */
	panelRows: number;
	/** Cells of the host column: a selection mark, a space and the name. */
	nameWidth: number;
	/** Step columns shown at once. */
	stepColumns: number;
}

export const fleetLayout = (columns: number, rows: number, hosts: readonly string[]): FleetLayout => {
	const height = Math.max(12, rows - 1);
	// Title, grid header, the step's title and the host's status, message, two rows of hints.
	const free = height - 7;
	const gridRows = Math.max(1, Math.min(hosts.length, Math.floor(free / 2)));
	const nameWidth = Math.min(16, Math.max(4, ...hosts.map(h => h.length))) + 2;
	return {height, gridRows, panelRows: free - gridRows, nameWidth, stepColumns: Math.max(1, Math.floor((columns - nameWidth - 1) / CELL))};
};

/** The first of `shown` items in view, so the cursor stays near the middle of a long list. */
export const windowStart = (cursor: number, shown: number, count: number): number => Math.max(0, Math.min(cursor - Math.floor(shown / 2), count - shown));

/** A name cut to `width` cells, marked where it was cut. */
export const abbreviate = (name: string, width: number): string => (name.length <= width ? name.padEnd(width) : `${name.slice(0, Math.max(0, width - 1))}…`);
