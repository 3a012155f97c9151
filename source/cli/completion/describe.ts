// The command table as data, read from commander itself (the commands,
// arguments and options it parses, and the help it prints), so that the
// completion scripts and the man page (scripts/man.mjs) can never describe
// a command line Rampart does not accept.

import type {Command} from 'commander';

/** What the shell offers for an argument or an option's value. */
export type ValueKind = 'runbook' | 'run' | 'runbook-or-file' | 'file' | 'none';

export interface ArgumentSpec {
	name: string;
	description: string;
	required: boolean;
	variadic: boolean;
	kind: ValueKind;
	choices?: string[];
}

export interface OptionSpec {
	flags: string;
	/** Every spelling: `-y`, `--yes`. */
	names: string[];
	description: string;
	takesValue: boolean;
	kind: ValueKind;
	choices?: string[];
}

export interface CommandSpec {
	/** The words after `rampart` that name it: [] for rampart itself, ['trust', 'list']. */
	path: string[];
	usage: string;
	description: string;
	arguments: ArgumentSpec[];
	options: OptionSpec[];
	commands: CommandSpec[];
	/** The help's text after the options (examples, exit status), as `--help` prints it. */
	more: string;
}

/** By the placeholder's name: what kind of word goes there. */
const kindOf = (name: string): ValueKind => {
	if (/^run-?id$/i.test(name)) return 'run';
	if (/^runbook$/i.test(name)) return 'runbook';
	if (/^paths?$/i.test(name)) return 'runbook-or-file';
	if (/file|path|\.ya?ml|dir/i.test(name)) return 'file';
	return 'none';
};

/** `--help` as printed, minus the generated part: what addHelpText put after it. */
const moreHelp = (command: Command): string => {
	let printed = '';
	command.configureOutput({writeOut: text => (printed += text)});
	command.outputHelp();
	const generated = command.helpInformation();
	return (printed.startsWith(generated) ? printed.slice(generated.length) : '').trim();
};

export const describeCommand = (command: Command, path: string[] = []): CommandSpec => {
	const help = command.createHelp();
	return {
		path,
		usage: help.commandUsage(command),
		description: command.description(),
		arguments: help.visibleArguments(command).map(argument => ({
			name: argument.name(),
			description: argument.description,
			required: argument.required,
			variadic: argument.variadic,
			kind: kindOf(argument.name()),
			choices: argument.argChoices,
		})),
		options: help.visibleOptions(command).map(option => {
			const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1] ?? '';
			const takesValue = option.required || option.optional;
			return {
				flags: option.flags,
				names: [option.short, option.long].filter((name): name is string => name !== undefined),
				description: option.description,
				takesValue,
				kind: takesValue ? kindOf(placeholder) : 'none',
				choices: option.argChoices,
			};
		}),
		commands: help.visibleCommands(command).map(sub => describeCommand(sub, [...path, sub.name()])),
		more: moreHelp(command),
	};
};
