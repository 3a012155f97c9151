import fc from 'fast-check';
import {describe, expect, test} from 'vitest';
import {
	assignedName,
	isCommonVariable,
	scanShellVariables,
	undeclaredVariables,
} from '../../source/runbook/shell-vars.js';

/** Each use as `NAME@line:column`. */
const uses = (code: string): string[] => scanShellVariables(code).uses.map(use => `${use.name}@${use.line}:${use.column}`);
const names = (code: string): string[] => scanShellVariables(code).uses.map(use => use.name);
const assigned = (code: string): string[] => [...scanShellVariables(code).assigned].sort();

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
		expect(uses("cat <<'EOF' >/tmp/x\n$NO ${NO}\n`$NO`\nEOF\necho \"$YES\"")).toEqual(['YES@5:7']);
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
		const scan = scanShellVariables('for ((i = 0; i < N; i++)); do echo "$i"; done');
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
		['read -d \'\' -r z', ['z']],
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
		['readarray -d \'\' -t files < <(find . -print0)', ['files']],
		['getopts "ab:" opt', ['opt']],
		['printf -v out \'%s\' x', ['out']],
		[': "${D:=default}"; : ${E=e}', ['D', 'E']],
		['command read -r c', ['c']],
		['x=$(read -r inner; echo "$inner")', ['inner', 'x']],
	])('%s', (code, expected) => {
		expect(assigned(code)).toEqual(expected);
	});

	test.each([
		['export X'],
		['x = 1'],
		['echo $x=1'],
		['read -p prompt'],
		['printf \'%s\' x'],
		['echo read x'],
		['"x"=1'],
	])('%s sets nothing', code => {
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
		expect(scanShellVariables(code).dynamic).toBe(dynamic);
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
		expect(() => scanShellVariables(code)).not.toThrow();
	});

	test('deep nesting ends quickly, without a stack overflow', () => {
		for (const unit of ['$(', '"$(', '${A:-', '`', '$((', '<(']) {
			const started = performance.now();
			expect(() => scanShellVariables(unit.repeat(100_000))).not.toThrow();
			expect(performance.now() - started).toBeLessThan(2000);
		}
	});

	test('long input is scanned in linear time', () => {
		const code = 'echo "$A" \'$B\' $(c $D) ${E:-f}\n'.repeat(20_000);
		const started = performance.now();
		expect(scanShellVariables(code).uses).toHaveLength(60_000);
		expect(performance.now() - started).toBeLessThan(2000);
	});

	test('any input: never throws, and every use is a name at a $ or at the name itself', () => {
		const alphabet = fc.constantFrom(...'$(){}[]"\'`\\#;&|<>=:-+!@*?_ \t\nEOFabcAB019'.split(''), '<<', '<<-', '$((', '))', 'EOF\n', 'case', 'in', 'esac');
		fc.assert(
			fc.property(fc.array(alphabet, {maxLength: 200}).map(parts => parts.join('')), code => {
				const scan = scanShellVariables(code);
				const lineStarts = [0];
				for (let i = 0; i < code.length; i++) if (code[i] === '\n') lineStarts.push(i + 1);
				for (const use of scan.uses) {
					expect(use.name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
					expect(use.line).toBeGreaterThanOrEqual(1);
					expect(use.column).toBeGreaterThanOrEqual(1);
					expect(lineStarts[use.line - 1]! + use.column - 1).toBe(use.offset);
					expect(code[use.offset] === '$' || code.startsWith(use.name, use.offset)).toBe(true);
				}
			}),
			{numRuns: 2000},
		);
	});
});
