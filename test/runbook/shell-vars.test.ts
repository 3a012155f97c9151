import fc from 'fast-check';
import {describe, expect, test} from 'vitest';
import {assignedName, isCommonVariable, blockVariables, undeclaredVariables} from '../../source/runbook/shell-vars.js';

/** Each use as `NAME@line:column`. */
const uses = (code: string): string[] => blockVariables(code).uses.map(use => `${use.name}@${use.line}:${use.column}`);
const names = (code: string): string[] => blockVariables(code).uses.map(use => use.name);
const assigned = (code: string): string[] => [...blockVariables(code).assigned].sort();

describe('expansions', () => {
	test.each([
		['echo $A', ['A@1:6']],
		['echo ${A}', ['A@1:6']],
		['echo "$A"', ['A@1:7']],
		['echo "${A:-x}" ${B-y} ${C:=z} ${D:?gone} ${E:+set}', ['A@1:7', 'B@1:16', 'C@1:23', 'D@1:31', 'E@1:42']],
		['echo ${#A} ${A[@]} ${#A[@]} ${A[0]}', ['A@1:6', 'A@1:12', 'A@1:20', 'A@1:29']],
		['echo ${!A}', ['A@1:6']],
		['echo ${A//a/b} ${A#*/} ${A%%.*} ${A^^} ${A@Q} ${A:1:2}', ['A@1:6', 'A@1:16', 'A@1:24', 'A@1:33', 'A@1:40', 'A@1:47']],
		['echo a#$A', ['A@1:8']],
		['echo $A_B$C', ['A_B@1:6', 'C@1:10']],
		['echo "$A"x"$B"', ['A@1:7', 'B@1:12']],
		['echo $_private', ['_private@1:6']],
	])('%s', (code, expected) => {
		expect(uses(code)).toEqual(expected);
	});

	test('positional and special parameters are never named variables', () => {
		expect(uses('echo $0 $1 $9 ${10} $@ $* $# $? $$ $! $- $_ ${#} ${@} ${!} ${#@} "$@" "${@:2}"')).toEqual([]);
	});

	test('$#A is $# and the letter A', () => {
		expect(uses('echo $#A')).toEqual([]);
	});

	test('positions count lines and columns within the code', () => {
		expect(uses('x=1\n\n  echo "$A"\n\tfoo ${B}')).toEqual(['A@3:9', 'B@4:6']);
	});
});

describe('text that only looks like an expansion', () => {
	test.each([
		["echo '$A'"],
		["echo 'it''s $A'"],
		['echo \\$A'],
		['echo "\\$A"'],
		["echo $'$A\\'$B'"],
		['# echo $A'],
		['echo hi # and $A'],
		["awk '{print $1, $NF}' file"],
		["cat <<'EOF'\n$A\nEOF"],
		['cat <<"EOF"\n$A\nEOF'],
		['cat <<\\EOF\n$A\nEOF'],
		["cat <<-'EOF'\n\t$A\n\tEOF"],
		['cat <<E"O"F\n$A\nEOF'],
		["cat <<'END MARK'\n$A\nEND MARK"],
		['echo ${!PREFIX*} ${!PREFIX@}'],
		['echo $ alone, and $"locale"'],
		["echo '${B}' \"'\"'$C'\"'\""],
	])('%s', code => {
		expect(names(code)).toEqual([]);
	});

	test('a quoted heredoc ends at its delimiter: what follows is code again', () => {
		expect(uses('cat <<\'EOF\' >/tmp/x\n$NO ${NO}\n`$NO`\nEOF\necho "$YES"')).toEqual(['YES@5:7']);
	});

	test('<<- strips leading tabs from the closing delimiter', () => {
		expect(uses("cat <<-'EOF'\n\t$NO\n\tEOF\necho $YES")).toEqual(['YES@4:6']);
	});

	test('two heredocs on one line are read one after the other', () => {
		expect(uses("cat <<A <<'B'\n$X\nA\n$NO\nB\necho $Y")).toEqual(['X@2:1', 'Y@6:6']);
	});

	test('a delimiter must be the whole line', () => {
		expect(uses('cat <<EOF\n EOF\nEOFX\n$X\nEOF\necho $Y')).toEqual(['X@4:1', 'Y@6:6']);
	});
});

describe('expansions inside other constructs', () => {
	test.each([
		['x=$(echo $A)', ['A']],
		['x="$(echo "$A" | tr a b)"', ['A']],
		['x=`echo $A`', ['A']],
		['diff <(sort $A) >(cat $B)', ['A', 'B']],
		['cat <<EOF\nhello $A and "${B}" and $(echo $C) and `echo $D`\nEOF', ['A', 'B', 'C', 'D']],
		['cat <<EOF\nno \\$A here\nEOF', []],
		['echo ${A:-$(cmd "$B")}', ['A', 'B']],
		['echo "${A:-it\'s $B}"', ['A', 'B']],
		["echo ${A:-'$B'}", ['A']],
		['echo "$(( A + 1 ))"', ['A']],
		['x=$(cat <<EOF\n$A\nEOF\n)\necho $B', ['A', 'B']],
		['v=$(case $A in a) echo $B;; (b|c) echo $C;; esac)\necho $D', ['A', 'B', 'C', 'D']],
		['case "$A" in\n  *.txt) echo $B ;;\n  *) echo $C ;;\nesac\necho $D', ['A', 'B', 'C', 'D']],
		['[[ $A =~ ^([0-9]{4})[./]([0-9]{2})$ ]] && echo "${BASH_REMATCH[1]}" $B', ['A', 'BASH_REMATCH', 'B']],
		['echo "a" \\\n  "$A"', ['A']],
		['f() { local x=$1; echo "$x" "$A"; }\nf', ['x', 'A']],
		['( cd /tmp && echo $A ) | (cat; echo $B)', ['A', 'B']],
		['x=`echo a # no $NO` $A', ['A']],
		['x=$(echo a # comment, with ) in it\n) $A', ['A']],
		['x=$( (echo $A) )', ['A']],
		['grep -qx foo <<<"$A"', ['A']],
	])('%s', (code, expected) => {
		expect(names(code)).toEqual(expected);
	});
});

describe('arithmetic', () => {
	test('bare names in (( )) and $(( )) are variables', () => {
		expect(uses('(( EPOCH < LIMIT ))')).toEqual(['EPOCH@1:4', 'LIMIT@1:12']);
		expect(uses('x=$(( (A - B) / 86400 ))')).toEqual(['A@1:8', 'B@1:12']);
	});

	test('numbers, bases and hex are not names', () => {
		expect(names('echo $(( 16#ff + 0x1F + 2#101 + 10#$A + B ))')).toEqual(['A', 'B']);
	});

	test('name = … sets the name', () => {
		expect(assigned('(( n = 5 )); (( m += 2 )); (( k <<= 1 ))')).toEqual(['k', 'm', 'n']);
		expect(names('(( n = 5 ))')).toEqual([]);
		// `==` compares; it sets nothing.
		expect(names('(( n == 5 ))')).toEqual(['n']);
	});

	test('a C-style for loop sets its counter', () => {
		const scan = blockVariables('for ((i = 0; i < N; i++)); do echo "$i"; done');
		expect([...scan.assigned]).toEqual(['i']);
		expect(scan.uses.map(use => use.name)).toEqual(['i', 'N', 'i', 'i']);
	});

	test('$[ ] is arithmetic too', () => {
		expect(names('echo $[ A + 1 ]')).toEqual(['A']);
	});
});

describe('assignments', () => {
	test.each([
		['x=1', ['x']],
		['x+=1; arr[0]=1; list=(a b)', ['arr', 'list', 'x']],
		['export E=1', ['E']],
		['LC_ALL=C sort file', ['LC_ALL']],
		['local l', ['l']],
		['local -r lr=1 other', ['lr', 'other']],
		['declare -A map; declare -ga garr=()', ['garr', 'map']],
		['readonly r=1; typeset t', ['r', 't']],
		['read -r a b', ['a', 'b']],
		['read -rp "Prompt: " answer', ['answer']],
		['read -t 5 -r x', ['x']],
		["read -d '' -r z", ['z']],
		['read -r -a words <<<"a b"', ['words']],
		['read -ra words2', ['words2']],
		['IFS=: read -r f1 f2 <<<"$x"', ['IFS', 'f1', 'f2']],
		['while IFS= read -r line; do :; done <file', ['IFS', 'line']],
		['if read -r answer; then :; fi', ['answer']],
		['read -r "quoted"', ['quoted']],
		['for i in 1 2; do :; done', ['i']],
		['for name; do :; done', ['name']],
		['select choice in a b; do break; done', ['choice']],
		['mapfile -t lines < <(ls)', ['lines']],
		["readarray -d '' -t files < <(find . -print0)", ['files']],
		['getopts "ab:" opt', ['opt']],
		["printf -v out '%s' x", ['out']],
		[': "${D:=default}"; : ${E=e}', ['D', 'E']],
		['command read -r c', ['c']],
		['x=$(read -r inner; echo "$inner")', ['inner', 'x']],
	])('%s', (code, expected) => {
		expect(assigned(code)).toEqual(expected);
	});

	test.each([['export X'], ['x = 1'], ['echo $x=1'], ['read -p prompt'], ["printf '%s' x"], ['echo read x'], ['"x"=1']])('%s sets nothing', code => {
		expect(assigned(code).filter(name => name !== 'prompt')).toEqual([]);
		expect(assigned(code)).not.toContain('prompt');
	});

	test('assignedName reads name=, name+= and name[i]=', () => {
		expect(assignedName('a=1')).toBe('a');
		expect(assignedName('a+=1')).toBe('a');
		expect(assignedName('a[$i]=1')).toBe('a');
		expect(assignedName('a')).toBeUndefined();
		expect(assignedName('1a=1')).toBeUndefined();
		expect(assignedName('a[=1')).toBeUndefined();
		expect(assignedName('--opt=1')).toBeUndefined();
	});
});

describe('source, . and eval', () => {
	test.each([
		['. /etc/os-release; echo "$ID"', true],
		['source ./vars.sh', true],
		['eval "$(ssh-agent -s)"', true],
		['if . /etc/os-release; then :; fi', true],
		['echo source .', false],
		['ls -la .', false],
	])('%s', (code, dynamic) => {
		expect(blockVariables(code).dynamic).toBe(dynamic);
	});
});

describe('what a block may read besides what it expands', () => {
	test.each([
		['eval "$cmd"', 'eval'],
		['. /etc/os-release', '.'],
		['source ./vars.sh', 'source'],
		['echo "${!name}"', '${!name}'],
		['echo "${!name:-none}"', '${!name}'],
		['echo "${!list[0]}"', '${!name}'],
		['declare -n ref=$1', 'declare -n'],
		['f() { local -rn ref=$1; }', 'local -n'],
		['typeset -n ref', 'typeset -n'],
		['printenv "$name"', 'printenv with a name made at run time'],
		['sh -c "$script"', 'a shell script made at run time'],
		['bash -c "$(curl -s example.org/x)"', 'a shell script made at run time'],
		['x=$(eval echo a)', 'eval'],
	])('%s may read any variable', (code, why) => {
		expect(blockVariables(code).readsAny).toBe(why);
		expect(blockVariables(code).mayRead('ANYTHING')).toBe(true);
	});

	test.each([
		['echo "${!keys[@]}" "${!keys[*]}"'],
		['echo "$name" "${#name}"'],
		['echo eval source printenv'],
		["echo 'eval $x'"],
		['ls -la .'],
		['declare -A map; local x=1'],
		['export -n X; export Y=1'],
	])('%s reads only what it expands', code => {
		const vars = blockVariables(code);
		expect(vars.readsAny).toBeUndefined();
		expect(vars.lists).toBeUndefined();
		expect(vars.mayRead('ANYTHING')).toBe(false);
	});

	test.each([
		['env', 'env'],
		['env -0 | sort', 'env'],
		['env FOO=1 -u BAR', 'env'],
		['sudo true; env >/tmp/dump', 'env'],
		['printenv', 'printenv'],
		['env -i PATH=/bin printenv', 'printenv'],
		['export -p', 'export -p'],
		['export', 'export -p'],
		['set', 'set'],
		['declare -p', 'declare -p'],
		['declare -px', 'declare -p'],
		['compgen -v', 'compgen'],
	])('%s lists the environment', (code, why) => {
		expect(blockVariables(code).lists).toBe(why);
		expect(blockVariables(code).readsAny).toBeUndefined();
	});

	test.each([['set -euo pipefail'], ['set --'], ['env bash ./x.sh'], ['declare -f'], ['echo env']])('%s does not list it', code => {
		expect(blockVariables(code).lists).toBeUndefined();
	});

	test('a block that lists the environment may read the names it writes, outside comments', () => {
		const vars = blockVariables("# not KEPT here\nenv | grep -e '^WANTED=' -e OTHER_ONE");
		expect(vars.mayRead('WANTED')).toBe(true);
		expect(vars.mayRead('OTHER_ONE')).toBe(true);
		expect(vars.mayRead('KEPT')).toBe(false);
		expect(vars.mayRead('OTHER')).toBe(false);
		// Naming a variable is not enough where nothing lists the environment.
		expect(blockVariables("grep -e '^WANTED=' file").mayRead('WANTED')).toBe(false);
	});

	test('${!prefix*} may read the variables whose names start with the prefix', () => {
		const vars = blockVariables('for v in ${!DB_*}; do unset "$v"; done');
		expect(vars.mayRead('DB_PASSWORD')).toBe(true);
		expect(vars.mayRead('API_TOKEN')).toBe(false);
	});
});

describe('scripts that another shell runs are code', () => {
	test.each([
		['sh -c \'echo "$A"\'', ['A@1:14']],
		['sudo -u www-data bash -euc \'cd "$A" && ls\'', ['A@1:33']],
		['find . -exec sh -c \'echo "$1" $A\' _ {} \\;', ['A@1:31']],
		['bash -c "echo \\$A \\${B} $C"', ['A@1:16', 'B@1:20', 'C@1:25']],
		['bash -c "(( N > 1 ))"', ['N@1:13']],
		['trap \'rm -f "$A"\' EXIT', ['A@1:14']],
		["trap -- 'echo $A' INT", ['A@1:15']],
		['bash <<\'EOF\'\necho "$A"\nEOF\necho $B', ['A@2:7', 'B@4:6']],
		["sudo bash -s -- arg <<'EOF'\necho $A\nEOF", ['A@2:6']],
		['bash <<EOF\necho \\$A $B\nEOF', ['A@2:7', 'B@2:10']],
		["bash <<'EOF' | tee log\necho $A\nEOF", ['A@2:6']],
		["cat <<'EOF'\necho $NO\nEOF", []],
		["bash ./script.sh <<'EOF'\n$NO\nEOF", []],
		["echo 'sh -c $NO'", []],
		["sh ./x.sh '$NO'", []],
	])('%s', (code, expected) => {
		expect(uses(code)).toEqual(expected);
	});

	test('what the script sets and how it reads count for the block', () => {
		const vars = blockVariables('sh -c \'for f in *; do read -r line <"$f"; done; eval "$x"\'');
		expect([...vars.assigned].sort()).toEqual(['f', 'line']);
		expect(vars.readsAny).toBe('eval');
		expect(blockVariables("bash -c 'printenv'").lists).toBe('printenv');
	});
});

describe('undeclaredVariables', () => {
	test('reports what is neither an input, nor set, nor common', () => {
		const found = undeclaredVariables('name=$(id -un)\necho "$name $DOMAIN $HOME $LC_ALL $XDG_RUNTIME_DIR $TYPO"', ['DOMAIN']);
		expect(found.map(use => `${use.name}@${use.line}:${use.column}`)).toEqual(['TYPO@2:52']);
	});

	test('order in the block does not matter: the scanner does not follow control flow', () => {
		expect(undeclaredVariables('echo "$later"\nlater=1', [])).toEqual([]);
	});

	test('common variables', () => {
		for (const name of ['HOME', 'PATH', 'USER', 'SSH_CLIENT', 'BASH_REMATCH', 'PIPESTATUS', 'RANDOM', 'LC_ALL', 'LC_CTYPE', 'XDG_CONFIG_HOME', 'SUDO_USER']) {
			expect(isCommonVariable(name), name).toBe(true);
		}
		for (const name of ['DOMAIN', 'home', 'LC', 'XDG', 'BASH_ENV_X', 'SSH']) expect(isCommonVariable(name), name).toBe(false);
	});
});

describe('robustness', () => {
	test.each([
		['"$A'],
		['$(echo $A'],
		['${A'],
		["'$B"],
		['cat <<EOF\n$A'],
		['cat <<'],
		['$(('],
		['`echo $A'],
		['$'],
		['\\'],
		['${'],
		['case x in'],
		[')))'],
		['(((( $A'],
		['cat <<"EOF\n$A'],
	])('unterminated %j does not throw', code => {
		expect(() => blockVariables(code)).not.toThrow();
	});

	test('deep nesting ends quickly, without a stack overflow', () => {
		for (const unit of ['$(', '"$(', '${A:-', '`', '$((', '<(', 'bash <<A\n', 'sh -c "sh -c \\"', "bash -c 'bash <<A\n", 'env ']) {
			const started = performance.now();
			expect(() => blockVariables(unit.repeat(100_000))).not.toThrow();
			expect(performance.now() - started).toBeLessThan(2000);
		}
	});

	test('long input is scanned in linear time', () => {
		const code = 'echo "$A" \'$B\' $(c $D) ${E:-f}\n'.repeat(20_000);
		const started = performance.now();
		expect(blockVariables(code).uses).toHaveLength(60_000);
		expect(performance.now() - started).toBeLessThan(2000);
	});

	test('scripts in scripts are read a few levels deep; deeper, the block may read any variable', () => {
		expect(blockVariables("bash <<'A'\nbash <<'B'\necho $X\nB\nA").mayRead('X')).toBe(true);
		const deep = blockVariables("bash <<'A'\n".repeat(10));
		expect(deep.readsAny).toBe('scripts nested too deep to read');
	});

	test('any shell-like input: every use is at its $ or its name, and the block may read it', () => {
		const alphabet = fc.constantFrom(
			...'$"\'`\\(){}; \n'.split(''),
			'sh -c ',
			'bash ',
			' -c ',
			'trap ',
			'<<',
			"<<'E'",
			'<<E',
			'\nE\n',
			'eval ',
			'\\$',
			'$A',
			'${B}',
			'(( C ))',
			'x=',
			'env',
			'printenv ',
		);
		fc.assert(
			fc.property(
				fc.array(alphabet, {maxLength: 60}).map(parts => parts.join('')),
				code => {
					const vars = blockVariables(code);
					for (const use of vars.uses) {
						expect(code[use.offset] === '$' || code.startsWith(use.name, use.offset), `${use.name}@${use.offset} in ${JSON.stringify(code)}`).toBe(true);
						expect(vars.mayRead(use.name)).toBe(true);
					}
				},
			),
			{numRuns: 2000},
		);
	});

	test('any input: never throws, and every use is a name at a $ or at the name itself', () => {
		const alphabet = fc.constantFrom(...'$(){}[]"\'`\\#;&|<>=:-+!@*?_ \t\nEOFabcAB019'.split(''), '<<', '<<-', '$((', '))', 'EOF\n', 'case', 'in', 'esac');
		fc.assert(
			fc.property(
				fc.array(alphabet, {maxLength: 200}).map(parts => parts.join('')),
				code => {
					const scan = blockVariables(code);
					const lineStarts = [0];
					for (let i = 0; i < code.length; i++) if (code[i] === '\n') lineStarts.push(i + 1);
					for (const use of scan.uses) {
						expect(use.name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
						expect(use.line).toBeGreaterThanOrEqual(1);
						expect(use.column).toBeGreaterThanOrEqual(1);
						expect(lineStarts[use.line - 1]! + use.column - 1).toBe(use.offset);
						expect(code[use.offset] === '$' || code.startsWith(use.name, use.offset)).toBe(true);
					}
				},
			),
			{numRuns: 2000},
		);
	});
});
