// One vocabulary for key presses. Ink reports a key as text plus flags;
// everything else in the UI speaks names like `enter`, `up`, `ctrl+c`, `j`,
// so a command table can be written, matched and shown as hints.

import type {Key} from 'ink';

export type KeyName = string;

/** The name of a key press, or undefined for keys no table uses. */
export const keyName = (input: string, key: Key): KeyName | undefined => {
	if (key.ctrl && input === 'c') return 'ctrl+c';
	if (key.ctrl && input) return `ctrl+${input}`;
	if (key.upArrow) return 'up';
	if (key.downArrow) return 'down';
	if (key.leftArrow) return 'left';
	if (key.rightArrow) return 'right';
	if (key.pageUp) return 'pgup';
	if (key.pageDown) return 'pgdn';
	if (key.home) return 'home';
	if (key.end) return 'end';
	if (key.return) return 'enter';
	if (key.escape) return 'esc';
	if (key.tab) return key.shift ? 'shift+tab' : 'tab';
	// Ink 6 reports Backspace (0x7F) as delete.
	if (key.backspace || key.delete) return 'backspace';
	if (input === ' ') return 'space';
	if (input.length === 1) return input;
	return undefined;
};

/** Text a key press would type into a field, or undefined for control keys. */
export const typedText = (input: string, key: Key): string | undefined => {
	if (key.ctrl || key.meta || key.return || key.escape || key.tab || key.backspace || key.delete) return undefined;
	if (key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown) return undefined;
	// A paste arrives as one chunk; keep it on one line.
	const text = input.replace(/[\r\n]+/g, ' ');
	// eslint-disable-next-line no-control-regex
	return text === '' || /[\u0000-\u001f\u007f]/.test(text) ? undefined : text;
};

const LABELS: Record<string, string> = {
	enter: 'Enter',
	esc: 'Esc',
	up: '↑',
	down: '↓',
	left: '←',
	right: '→',
	pgup: 'PgUp',
	pgdn: 'PgDn',
	home: 'Home',
	end: 'End',
	space: 'Space',
	tab: 'Tab',
	backspace: 'Backspace',
	'ctrl+c': 'Ctrl-C',
};

export const keyLabel = (name: KeyName): string => LABELS[name] ?? name;
