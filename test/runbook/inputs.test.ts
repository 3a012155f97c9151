import fc from 'fast-check';
import {beforeAll, describe, expect, test} from 'vitest';
import {isSecret, MAX_INPUT_VALUE_BYTES, resolveDefault, validateInputValue} from '../../source/runbook/inputs.js';
import {checkPattern, loadPatternEngine, MAX_PATTERN_LENGTH, MAX_PATTERN_PROGRAM} from '../../source/runbook/pattern.js';
import {INPUT_TYPES, type InputSpec, type InputType} from '../../source/runbook/model.js';

// Patterns are matched by RE2, loaded on demand (lintRunbook does it before any runbook runs).
beforeAll(loadPatternEngine);

const spec = (type: InputType, extra: Partial<InputSpec> = {}): InputSpec => ({
	name: 'VALUE',
	type,
	prompt: 'Value',
	optional: false,
	position: {line: 1, column: 1},
	...extra,
});

const accepts = (type: InputType, raw: string, extra: Partial<InputSpec> = {}): string => {
	const result = validateInputValue(spec(type, extra), raw);
	if (!result.ok) throw new Error(`expected ${JSON.stringify(raw)} to be accepted as ${type}: ${result.message}`);
	return result.value;
};

const rejects = (type: InputType, raw: string, extra: Partial<InputSpec> = {}): string => {
	const result = validateInputValue(spec(type, extra), raw);
	if (result.ok) throw new Error(`expected ${JSON.stringify(raw)} to be rejected as ${type}, got ${JSON.stringify(result.value)}`);
	return result.message;
};

describe('string and secret', () => {
	test('string takes any text as typed, including spaces and line breaks', () => {
		expect(accepts('string', '  two words  ')).toBe('  two words  ');
		expect(accepts('string', 'line one\nline two')).toBe('line one\nline two');
	});

	test('secret takes any non-empty text untrimmed', () => {
		expect(accepts('secret', ' p@ss word\n')).toBe(' p@ss word\n');
		expect(rejects('secret', '')).toBe('is required');
	});

	test('isSecret is true only for secret inputs', () => {
		expect(isSecret(spec('secret'))).toBe(true);
		expect(isSecret(spec('string'))).toBe(false);
	});
});

describe('enum', () => {
	const values = {values: ['stable', 'testing']};

	test('accepts a listed value, trimmed', () => {
		expect(accepts('enum', ' testing ', values)).toBe('testing');
	});

	test('rejects anything else and lists the values', () => {
		expect(rejects('enum', 'Stable', values)).toBe('"Stable" is not one of: stable, testing');
		expect(rejects('enum', 'stable', {})).toMatch(/lists no values/);
	});
});

describe('boolean', () => {
	test.each([
		['yes', 'true'],
		['TRUE', 'true'],
		['1', 'true'],
		['On', 'true'],
		[' yes ', 'true'],
		['no', 'false'],
		['False', 'false'],
		['0', 'false'],
		['OFF', 'false'],
	])('%j is %s', (raw, value) => {
		expect(accepts('boolean', raw)).toBe(value);
	});

	test.each(['y', 'maybe', '2', 'constructor', 'toString', '__proto__'])('rejects %j', raw => {
		expect(rejects('boolean', raw)).toContain('is not a yes/no value');
	});
});

describe('integer', () => {
	test('accepts decimal integers and writes them canonically', () => {
		expect(accepts('integer', '42')).toBe('42');
		expect(accepts('integer', ' -17 ')).toBe('-17');
		expect(accepts('integer', '007')).toBe('7');
		expect(accepts('integer', '-0')).toBe('0');
		expect(accepts('integer', String(Number.MAX_SAFE_INTEGER))).toBe('9007199254740991');
	});

	test.each(['1e3', '0x10', '+5', '1.5', '1,000', '1 000', '--1', '-', 'Infinity', 'NaN', '٣'])('rejects %j', raw => {
		expect(rejects('integer', raw)).toBe(`${JSON.stringify(raw)} is not a whole number (digits only, e.g. 42)`);
	});

	test('rejects values beyond the safe integer range', () => {
		expect(rejects('integer', '9007199254740992')).toContain('too large');
		expect(rejects('integer', '-99999999999999999999')).toContain('too large');
	});

	test('applies min and max', () => {
		expect(rejects('integer', '4', {min: 5})).toBe('4 is below the minimum of 5');
		expect(rejects('integer', '11', {max: 10})).toBe('11 is above the maximum of 10');
		expect(accepts('integer', '5', {min: 5, max: 10})).toBe('5');
		expect(accepts('integer', '10', {min: 5, max: 10})).toBe('10');
	});
});

describe('port', () => {
	test('accepts 1 to 65535', () => {
		expect(accepts('port', '1')).toBe('1');
		expect(accepts('port', '65535')).toBe('65535');
		expect(accepts('port', '0022')).toBe('22');
	});

	test.each(['0', '65536', '-1', '+22', 'ssh', '22/tcp', '2.2'])('rejects %j', raw => {
		expect(rejects('port', raw)).toBe(`${JSON.stringify(raw)} is not a port number (1-65535)`);
	});

	test('applies min and max on top of the port range', () => {
		expect(rejects('port', '80', {min: 1024})).toBe('80 is below the minimum of 1024');
	});
});

describe('ip', () => {
	test('accepts dotted-decimal IPv4 as written', () => {
		expect(accepts('ip', '203.0.113.9')).toBe('203.0.113.9');
		expect(accepts('ip', ' 0.0.0.0 ')).toBe('0.0.0.0');
	});

	test('accepts IPv6, lowercased and compressed', () => {
		expect(accepts('ip', '2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
		expect(accepts('ip', '::1')).toBe('::1');
		expect(accepts('ip', '::FFFF:192.0.2.1')).toBe('::ffff:192.0.2.1');
	});

	test('says what is wrong with an address', () => {
		expect(rejects('ip', '10.0.0.300')).toBe('"10.0.0.300" is not an IPv4 or IPv6 address');
	});

	test.each([
		'1',
		'0x7f.1',
		'127.1',
		'010.0.0.1',
		'0x7f.0.0.1',
		'1.2.3.4.5',
		'1.2.3',
		'1::2::3',
		'12345::1',
		'::ffff:0x7f.0.0.1',
		'::1.2.3.4',
		'localhost',
		'10.0.0.0/8',
		'1.2.3.4 5',
	])('rejects %j', raw => {
		expect(rejects('ip', raw)).toContain('is not an IPv4 or IPv6 address');
	});

	test('rejects a zone index', () => {
		expect(rejects('ip', 'fe80::1%eth0')).toContain('zone index');
	});
});

describe('cidr', () => {
	test('accepts ranges, keeping host bits as written', () => {
		expect(accepts('cidr', '10.0.0.0/8')).toBe('10.0.0.0/8');
		expect(accepts('cidr', '10.1.2.3/8')).toBe('10.1.2.3/8');
		expect(accepts('cidr', '0.0.0.0/0')).toBe('0.0.0.0/0');
	});

	test('lowercases and compresses IPv6 and writes the prefix canonically', () => {
		expect(accepts('cidr', '2001:DB8:0:0::/032')).toBe('2001:db8::/32');
	});

	test('reads a bare address as a single host', () => {
		expect(accepts('cidr', '203.0.113.9')).toBe('203.0.113.9/32');
		expect(accepts('cidr', '2001:db8::9')).toBe('2001:db8::9/128');
	});

	test.each(['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/x', '10.0.0.0/8/8', '10.0.0.0/-1'])('rejects the prefix of %j', raw => {
		expect(rejects('cidr', raw)).toContain('has a prefix length that is not a whole number from 0 to');
	});

	test.each(['10.0.0.300/8', '/8', '0x0a.0.0.0/8', '10/8', 'example.com/24'])('rejects the address of %j', raw => {
		expect(rejects('cidr', raw)).toBe(`${JSON.stringify(raw)} is not an IPv4 or IPv6 address or CIDR range`);
	});
});

describe('cidr-list', () => {
	test('accepts commas, spaces and line breaks, and joins with single spaces', () => {
		expect(accepts('cidr-list', ' 10.0.0.0/8,192.168.1.1 ,\n2001:DB8::/32\r\n\t172.16.0.0/12 ')).toBe('10.0.0.0/8 192.168.1.1/32 2001:db8::/32 172.16.0.0/12');
	});

	test('names the item that is wrong', () => {
		expect(rejects('cidr-list', '10.0.0.0/8, 10.0.0.300')).toBe('"10.0.0.300" is not an IPv4 or IPv6 address or CIDR range');
	});

	test('an empty list is an error unless the input is optional', () => {
		expect(rejects('cidr-list', '')).toBe('is required');
		expect(rejects('cidr-list', ' , ,\n')).toBe('lists no addresses or ranges');
		expect(accepts('cidr-list', ' , ,\n', {optional: true})).toBe('');
	});
});

describe('domain', () => {
	test('accepts DNS names, lowercased, without a trailing dot', () => {
		expect(accepts('domain', 'Example.COM.')).toBe('example.com');
		expect(accepts('domain', 'a-1.b2.example.org')).toBe('a-1.b2.example.org');
		expect(accepts('domain', 'xn--bcher-kva.de')).toBe('xn--bcher-kva.de');
	});

	test('labels up to 63 characters and names up to 253', () => {
		const label63 = 'a'.repeat(63);
		expect(accepts('domain', `${label63}.com`)).toBe(`${label63}.com`);
		expect(rejects('domain', `${'a'.repeat(64)}.com`)).toContain('longer than 63');
		const name253 = `${[label63, label63, label63].join('.')}.${'b'.repeat(61)}`;
		expect(name253).toHaveLength(253);
		expect(accepts('domain', name253)).toBe(name253);
		expect(rejects('domain', `${name253}b`)).toContain('longer than 253');
	});

	test.each([
		['localhost', 'needs at least two labels'],
		['a..com', 'empty label'],
		['.example.com', 'empty label'],
		['example.com..', 'empty label'],
		['-a.com', 'inner hyphens'],
		['a-.com', 'inner hyphens'],
		['under_score.com', 'inner hyphens'],
		['*.example.com', 'inner hyphens'],
		['http://example.com', 'inner hyphens'],
		['192.0.2.1', 'like an IP address'],
	])('rejects %j (%s)', (raw, reason) => {
		const message = rejects('domain', raw);
		expect(message).toContain(`${JSON.stringify(raw)} is not a domain name: it `);
		expect(message).toContain(reason);
	});

	test('asks for punycode for an internationalised name', () => {
		expect(rejects('domain', 'bücher.de')).toContain('punycode (xn--');
		// U+212A KELVIN SIGN lowercases to an ASCII k, so it must be caught first.
		expect(rejects('domain', '\u212Aey.com')).toContain('non-ASCII');
	});
});

describe('email', () => {
	test('accepts local@domain and lowercases only the domain', () => {
		expect(accepts('email', ' Admin.Ops+alerts@Example.COM ')).toBe('Admin.Ops+alerts@example.com');
	});

	test.each([
		['admin', 'expected name@example.com'],
		['@example.com', 'expected name@example.com'],
		['admin@', 'expected name@example.com'],
		['two words@example.com', 'part before @'],
		['a..b@example.com', 'part before @'],
		['.a@example.com', 'part before @'],
		['a@b@example.com', 'part before @'],
		[`${'a'.repeat(65)}@example.com`, 'part before @'],
		['admin@localhost', 'the domain needs at least two labels'],
		['admin@exa_mple.com', 'the domain has a label'],
	])('rejects %j', (raw, reason) => {
		expect(rejects('email', raw)).toContain(reason);
	});
});

describe('path', () => {
	test('accepts absolute paths, trimmed', () => {
		expect(accepts('path', ' /etc/ssh/sshd_config ')).toBe('/etc/ssh/sshd_config');
		expect(accepts('path', '/srv/my site')).toBe('/srv/my site');
	});

	test('rejects relative paths', () => {
		expect(rejects('path', 'etc/hosts')).toBe('"etc/hosts" is not an absolute path (it must start with /)');
		expect(rejects('path', '~/x')).toContain('not an absolute path');
	});
});

describe('user', () => {
	test.each(['deploy', '_apt', 'www-data', 'a', `a${'b'.repeat(31)}`])('accepts %j', raw => {
		expect(accepts('user', raw)).toBe(raw);
	});

	test.each(['Deploy', '1user', '-x', 'samba$', 'dot.name', `a${'b'.repeat(32)}`, 'ünicode'])('rejects %j', raw => {
		expect(rejects('user', raw)).toContain('is not a valid user name');
	});
});

describe('rules for every type', () => {
	test.each(INPUT_TYPES)('a NUL byte is rejected for %s', type => {
		expect(rejects(type, 'a\0b', {values: ['a\0b']})).toBe('contains a NUL byte, which cannot be passed to a command');
	});

	test.each(INPUT_TYPES.filter(t => !['string', 'secret', 'cidr-list'].includes(t)))('a line break is rejected for %s', type => {
		expect(rejects(type, '1\n', {values: ['1']})).toBe(`contains a line break; a ${type} value must be a single line`);
		expect(rejects(type, '1\r', {values: ['1']})).toContain('line break');
	});

	test.each(INPUT_TYPES)('an empty %s is required unless optional', type => {
		expect(rejects(type, '')).toBe('is required');
		expect(accepts(type, '', {optional: true})).toBe('');
	});

	test('whitespace alone counts as empty for trimmed types but not for string', () => {
		expect(rejects('domain', '   ')).toBe('is required');
		expect(accepts('string', '   ')).toBe('   ');
	});

	test('a pattern must match the whole normalised value', () => {
		expect(accepts('string', 'abc', {pattern: '[a-z]+'})).toBe('abc');
		expect(rejects('string', 'abc1', {pattern: '[a-z]+'})).toBe('"abc1" does not match the pattern /[a-z]+/');
		// Anchored as a group, so an alternation cannot match just a prefix.
		expect(rejects('string', 'ax', {pattern: 'a|ab'})).toBe('"ax" does not match the pattern /a|ab/');
		// Matched after normalisation: the trimmed, lowercased domain.
		expect(accepts('domain', ' WWW.Example.com ', {pattern: 'www\\..*'})).toBe('www.example.com');
		// With the u flag, \p{...} classes work.
		expect(accepts('string', 'Zoë', {pattern: '\\p{L}+'})).toBe('Zoë');
	});

	test('a pattern is not applied to an empty optional value', () => {
		expect(accepts('string', '', {optional: true, pattern: '[a-z]+'})).toBe('');
	});

	test('a failed pattern never shows a secret', () => {
		expect(rejects('secret', 'hunter2', {pattern: '.{12,}'})).toBe('does not match the pattern /.{12,}/');
	});

	test('a broken pattern is reported, not thrown', () => {
		expect(rejects('string', 'x', {pattern: '('})).toContain('not a valid regular expression');
	});

	test('a long value is cut short in messages', () => {
		const message = rejects('ip', 'x'.repeat(500));
		expect(message.length).toBeLessThan(120);
		expect(message).toContain('…');
	});
});

describe('checkPattern', () => {
	test('accepts valid patterns', () => {
		expect(checkPattern('[a-z][a-z0-9-]*')).toBeUndefined();
		expect(checkPattern('\\p{Lu}')).toBeUndefined();
	});

	test('reports invalid ones, including those that only wrapping would repair', () => {
		expect(checkPattern('a(b')).toBe('the pattern /a(b/ is not a valid regular expression: Unterminated group');
		expect(checkPattern('a)(b')).toMatch(/^the pattern \/a\)\(b\/ is not a valid regular expression/);
		// Invalid only with the u flag.
		expect(checkPattern('\\-')).toMatch(/not a valid regular expression/);
	});
});

describe('patterns are matched in linear time, with JavaScript meaning', () => {
	test('catastrophic backtracking is gone: (a+)+$ against 32 a and ! is refused at once', () => {
		const started = performance.now();
		expect(rejects('string', `${'a'.repeat(32)}!`, {pattern: '(a+)+$'})).toContain('does not match the pattern /(a+)+$/');
		// The largest value an input may have, against the worst nesting.
		expect(rejects('string', `${'a'.repeat(MAX_INPUT_VALUE_BYTES - 1)}!`, {pattern: '(a+)+$'})).toContain('does not match');
		expect(performance.now() - started).toBeLessThan(1000);
	});

	test('the whole value must match, also with alternatives and anchors inside', () => {
		expect(accepts('string', 'ab', {pattern: 'a|ab'})).toBe('ab');
		expect(rejects('string', 'abc', {pattern: 'a|ab'})).toContain('does not match');
		expect(accepts('string', 'abc', {pattern: '^abc$'})).toBe('abc');
		expect(rejects('string', 'abc\n', {pattern: 'abc$'})).toContain('does not match');
	});

	test('. is any character but a line terminator, as in JavaScript', () => {
		expect(accepts('string', 'a😀', {pattern: '..'})).toBe('a😀');
		for (const terminator of ['\n', '\r', '\u2028', '\u2029']) expect(rejects('string', `a${terminator}`, {pattern: 'a.'})).toContain('does not match');
		expect(accepts('string', 'a\n', {pattern: 'a[^]'})).toBe('a\n');
		expect(rejects('string', 'a', {pattern: 'a[]'})).toContain('does not match');
	});

	test("\\s and \\S are JavaScript's, with Unicode spaces (RE2's own \\s has only five)", () => {
		for (const space of ['\v', '\u00a0', '\u2003', '\u3000', '\ufeff']) {
			expect(accepts('string', `a${space}b`, {pattern: 'a\\sb'})).toBe(`a${space}b`);
			expect(rejects('string', `a${space}b`, {pattern: 'a\\Sb'})).toContain('does not match');
			expect(accepts('string', `a${space}b`, {pattern: 'a[\\sx]b'})).toBe(`a${space}b`);
			expect(rejects('string', `a${space}b`, {pattern: 'a[^\\s]b'})).toContain('does not match');
		}
		expect(accepts('string', 'a-b', {pattern: 'a[\\S]b'})).toBe('a-b');
	});

	test('escapes, classes and groups', () => {
		expect(accepts('string', 'A\n/.', {pattern: '\\x41\\cJ\\/\\.'})).toBe('A\n/.');
		expect(checkPattern('\\0')).toBeUndefined();
		expect(accepts('string', '😀😀', {pattern: '\\u{1F600}\\uD83D\\uDE00'})).toBe('😀😀');
		expect(accepts('string', '\b', {pattern: '[\\b]'})).toBe('\b');
		// No POSIX classes: [:a:] inside brackets is those characters, as in JavaScript.
		expect(accepts('string', '[:a:]', {pattern: '[[:a:\\]]+'})).toBe('[:a:]');
		expect(rejects('string', 'b', {pattern: '[[:a:\\]]+'})).toContain('does not match');
		expect(accepts('string', 'a-z', {pattern: '[a\\-z]+'})).toBe('a-z');
		expect(accepts('string', '2026-12', {pattern: '(?<year>\\d{4})-(?:\\d{2})'})).toBe('2026-12');
		expect(accepts('string', 'Zoë Ωμέγα', {pattern: '\\p{Letter}+ \\p{Script=Greek}+'})).toBe('Zoë Ωμέγα');
		expect(rejects('string', 'é', {pattern: '\\p{ASCII}'})).toContain('does not match');
		expect(accepts('string', 'é', {pattern: '[\\P{ASCII}]'})).toBe('é');
		// \d and \w are ASCII only, as in JavaScript.
		expect(rejects('string', '٣', {pattern: '\\d'})).toContain('does not match');
		expect(rejects('string', 'é', {pattern: '\\w'})).toContain('does not match');
	});

	test('agrees with JavaScript on random patterns and values', () => {
		const atom = fc.constantFrom('a', 'b', '.', '\\s', '\\S', '\\d', '\\w', '[ab]', '[^a]', '[a-c\\s]', '\\n', ' ', 'é', '\\u00e9', '\\p{L}', '[^]', '\\b');
		const quantifier = fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,3}', '*?', '{0,}');
		const piece = fc.tuple(atom, quantifier).map(([a, q]) => (a === '\\b' ? a : a + q));
		const sequence = fc.array(piece, {minLength: 1, maxLength: 5}).map(parts => parts.join(''));
		const pattern = fc
			.array(
				fc.oneof(
					sequence,
					sequence.map(p => `(${p})`),
					sequence.map(p => `(?:${p})+`),
				),
				{minLength: 1, maxLength: 3},
			)
			.chain(parts => fc.constantFrom(parts.join(''), parts.join('|'), `^${parts.join('')}$`));
		const value = fc.string({unit: fc.constantFrom('a', 'b', 'c', ' ', '\n', '\u00a0', 'é', '1', '_', '\r'), minLength: 1, maxLength: 8});
		fc.assert(
			fc.property(pattern, value, (p, v) => {
				const expected = new RegExp(`^(?:${p})$`, 'u').test(v);
				expect(validateInputValue(spec('string', {pattern: p}), v).ok, `/${p}/ against ${JSON.stringify(v)}`).toBe(expected);
			}),
			{numRuns: 1000},
		);
	});

	test('never throws, whatever the pattern', () => {
		const unit = fc.constantFrom(...'ab()[]{}^$|*+?.\\-/:<>=!,0123456789uxcpPkdswbBDSWnrtfv0'.split(''), '\\u{1F600}', '\\p{L}', '(?<n>', '(?:', '\\k<n>');
		fc.assert(
			fc.property(fc.string({unit, maxLength: 20}), fc.string({maxLength: 6}), (pattern, value) => {
				const problem = checkPattern(pattern);
				const result = validateInputValue(spec('string', {pattern}), value || 'x');
				if (problem === undefined) expect(result.ok || result.message.includes('does not match')).toBe(true);
			}),
			{numRuns: 3000},
		);
	});

	test('a pattern the engine cannot use makes every value unacceptable, with the reason', () => {
		expect(rejects('string', 'aa', {pattern: '(a)\\1'})).toMatch(/^cannot be checked: the pattern \/\(a\)\\1\/ cannot be used: a backreference/);
		expect(rejects('string', 'a', {pattern: 'a'.repeat(70_000)})).toContain('a pattern may be at most 1000 characters');
	});
});

describe('checkPattern: what a pattern may be', () => {
	test(`at most ${MAX_PATTERN_LENGTH} characters, counted as code points`, () => {
		expect(checkPattern('a'.repeat(MAX_PATTERN_LENGTH))).toBeUndefined();
		expect(checkPattern('😀'.repeat(MAX_PATTERN_LENGTH))).toBeUndefined();
		expect(checkPattern('a'.repeat(MAX_PATTERN_LENGTH + 1))).toBe(
			`the pattern /${'a'.repeat(57)}…/ is ${MAX_PATTERN_LENGTH + 1} characters long; a pattern may be at most ${MAX_PATTERN_LENGTH} characters`,
		);
	});

	test(`compiled to at most ${MAX_PATTERN_PROGRAM} instructions`, () => {
		expect(checkPattern('a{1000}')).toBeUndefined();
		expect(checkPattern('[a-z0-9-]{1,63}(\\.[a-z0-9-]{1,63}){1,4}')).toBeUndefined();
		expect(checkPattern('(?:(?:a|b){1,100}){1,10}')).toMatch(/compiles to \d+ instructions; a pattern may compile to at most 2000/);
		expect(checkPattern('(?:[ab]?){1000}(?:[ab]?){1000}(?:[ab]?){1000}')).toMatch(/at most 2000/);
	});

	test('without lookaround or backreferences', () => {
		expect(checkPattern('(?=a)a')).toContain('a lookahead (?=…) cannot be matched in linear time');
		expect(checkPattern('(?<!a)b')).toContain('a lookbehind (?<!…) cannot be matched in linear time');
		expect(checkPattern('(a)\\1')).toContain('a backreference (\\1) cannot be matched in linear time');
		expect(checkPattern('(?<n>a)\\k<n>')).toContain('a backreference (\\k<name>)');
	});

	test('refused quickly, whatever its size', () => {
		const started = performance.now();
		for (const pattern of ['a'.repeat(70_000), '('.repeat(35_000) + ')'.repeat(35_000), 'a?'.repeat(35_000), '(?:a'.repeat(17_500) + ')'.repeat(17_500)]) {
			expect(checkPattern(pattern)).toContain('a pattern may be at most 1000 characters');
		}
		expect(performance.now() - started).toBeLessThan(1000);
	});
});

describe('the size of a value', () => {
	test(`at most ${MAX_INPUT_VALUE_BYTES} bytes, checked first and named in the message`, () => {
		expect(accepts('string', 'x'.repeat(MAX_INPUT_VALUE_BYTES))).toHaveLength(MAX_INPUT_VALUE_BYTES);
		expect(rejects('string', 'x'.repeat(1024 * 1024))).toBe('is 1048576 bytes; an input value may be at most 65536 bytes (64 KiB)');
		// Counted in bytes of UTF-8, as the environment holds it.
		expect(rejects('string', 'é'.repeat(40_000))).toBe('is 80000 bytes; an input value may be at most 65536 bytes (64 KiB)');
		expect(rejects('cidr-list', '10.0.0.1 '.repeat(10_000))).toContain('may be at most 65536 bytes');
	});

	test('never shows the value, also of a secret', () => {
		expect(rejects('secret', 'hunter2'.repeat(20_000))).not.toContain('hunter2');
	});
});

describe('resolveDefault', () => {
	const ipv4Client = {SSH_CLIENT: '203.0.113.9 52144 22'};
	const ipv6Client = {SSH_CLIENT: '2001:DB8:0:0::9 52144 22'};

	test('a literal default wins over defaultFrom', () => {
		expect(resolveDefault(spec('cidr', {default: '10.0.0.0/8', defaultFrom: 'ssh-client'}), ipv4Client)).toBe('10.0.0.0/8');
		expect(resolveDefault(spec('string', {default: ''}), {})).toBe('');
	});

	test('ssh-client gives the client address, valid for ip, cidr and cidr-list', () => {
		for (const type of ['ip', 'cidr', 'cidr-list'] as const) {
			const input = spec(type, {defaultFrom: 'ssh-client'});
			const value = resolveDefault(input, ipv4Client);
			expect(value).toBe('203.0.113.9');
			expect(validateInputValue(input, value ?? '')).toEqual({
				ok: true,
				value: type === 'ip' ? '203.0.113.9' : '203.0.113.9/32',
			});
		}
	});

	test('ssh-client with an IPv6 client', () => {
		const input = spec('cidr', {defaultFrom: 'ssh-client'});
		expect(resolveDefault(input, ipv6Client)).toBe('2001:db8::9');
		expect(validateInputValue(input, '2001:db8::9')).toEqual({ok: true, value: '2001:db8::9/128'});
		expect(resolveDefault(spec('ip', {defaultFrom: 'ssh-client'}), {SSH_CLIENT: 'fe80::1%eth0 52144 22'})).toBe('fe80::1');
		expect(resolveDefault(spec('ip', {defaultFrom: 'ssh-client'}), {SSH_CLIENT: '::ffff:203.0.113.9 52144 22'})).toBe('203.0.113.9');
	});

	test('ssh-client outside an SSH session gives nothing', () => {
		expect(resolveDefault(spec('ip', {defaultFrom: 'ssh-client'}), {})).toBeUndefined();
		expect(resolveDefault(spec('ip', {defaultFrom: 'ssh-client'}), {SSH_CLIENT: '  '})).toBeUndefined();
	});

	test('env:NAME reads that variable', () => {
		expect(resolveDefault(spec('domain', {defaultFrom: 'env:HOSTNAME'}), {HOSTNAME: 'web1.example.com'})).toBe('web1.example.com');
		expect(resolveDefault(spec('domain', {defaultFrom: 'env:HOSTNAME'}), {})).toBeUndefined();
		expect(resolveDefault(spec('domain', {defaultFrom: 'env:'}), {'': 'x'})).toBeUndefined();
	});

	test('no default at all', () => {
		expect(resolveDefault(spec('string'), ipv4Client)).toBeUndefined();
		expect(resolveDefault(spec('string', {defaultFrom: 'dns'}), ipv4Client)).toBeUndefined();
	});
});

describe('properties', () => {
	const anyType = fc.constantFrom(...INPUT_TYPES);
	const anySpec = fc
		.record({
			type: anyType,
			optional: fc.boolean(),
			pattern: fc.option(fc.constantFrom('[a-z]+', '.*', '(', '\\d{1,3}', 'a|b'), {nil: undefined}),
			values: fc.option(fc.array(fc.string(), {maxLength: 3}), {nil: undefined}),
			min: fc.option(fc.integer({min: -100, max: 100}), {nil: undefined}),
			max: fc.option(fc.integer({min: -100, max: 100}), {nil: undefined}),
		})
		.map(extra => spec(extra.type, extra));
	// Plain strings, plus strings built from the characters addresses and names are made of.
	const anyValue = fc.oneof(fc.string({unit: 'binary', maxLength: 80}), fc.string({unit: fc.constantFrom(...'0123456789abcdefABCDEF.:/%,- \n\0@_x'), maxLength: 60}));

	test('validateInputValue never throws and always explains a rejection', () => {
		fc.assert(
			fc.property(anySpec, anyValue, (input, raw) => {
				const result = validateInputValue(input, raw);
				if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
			}),
			{numRuns: 3000},
		);
	});

	test('a normalised value is accepted again unchanged', () => {
		fc.assert(
			fc.property(anySpec, anyValue, (input, raw) => {
				const first = validateInputValue(input, raw);
				if (first.ok) expect(validateInputValue(input, first.value)).toEqual(first);
			}),
			{numRuns: 3000},
		);
	});

	test('an accepted single-line value has no line break or NUL', () => {
		fc.assert(
			fc.property(anySpec, anyValue, (input, raw) => {
				const result = validateInputValue(input, raw);
				if (result.ok && input.type !== 'string' && input.type !== 'secret') expect(result.value).not.toMatch(/[\r\n\0]/);
			}),
			{numRuns: 3000},
		);
	});
});
