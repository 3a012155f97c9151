// The zsh completion function, written from the command table (describe.ts):
// one function per command, with its options and their descriptions, and
// runbook ids and run ids asked of rampart itself when they are needed.

import {flatten, quote} from './shell.js';
import type {ArgumentSpec, CommandSpec, OptionSpec, ValueKind} from './describe.js';

const functionName = (spec: CommandSpec) => ['_rampart', ...spec.path].join('__').replaceAll('-', '_');

/** Text inside an _arguments spec: its brackets and colons are syntax. */
const inSpec = (text: string) => text.replace(/([[\]:\\])/g, '\\$1');

const action = (kind: ValueKind | 'choices', choices: string[] = []): string => {
	if (kind === 'choices') return `(${choices.join(' ')})`;
	return {
		runbook: '_rampart_runbooks',
		run: '_rampart_runs',
		'runbook-or-file': '_alternative "runbooks:runbook:_rampart_runbooks" "files:file:_files"',
		file: '_files',
		none: ' ',
	}[kind];
};

const optionSpecs = (option: OptionSpec): string[] =>
	option.names.map(name => {
		const value = option.takesValue
			? `:${inSpec(/[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1] ?? 'value')}:${action(option.choices ? 'choices' : option.kind, option.choices)}`
			: '';
		// A value option may be given again (--input A=1 --input B=2).
		return quote(`${option.takesValue ? '*' : ''}${name}[${inSpec(option.description)}]${value}`);
	});

const argumentSpec = (argument: ArgumentSpec, index: number): string =>
	quote(`${argument.variadic ? '*' : `${index + 1}`}:${inSpec(argument.name)}:${action(argument.choices ? 'choices' : argument.kind, argument.choices)}`);

const commandFunction = (spec: CommandSpec): string => {
	const options = spec.options.flatMap(optionSpecs);
	if (spec.commands.length === 0) {
		const lines = [...options, ...spec.arguments.map(argumentSpec)];
		return `${functionName(spec)}() {\n\t_arguments -s -S${lines.map(l => ` \\\n\t\t${l}`).join('')}\n}`;
	}
	const described = spec.commands.map(sub => quote(`${sub.path.at(-1)!.replaceAll(':', '\\:')}:${sub.description}`)).join(' ');
	const cases = spec.commands.map(sub => `\t\t${quote(sub.path.at(-1)!)}) ${functionName(sub)} ;;`).join('\n');
	return `${functionName(spec)}() {
	local curcontext=$curcontext state line
	_arguments -C -s -S${options.map(l => ` \\\n\t\t${l}`).join('')} \\
		'1: :->command' \\
		'*:: :->args'
	case $state in
	command)
		local -a commands
		commands=(${described})
		_describe -t commands ${quote(['rampart', ...spec.path, 'command'].join(' '))} commands
		;;
	args)
		case $line[1] in
${cases}
		esac
		;;
	esac
}`;
};

export const zshScript = (root: CommandSpec): string => `#compdef rampart
# zsh completion for rampart: made by \`rampart completion zsh\` from the
# commands rampart accepts. Runbook ids and run ids come from rampart itself.

_rampart_runbooks() {
	local -a found
	found=(\${(f)"$(command rampart __complete runbooks 2>/dev/null)"})
	_describe -t runbooks runbook found
}

_rampart_runs() {
	local -a found
	found=(\${(f)"$(command rampart __complete runs 2>/dev/null)"})
	_describe -t runs 'run id' found
}

${flatten(root).map(commandFunction).join('\n\n')}

_rampart "$@"
`;
