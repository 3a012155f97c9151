import {describe, expect, test} from 'vitest';
import {formatDiagnostic, lintRunbook, sortDiagnostics} from '../../source/runbook/lint.js';
import {parseRunbookText} from '../../source/runbook/parse.js';
import type {Diagnostic} from '../../source/runbook/model.js';

const lines = (...text: string[]): string => `${text.join('\n')}\n`;

/** A runbook with a title and the given inputs (YAML lines under `inputs:`); the body starts on line 5 without inputs. */
const doc = (...body: string[]): string => lines('---', 'title: T', '---', '', ...body);
const withInputs = (inputs: string[], ...body: string[]): string => lines('---', 'title: T', 'inputs:', ...inputs.map(line => `  ${line}`), '---', '', ...body);

const lint = (text: string): Promise<Diagnostic[]> => lintRunbook(parseRunbookText('t.md', text), {shellcheck: false});

/** [line, column, severity] of each diagnostic of one rule. */
const found = async (text: string, rule: string): Promise<Array<[number, number, string]>> =>
	(await lint(text)).filter(d => d.rule === rule).map(d => [d.line, d.column, d.severity]);

const messages = async (text: string, rule: string): Promise<string[]> => (await lint(text)).filter(d => d.rule === rule).map(d => d.message);

describe('misplaced-front-matter', () => {
	test('after a blank line', async () => {
		expect(await found(lines('', '---', 'title: T', 'summary: S', '---', '', '## Step', '', 'Text.'), 'misplaced-front-matter')).toEqual([[2, 1, 'error']]);
	});

	test('after a # heading', async () => {
		expect(await found(lines('# T', '', '---', 'inputs:', '  X:', '    type: string', '---', '', '## Step', '', 'Text.'), 'misplaced-front-matter')).toEqual([
			[3, 1, 'error'],
		]);
	});

	test('front matter on line 1, a horizontal rule, and YAML in a code block are fine', async () => {
		const text = doc('Intro.', '', '```yaml', '---', 'title: Example', '---', '```', '', '## Step', '', 'Text.', '', '---', '', 'More text.');
		expect(await found(text, 'misplaced-front-matter')).toEqual([]);
	});
});

describe('no-steps', () => {
	test('a runbook without a ## heading', async () => {
		expect(await found(doc('# T', '', 'Only an introduction.', '', '### Not a step'), 'no-steps')).toEqual([[1, 1, 'error']]);
	});

	test('one step is enough', async () => {
		expect(await found(doc('## Step', '', 'Text.'), 'no-steps')).toEqual([]);
	});
});

describe('duplicate-step', () => {
	test('the second of two equal titles, naming the first', async () => {
		const text = doc('## Install', '', 'a', '', '## Configure', '', 'b', '', '## Install', '', 'c');
		expect(await found(text, 'duplicate-step')).toEqual([[13, 1, 'error']]);
		expect((await messages(text, 'duplicate-step'))[0]).toContain('line 5');
	});

	test('titles that differ only in what the id drops', async () => {
		const text = doc('## Step A', '', 'a', '', '## Step a!', '', 'b');
		expect(await found(text, 'duplicate-step')).toEqual([[9, 1, 'error']]);
		expect((await messages(text, 'duplicate-step'))[0]).toContain('"step-a"');
	});

	test('three times: the second and third', async () => {
		expect(await found(doc('## X', '', '## X', '', '## X'), 'duplicate-step')).toEqual([
			[7, 1, 'error'],
			[9, 1, 'error'],
		]);
	});

	test('different titles are fine', async () => {
		expect(await found(doc('## One', '', 'a', '', '## Two', '', 'b'), 'duplicate-step')).toEqual([]);
	});
});

describe('empty-step-title', () => {
	test('## with nothing after it', async () => {
		expect(await found(doc('## Real', '', 'a', '', '##', '', 'b', '', '##   ', '', 'c'), 'empty-step-title')).toEqual([
			[9, 1, 'error'],
			[13, 1, 'error'],
		]);
	});

	test('two empty titles are not also duplicates', async () => {
		expect(await found(doc('##', '', '##'), 'duplicate-step')).toEqual([]);
	});
});

describe('bad-default', () => {
	const step = ['## Step', '', 'Text.'];
	const input = (name: string, ...spec: string[]) => [`${name}:`, ...spec.map(line => `  ${line}`)];

	test("a default the type refuses, at the default line, with validateInputValue's message", async () => {
		const text = withInputs([...input('COUNT', 'type: integer', 'prompt: Count', 'default: many')], ...step);
		expect(await found(text, 'bad-default')).toEqual([[7, 5, 'error']]);
		expect((await messages(text, 'bad-default'))[0]).toBe('COUNT: the default is refused: "many" is not a whole number (digits only, e.g. 42)');
	});

	test.each([
		['a domain', ['type: domain', 'prompt: D', 'default: localhost']],
		['an ip', ['type: ip', 'prompt: I', 'default: 10.0.0.300']],
		['a port', ['type: port', 'prompt: P', 'default: 70000']],
		['below min', ['type: integer', 'prompt: N', 'min: 5', 'default: 1']],
		['above max', ['type: integer', 'prompt: N', 'max: 5', 'default: 9']],
		['not matching pattern', ['type: string', 'prompt: S', 'pattern: "[a-z]+"', 'default: ABC']],
		['an enum default not among values', ['type: enum', 'prompt: E', 'values: [drop, reject]', 'default: accept']],
		['a boolean', ['type: boolean', 'prompt: B', 'default: maybe']],
		['a user', ['type: user', 'prompt: U', 'default: Root']],
		['a path', ['type: path', 'prompt: P', 'default: relative/dir']],
	])('refuses %s', async (_, spec) => {
		const text = withInputs(input('X', ...spec), ...step);
		const defaultLine = 5 + spec.findIndex(line => line.startsWith('default:'));
		expect(await found(text, 'bad-default')).toEqual([[defaultLine, 5, 'error']]);
	});

	test.each([
		['values on a non-enum', ['type: string', 'prompt: S', 'values: [a, b]'], 'values', 'only applies to enum'],
		['an enum without values', ['type: enum', 'prompt: E'], 'type', 'needs `values`'],
		['min on a string', ['type: string', 'prompt: S', 'min: 1'], 'min', '`min` only applies to integer and port'],
		['max on a boolean', ['type: boolean', 'prompt: B', 'max: 1'], 'max', '`max` only applies'],
		['min greater than max', ['type: port', 'prompt: P', 'min: 100', 'max: 10'], 'min', 'greater than max'],
		['default-from without a source', ['type: string', 'prompt: S', 'default-from: env'], 'default-from', 'ssh-client or env:NAME'],
		['default-from env: without a name', ['type: string', 'prompt: S', 'default-from: "env:"'], 'default-from', 'env:NAME'],
		['default-from env: with a bad name', ['type: string', 'prompt: S', 'default-from: "env:1X"'], 'default-from', 'env:NAME'],
		['default-from something else', ['type: ip', 'prompt: I', 'default-from: ssh'], 'default-from', 'ssh-client'],
		['a secret with a literal default', ['type: secret', 'prompt: S', 'default: hunter2'], 'default', 'must not have a literal default'],
	])('refuses %s', async (_, spec, key, text) => {
		const source = withInputs(input('X', ...spec), ...step);
		const keyLine = 5 + spec.findIndex(line => line.startsWith(`${key}:`));
		expect(await found(source, 'bad-default')).toEqual([[keyLine, 5, 'error']]);
		expect((await messages(source, 'bad-default'))[0]).toContain(text);
	});

	test('a broken spec does not also report its default', async () => {
		const text = withInputs(input('X', 'type: string', 'prompt: S', 'pattern: "a(("', 'default: abc'), ...step);
		expect(await found(text, 'bad-pattern')).toEqual([[7, 5, 'error']]);
		expect(await found(text, 'bad-default')).toEqual([]);
	});

	test('an input in flow style is reported at its name', async () => {
		const text = withInputs(['N: {type: integer, prompt: N, default: x}'], ...step);
		expect(await found(text, 'bad-default')).toEqual([[4, 3, 'error']]);
	});

	test('a key in a multi-line description is not taken for the real one', async () => {
		const text = withInputs(input('N', 'type: integer', 'prompt: N', 'description: >-', '  default: is explained here', 'default: x'), ...step);
		expect(await found(text, 'bad-default')).toEqual([[9, 5, 'error']]);
	});

	test('good specs pass', async () => {
		const text = withInputs(
			[
				...input('PORT', 'type: port', 'prompt: P', 'default: 22', 'min: 1', 'max: 1024'),
				...input('MODE', 'type: enum', 'prompt: M', 'values: [drop, reject]', 'default: drop'),
				...input('ADMIN_IP', 'type: ip', 'prompt: A', 'default-from: ssh-client'),
				...input('TOKEN', 'type: secret', 'prompt: T', 'default-from: env:API_TOKEN', 'pattern: ".{12,}"'),
				...input('NAME', 'type: string', 'prompt: N', 'pattern: "[a-z0-9-]+"', 'default: web-1'),
				...input('NOTE', 'type: string', 'prompt: N', 'optional: true', 'default: ""'),
				...input('AUTO', 'type: boolean', 'prompt: A', 'default: yes'),
			],
			...step,
		);
		expect(await lint(text)).toEqual([]);
	});
});

describe('bad-pattern', () => {
	const step = ['## Step', '', 'Text.'];
	const withPattern = (pattern: string, ...more: string[]) =>
		withInputs(['X:', '  type: string', '  prompt: S', `  pattern: ${JSON.stringify(pattern)}`, ...more.map(line => `  ${line}`)], ...step);

	test('a pattern that is not a valid regular expression, at the pattern line', async () => {
		const text = withPattern('a((');
		expect(await found(text, 'bad-pattern')).toEqual([[7, 5, 'error']]);
		expect((await messages(text, 'bad-pattern'))[0]).toMatch(/^X: the pattern \/a\(\(\/ is not a valid regular expression/);
	});

	test('catastrophic backtracking: (a+)+$ is linear under RE2, so lint and the default check finish at once', async () => {
		// With a backtracking engine this default took 99 s of full CPU to refuse.
		const text = withPattern('(a+)+$', `default: "${'a'.repeat(32)}!"`);
		const started = performance.now();
		const diagnostics = await lint(text);
		expect(performance.now() - started).toBeLessThan(1000);
		expect(diagnostics.map(d => [d.rule, d.line])).toEqual([['bad-default', 8]]);
		expect(diagnostics[0]!.message).toContain('does not match the pattern /(a+)+$/');
	});

	test('a 70,000-character pattern is a finding that names the limit, and is not echoed whole', async () => {
		const text = withPattern('a'.repeat(70_000), 'default: a');
		const started = performance.now();
		const diagnostics = await lint(text);
		expect(performance.now() - started).toBeLessThan(1000);
		expect(diagnostics.map(d => [d.rule, d.line, d.column])).toEqual([['bad-pattern', 7, 5]]);
		expect(diagnostics[0]!.message).toContain('is 70000 characters long; a pattern may be at most 1000 characters');
		expect(diagnostics[0]!.message.length).toBeLessThan(200);
	});

	test.each([
		['a backreference', '(a)\\1', 'backreference (\\1)'],
		['a named backreference', '(?<x>a)\\k<x>', 'backreference (\\k<name>)'],
		['a lookahead', '(?=a)a', 'lookahead'],
		['a negative lookahead', '(?!b)a', 'lookahead'],
		['a lookbehind', '(?<=a)b', 'lookbehind'],
		['a repeat over 1000', 'a{1001}', 'more than 1000 times'],
		['a Unicode property RE2 lacks', '\\p{Script=Grek}+', '\\p{Grek} is not a Unicode class RE2 knows'],
		['a pattern too costly to match', '(?:(?:a|b){1,100}){1,10}', 'a pattern may compile to at most 2000'],
	])('refuses %s with the reason', async (_, pattern, reason) => {
		const text = withPattern(pattern, 'default: a');
		const diagnostics = await lint(text);
		// The default is not checked against a pattern that cannot be used.
		expect(diagnostics.map(d => [d.rule, d.line, d.column])).toEqual([['bad-pattern', 7, 5]]);
		expect(diagnostics[0]!.message).toContain(reason);
	});

	test('the patterns the bundled runbooks use, and JavaScript-only syntax RE2 lacks, are accepted', async () => {
		for (const pattern of [
			'(/[A-Za-z0-9._-]+)+',
			'[0-9]{1,5}( +[0-9]{1,5})*',
			'[a-z]{2}(-[a-z]+)+-[0-9]{1,2}',
			'(?<year>\\d{4})-\\d{2}',
			'\\u{1F600}|\\uD83D\\uDE00|\\x41',
			'[^]*',
			'\\p{Letter}+',
			'\\p{Script=Greek}+',
			'a{1000}',
		]) {
			expect(await lint(withPattern(pattern)), pattern).toEqual([]);
		}
	});
});

describe('short-secret', () => {
	const step = ['## Step', '', 'Text.'];
	const secret = (...more: string[]) => withInputs(['PIN:', '  type: secret', '  prompt: P', ...more.map(line => `  ${line}`)], ...step);

	test('a secret that may be shorter than 4 characters is a warning, at its pattern or its type', async () => {
		expect(await found(secret(), 'short-secret')).toEqual([[5, 5, 'warning']]);
		expect(await found(secret('pattern: "[0-9]{1,8}"'), 'short-secret')).toEqual([[7, 5, 'warning']]);
		expect((await messages(secret('pattern: "[0-9]{1,8}"'), 'short-secret'))[0]).toMatch(/^PIN: the pattern accepts "1", so also a secret shorter than 4 characters/);
	});

	test('a pattern that asks for enough characters is fine', async () => {
		expect(await found(secret('pattern: ".{12,}"'), 'short-secret')).toEqual([]);
		expect(await found(secret('pattern: "[0-9]{6}"'), 'short-secret')).toEqual([]);
	});
});

describe('reserved-input-name', () => {
	const step = ['## Step', '', 'Text.'];
	const named = (name: string) => withInputs([`${name}:`, '  type: string', '  prompt: S'], ...step);

	test.each([
		// The dynamic loader and the C library.
		...['LD_PRELOAD', 'LD_LIBRARY_PATH', 'GCONV_PATH', 'GLIBC_TUNABLES', 'MALLOC_CHECK_', 'NLSPATH', 'LOCPATH', 'HOSTALIASES', 'RES_OPTIONS', 'TZ', 'TZDIR'],
		// bash.
		...['BASH_ENV', 'BASH_XTRACEFD', 'BASHOPTS', 'SHELLOPTS', 'ENV', 'IFS', 'CDPATH', 'EXECIGNORE', 'GLOBIGNORE', 'POSIXLY_CORRECT', 'PS4', 'PROMPT_COMMAND'],
		...['HISTFILE', 'HISTCONTROL', 'FUNCNEST', 'TIMEFORMAT', 'SHLVL', 'COMP_WORDBREAKS', 'INPUTRC', 'TMOUT', 'UID', 'PIPESTATUS'],
		// Interpreters and build tools.
		...['PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONHOME', 'PERL5LIB', 'PERL5OPT', 'PERLLIB', 'NODE_OPTIONS', 'NODE_PATH', 'RUBYOPT', 'RUBYLIB', 'JAVA_TOOL_OPTIONS'],
		...['JDK_JAVA_OPTIONS', 'CLASSPATH', 'GOPATH', 'GOFLAGS', 'LUA_PATH', 'LUA_CPATH', 'GEM_HOME', 'PHPRC', 'MAVEN_OPTS', 'TAR_OPTIONS', 'MAKEFLAGS', 'PKG_CONFIG_PATH'],
		...['LIBRARY_PATH', 'C_INCLUDE_PATH', 'GUILE_LOAD_PATH', 'MANPATH', 'R_LIBS_USER'],
		// Locale, temporary files, the login environment.
		...['LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'TMPDIR', 'TMP', 'TEMP', 'HOME', 'PATH', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'TERMINFO', 'PWD', 'XDG_CONFIG_HOME'],
		// Programs, configurations and certificates other tools take from the environment.
		...['EDITOR', 'VISUAL', 'PAGER', 'GIT_PAGER', 'GIT_SSH_COMMAND', 'GIT_CONFIG_GLOBAL', 'LESSOPEN', 'SYSTEMD_PAGER', 'APT_CONFIG', 'OPENSSL_CONF', 'SSL_CERT_FILE'],
		...['HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'GNUPGHOME'],
		// Rampart, OpenSSH, sudo.
		...['RAMPART_HOME', 'RAMPART_INPUT_X', 'SSH_CLIENT', 'SSH_AUTH_SOCK', 'SSH_ORIGINAL_COMMAND', 'SSH_ASKPASS', 'SUDO_USER', 'SUDO_UID', 'SUDO_ASKPASS', 'SUDO_EDITOR'],
	])('%s is refused, at the name', async name => {
		const diagnostics = (await lint(named(name))).filter(d => d.rule === 'reserved-input-name');
		expect(diagnostics.map(d => [d.line, d.column, d.severity])).toEqual([[4, 3, 'error']]);
		expect(diagnostics[0]!.message).toMatch(new RegExp(`^input name "${name}" is reserved: .+; choose another name$`));
	});

	test.each([
		// Names the bundled runbooks and the docs use: ordinary names stay allowed.
		...['DOMAIN', 'ADMIN_IP', 'ADMIN_USER', 'SSH_PORT', 'RULESET_PATH', 'STATE_DIR', 'GIT_HOST', 'PHP_VERSION', 'DB_USER', 'SITE_USER', 'NGINX_USER', 'HOSTING'],
		...['AWS_REGION', 'OPERATOR', 'TLS', 'DENY', 'KEEP_DAYS', 'ALLOWED_TCP_PORTS', 'MAX_AGE_HOURS', 'WEB_ROOT_BASE', 'HISTORY_DAYS', 'BACKUP_DIR'],
	])('%s is allowed', async name => {
		expect(await lint(named(name))).toEqual([]);
	});
});

describe('undeclared-variable', () => {
	const inputs = ['DOMAIN:', '  type: domain', '  prompt: Domain'];

	test("at the variable's own line and column", async () => {
		const text = withInputs(inputs, '## Step', '', '```sh', 'name=$(hostname)', 'echo "$name $DOMAIN $HOME" "$DOMIAN"', '```');
		expect(await found(text, 'undeclared-variable')).toEqual([[13, 29, 'error']]);
		expect((await messages(text, 'undeclared-variable'))[0]).toContain('did you mean $DOMAIN?');
	});

	test('in a list item, the column counts the list indentation', async () => {
		const text = doc('## Step', '', '1. Do it:', '', '   ```sh', '   echo "${MISSING:-x}"', '   ```');
		expect(await found(text, 'undeclared-variable')).toEqual([[10, 10, 'error']]);
	});

	test('in a block quote, the column counts the >', async () => {
		const text = doc('## Step', '', '> ```bash', '> x=1', '> echo $x $OTHER', '> ```');
		expect(await found(text, 'undeclared-variable')).toEqual([[9, 11, 'error']]);
	});

	test('each name once per block, at its first use; again in the next block', async () => {
		const text = doc('## Step', '', '```sh', 'echo $A', 'echo $A $B', '```', '', '```sh {role=verify}', 'test -n "$A"', '```');
		expect(await found(text, 'undeclared-variable')).toEqual([
			[8, 6, 'error'],
			[9, 9, 'error'],
			[13, 10, 'error'],
		]);
	});

	test('a variable set in another block gets a hint: blocks do not share variables', async () => {
		const text = doc('## Step', '', '```sh', 'dir=/srv/app', 'echo "$dir"', '```', '', '```sh', 'ls "$dir"', '```');
		expect(await found(text, 'undeclared-variable')).toEqual([[13, 5, 'error']]);
		expect((await messages(text, 'undeclared-variable'))[0]).toContain('set in the block on line 7');
	});

	test('inputs, variables set in the block, common variables and non-expansions pass', async () => {
		const text = withInputs(
			inputs,
			'## Step',
			'',
			'```bash',
			'while IFS= read -r line; do echo "$line"; done <<<"$DOMAIN"',
			'for f in /etc/*; do echo "$f"; done',
			'echo \'$NOT_EXPANDED\' \\$ALSO_NOT "$HOME $USER ${SSH_CLIENT:-} $LC_ALL $1 $# $?" # $COMMENT',
			"cat <<'EOF'",
			'$IN_QUOTED_HEREDOC',
			'EOF',
			'```',
		);
		expect(await found(text, 'undeclared-variable')).toEqual([]);
	});

	test('after source, . or eval only likely typos are reported: the file may set anything', async () => {
		const text = withInputs(inputs, '## Step', '', '```sh', '. /etc/os-release', 'echo "$ID $VERSION_CODENAME $DOMIAN"', '```');
		expect(await found(text, 'undeclared-variable')).toEqual([[13, 29, 'error']]);
	});

	test('blocks that are not sh or bash are not checked', async () => {
		const text = doc('## Step', '', '```python', 'print("$X")', '```', '', '```text', '$Y', '```', '', '```shell', 'echo $Z', '```');
		expect(await found(text, 'undeclared-variable')).toEqual([]);
	});
});

describe('nothing-to-verify', () => {
	const verify = ['```sh {role=verify}', 'true', '```'];
	const check = ['```sh {role=check}', 'true', '```'];

	test('a verify alone in a step', async () => {
		expect(await found(doc('## Step', '', ...verify), 'nothing-to-verify')).toEqual([[7, 1, 'error']]);
	});

	test('a verify in an audit step (check blocks, no run block, no task items), prose or not', async () => {
		const text = doc('## Audit', '', 'Looks at the firewall.', '', ...check, '', ...verify);
		expect(await found(text, 'nothing-to-verify')).toEqual([[13, 1, 'error']]);
	});

	test('a shown block is not a run block', async () => {
		expect(await found(doc('## Step', '', '```text', 'x', '```', '', ...verify), 'nothing-to-verify')).toEqual([[11, 1, 'error']]);
	});

	test.each([
		['prose (a manual step)', ['Turn it on in the panel.', '', ...verify]],
		['task items', ['- [ ] It is on', '', ...verify]],
		['a run block', ['```sh', 'true', '```', '', ...verify]],
		['a run block and a check', [...check, '', '```sh', 'true', '```', '', ...verify]],
		['task items and a check', ['- [ ] Done', '', ...check, '', ...verify]],
	])('is fine with %s', async (_, body) => {
		expect(await found(doc('## Step', '', ...body), 'nothing-to-verify')).toEqual([]);
	});
});

describe('nothing-to-undo', () => {
	const rollback = ['```sh {role=rollback}', 'true', '```'];

	test.each([
		['alone', rollback, 7],
		['with only a check', ['```sh {role=check}', 'true', '```', '', ...rollback], 11],
		['with only prose', ['Do it by hand.', '', ...rollback], 9],
	])('a rollback %s', async (_, body, line) => {
		expect(await found(doc('## Step', '', ...body), 'nothing-to-undo')).toEqual([[line, 1, 'error']]);
	});

	test.each([
		['a run block', ['```sh', 'true', '```', '', ...rollback]],
		['task items', ['- [ ] Changed it in the panel', '', ...rollback]],
	])('is fine with %s', async (_, body) => {
		expect(await found(doc('## Step', '', ...body), 'nothing-to-undo')).toEqual([]);
	});
});

describe('non-runnable-shell', () => {
	test.each(['shell', 'console', 'zsh', 'ksh', 'fish', 'shell-session', 'shellsession', 'sh-session', 'bash-session', 'terminal', 'ps', 'powershell', 'cmd', 'Shell'])(
		'```%s',
		async lang => {
			const text = doc('## Step', '', `\`\`\`${lang}`, 'echo hi', '```');
			expect(await found(text, 'non-runnable-shell')).toEqual([[7, 1, 'warning']]);
			expect((await messages(text, 'non-runnable-shell'))[0]).toMatch(/shown, not run.*```sh or ```bash/);
		},
	);

	test('in a list item, at the fence', async () => {
		expect(await found(doc('## Step', '', '- Run:', '', '  ```console', '  $ ls', '  ```'), 'non-runnable-shell')).toEqual([[9, 3, 'warning']]);
	});

	test.each(['sh', 'bash', 'text', 'nginx', 'yaml'])('not ```%s', async lang => {
		expect(await found(doc('## Step', '', `\`\`\`${lang}`, 'x', '```'), 'non-runnable-shell')).toEqual([]);
	});
});

describe('no-language', () => {
	test('a fence without a language', async () => {
		const text = doc('## Step', '', '```', 'plain', '```', '', '~~~', 'tilde', '~~~');
		expect(await found(text, 'no-language')).toEqual([
			[7, 1, 'warning'],
			[11, 1, 'warning'],
		]);
		expect((await messages(text, 'no-language'))[0]).toContain('```text');
	});

	test('attributes with no language before them', async () => {
		const text = doc('## Step', '', '``` {role=check}', 'true', '```');
		expect(await found(text, 'no-language')).toEqual([[7, 1, 'warning']]);
		expect((await messages(text, 'no-language'))[0]).toContain('```sh {role=check}');
	});

	test('an indented code block', async () => {
		expect(await found(doc('## Step', '', 'Text.', '', '    indented'), 'no-language')).toEqual([[9, 1, 'warning']]);
	});

	test('text is a language', async () => {
		expect(await found(doc('## Step', '', '```text', 'plain', '```'), 'no-language')).toEqual([]);
	});

	test('code in the introduction is not checked', async () => {
		expect(await found(doc('Intro.', '', '```', 'x', '```', '', '## Step', '', 'Text.'), 'no-language')).toEqual([]);
	});
});

describe('attributes-on-shown-block', () => {
	test('at the first attribute', async () => {
		const text = doc('## Step', '', '```text {role=check timeout=5s}', 'x', '```');
		expect(await found(text, 'attributes-on-shown-block')).toEqual([[7, 10, 'warning']]);
		expect((await messages(text, 'attributes-on-shown-block'))[0]).toContain('role, timeout have no effect');
	});

	test('any known attribute', async () => {
		expect(await found(doc('## Step', '', '```yaml {name="Config"}', 'a: 1', '```'), 'attributes-on-shown-block')).toEqual([[7, 10, 'warning']]);
	});

	test('not on runnable blocks, and not twice for a shell-like language', async () => {
		expect(await found(doc('## Step', '', '```sh {role=check}', 'true', '```', '', '```console {role=check}', '$ ls', '```'), 'attributes-on-shown-block')).toEqual([]);
	});
});

describe('confirm-unknown-input', () => {
	const inputs = ['DOMAIN:', '  type: domain', '  prompt: Domain'];

	test('confirm=NAME naming no input, at confirm=', async () => {
		const text = withInputs(inputs, '## Step', '', '```sh {name="Delete" confirm=DOMIAN}', 'true', '```');
		expect(await found(text, 'confirm-unknown-input')).toEqual([[11, 22, 'error']]);
		expect((await messages(text, 'confirm-unknown-input'))[0]).toContain('did you mean DOMAIN?');
	});

	test('confirm=false is not a way to turn it off', async () => {
		const text = withInputs(inputs, '## Step', '', '```sh {confirm=false}', 'true', '```');
		expect(await found(text, 'confirm-unknown-input')).toEqual([[11, 8, 'error']]);
		// DOMAIN is too far from "false" to be suggested.
		expect((await messages(text, 'confirm-unknown-input'))[0]).not.toContain('did you mean');
	});

	test('a declared input, or confirm alone, is fine', async () => {
		const text = withInputs(inputs, '## Step', '', '```sh {confirm=DOMAIN}', 'true', '```', '', '```sh {confirm}', 'true', '```');
		expect(await found(text, 'confirm-unknown-input')).toEqual([]);
	});
});

describe('interactive-role', () => {
	test.each(['check', 'verify'])('interactive on a %s block', async role => {
		const text = doc('## Step', '', '```sh', 'true', '```', '', `\`\`\`sh {role=${role} interactive}`, 'true', '```');
		expect(await found(text, 'interactive-role')).toEqual([[11, 14 + role.length, 'warning']]);
	});

	test.each(['run', 'rollback'])('is fine on a %s block', async role => {
		const text = doc('## Step', '', '```sh', 'true', '```', '', `\`\`\`sh {role=${role} interactive}`, 'true', '```');
		expect(await found(text, 'interactive-role')).toEqual([]);
	});
});

describe('empty-block', () => {
	test('a runnable block with no code, or only blank lines', async () => {
		expect(await found(doc('## Step', '', '```sh', '```', '', '```bash', '   ', '```'), 'empty-block')).toEqual([
			[7, 1, 'warning'],
			[10, 1, 'warning'],
		]);
	});

	test('a block with only a comment is not empty, and shown blocks are not checked', async () => {
		expect(await found(doc('## Step', '', '```sh', '# nothing yet', '```', '', '```text', '```'), 'empty-block')).toEqual([]);
	});
});

describe('lintRunbook', () => {
	test("keeps the parser's diagnostics and sorts everything by line and column", async () => {
		const text = doc('## Step', '', '```sh {timeout=forever}', 'echo $X', '```', '', '## Step');
		const diagnostics = await lint(text);
		expect(diagnostics.map(d => [d.line, d.column, d.rule])).toEqual([
			[7, 8, 'bad-timeout'],
			[8, 6, 'undeclared-variable'],
			[11, 1, 'duplicate-step'],
		]);
		expect(diagnostics.every(d => d.file === 't.md')).toBe(true);
	});

	test("without a runbook, only the parser's diagnostics", async () => {
		const result = {diagnostics: [{file: 'x.md', line: 1, column: 1, severity: 'error' as const, rule: 'empty-file', message: 'empty'}]};
		expect(await lintRunbook(result, {shellcheck: false})).toEqual(result.diagnostics);
	});

	test('sortDiagnostics is stable for equal positions', () => {
		const at = (line: number, column: number, rule: string): Diagnostic => ({file: 'f', line, column, severity: 'error', rule, message: ''});
		expect(sortDiagnostics([at(2, 1, 'a'), at(1, 5, 'b'), at(1, 5, 'c'), at(1, 2, 'd')]).map(d => d.rule)).toEqual(['d', 'b', 'c', 'a']);
	});
});

describe('formatDiagnostic', () => {
	test('file:line:col: severity: message [rule]', () => {
		expect(formatDiagnostic({file: 'runbooks/x.md', line: 12, column: 5, severity: 'warning', rule: 'no-language', message: 'no language'})).toBe(
			'runbooks/x.md:12:5: warning: no language [no-language]',
		);
	});
});
