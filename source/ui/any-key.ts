// Screens where any key does the one thing there is to do: the `?` help
// closes, a problem message goes back. Their one-command tables, and the
// sentence that names the key, so those words come from one place.

import {keysText, type CommandTable} from './commands.js';
import type {KeyName} from './keys.js';

/** Not a key name a press ever has: a table with it answers every press. */
export const ANY_KEY: KeyName = 'any key';

/** The `?` help of every screen. */
export const HELP_CLOSE_COMMANDS: CommandTable<'close'> = [{id: 'close', keys: [ANY_KEY], label: 'close help', help: 'Close this help'}];

/** A problem that stops what was being opened. */
export const PROBLEM_COMMANDS: CommandTable<'back'> = [{id: 'back', keys: [ANY_KEY], label: 'go back', help: 'Go back'}];

/** `Press any key to go back.`: the one command of an any-key table, as a sentence. */
export const anyKeyText = (table: CommandTable): string => {
	const only = table[0]!;
	return `Press ${keysText(only)} to ${only.label}.`;
};
