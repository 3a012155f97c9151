import type {CommandTable} from '../commands.js';

export type ApproveCommand = 'approve' | 'up' | 'down' | 'page-up' | 'page-down' | 'top' | 'bottom' | 'back' | 'help';

export const APPROVE_COMMANDS: CommandTable<ApproveCommand> = [
	{id: 'approve', keys: ['a'], label: 'approve this content and go on', help: 'Approve this exact content and go on (once the end has been on screen)'},
	{id: 'up', keys: ['up', 'k'], label: 'scroll', help: 'One line up'},
	{id: 'down', keys: ['down', 'j'], label: 'down', help: 'One line down', hidden: true},
	{id: 'page-up', keys: ['pgup'], label: 'page up', help: 'One page up', hidden: true},
	{id: 'page-down', keys: ['pgdn', 'space'], label: 'page down', help: 'One page down', hidden: true},
	{id: 'top', keys: ['home'], label: 'top', help: 'The first line', hidden: true},
	{id: 'bottom', keys: ['end'], label: 'end', help: 'The last line', hidden: true},
	{id: 'back', keys: ['esc', 'n', 'q', 'ctrl+c'], label: 'back, nothing approved', help: 'Go back; nothing is approved'},
	{id: 'help', keys: ['?'], label: 'help', help: 'Show these keys'},
];

/** Approval waits until the end of the text has been on screen; every other key works at once. */
export const approveCommands = (seenEnd: boolean): ReadonlySet<ApproveCommand> => new Set(APPROVE_COMMANDS.map(c => c.id).filter(id => seenEnd || id !== 'approve'));
