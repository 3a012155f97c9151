// Which variables a bash block expands and may read, and the ones it sets,
// without running it: the one place that decides this, for lint (which
// variables a block uses) and for the engine (which secret inputs a block is
// given). A lexical scanner, not a parser: it knows bash's quoting (single
// quotes, `$'…'`, double quotes, backslashes, quoted heredocs) and its nesting
// (`$(…)`, backticks, `${…}`, `$((…))`), which is all it takes to tell an
// expansion from text that only looks like one. Real parsers were measured
// and not taken: loading tree-sitter-bash (WebAssembly) and analysing the
// bundled runbooks took ~410 ms against this scanner's ~57 ms, needs 1.6 MB of
// .wasm beside the bundle and an async API, and gets several of the test cases
// wrong; mvdan/sh (sh-syntax, mvdan-sh) took 1.8 s and 2.5 s.
//
// It never throws and always ends: every loop moves forward, and nesting
// deeper than any script needs stops the scan instead of the stack.

export interface VariableUse {
	name: string;
	/** 0-based offset of the `$` (or of the bare name in arithmetic) in the code. */
	offset: number;
	/** 1-based line and column within the code. */
	line: number;
	column: number;
}

export interface BlockVariables {
	/** Every expansion of a named variable, in order. Positional and special parameters are left out. */
	uses: VariableUse[];
	/** The names in `uses`. */
	expanded: ReadonlySet<string>;
	/** Names the code sets: assignments, `read`, `for`, `local`, `mapfile`, `getopts`, `printf -v`, … */
	assigned: Set<string>;
	/** The code runs `source`, `.` or `eval`, which may set any variable. */
	dynamic: boolean;
	/**
	 * Set when the code may read a variable by a name made at run time, so any
	 * variable: `eval`, `source`/`.`, `${!name}`, `declare -n`, `printenv "$x"`,
	 * `bash -c "$script"`. Says which, for messages and tests.
	 */
	readsAny: string | undefined;
	/** Set when the code lists the environment or the variables (`env`, `printenv`, `export -p`, `set`, `compgen -v`): says which. */
	lists: string | undefined;
	/**
	 * Whether the block may read the variable `name`: the rule for which secret
	 * inputs a block is given. True when the block expands `name`, may read any
	 * variable (`readsAny`), lists variables by a prefix of `name` (`${!prefix*}`),
	 * or lists the environment (`lists`) and names `name` anywhere outside a
	 * comment (`env | grep '^NAME='`). A block that lists the environment but
	 * never names a secret (`env > file`) is not given it: it cannot need it,
	 * and would only write it somewhere. Text that only looks like an expansion
	 * (in single quotes, a comment, after a backslash, in a quoted heredoc) is
	 * no use, except where it is a script for another shell (`sh -c '…'`,
	 * `trap '…'`, `bash <<'EOF'`), which is scanned as code.
	 */
	mayRead(name: string): boolean;
}

/**
 * Variables a block may use without setting them: the usual environment,
 * and what bash sets by itself. Prefixes end in `_`: `LC_*`, `XDG_*`.
 */
export const COMMON_VARIABLES: ReadonlySet<string> = new Set([
	// The login environment.
	'HOME',
	'PATH',
	'USER',
	'LOGNAME',
	'SHELL',
	'PWD',
	'OLDPWD',
	'TERM',
	'LANG',
	'LANGUAGE',
	'TZ',
	'TMPDIR',
	'EDITOR',
	'VISUAL',
	'PAGER',
	'MAIL',
	'SSH_CLIENT',
	'SSH_CONNECTION',
	'SSH_TTY',
	'SSH_AUTH_SOCK',
	'SUDO_USER',
	'SUDO_UID',
	'SUDO_GID',
	'SUDO_COMMAND',
	'DEBIAN_FRONTEND',
	// Set by bash itself.
	'HOSTNAME',
	'HOSTTYPE',
	'OSTYPE',
	'MACHTYPE',
	'UID',
	'EUID',
	'PPID',
	'GROUPS',
	'RANDOM',
	'SRANDOM',
	'SECONDS',
	'EPOCHSECONDS',
	'EPOCHREALTIME',
	'LINENO',
	'IFS',
	'OPTARG',
	'OPTIND',
	'OPTERR',
	'REPLY',
	'MAPFILE',
	'COLUMNS',
	'LINES',
	'BASH',
	'BASHPID',
	'BASH_REMATCH',
	'BASH_SOURCE',
	'BASH_VERSION',
	'BASH_VERSINFO',
	'BASH_LINENO',
	'BASH_COMMAND',
	'BASH_SUBSHELL',
	'BASH_ARGC',
	'BASH_ARGV',
	'PIPESTATUS',
	'FUNCNAME',
]);
const COMMON_PREFIXES = ['LC_', 'XDG_'];

export const isCommonVariable = (name: string): boolean => COMMON_VARIABLES.has(name) || COMMON_PREFIXES.some(prefix => name.startsWith(prefix));

/** Deeper nesting of `$(…)`, quotes and `${…}` than any real block has. */
const MAX_DEPTH = 200;
/** Scripts in scripts (`sh -c 'bash <<EOF …'`) deeper than this are not read, and the block may then read any variable. */
const MAX_SCRIPT_DEPTH = 4;

/** Words that may come before a command without being it: `if read -r x; then`. */
const PREFIX_WORDS = new Set(['if', 'then', 'elif', 'else', 'while', 'until', 'do', '!', '{', 'time', 'command', 'builtin', 'exec']);
const DECLARATIONS = new Set(['local', 'declare', 'typeset', 'readonly']);
/** Shells whose `-c` script, heredoc or here-string is bash code of the block's too. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'mksh', 'zsh']);

const isNameStart = (char: string | undefined): boolean => char !== undefined && ((char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || char === '_');
const isDigit = (char: string | undefined): boolean => char !== undefined && char >= '0' && char <= '9';
const isNameChar = (char: string | undefined): boolean => isNameStart(char) || isDigit(char);
const isName = (text: string): boolean => isNameStart(text[0]) && [...text].every(isNameChar);
const isBlank = (char: string | undefined): boolean => char === ' ' || char === '\t' || char === '\r';
/** Characters that end an unquoted word. */
const isMeta = (char: string | undefined): boolean => char === undefined || isBlank(char) || char === '\n' || ';&|<>()'.includes(char);
/** `$@ $* $# $? $$ $! $- $0`…: parameters, never named variables. */
const SPECIAL_PARAMETERS = '@*#?$!-_';

/** The name an assignment word sets: `name=`, `name+=`, `name[i]=`. */
export const assignedName = (word: string): string | undefined => {
	let end = 0;
	if (!isNameStart(word[0])) return undefined;
	while (isNameChar(word[end])) end++;
	const name = word.slice(0, end);
	if (word[end] === '[') {
		const close = word.indexOf(']', end);
		if (close === -1) return undefined;
		end = close + 1;
	}
	if (word[end] === '+') end++;
	return word[end] === '=' ? name : undefined;
};

interface Word {
	/** The word as written, quotes and all. */
	raw: string;
	start: number;
}

interface Heredoc {
	delimiter: string;
	/** Any quoting in the delimiter (`'EOF'`, `"EOF"`, `\EOF`) turns expansion off in the body. */
	quoted: boolean;
	/** `<<-`: leading tabs are stripped, so the closing line may be indented with tabs. */
	stripTabs: boolean;
	/** The body is the script of a shell (`bash <<'EOF'`), so code; known when the command ends. */
	script: boolean;
}

type CaseState = 'header' | 'pattern' | 'body';

/** A word with one pair of surrounding quotes removed: `"line"` → `line`. */
const unquote = (raw: string): string => (raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw.at(-1) === raw[0] ? raw.slice(1, -1) : raw);

/** `bash`, `/bin/sh`, `"zsh"`. */
const isShell = (raw: string): boolean => {
	const word = unquote(raw);
	// Every shell's name ends in `sh`: most words are let go without more work.
	return word.endsWith('sh') && SHELLS.has(word.slice(word.lastIndexOf('/') + 1));
};

/** Where a shell's script comes from among a command's words: the word after `-c`, or stdin. */
const shellScript = (words: readonly Word[]): Word | 'stdin' | undefined => {
	const shell = words.findIndex(word => isShell(word.raw));
	if (shell === -1) return undefined;
	let stdin = false;
	for (let k = shell + 1; k < words.length; k++) {
		const raw = words[k]!.raw;
		if (/^-[A-Za-z]*c[A-Za-z]*$/.test(raw)) return words[k + 1];
		if (/^-[A-Za-z]*s[A-Za-z]*$/.test(raw)) stdin = true;
		else if (raw === '-o' || raw === '+o') k++;
		else if (raw[0] !== '-' && raw[0] !== '+') return stdin ? 'stdin' : undefined;
	}
	return 'stdin';
};

/**
 * The text bash passes on from the inside of a double-quoted word or an
 * unquoted heredoc body, from `start` to `end` in `s`: `\\$` becomes `$`, and
 * so on. `at` maps an offset in that text back to `s`; `wasEscaped` says
 * whether the character there had a backslash before it.
 */
const unescape = (s: string, start: number, end: number, escapes: string) => {
	let text = '';
	const escaped: number[] = [];
	let from = start;
	for (let j = s.indexOf('\\', start); j !== -1 && j + 1 < end; j = s.indexOf('\\', j + 2)) {
		if (!escapes.includes(s[j + 1]!)) continue;
		text += s.slice(from, j);
		escaped.push(text.length);
		from = j + 1;
	}
	text += s.slice(from, end);
	return {
		text,
		/** Where the character at `offset` in the text is in `s`: one further on for each backslash taken out up to it. */
		at: (offset: number): number => start + offset + firstAtLeast(escaped, offset + 1),
		wasEscaped: (offset: number): boolean => escaped[firstAtLeast(escaped, offset)] === offset,
	};
};

/** The first index in the sorted `list` whose value is at least `value`. */
const firstAtLeast = (list: readonly number[], value: number): number => {
	let lo = 0;
	let hi = list.length;
	while (lo < hi) {
		const middle = (lo + hi) >> 1;
		if (list[middle]! < value) lo = middle + 1;
		else hi = middle;
	}
	return lo;
};

class Scanner {
	private i = 0;
	private pending: Heredoc[] = [];
	readonly uses: Array<{name: string; offset: number}> = [];
	readonly assigned = new Set<string>();
	/** `${!prefix*}` and `${!prefix@}`: the prefixes. */
	readonly prefixes: string[] = [];
	/** Where comments are, as [start, end) offsets. */
	readonly comments: Array<[number, number]> = [];
	dynamic = false;
	readsAny: string | undefined;
	lists: string | undefined;

	constructor(
		private readonly s: string,
		private depth = 0,
		private readonly scriptDepth = 0,
	) {}

	run(): void {
		this.commands(undefined);
	}

	private use(name: string, offset: number) {
		// `$_` is a special parameter, though `_` reads as a name.
		if (name !== '_') this.uses.push({name, offset});
	}

	/** Runs `scan` one level deeper, or gives up on the rest when that is too deep. */
	private nested(scan: () => void) {
		if (this.depth >= MAX_DEPTH) {
			this.i = this.s.length;
			return;
		}
		this.depth++;
		try {
			scan();
		} finally {
			this.depth--;
		}
	}

	/**
	 * A list of commands, up to `end`: `)` for `$(…)` and `<(…)`, a backtick
	 * for `` `…` ``, or the end of the code.
	 */
	private commands(end: ')' | '`' | undefined) {
		const s = this.s;
		let words: Word[] = [];
		let redirectTarget = false;
		let parens = 0;
		const cases: CaseState[] = [];
		/** The heredocs opened by the current command start here in `pending`. */
		let heredocsFrom = this.pending.length;
		const flush = () => {
			if (this.pending.length > heredocsFrom && shellScript(words) === 'stdin') {
				for (const heredoc of this.pending.slice(heredocsFrom)) heredoc.script = true;
			}
			this.command(words);
			words = [];
			heredocsFrom = this.pending.length;
		};
		while (this.i < s.length) {
			const c = s[this.i]!;
			const next = s[this.i + 1];
			if (end === '`' && c === '`') {
				this.i++;
				break;
			}
			if (c === '\n') {
				this.i++;
				flush();
				this.heredocBodies();
				heredocsFrom = 0;
				continue;
			}
			if (isBlank(c)) {
				this.i++;
				continue;
			}
			if (c === '\\' && next === '\n') {
				this.i += 2;
				continue;
			}
			if (c === '#') {
				// A `#` that starts a word starts a comment, to the end of the line
				// (or of the backticks it is in: bash finds their end first).
				let stop = s.indexOf('\n', this.i);
				if (stop === -1) stop = s.length;
				const tick = end === '`' ? s.indexOf('`', this.i) : -1;
				if (tick !== -1 && tick < stop) stop = tick;
				this.comments.push([this.i, stop]);
				this.i = stop;
				continue;
			}
			if (c === ';') {
				// `;;`, `;&` and `;;&` end a case clause; the next thing is a pattern.
				if (next === ';' || next === '&') {
					this.i += next === ';' && s[this.i + 2] === '&' ? 3 : 2;
					if (cases.at(-1) === 'body') cases[cases.length - 1] = 'pattern';
				} else this.i++;
				flush();
				continue;
			}
			if (c === '&' && next === '>') {
				this.i += s[this.i + 2] === '>' ? 3 : 2;
				redirectTarget = true;
				continue;
			}
			if (c === '|' || c === '&') {
				this.i += next === c || (c === '|' && next === '&') ? 2 : 1;
				flush();
				continue;
			}
			if (c === '<' || c === '>') {
				redirectTarget = this.redirection(words);
				continue;
			}
			if (c === '(') {
				if (next === '(') {
					this.i += 2;
					this.arithmetic('))');
					continue;
				}
				this.i++;
				// A case pattern may start with `(`; anywhere else it opens a subshell or a function body.
				if (cases.at(-1) !== 'pattern') {
					flush();
					parens++;
				}
				continue;
			}
			if (c === ')') {
				this.i++;
				if (cases.at(-1) === 'pattern') cases[cases.length - 1] = 'body';
				else if (parens > 0) parens--;
				else if (end === ')') {
					flush();
					return;
				}
				flush();
				continue;
			}
			const word = this.word(end);
			if (redirectTarget) {
				redirectTarget = false;
				continue;
			}
			const atStart = words.every(w => PREFIX_WORDS.has(w.raw));
			if (cases.at(-1) === 'header' && word.raw === 'in') cases[cases.length - 1] = 'pattern';
			else if (word.raw === 'esac' && cases.length > 0 && (cases.at(-1) === 'pattern' || atStart)) cases.pop();
			else if (word.raw === 'case' && atStart) cases.push('header');
			words.push(word);
		}
		flush();
	}

	/** One unquoted word in command position, with every expansion in it. */
	private word(end: ')' | '`' | undefined): Word {
		const s = this.s;
		const start = this.i;
		while (this.i < s.length) {
			const c = s[this.i]!;
			if (isMeta(c) || (end === '`' && c === '`')) break;
			this.quotedOrExpansion(c, false);
		}
		if (this.i === start) this.i++;
		return {raw: s.slice(start, this.i), start};
	}

	/**
	 * Steps over one character, or one whole quoted string or expansion
	 * starting at it. Inside double quotes, `'` is an ordinary character.
	 */
	private quotedOrExpansion(c: string, inDoubleQuotes: boolean) {
		if (c === '\\') this.i += 2;
		else if (c === "'" && !inDoubleQuotes) this.singleQuoted();
		else if (c === '"') this.doubleQuoted();
		else if (c === '`') this.backticks();
		else if (c === '$') this.dollar(inDoubleQuotes);
		else this.i++;
	}

	private singleQuoted() {
		const close = this.s.indexOf("'", this.i + 1);
		this.i = close === -1 ? this.s.length : close + 1;
	}

	/** `$'…'`: backslash escapes, no expansions. `i` is at the quote. */
	private ansiC() {
		const s = this.s;
		this.i++;
		while (this.i < s.length) {
			const c = s[this.i]!;
			if (c === '\\') this.i += 2;
			else if (c === "'") {
				this.i++;
				return;
			} else this.i++;
		}
	}

	private doubleQuoted() {
		this.nested(() => {
			const s = this.s;
			this.i++;
			while (this.i < s.length) {
				const c = s[this.i]!;
				if (c === '"') {
					this.i++;
					return;
				}
				this.quotedOrExpansion(c, true);
			}
		});
	}

	private backticks() {
		this.i++;
		this.nested(() => this.commands('`'));
	}

	/** `i` is at a `$`. */
	private dollar(inDoubleQuotes: boolean) {
		const s = this.s;
		const at = this.i;
		const next = s[at + 1];
		if (next === '(') {
			if (s[at + 2] === '(') {
				this.i += 3;
				this.nested(() => this.arithmetic('))'));
			} else {
				this.i += 2;
				this.nested(() => this.commands(')'));
			}
		} else if (next === '[') {
			this.i += 2;
			this.nested(() => this.arithmetic(']'));
		} else if (next === '{') {
			this.i += 2;
			this.nested(() => this.parameter(at, inDoubleQuotes));
		} else if (next === "'" && !inDoubleQuotes) {
			this.i++;
			this.ansiC();
		} else if (isNameStart(next)) {
			this.i++;
			const name = this.name();
			this.use(name, at);
		} else if (isDigit(next) || (next !== undefined && SPECIAL_PARAMETERS.includes(next))) {
			this.i += 2;
		} else {
			// A lone `$` (or `$"…"`, whose quotes the caller reads next) is literal.
			this.i++;
		}
	}

	private name(): string {
		const start = this.i;
		while (isNameChar(this.s[this.i])) this.i++;
		return this.s.slice(start, this.i);
	}

	/** `${…}`: `i` is just past the `{`; `at` is the `$`. */
	private parameter(at: number, inDoubleQuotes: boolean) {
		const s = this.s;
		let indirect = false;
		const first = s[this.i];
		const second = s[this.i + 1];
		if ((first === '#' || first === '!') && second !== '}' && second !== undefined) {
			// `${#name}` is a length, `${!name}` an indirection; `${#}` and `${!}` are $# and $!.
			if (isNameStart(second) || isDigit(second) || SPECIAL_PARAMETERS.includes(second)) {
				indirect = first === '!';
				this.i++;
			}
		}
		if (isNameStart(s[this.i])) {
			const name = this.name();
			// `${!prefix*}` lists variable names; it expands none of them.
			const listing = indirect && (s[this.i] === '*' || s[this.i] === '@') && s[this.i + 1] === '}';
			if (listing) this.prefixes.push(name);
			else this.use(name, at);
			// `${!name}` and `${!name[0]}` expand the variable named by the value;
			// `${!name[@]}` and `${!name[*]}` are only the keys of an array.
			if (indirect && !listing && !/^\[[@*]\]/.test(s.slice(this.i, this.i + 3))) this.readsAny ??= '${!name}';
			if (s[this.i] === '[') this.subscript();
			// `${name:=word}` and `${name=word}` set the variable when it is unset.
			if (s[this.i] === '=' || (s[this.i] === ':' && s[this.i + 1] === '=')) this.assigned.add(name);
		} else if (isDigit(s[this.i])) {
			while (isDigit(s[this.i])) this.i++;
		} else if (s[this.i] !== undefined && SPECIAL_PARAMETERS.includes(s[this.i]!)) {
			this.i++;
		}
		// The rest (an operator and its word, such as `:-default` or `//a/b`) up to the
		// first unquoted `}`: bash does not pair up braces in the word (`${x:-{}` is `{`).
		while (this.i < s.length) {
			const c = s[this.i]!;
			if (c === '}') {
				this.i++;
				return;
			}
			this.quotedOrExpansion(c, inDoubleQuotes);
		}
	}

	/** `[…]` after a name in `${name[…]}`: only `$` expansions in it are counted. */
	private subscript() {
		const s = this.s;
		this.i++;
		while (this.i < s.length) {
			const c = s[this.i]!;
			if (c === ']') {
				this.i++;
				return;
			}
			if (c === '}') return;
			this.quotedOrExpansion(c, false);
		}
	}

	/**
	 * `((…))`, `$((…))` or `$[…]`. Bare names are variables here too, and
	 * `name = …` (or `+=`, `-=`, …) sets one.
	 */
	private arithmetic(close: '))' | ']') {
		const s = this.s;
		let parens = 0;
		while (this.i < s.length) {
			const c = s[this.i]!;
			if (close === '))' && c === ')') {
				this.i++;
				if (parens > 0) parens--;
				else {
					if (s[this.i] === ')') this.i++;
					return;
				}
			} else if (close === ']' && c === ']') {
				this.i++;
				return;
			} else if (c === '(') {
				parens++;
				this.i++;
			} else if (isNameStart(c)) {
				const start = this.i;
				const name = this.name();
				if (s[this.i] === '[') this.subscript();
				if (this.isArithmeticAssignment()) this.assigned.add(name);
				else this.use(name, start);
			} else if (isDigit(c)) {
				// Numbers, with a base (`16#ff`) or in hex (`0x1F`): never names.
				while (isNameChar(s[this.i]) || s[this.i] === '#' || s[this.i] === '@') this.i++;
			} else if (c === "'") this.i++;
			else this.quotedOrExpansion(c, false);
		}
	}

	private isArithmeticAssignment(): boolean {
		const s = this.s;
		let j = this.i;
		while (isBlank(s[j])) j++;
		if (s[j] === '=') return s[j + 1] !== '=';
		if ('+-*/%&^|'.includes(s[j] ?? '.') && s[j + 1] === '=') return true;
		return s.startsWith('<<=', j) || s.startsWith('>>=', j);
	}

	/**
	 * `i` is at `<` or `>`. Reads the operator (a heredoc's delimiter too) and
	 * says whether a target word follows, which is then no argument.
	 */
	private redirection(words: Word[]): boolean {
		const s = this.s;
		const c = s[this.i]!;
		// `2>file`: the digits right before the operator are a file descriptor.
		const last = words.at(-1);
		if (last && last.start + last.raw.length === this.i && /^(\d+|\{\w+\})$/.test(last.raw)) words.pop();
		if (s[this.i + 1] === '(') {
			// Process substitution: <(…) and >(…).
			this.i += 2;
			this.nested(() => this.commands(')'));
			return false;
		}
		if (c === '<' && s.startsWith('<<<', this.i)) {
			this.i += 3;
			return true;
		}
		if (c === '<' && s[this.i + 1] === '<') {
			this.i += 2;
			const stripTabs = s[this.i] === '-';
			if (stripTabs) this.i++;
			while (isBlank(s[this.i])) this.i++;
			this.pending.push({...this.delimiter(), stripTabs, script: false});
			return false;
		}
		this.i++;
		while (s[this.i] === '>' || s[this.i] === '&' || s[this.i] === '|' || (c === '<' && s[this.i] === '>')) this.i++;
		return true;
	}

	/** A heredoc's delimiter word, with its quotes removed. */
	private delimiter(): {delimiter: string; quoted: boolean} {
		const s = this.s;
		let delimiter = '';
		let quoted = false;
		while (this.i < s.length && !isMeta(s[this.i])) {
			const c = s[this.i]!;
			if (c === "'" || c === '"') {
				quoted = true;
				const close = s.indexOf(c, this.i + 1);
				if (close === -1) {
					this.i++;
					continue;
				}
				delimiter += s.slice(this.i + 1, close);
				this.i = close + 1;
			} else if (c === '\\') {
				quoted = true;
				delimiter += s[this.i + 1] ?? '';
				this.i += 2;
			} else {
				delimiter += c;
				this.i++;
			}
		}
		return {delimiter, quoted};
	}

	/** `i` is at the start of the line after one that opened heredocs: read their bodies. */
	private heredocBodies() {
		const s = this.s;
		const heredocs = this.pending;
		this.pending = [];
		for (const heredoc of heredocs) {
			const bodyStart = this.i;
			let bodyEnd = s.length;
			while (this.i < s.length) {
				let lineEnd = s.indexOf('\n', this.i);
				if (lineEnd === -1) lineEnd = s.length;
				let line = s.slice(this.i, lineEnd);
				if (heredoc.stripTabs) line = line.replace(/^\t+/, '');
				if (line === heredoc.delimiter) {
					bodyEnd = this.i;
					this.i = lineEnd + 1;
					break;
				}
				if (!heredoc.quoted) {
					// An unquoted body expands like double-quoted text, but `"` is ordinary in it.
					while (this.i < lineEnd) {
						const c = s[this.i]!;
						if (c === '\\' || c === '`' || c === '$') this.quotedOrExpansion(c, true);
						else this.i++;
					}
				}
				// An expansion may have run on past the line; go on from the line it ended on.
				if (this.i <= lineEnd) this.i = lineEnd + 1;
				else {
					const newline = s.indexOf('\n', this.i);
					this.i = newline === -1 ? s.length : newline + 1;
				}
			}
			if (heredoc.script) this.script(bodyStart, Math.min(bodyEnd, s.length), !heredoc.quoted, '\\$`\n');
		}
		if (this.i > s.length) this.i = s.length;
	}

	/** One simple command: what it sets, the scripts it hands to other shells, and how it reads variables. */
	private command(words: Word[]) {
		this.scripts(words);
		this.builtin(words);
	}

	/** Scripts among the words that another shell runs: `sh -c '…'`, `trap '…' EXIT`. */
	private scripts(words: Word[]) {
		let k = 0;
		while (k < words.length && (PREFIX_WORDS.has(words[k]!.raw) || assignedName(words[k]!.raw))) k++;
		if (words[k]?.raw === 'trap') {
			const action = words[k + 1]?.raw === '--' ? words[k + 2] : words[k + 1];
			if (action && action.raw[0] !== '-') this.scriptWord(action);
		}
		const script = shellScript(words);
		if (script !== undefined && script !== 'stdin') this.scriptWord(script);
	}

	private scriptWord({raw, start}: Word) {
		const end = start + raw.length;
		// `sh -c "$script"`: code made at run time, as with eval.
		if (/^"?[$`]/.test(raw)) this.readsAny ??= 'a shell script made at run time';
		if (raw.length >= 2 && raw[0] === "'" && raw.indexOf("'", 1) === raw.length - 1) this.script(start + 1, end - 1, false, '');
		else if (raw.length >= 2 && raw[0] === '"' && raw.at(-1) === '"') this.script(start + 1, end - 1, true, '\\$`"\n');
	}

	/**
	 * Scans `s[start, end)`, a script another shell runs, as code of this
	 * block. When bash has expanded it already (`expanded`: double quotes, an
	 * unquoted heredoc), only what was escaped from that (`\$NAME`) and bare
	 * names in arithmetic are new.
	 */
	private script(start: number, end: number, expanded: boolean, escapes: string) {
		if (start >= end) return;
		if (this.depth >= MAX_DEPTH || this.scriptDepth >= MAX_SCRIPT_DEPTH) {
			this.readsAny ??= 'scripts nested too deep to read';
			return;
		}
		const {text, at, wasEscaped} = expanded
			? unescape(this.s, start, end, escapes)
			: {text: this.s.slice(start, end), at: (offset: number) => start + offset, wasEscaped: undefined};
		const inner = new Scanner(text, this.depth + 1, this.scriptDepth + 1);
		inner.run();
		for (const use of inner.uses) {
			// Bash expanded an unescaped `$NAME` before the script ran: that use is counted already.
			if (wasEscaped && text[use.offset] === '$' && !wasEscaped(use.offset)) continue;
			this.uses.push({name: use.name, offset: at(use.offset)});
		}
		for (const name of inner.assigned) this.assigned.add(name);
		this.prefixes.push(...inner.prefixes);
		this.dynamic ||= inner.dynamic;
		this.readsAny ??= inner.readsAny;
		this.lists ??= inner.lists;
	}

	/** What a builtin does with variables: the names it sets, and whether it reads any or lists them. */
	private builtin(words: Word[]) {
		const raw = words.map(word => word.raw);
		for (const word of raw) {
			const name = assignedName(word);
			if (name) this.assigned.add(name);
		}
		let k = 0;
		const skipPrefixes = () => {
			while (k < raw.length && (PREFIX_WORDS.has(raw[k]!) || assignedName(raw[k]!))) k++;
		};
		skipPrefixes();
		// `env [option…] [NAME=value…] [command…]` runs the command; without one it lists the environment.
		while (raw[k] === 'env') {
			for (k++; k < raw.length; k++) {
				const word = raw[k]!;
				if (word === '--') {
					k++;
					break;
				}
				if (word === '-u' || word === '-C' || word === '-S') k++;
				else if (!(word[0] === '-' && word.length > 1) && !assignedName(word)) break;
			}
			if (k >= raw.length) {
				this.lists ??= 'env';
				return;
			}
			skipPrefixes();
		}
		const command = raw[k];
		const args = raw.slice(k + 1).map(unquote);
		const operands = () => args.filter(arg => arg[0] !== '-' && arg[0] !== '+');
		/** Whether an option word has one of the letters. */
		const option = (letters: string) => args.some(arg => arg[0] === '-' && [...letters].some(letter => arg.includes(letter)));
		const set = (name: string | undefined) => {
			if (name !== undefined && isName(name)) this.assigned.add(name);
		};
		if (command === 'source' || command === '.' || command === 'eval') {
			this.dynamic = true;
			this.readsAny ??= command;
		} else if (command === 'for' || command === 'select') set(args[0]);
		else if (command !== undefined && DECLARATIONS.has(command)) {
			const names = operands();
			for (const arg of names) set(assignedName(arg) ?? arg);
			// `declare -n ref=NAME`: a name reference reads the variable it names.
			if (command !== 'readonly' && option('n')) this.readsAny ??= `${command} -n`;
			else if ((names.length === 0 || option('p')) && !option('fF')) this.lists ??= `${command} -p`;
		} else if (command === 'export') {
			if (operands().length === 0 || option('p')) this.lists ??= 'export -p';
		} else if (command === 'read') {
			const {names, values} = options(args, 'adinNptu');
			for (const name of names) set(name);
			set(values.get('a'));
		} else if (command === 'mapfile' || command === 'readarray') set(options(args, 'dnOsuCc').names[0]);
		else if (command === 'getopts') set(args[1]);
		else if (command === 'printf') set(options(args, 'v').values.get('v'));
		else if (command === 'set' && args.length === 0) this.lists ??= 'set';
		else if (command === 'compgen') this.lists ??= 'compgen';
		else if (command === 'printenv') {
			this.lists ??= 'printenv';
			if (raw.slice(k + 1).some(arg => /[$`]/.test(arg))) this.readsAny ??= 'printenv with a name made at run time';
		}
	}
}

/** Splits a builtin's arguments into options (`withValue` take one) and the rest. */
const options = (args: string[], withValue: string): {names: string[]; values: Map<string, string>} => {
	const values = new Map<string, string>();
	let k = 0;
	for (; k < args.length; k++) {
		const arg = args[k]!;
		if (arg === '--') {
			k++;
			break;
		}
		if (arg[0] !== '-' || arg.length === 1) break;
		for (let j = 1; j < arg.length; j++) {
			const option = arg[j]!;
			if (withValue.includes(option)) {
				const value = j + 1 < arg.length ? arg.slice(j + 1) : args[++k];
				if (value !== undefined) values.set(option, value);
				break;
			}
		}
	}
	return {names: args.slice(k), values};
};

const lineStarts = (text: string): number[] => {
	const starts = [0];
	for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
	return starts;
};

/** Names written anywhere in the code outside comments, quoted or not. */
const namesOutsideComments = (code: string, comments: ReadonlyArray<[number, number]>): Set<string> => {
	let text = '';
	let from = 0;
	for (const [start, end] of comments) {
		text += `${code.slice(from, start)} `;
		from = end;
	}
	text += code.slice(from);
	return new Set(text.match(/[A-Za-z_][A-Za-z0-9_]*/g));
};

/**
 * The variables a bash block expands, may read, and sets: the one decider,
 * for lint (`uses`, `assigned`) and for which secret inputs a block is given
 * (`mayRead`, in engine/block-env.ts).
 */
export const blockVariables = (code: string): BlockVariables => {
	const scanner = new Scanner(code);
	scanner.run();
	const starts = lineStarts(code);
	let line = 0;
	const uses: VariableUse[] = [];
	// Uses come out nearly in order; sort so lines can be found by walking forward.
	const sorted = [...scanner.uses].sort((a, b) => a.offset - b.offset);
	for (const use of sorted) {
		while (line + 1 < starts.length && starts[line + 1]! <= use.offset) line++;
		uses.push({name: use.name, offset: use.offset, line: line + 1, column: use.offset - starts[line]! + 1});
	}
	const expanded = new Set(uses.map(use => use.name));
	const {readsAny, lists, prefixes, comments} = scanner;
	let named: Set<string> | undefined;
	const mayRead = (name: string): boolean => {
		if (readsAny !== undefined || expanded.has(name) || prefixes.some(prefix => name.startsWith(prefix))) return true;
		if (lists === undefined) return false;
		named ??= namesOutsideComments(code, comments);
		return named.has(name);
	};
	return {uses, expanded, assigned: scanner.assigned, dynamic: scanner.dynamic, readsAny, lists, mayRead};
};

/**
 * The uses of variables that the code neither sets nor gets from `known`
 * (the inputs) nor from the common environment.
 */
export const undeclaredVariables = (code: string, known: Iterable<string>): VariableUse[] => {
	const {uses, assigned} = blockVariables(code);
	const declared = new Set(known);
	return uses.filter(use => !declared.has(use.name) && !assigned.has(use.name) && !isCommonVariable(use.name));
};
