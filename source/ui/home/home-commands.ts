import type {CommandTable} from '../commands.js';

export type HomeCommand = 'open' | 'up' | 'down' | 'filter' | 'clear' | 'help' | 'quit';

// Printable keys type into the filter, so commands sit on keys that do not
// type (q and ? only act while the filter is empty).
export const HOME_COMMANDS: CommandTable<HomeCommand> = [
	{id: 'up', keys: ['up', 'ctrl+p'], label: 'select', help: 'Select the runbook above'},
	{id: 'down', keys: ['down', 'ctrl+n'], label: 'down', help: 'Select the runbook below', hidden: true},
	{id: 'open', keys: ['enter'], label: 'open', help: 'Open the selected runbook'},
	// Not a key name any press has: letters type into the filter (use-home.ts).
	{id: 'filter', keys: ['a-z'], label: 'filter', help: 'Type to filter the runbooks by id, title or tag'},
	{id: 'clear', keys: ['esc'], label: 'clear filter', help: 'Clear the filter'},
	{id: 'help', keys: ['?'], label: 'help', help: 'Show all keys (when the filter is empty)'},
	{id: 'quit', keys: ['q', 'ctrl+c'], label: 'quit', help: 'Leave Rampart (q when the filter is empty)'},
];
