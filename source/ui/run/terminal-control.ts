/** Hands the terminal to an interactive block and takes it back. */
export interface TerminalControl {
	/** `what` is shown on the normal screen while the terminal is handed over. */
	suspend: (what: string) => void;
	resume: () => void;
}
