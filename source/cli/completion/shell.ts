// What the bash and zsh scripts share: the command table walked flat, shell
// quoting, and what each option's value is.

import type {CommandSpec, ValueKind} from './describe.js';

/** Every command, rampart itself first, each before its subcommands. */
export const flatten = (spec: CommandSpec): CommandSpec[] => [spec, ...spec.commands.flatMap(flatten)];

/** A word in single quotes, for sh, bash and zsh alike. */
export const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

export interface ValueCase {
	/** `report -f`, `report --format`: the command's path and one spelling of the option. */
	patterns: string[];
	kind: Exclude<ValueKind, 'none'> | 'choices';
	choices: string[];
}

/** The options whose value the shell can offer something for. */
export const valueCases = (root: CommandSpec): ValueCase[] =>
	flatten(root).flatMap(spec =>
		spec.options
			.filter(o => o.takesValue && (o.choices || o.kind !== 'none'))
			.map(o => ({
				patterns: o.names.map(name => [...spec.path, name].join(' ')),
				kind: o.choices ? ('choices' as const) : (o.kind as ValueCase['kind']),
				choices: o.choices ?? [],
			})),
	);
