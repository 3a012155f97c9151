import type {CommandTable} from '../commands.js';

export type ChoiceCommand = 'up' | 'down' | 'pick' | 'back' | 'help';

// The items' own keys (`r` resume, `s` start over) are data of the items,
// tried after this table: an item cannot take a key listed here.
export const CHOICE_COMMANDS: CommandTable<ChoiceCommand> = [
	{id: 'up', keys: ['up', 'k'], label: 'select', help: 'Select the choice above'},
	{id: 'down', keys: ['down', 'j'], label: 'select', help: 'Select the choice below', hidden: true},
	{id: 'pick', keys: ['enter'], label: 'pick', help: 'Pick the selected choice (or press its own key)'},
	{id: 'back', keys: ['esc', 'ctrl+c'], label: 'back', help: 'Go back; nothing is picked'},
	{id: 'help', keys: ['?'], label: 'help', help: 'Show these keys'},
];
