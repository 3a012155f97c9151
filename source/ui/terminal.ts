// Whatever happens, the operator gets their terminal back: raw mode off,
// cursor visible, the normal screen restored. Every exit path runs
// restore(), including uncaught errors and signals.

export const ALT_SCREEN_ON = '\u001B[?1049h';
export const ALT_SCREEN_OFF = '\u001B[?1049l';
export const CURSOR_SHOW = '\u001B[?25h';
export const CURSOR_HIDE = '\u001B[?25l';
export const CLEAR_SCREEN = '\u001B[2J\u001B[H';

export interface TerminalStreams {
	stdin: NodeJS.ReadStream;
	stdout: NodeJS.WriteStream;
}

export const createTerminal = ({stdin, stdout}: TerminalStreams) => {
	let onAltScreen = false;
	const write = (text: string) => {
		try {
			stdout.write(text);
		} catch {
			// A closed terminal has nothing left to restore.
		}
	};
	const rawOff = () => {
		try {
			if (stdin.isTTY && stdin.isRaw) stdin.setRawMode(false);
		} catch {
			// Same: nothing to restore on a terminal that is gone.
		}
	};
	type Handle = {reading?: boolean; readStop?: () => number; readStart?: () => number};
	const handleOf = () => (stdin as unknown as {_handle?: Handle})._handle;
	/**
	 * Stops reading the terminal at the handle, so a child that inherits it
	 * gets every key. Node restarts reading whenever anyone calls read() and
	 * the handle says it is not reading, so the flag stays set until resume.
	 */
	const stopReading = () => {
		const handle = handleOf();
		if (handle?.readStop) {
			if (handle.reading) handle.readStop();
			handle.reading = true;
		}
		stdin.pause();
	};
	/** Reads again at once: a handle that is not reading keeps no event loop alive. */
	const startReading = () => {
		const handle = handleOf();
		if (handle?.readStart) {
			handle.readStart();
			handle.reading = true;
		}
		stdin.resume();
	};
	return {
		enter() {
			onAltScreen = true;
			write(ALT_SCREEN_ON + CLEAR_SCREEN + CURSOR_HIDE);
		},
		/** Idempotent; safe from an exit handler. */
		restore() {
			rawOff();
			write((onAltScreen ? ALT_SCREEN_OFF : '') + CURSOR_SHOW);
			onAltScreen = false;
		},
		/** An interactive block gets the real terminal, in its normal state. */
		suspend(what: string) {
			rawOff();
			stopReading();
			write(`${ALT_SCREEN_OFF + CURSOR_SHOW}rampart: “${what}” uses the terminal; Rampart comes back when it ends.\n`);
			onAltScreen = false;
		},
		resume() {
			startReading();
			onAltScreen = true;
			write(ALT_SCREEN_ON + CLEAR_SCREEN + CURSOR_HIDE);
		},
		clear() {
			write(CLEAR_SCREEN);
		},
	};
};

export type Terminal = ReturnType<typeof createTerminal>;
