// Finds the variables a bash block expands and the ones it sets, without
// running it. A lexical scanner, not a parser: it knows bash's quoting
// (single quotes, `$'…'`, double quotes, backslashes, quoted heredocs) and
// its nesting (`$(…)`, backticks, `${…}`, `$((…))`), which is all it takes to
// tell an expansion from text that only looks like one. A full parser
// (mvdan/sh as WebAssembly) would need a .wasm file beside the bundle.
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

export interface ShellVariables {
	/** Every expansion of a named variable, in order. Positional and special parameters are left out. */
	uses: VariableUse[];
	/** Names the code sets: assignments, `read`, `for`, `local`, `mapfile`, `getopts`, `printf -v`, … */
	assigned: Set<string>;
	/** The code runs `source`, `.` or `eval`, which may set any variable. */
	dynamic: boolean;
}

/**
 * Variables a block may use without setting them: the usual environment,
 * and what bash sets by itself. Prefixes end in `_`: `LC_*`, `XDG_*`.
 */
export const COMMON_VARIABLES: ReadonlySet<string> = new Set([
	// The login environment.
	'HOME', 'PATH', 'USER', 'LOGNAME', 'SHELL', 'PWD', 'OLDPWD', 'TERM', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR',
	'EDITOR', 'VISUAL', 'PAGER', 'MAIL',
	'SSH_CLIENT', 'SSH_CONNECTION', 'SSH_TTY', 'SSH_AUTH_SOCK',
	'SUDO_USER', 'SUDO_UID', 'SUDO_GID', 'SUDO_COMMAND', 'DEBIAN_FRONTEND',
	// Set by bash itself.
	'HOSTNAME', 'HOSTTYPE', 'OSTYPE', 'MACHTYPE', 'UID', 'EUID', 'PPID', 'GROUPS', 'RANDOM', 'SRANDOM', 'SECONDS',
	'EPOCHSECONDS', 'EPOCHREALTIME', 'LINENO', 'IFS', 'OPTARG', 'OPTIND', 'OPTERR', 'REPLY', 'MAPFILE', 'COLUMNS', 'LINES',
	'BASH', 'BASHPID', 'BASH_REMATCH', 'BASH_SOURCE', 'BASH_VERSION', 'BASH_VERSINFO', 'BASH_LINENO', 'BASH_COMMAND',
	'BASH_SUBSHELL', 'BASH_ARGC', 'BASH_ARGV', 'PIPESTATUS', 'FUNCNAME',
]);
const COMMON_PREFIXES = ['LC_', 'XDG_'];

export const isCommonVariable = (name: string): boolean =>
	COMMON_VARIABLES.has(name) || COMMON_PREFIXES.some(prefix => name.startsWith(prefix));

/** Deeper nesting of `$(…)`, quotes and `${…}` than any real block has. */
const MAX_DEPTH = 200;

/** Words that may come before a command without being it: `if read -r x; then`. */
const PREFIX_WORDS = new Set(['if', 'then', 'elif', 'else', 'while', 'until', 'do', '!', '{', 'time', 'command', 'builtin', 'exec']);
const DECLARATIONS = new Set(['local', 'declare', 'typeset', 'readonly']);

const isNameStart = (char: string | undefined): boolean =>
	char !== undefined && ((char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z') || char === '_');
const isDigit = (char: string | undefined): boolean => char !== undefined && char >= '0' && char <= '9';
const isNameChar = (char: string | undefined): boolean => isNameStart(char) || isDigit(char);
const isName = (text: string): boolean => isNameStart(text[0]) && [...text].every(isNameChar);
const isBlank = (char: string | undefined): boolean => char === ' ' || char === '\t' || char === '\r';
/** Characters that end an unquoted word. */
const isMeta = (char: string | undefined): boolean =>
	char === undefined || isBlank(char) || char === '\n' || ';&|<>()'.includes(char);
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
}

type CaseState = 'header' | 'pattern' | 'body';

/** A word with one pair of surrounding quotes removed: `"line"` → `line`. */
const unquote = (raw: string): string =>
	raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw.at(-1) === raw[0] ? raw.slice(1, -1) : raw;

class Scanner {
	private i = 0;
	private depth = 0;
	private pending: Heredoc[] = [];
	readonly uses: Array<{name: string; offset: number}> = [];
	readonly assigned = new Set<string>();
	dynamic = false;

	constructor(private readonly s: string) {}

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
		const flush = () => {
			this.command(words);
			words = [];
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
				this.i = tick !== -1 && tick < stop ? tick : stop;
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
			if (indirect && (s[this.i] === '*' || s[this.i] === '@') && s[this.i + 1] === '}') {
				// `${!prefix*}` lists variable names; it expands none of them.
			} else this.use(name, at);
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
		return (s.startsWith('<<=', j) || s.startsWith('>>=', j));
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
			this.pending.push({...this.delimiter(), stripTabs});
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
			while (this.i < s.length) {
				let lineEnd = s.indexOf('\n', this.i);
				if (lineEnd === -1) lineEnd = s.length;
				let line = s.slice(this.i, lineEnd);
				if (heredoc.stripTabs) line = line.replace(/^\t+/, '');
				if (line === heredoc.delimiter) {
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
		}
		if (this.i > s.length) this.i = s.length;
	}

	/** What one simple command sets: assignments, and the names `read`, `for`, `local`… take. */
	private command(words: Word[]) {
		const raw = words.map(word => word.raw);
		for (const word of raw) {
			const name = assignedName(word);
			if (name) this.assigned.add(name);
		}
		let k = 0;
		while (k < raw.length && (PREFIX_WORDS.has(raw[k]!) || assignedName(raw[k]!))) k++;
		const command = raw[k];
		const args = raw.slice(k + 1).map(unquote);
		const set = (name: string | undefined) => {
			if (name !== undefined && isName(name)) this.assigned.add(name);
		};
		if (command === 'source' || command === '.' || command === 'eval') this.dynamic = true;
		else if (command === 'for' || command === 'select') set(args[0]);
		else if (command !== undefined && DECLARATIONS.has(command)) {
			for (const arg of args) if (arg[0] !== '-' && arg[0] !== '+') set(assignedName(arg) ?? arg);
		} else if (command === 'read') {
			const {names, values} = options(args, 'adinNptu');
			for (const name of names) set(name);
			set(values.get('a'));
		} else if (command === 'mapfile' || command === 'readarray') set(options(args, 'dnOsuCc').names[0]);
		else if (command === 'getopts') set(args[1]);
		else if (command === 'printf') set(options(args, 'v').values.get('v'));
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

/** Scans a bash script for the variables it expands and the ones it sets. */
export const scanShellVariables = (code: string): ShellVariables => {
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
	return {uses, assigned: scanner.assigned, dynamic: scanner.dynamic};
};

/**
 * The uses of variables that the code neither sets nor gets from `known`
 * (the inputs) nor from the common environment.
 */
export const undeclaredVariables = (code: string, known: Iterable<string>): VariableUse[] => {
	const {uses, assigned} = scanShellVariables(code);
	const declared = new Set(known);
	return uses.filter(use => !declared.has(use.name) && !assigned.has(use.name) && !isCommonVariable(use.name));
};
