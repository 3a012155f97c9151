import type {CommandTable} from '../commands.js';

export type FormCommand = 'next' | 'prev' | 'down' | 'cycle-back' | 'cycle' | 'back' | 'help' | 'quit';

export const FORM_COMMANDS: CommandTable<FormCommand> = [
	{id: 'next', keys: ['enter'], label: 'next', help: 'Check this value and go to the next field (the last one opens the review)'},
	{id: 'prev', keys: ['up', 'shift+tab'], label: 'previous field', help: 'Go to the previous field', hidden: true},
	{id: 'down', keys: ['down', 'tab'], label: 'next field', help: 'Go to the next field', hidden: true},
	{id: 'cycle-back', keys: ['left'], label: 'previous choice', help: 'Choice fields: the previous allowed value', hidden: true},
	{id: 'cycle', keys: ['right'], label: 'next choice', help: 'Choice fields: the next allowed value', hidden: true},
	{id: 'back', keys: ['esc'], label: 'back', help: 'Back to the runbook list'},
	{id: 'help', keys: ['?'], label: 'help', help: 'Show these keys (on an empty field; elsewhere ? is typed)'},
	{id: 'quit', keys: ['ctrl+c'], label: 'quit', help: 'Leave Rampart; nothing has run yet'},
];

export type ReviewCommand = 'start' | 'edit' | 'quit';

export const REVIEW_COMMANDS: CommandTable<ReviewCommand> = [
	{id: 'start', keys: ['enter', 'y'], label: 'start the run', help: 'Start the run with these values'},
	{id: 'edit', keys: ['esc', 'e'], label: 'change values', help: 'Back to the form'},
	{id: 'quit', keys: ['q', 'ctrl+c'], label: 'quit', help: 'Leave Rampart; nothing has run yet'},
];
