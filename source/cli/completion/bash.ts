// The bash completion script, written from the command table (describe.ts).
// Commands and options are in the script; runbook ids and run ids are asked
// of rampart itself (`rampart __complete runbooks|runs`) when they are needed.

import {flatten, quote, valueCases} from './shell.js';
import type {CommandSpec} from './describe.js';

export const bashScript = (root: CommandSpec): string => {
	const specs = flatten(root)
		.map(spec => {
			const subcommands = spec.commands.map(c => c.path.at(-1)!).join(' ');
			const options = spec.options.flatMap(o => o.names).join(' ');
			const valueOptions = spec.options.filter(o => o.takesValue).flatMap(o => o.names);
			const args = spec.arguments.map(a => `${a.choices ? `choices=${a.choices.join(',')}` : a.kind}${a.variadic ? '...' : ''}`).join(' ');
			return `\t${quote(spec.path.join(' '))}) cmds=${quote(subcommands)} opts=${quote(options)} valopts=${quote(valueOptions.join(' '))} args=${quote(args)} ;;`;
		})
		.join('\n');
	const values = valueCases(root)
		.map(({patterns, kind, choices}) => `\t${patterns.map(quote).join(' | ')}) kind=${quote(kind === 'choices' ? `choices=${choices.join(',')}` : kind)} ;;`)
		.join('\n');
	return `# bash completion for rampart: made by \`rampart completion bash\` from the
# commands rampart accepts. Runbook ids and run ids come from rampart itself.

_rampart_spec() {
	case $1 in
${specs}
	*) cmds='' opts='' valopts='' args='' ;;
	esac
}

_rampart_value() {
	case $1 in
${values}
	*) kind=none ;;
	esac
}

# What to offer for a word of this kind; $2 is the rampart being completed.
_rampart_offer() {
	case $1 in
	runbook) COMPREPLY+=($(compgen -W "$("$2" __complete runbooks 2>/dev/null)" -- "$cur")) ;;
	run) COMPREPLY+=($(compgen -W "$("$2" __complete runs 2>/dev/null)" -- "$cur")) ;;
	runbook-or-file)
		COMPREPLY+=($(compgen -W "$("$2" __complete runbooks 2>/dev/null)" -- "$cur") $(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		;;
	file)
		COMPREPLY+=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		;;
	choices=*)
		local choices=\${1#choices=}
		COMPREPLY+=($(compgen -W "\${choices//,/ }" -- "$cur"))
		;;
	esac
}

_rampart() {
	local cur=\${COMP_WORDS[COMP_CWORD]} path='' word i pending='' position=0
	local cmds opts valopts args kind
	_rampart_spec ''
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=\${COMP_WORDS[i]}
		if [[ -n $pending ]]; then
			pending=''
		elif [[ $word == -* ]]; then
			[[ $word != *=* && " $valopts " == *" $word "* ]] && pending=$word
		elif [[ $position == 0 && " $cmds " == *" $word "* ]]; then
			path=\${path:+$path }$word
			_rampart_spec "$path"
		else
			position=$((position + 1))
		fi
	done
	COMPREPLY=()
	if [[ -n $pending ]]; then
		_rampart_value "\${path:+$path }$pending"
		_rampart_offer "$kind" "$1"
		return 0
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return 0
	fi
	local -a kinds=($args)
	kind=''
	if ((position < \${#kinds[@]})); then
		kind=\${kinds[position]}
	elif ((\${#kinds[@]})) && [[ \${kinds[-1]} == *... ]]; then
		kind=\${kinds[-1]}
	fi
	((position == 0)) && COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
	_rampart_offer "\${kind%...}" "$1"
	return 0
}

complete -F _rampart rampart
`;
};
