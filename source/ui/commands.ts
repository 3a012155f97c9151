// Command tables: keys → named commands. The same table resolves a key
// press, draws the key hints and fills the `?` help, so what the screen
// says and what the keys do cannot drift apart.

import {keyLabel, type KeyName} from './keys.js';

export interface CommandSpec<Id extends string = string> {
	id: Id;
	keys: KeyName[];
	/** Short label for the hint bar, e.g. `run`. */
	label: string;
	/** One line for the help screen. */
	help: string;
	/** Left out of the hint bar (still in help), for the obvious ones. */
	hidden?: boolean;
}

export type CommandTable<Id extends string = string> = ReadonlyArray<CommandSpec<Id>>;

export const resolveCommand = <Id extends string>(table: CommandTable<Id>, name: KeyName | undefined, available?: ReadonlySet<Id>): Id | undefined => {
	if (name === undefined) return undefined;
	const found = table.find(c => c.keys.includes(name) && (!available || available.has(c.id)));
	return found?.id;
};

export const keysText = (spec: CommandSpec): string => spec.keys.map(keyLabel).join('/');

/** `Enter run · s skip · ? help`: the commands available now, in table order. */
export const hintItems = <Id extends string>(table: CommandTable<Id>, available?: ReadonlySet<Id>): Array<{keys: string; label: string}> =>
	table.filter(c => !c.hidden && (!available || available.has(c.id))).map(c => ({keys: keyLabel(c.keys[0]!), label: c.label}));

export const helpLines = <Id extends string>(table: CommandTable<Id>): Array<{keys: string; help: string}> => table.map(c => ({keys: keysText(c), help: c.help}));
