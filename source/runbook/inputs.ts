// The one place that knows what each input type accepts. Lint uses it to
// check literal defaults; the engine uses it to check every value before any
// block runs, so a command never sees a value of the wrong shape.

import ipaddr from 'ipaddr.js';
import type {InputSpec, InputType} from './model.js';
import {compilePattern, showPattern} from './pattern.js';

export type InputCheck = {ok: true; value: string} | {ok: false; message: string};

const pass = (value: string): InputCheck => ({ok: true, value});
const fail = (message: string): InputCheck => ({ok: false, message});

/** The value as shown in a message: escaped, and cut short so a paste of a whole file stays readable. */
const quote = (value: string): string => JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}…` : value);

/** Types whose values are passed on exactly as typed: whitespace may be meant. */
const UNTRIMMED: ReadonlySet<InputType> = new Set(['string', 'secret']);
/** Types whose values may span lines: for `cidr-list` a line break is just a separator. */
const MULTILINE: ReadonlySet<InputType> = new Set(['string', 'secret', 'cidr-list']);

// --- Addresses ----------------------------------------------------------------

interface Address {
	text: string;
	bits: 32 | 128;
}

const NOT_AN_ADDRESS = 'is not an IPv4 or IPv6 address';
// Longer than any address can be written; also keeps ipaddr.js's regular
// expressions away from pathological input.
const MAX_ADDRESS_LENGTH = 64;

/**
 * An IPv4 address in plain dotted decimal, or an IPv6 address, lowercased and
 * compressed (RFC 5952). A string is the reason it is not one.
 */
const parseAddress = (text: string): Address | string => {
	if (text.length > MAX_ADDRESS_LENGTH) return NOT_AN_ADDRESS;
	// ipaddr.isValid would also take `1`, `0x7f.1` and `010.0.0.1`, which
	// tools read differently from one another; only dotted decimal is plain.
	if (ipaddr.IPv4.isValidFourPartDecimal(text)) return {text, bits: 32};
	if (!ipaddr.IPv6.isValid(text)) return NOT_AN_ADDRESS;
	// A zone names an interface of one machine; firewall rules and configs want none.
	if (text.includes('%')) return 'has a zone index (%…), which is not accepted here';
	// ipaddr.js also takes hex or octal parts in an embedded IPv4 address, and
	// reads the deprecated `::a.b.c.d` as `::ffff:a.b.c.d`, a different address.
	const embedded = /:([^:]*)$/.exec(text)?.[1] ?? '';
	if (embedded.includes('.') && (!ipaddr.IPv4.isValidFourPartDecimal(embedded) || /^::[^:]*$/.test(text))) {
		return NOT_AN_ADDRESS;
	}
	try {
		const address = ipaddr.IPv6.parse(text);
		// RFC 5952 section 5: keep the dotted form for IPv4-mapped addresses.
		const normal = address.isIPv4MappedAddress() ? `::ffff:${address.toIPv4Address().toString()}` : address.toRFC5952String();
		return {text: normal, bits: 128};
	} catch {
		return NOT_AN_ADDRESS;
	}
};

/**
 * A CIDR range, or a bare address meaning a single host (`/32` or `/128`
 * added). Host bits are kept as written: `10.1.2.3/8` stays `10.1.2.3/8`
 * rather than quietly becoming `10.0.0.0/8`, because the operator may have
 * meant a different range and should see their own value in the commands and
 * the journal; the tools that take ranges mask host bits themselves.
 */
const parseCidr = (text: string): string | {error: string} => {
	const slash = text.indexOf('/');
	const addressPart = slash === -1 ? text : text.slice(0, slash);
	const address = parseAddress(addressPart);
	if (typeof address === 'string') {
		return {error: address === NOT_AN_ADDRESS ? `${quote(text)} is not an IPv4 or IPv6 address or CIDR range` : `${quote(text)} ${address}`};
	}
	if (slash === -1) return `${address.text}/${address.bits}`;
	const prefix = text.slice(slash + 1);
	if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > address.bits) {
		return {error: `${quote(text)} has a prefix length that is not a whole number from 0 to ${address.bits}`};
	}
	return `${address.text}/${Number(prefix)}`;
};

// --- Names ----------------------------------------------------------------------

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A DNS name, lowercased without a trailing dot; a reason (completing "it …") if it is not one. */
const parseDomain = (text: string): {value: string} | {reason: string} => {
	// Checked before lowercasing: some non-ASCII letters lowercase to ASCII (K, the Kelvin sign, to k).
	if (/\P{ASCII}/u.test(text)) {
		return {reason: 'contains non-ASCII characters; write internationalised names in punycode (xn--…)'};
	}
	const value = text.toLowerCase().replace(/\.$/, '');
	if (value.length > 253) return {reason: 'is longer than 253 characters'};
	const labels = value.split('.');
	if (labels.length < 2) return {reason: 'needs at least two labels, e.g. example.com'};
	for (const label of labels) {
		if (label === '') return {reason: 'has an empty label'};
		if (label.length > 63) return {reason: 'has a label longer than 63 characters'};
		if (!LABEL.test(label)) {
			return {reason: `has a label (${quote(label)}) with characters other than letters, digits and inner hyphens`};
		}
	}
	// RFC 3696 section 2: an all-numeric top-level label is how IP addresses look.
	if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return {reason: 'ends in a numeric label, like an IP address'};
	return {value};
};

// RFC 5322's dot-atom: pragmatic, and quoted local parts are left out on purpose.
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i;

const checkEmail = (text: string): InputCheck => {
	const at = text.lastIndexOf('@');
	if (at < 1 || at === text.length - 1) return fail(`${quote(text)} is not an email address (expected name@example.com)`);
	const local = text.slice(0, at);
	if (local.length > 64 || !LOCAL_PART.test(local)) {
		return fail(`${quote(text)} is not an email address: the part before @ is not a plain mailbox name`);
	}
	const domain = parseDomain(text.slice(at + 1));
	if ('reason' in domain) return fail(`${quote(text)} is not an email address: the domain ${domain.reason}`);
	return pass(`${local}@${domain.value}`);
};

// --- Numbers ----------------------------------------------------------------------

/** Plain decimal digits only: `1e3`, `0x10` and `+5` mean different things to different tools. */
const parseInteger = (text: string, allowNegative: boolean): number | undefined => {
	if (!(allowNegative ? /^-?\d+$/ : /^\d+$/).test(text)) return undefined;
	return Number(text);
};

const checkBounds = (n: number, spec: InputSpec): InputCheck => {
	if (spec.min !== undefined && n < spec.min) return fail(`${n} is below the minimum of ${spec.min}`);
	if (spec.max !== undefined && n > spec.max) return fail(`${n} is above the maximum of ${spec.max}`);
	// String() is canonical: no leading zeros, and -0 becomes 0.
	return pass(String(n));
};

const checkInteger = (text: string, spec: InputSpec): InputCheck => {
	const n = parseInteger(text, true);
	if (n === undefined) return fail(`${quote(text)} is not a whole number (digits only, e.g. 42)`);
	if (!Number.isSafeInteger(n)) return fail(`${quote(text)} is too large to be handled exactly`);
	return checkBounds(n, spec);
};

const checkPort = (text: string, spec: InputSpec): InputCheck => {
	const n = parseInteger(text, false);
	if (n === undefined || n < 1 || n > 65535) return fail(`${quote(text)} is not a port number (1-65535)`);
	return checkBounds(n, spec);
};

// --- Per type ---------------------------------------------------------------------

const BOOLEANS: Readonly<Record<string, 'true' | 'false'>> = {
	yes: 'true',
	true: 'true',
	'1': 'true',
	on: 'true',
	no: 'false',
	false: 'false',
	'0': 'false',
	off: 'false',
};

// Debian's default NAME_REGEX, without the trailing `$` it allows for Samba machine accounts.
const USER = /^[a-z_][a-z0-9_-]{0,31}$/;

type Checker = (text: string, spec: InputSpec) => InputCheck;

/** Each checker gets the value after the universal rules and trimming, never empty. */
const CHECKERS: Record<InputType, Checker> = {
	string: text => pass(text),
	secret: text => pass(text),
	enum: (text, spec) => {
		const values = spec.values ?? [];
		if (values.includes(text)) return pass(text);
		return fail(values.length === 0 ? `${quote(text)} cannot be accepted: the input lists no values` : `${quote(text)} is not one of: ${values.join(', ')}`);
	},
	boolean: text => {
		const key = text.toLowerCase();
		const value = Object.hasOwn(BOOLEANS, key) ? BOOLEANS[key] : undefined;
		return value ? pass(value) : fail(`${quote(text)} is not a yes/no value (use yes, no, true, false, on, off, 1 or 0)`);
	},
	integer: checkInteger,
	port: checkPort,
	ip: text => {
		const address = parseAddress(text);
		return typeof address === 'string' ? fail(`${quote(text)} ${address}`) : pass(address.text);
	},
	cidr: text => {
		const cidr = parseCidr(text);
		return typeof cidr === 'string' ? pass(cidr) : fail(cidr.error);
	},
	'cidr-list': (text, spec) => {
		const items = text.split(/[\s,]+/).filter(item => item !== '');
		if (items.length === 0) return spec.optional ? pass('') : fail('lists no addresses or ranges');
		const normal: string[] = [];
		for (const item of items) {
			const cidr = parseCidr(item);
			if (typeof cidr !== 'string') return fail(cidr.error);
			normal.push(cidr);
		}
		return pass(normal.join(' '));
	},
	domain: text => {
		const domain = parseDomain(text);
		return 'reason' in domain ? fail(`${quote(text)} is not a domain name: it ${domain.reason}`) : pass(domain.value);
	},
	email: checkEmail,
	path: text => (text.startsWith('/') ? pass(text) : fail(`${quote(text)} is not an absolute path (it must start with /)`)),
	user: text =>
		USER.test(text) ? pass(text) : fail(`${quote(text)} is not a valid user name (up to 32 lowercase letters, digits, _ or -, starting with a letter or _)`),
};

// --- Size ---------------------------------------------------------------------------

/**
 * Largest input value, in bytes of UTF-8. A value reaches each block as one
 * environment string, which Linux caps at 128 KiB (MAX_ARG_STRLEN); past that
 * every block would fail to start (E2BIG). Half of it leaves room for the name.
 */
export const MAX_INPUT_VALUE_BYTES = 64 * 1024;
/**
 * Largest total of all of a run's input values, in bytes. Arguments and
 * environment together are capped at a quarter of the stack limit (2 MiB
 * with the usual 8 MiB), shared with the operator's own environment.
 */
export const MAX_INPUT_TOTAL_BYTES = 256 * 1024;

// --- Public -----------------------------------------------------------------------

export const isSecret = (spec: Pick<InputSpec, 'type'>): boolean => spec.type === 'secret';

/**
 * Checks a value for an input and returns it normalised (trimmed, canonical
 * numbers and booleans, compressed IPv6, one space between list items). The
 * message is meant to follow the input's name, e.g. `ADMIN_IP: "10.0.0.300"
 * is not an IPv4 or IPv6 address` or `DOMAIN: is required`; it never repeats
 * a secret's value.
 */
export const validateInputValue = (spec: InputSpec, raw: string): InputCheck => {
	// First, before any other work on it: a value too large for the environment.
	const bytes = Buffer.byteLength(raw, 'utf8');
	if (bytes > MAX_INPUT_VALUE_BYTES) return fail(`is ${bytes} bytes; an input value may be at most ${MAX_INPUT_VALUE_BYTES} bytes (64 KiB)`);
	if (raw.includes('\0')) return fail('contains a NUL byte, which cannot be passed to a command');
	// Checked before trimming: a line break in a one-line value is a paste gone wrong.
	if (!MULTILINE.has(spec.type) && /[\r\n]/.test(raw)) {
		return fail(`contains a line break; a ${spec.type} value must be a single line`);
	}
	const text = UNTRIMMED.has(spec.type) ? raw : raw.trim();
	if (text === '') return spec.optional ? pass('') : fail('is required');

	const checked = CHECKERS[spec.type](text, spec);
	if (!checked.ok || spec.pattern === undefined || checked.value === '') return checked;

	const pattern = compilePattern(spec.pattern);
	if (typeof pattern === 'string') return fail(`cannot be checked: the pattern ${showPattern(spec.pattern)} ${pattern}`);
	if (pattern.test(checked.value)) return checked;
	const subject = isSecret(spec) ? '' : `${quote(checked.value)} `;
	return fail(`${subject}does not match the pattern ${showPattern(spec.pattern)}`);
};

/**
 * The address an SSH session comes from, the first field of $SSH_CLIENT. It
 * is given as a bare address for every type: `cidr` and `cidr-list` read a
 * bare address as a single host.
 */
const sshClientAddress = (sshClient: string | undefined): string | undefined => {
	const first = sshClient?.trim().split(/\s+/)[0];
	if (!first) return undefined;
	// A zone or an IPv4-mapped form says nothing about who is connecting.
	const address = parseAddress(first.replace(/%.*$/, ''));
	if (typeof address === 'string') return first; // validation will say what is wrong
	return address.text.startsWith('::ffff:') && address.text.includes('.') ? address.text.slice(7) : address.text;
};

/** The value an input starts with: its literal `default`, else what `defaultFrom` points at. */
export const resolveDefault = (spec: InputSpec, env: NodeJS.ProcessEnv): string | undefined => {
	if (spec.default !== undefined) return spec.default;
	const from = spec.defaultFrom;
	if (from === 'ssh-client') return sshClientAddress(env['SSH_CLIENT']);
	if (from?.startsWith('env:') && from.length > 4) return env[from.slice(4)];
	return undefined;
};
