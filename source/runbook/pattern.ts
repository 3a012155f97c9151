// Input patterns, matched in linear time. A runbook's `pattern` is written in
// JavaScript syntax (with the `u` flag) and the whole value must match it; it
// is matched by RE2 (re2js, a pure-JavaScript port), whose time grows with the
// value's length and the pattern's size, never exponentially: `(a+)+$` cannot
// freeze Rampart. The pattern is checked with JavaScript's own parser first,
// then translated to RE2 syntax construct by construct, so that each keeps its
// JavaScript meaning (`.`, `\s`, `[^]`, `\u{…}`); what RE2 cannot do in linear
// time (backreferences, lookaround) is refused with the reason.
//
// re2js costs ~15 ms to load, so it is loaded only for runbooks that have a
// pattern: lintRunbook, which every runbook passes before anything reads its
// inputs, calls loadPatternEngine first. Until then a pattern cannot be
// compiled, and a value it should check is refused rather than let through.

type Re2Module = typeof import('re2js');
type Re2 = InstanceType<Re2Module['RE2JS']>;

/** Longest pattern, in characters (code points): longer ones are refused before anything parses them. */
export const MAX_PATTERN_LENGTH = 1000;
/**
 * Largest compiled pattern, in RE2 instructions (about one per character,
 * class or group, once per repetition: `a{1000}` is 1002). Matching time is
 * at most proportional to this times the value's length; at this size a 64 KiB
 * value is matched within a few hundred milliseconds.
 */
export const MAX_PATTERN_PROGRAM = 2000;

let engine: Re2Module | undefined;

/** Loads the pattern engine; call it (and wait) before compiling patterns. */
export const loadPatternEngine = async (): Promise<void> => {
	engine ??= await import('re2js');
};

export const patternEngineLoaded = (): boolean => engine !== undefined;

/** The pattern as shown in a message, cut short: a 70,000-character pattern must not flood the terminal. */
export const showPattern = (pattern: string): string => `/${pattern.length > 60 ? `${pattern.slice(0, 57)}…` : pattern}/`;

// --- Translation from JavaScript (u flag) to RE2 ---------------------------------

class Unsupported extends Error {}

const hex = (cp: number): string => `\\x{${cp.toString(16).toUpperCase()}}`;
const range = (low: number, high: number): string => (low === high ? hex(low) : `${hex(low)}-${hex(high)}`);

/** JavaScript's \s: WhiteSpace and LineTerminator of ECMA-262 (RE2's \s is only [\t\n\f\r ]). */
const SPACE: ReadonlyArray<readonly [number, number]> = [
	[0x09, 0x0d],
	[0x20, 0x20],
	[0xa0, 0xa0],
	[0x1680, 0x1680],
	[0x2000, 0x200a],
	[0x2028, 0x2029],
	[0x202f, 0x202f],
	[0x205f, 0x205f],
	[0x3000, 0x3000],
	[0xfeff, 0xfeff],
];
const complement = (ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> => {
	const out: Array<[number, number]> = [];
	let next = 0;
	for (const [low, high] of ranges) {
		if (low > next) out.push([next, low - 1]);
		next = high + 1;
	}
	if (next <= 0x10ffff) out.push([next, 0x10ffff]);
	return out;
};
const SPACE_BODY = SPACE.map(([low, high]) => range(low, high)).join('');
const NON_SPACE_BODY = complement(SPACE)
	.map(([low, high]) => range(low, high))
	.join('');
/** JavaScript's `.` without the s flag: any code point but a line terminator. */
const DOT = `[^${range(0x0a, 0x0a)}${range(0x0d, 0x0d)}${range(0x2028, 0x2029)}]`;
const ANYTHING = range(0, 0x10ffff);

/** General_Category values by their long names; RE2 knows only the short ones. */
const CATEGORIES: Readonly<Record<string, string>> = {
	Letter: 'L',
	Uppercase_Letter: 'Lu',
	Lowercase_Letter: 'Ll',
	Titlecase_Letter: 'Lt',
	Modifier_Letter: 'Lm',
	Other_Letter: 'Lo',
	Mark: 'M',
	Combining_Mark: 'M',
	Nonspacing_Mark: 'Mn',
	Spacing_Mark: 'Mc',
	Enclosing_Mark: 'Me',
	Number: 'N',
	Decimal_Number: 'Nd',
	digit: 'Nd',
	Letter_Number: 'Nl',
	Other_Number: 'No',
	Punctuation: 'P',
	punct: 'P',
	Connector_Punctuation: 'Pc',
	Dash_Punctuation: 'Pd',
	Open_Punctuation: 'Ps',
	Close_Punctuation: 'Pe',
	Initial_Punctuation: 'Pi',
	Final_Punctuation: 'Pf',
	Other_Punctuation: 'Po',
	Symbol: 'S',
	Math_Symbol: 'Sm',
	Currency_Symbol: 'Sc',
	Modifier_Symbol: 'Sk',
	Other_Symbol: 'So',
	Separator: 'Z',
	Space_Separator: 'Zs',
	Line_Separator: 'Zl',
	Paragraph_Separator: 'Zp',
	Other: 'C',
	Control: 'Cc',
	cntrl: 'Cc',
	Format: 'Cf',
	Surrogate: 'Cs',
	Private_Use: 'Co',
	Unassigned: 'Cn',
};

/**
 * `\p{…}` or `\P{…}` in RE2's terms: as an atom, and as a body to splice into
 * brackets. What RE2 does not know is left for it to refuse.
 */
const property = (negated: boolean, body: string): {text: string; body: string} => {
	const eq = body.indexOf('=');
	let name = body;
	if (eq !== -1) {
		const key = body.slice(0, eq);
		name = body.slice(eq + 1);
		if (key === 'Script_Extensions' || key === 'scx') throw new Unsupported(`\\p{${body}} (Script_Extensions) is not supported; use \\p{Script=…} or a script's name`);
	}
	if (name === 'ASCII') {
		const inside = negated ? range(0x80, 0x10ffff) : range(0, 0x7f);
		return {text: `[${inside}]`, body: inside};
	}
	const text = `\\${negated ? 'P' : 'p'}{${CATEGORIES[name] ?? name}}`;
	return {text, body: text};
};

/**
 * Translates a pattern JavaScript accepts (with the `u` flag) to RE2 syntax
 * with the same meaning, or throws Unsupported. Groups become non-capturing:
 * only whether the value matches counts.
 */
const translate = (pattern: string): string => {
	const cps = Array.from(pattern, char => char.codePointAt(0)!);
	let i = 0;
	const peek = (offset = 0): string => (i + offset < cps.length ? String.fromCodePoint(cps[i + offset]!) : '');
	const readHex = (count: number): number | undefined => {
		const text = cps
			.slice(i, i + count)
			.map(cp => String.fromCodePoint(cp))
			.join('');
		if (text.length !== count || !/^[0-9a-fA-F]+$/.test(text)) return undefined;
		i += count;
		return parseInt(text, 16);
	};
	/** After `\u`: one code point (a surrogate pair written as two escapes is one). */
	const unicodeEscape = (): number => {
		if (peek() === '{') {
			const close = cps.indexOf(0x7d, i);
			const value = parseInt(String.fromCodePoint(...cps.slice(i + 1, close)), 16);
			i = close + 1;
			return value;
		}
		const lead = readHex(4)!;
		if (lead >= 0xd800 && lead <= 0xdbff && peek() === '\\' && peek(1) === 'u') {
			const save = i;
			i += 2;
			const trail = readHex(4);
			if (trail !== undefined && trail >= 0xdc00 && trail <= 0xdfff) return 0x10000 + ((lead - 0xd800) << 10) + (trail - 0xdc00);
			i = save;
		}
		return lead;
	};
	/**
	 * One escape after the backslash: a code point, or a class (RE2 text) with
	 * its body for use inside brackets. `\b` is a backspace inside a class.
	 */
	const escape = (inClass: boolean): {cp: number} | {text: string; body: string} | {assertion: string} => {
		const char = peek();
		i++;
		switch (char) {
			case 'd':
			case 'D':
			case 'w':
			case 'W':
				return {text: `\\${char}`, body: `\\${char}`};
			case 's':
				return {text: `[${SPACE_BODY}]`, body: SPACE_BODY};
			case 'S':
				return {text: `[${NON_SPACE_BODY}]`, body: NON_SPACE_BODY};
			case 'b':
				return inClass ? {cp: 0x08} : {assertion: '\\b'};
			case 'B':
				return {assertion: '\\B'};
			case 'p':
			case 'P': {
				const close = cps.indexOf(0x7d, i);
				const body = String.fromCodePoint(...cps.slice(i + 1, close));
				i = close + 1;
				return property(char === 'P', body);
			}
			case 'f':
				return {cp: 0x0c};
			case 'n':
				return {cp: 0x0a};
			case 'r':
				return {cp: 0x0d};
			case 't':
				return {cp: 0x09};
			case 'v':
				return {cp: 0x0b};
			case 'c': {
				const letter = cps[i]!;
				i++;
				return {cp: letter % 32};
			}
			case '0':
				return {cp: 0};
			case 'x':
				return {cp: readHex(2)!};
			case 'u':
				return {cp: unicodeEscape()};
			case 'k':
				throw new Unsupported('a backreference (\\k<name>) cannot be matched in linear time');
			default:
				if (/^[1-9]$/.test(char)) throw new Unsupported(`a backreference (\\${char}) cannot be matched in linear time`);
				// In u mode only syntax characters, / and - may be escaped: each stands for itself.
				return {cp: char.codePointAt(0)!};
		}
	};
	const characterClass = (): string => {
		// After `[`.
		let negated = false;
		if (peek() === '^') {
			negated = true;
			i++;
		}
		if (peek() === ']') {
			i++;
			return negated ? `[${ANYTHING}]` : `[^${ANYTHING}]`;
		}
		const parts: string[] = [];
		const atom = (): {cp: number} | {body: string} => {
			if (peek() !== '\\') return {cp: cps[i++]!};
			i++;
			const escaped = escape(true);
			if ('assertion' in escaped) throw new Unsupported(`${escaped.assertion} is not allowed in a character class`);
			return 'cp' in escaped ? escaped : {body: escaped.body};
		};
		while (i < cps.length && peek() !== ']') {
			const first = atom();
			if ('cp' in first && peek() === '-' && peek(1) !== ']' && peek(1) !== '') {
				i++;
				const last = atom();
				// JavaScript refuses a class in a range in u mode, so this is a code point.
				parts.push(range(first.cp, 'cp' in last ? last.cp : first.cp));
				continue;
			}
			parts.push('cp' in first ? range(first.cp, first.cp) : first.body);
		}
		i++; // ]
		return `[${negated ? '^' : ''}${parts.join('')}]`;
	};

	let out = '';
	while (i < cps.length) {
		const char = peek();
		if (char === '\\') {
			i++;
			const escaped = escape(false);
			out += 'cp' in escaped ? hex(escaped.cp) : 'text' in escaped ? escaped.text : escaped.assertion;
		} else if (char === '[') {
			i++;
			out += characterClass();
		} else if (char === '.') {
			i++;
			out += DOT;
		} else if (char === '(') {
			i++;
			if (peek() === '?') {
				const next = peek(1);
				if (next === ':') {
					i += 2;
				} else if (next === '=' || next === '!') {
					throw new Unsupported(`a lookahead (?${next}…) cannot be matched in linear time`);
				} else if (next === '<' && (peek(2) === '=' || peek(2) === '!')) {
					throw new Unsupported(`a lookbehind (?<${peek(2)}…) cannot be matched in linear time`);
				} else if (next === '<') {
					// A named group: only whether the value matches counts, so the name goes.
					i = cps.indexOf(0x3e, i) + 1;
				} else {
					throw new Unsupported(`the group (?${next}…) is not supported`);
				}
			}
			out += '(?:';
		} else if (char === '{') {
			// A quantifier (JavaScript refuses a lone brace in u mode): copied as written.
			const close = cps.indexOf(0x7d, i);
			out += String.fromCodePoint(...cps.slice(i, close + 1));
			i = close + 1;
		} else if ('^$|)*+?'.includes(char)) {
			i++;
			out += char;
		} else {
			const cp = cps[i]!;
			i++;
			out += /^[A-Za-z0-9]$/.test(char) ? char : hex(cp);
		}
	}
	return out;
};

// --- Checking and compiling ---------------------------------------------------------

export interface CompiledPattern {
	/** Whether the whole value matches. */
	test(value: string): boolean;
}

const compiled = new Map<string, CompiledPattern | string>();

const codePoints = (text: string): number => {
	let count = 0;
	for (let i = 0; i < text.length; i++) {
		const unit = text.charCodeAt(i);
		if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
			const next = text.charCodeAt(i + 1);
			if (next >= 0xdc00 && next <= 0xdfff) i++;
		}
		count++;
	}
	return count;
};

/** Why RE2 refused the translated pattern, in the author's terms. */
const re2Reason = (message: string): string => {
	const text = message.replace(/^error parsing regexp: /, '');
	if (text.startsWith('invalid repeat count')) return 'it repeats something more than 1000 times (RE2 allows {n} and {n,m} up to 1000, nested repeats multiplied)';
	if (text.startsWith('expression too large')) return `it is too large once its repetitions are expanded (RE2's limit)`;
	const property = /^invalid character class range: `(\\[pP]\{[^}]*\})`/.exec(text);
	if (property) return `${property[1]} is not a Unicode class RE2 knows: use a General_Category (\\p{L}, \\p{Nd}, …) or a script (\\p{Greek}, \\p{Script=Latin})`;
	return `RE2 cannot match it: ${text}`;
};

/**
 * The compiled pattern, or why it cannot be used (a sentence that follows
 * "the pattern /…/ "). Needs loadPatternEngine to have finished.
 */
export const compilePattern = (pattern: string): CompiledPattern | string => {
	const cached = compiled.get(pattern);
	if (cached !== undefined) return cached;
	const result = compileUncached(pattern);
	// Not cached before the engine is there: a later call may succeed.
	if (engine) compiled.set(pattern, result);
	return result;
};

const compileUncached = (pattern: string): CompiledPattern | string => {
	if (pattern.length > MAX_PATTERN_LENGTH) {
		const length = codePoints(pattern);
		if (length > MAX_PATTERN_LENGTH) return `is ${length} characters long; a pattern may be at most ${MAX_PATTERN_LENGTH} characters`;
	}
	try {
		// JavaScript's parser decides what is valid syntax; the RegExp is never run.
		new RegExp(pattern, 'u');
	} catch (error) {
		const text = error instanceof Error ? error.message : String(error);
		// V8 repeats the pattern in its message; the caller shows it already.
		return `is not a valid regular expression: ${/^Invalid regular expression: \/.*\/[a-z]*: (.*)$/s.exec(text)?.[1] ?? text}`;
	}
	if (!engine) return 'cannot be compiled: the pattern engine is not loaded';
	let source: string;
	try {
		source = translate(pattern);
	} catch (error) {
		if (error instanceof Unsupported) return `cannot be used: ${error.message}; Rampart matches patterns with RE2, which has no backreferences or lookaround`;
		throw error;
	}
	let re2: Re2;
	try {
		re2 = engine.RE2JS.compile(source);
	} catch (error) {
		return `cannot be used: ${re2Reason(error instanceof Error ? error.message : String(error))}`;
	}
	const size = re2.programSize();
	if (size > MAX_PATTERN_PROGRAM) {
		return `is too costly to match: it compiles to ${size} instructions; a pattern may compile to at most ${MAX_PATTERN_PROGRAM} (fewer or smaller repetitions, such as {1,64} instead of {1,1000}, make it smaller)`;
	}
	return {test: value => re2.testExact(value)};
};

/** Why `pattern` cannot be used to check values, or undefined if it can. */
export const checkPattern = (pattern: string): string | undefined => {
	const result = compilePattern(pattern);
	return typeof result === 'string' ? `the pattern ${showPattern(pattern)} ${result}` : undefined;
};
