// Masks secret input values in everything that leaves the engine (output
// lines, logs, events and error messages), and text shaped like a credential
// in output lines.

export const MASK = '********';

export type Masker = ((text: string) => string) & {
	/** The texts it masks, longest first (each line of a multi-line secret too). */
	readonly needles: readonly string[];
};

/**
 * Where a piece of an unfinished line may be cut so that no secret is split
 * between what is written now and what comes later: before the last
 * (longest secret − 1) characters, and before any secret that would
 * straddle that point. The rest waits for the next piece.
 */
export const safeCut = (text: string, needles: readonly string[]): number => {
	const longest = needles[0]?.length ?? 0;
	if (longest <= 1) return text.length;
	let cut = Math.max(0, text.length - (longest - 1));
	for (let moved = true; moved && cut > 0;) {
		moved = false;
		for (const needle of needles) {
			for (let at = text.indexOf(needle, Math.max(0, cut - needle.length + 1)); at !== -1 && at < cut; at = text.indexOf(needle, at + 1)) {
				if (at + needle.length > cut) {
					cut = at;
					moved = true;
				}
			}
		}
	}
	return cut;
};

/**
 * Secrets shorter than this are masked in the records on disk but not on
 * screen: masking "x" would turn every x of the output into ******** and so
 * show the secret as plainly as not masking it.
 */
export const MIN_MASKED_ON_SCREEN = 4;

export const createMasker = (secrets: readonly string[], minLength = 1): Masker => {
	// Longest first, so a secret that contains another is masked whole. Each
	// line of a multi-line secret is masked too, since output is seen a line at a time.
	const needles = [...new Set(secrets.flatMap(s => [s, ...s.split('\n').filter(line => line.trim().length >= 3)]))]
		.filter(s => s.length >= Math.max(1, minLength))
		.sort((a, b) => b.length - a.length);
	if (needles.length === 0) return Object.assign((text: string) => text, {needles});
	return Object.assign(
		(text: string) => {
			let masked = text;
			for (const needle of needles) if (masked.includes(needle)) masked = masked.split(needle).join(MASK);
			return masked;
		},
		{needles},
	);
};

// --- Credentials in output ----------------------------------------------------
//
// Commands print credentials nobody typed as an input: a private key that
// `cat` shows, an access key in `aws configure list`, a token in a config
// file. Output lines are masked for these shapes too, unless the block says
// `mask-credentials=false`. The list is deliberately short and specific, so
// that ordinary output is left alone; docs/security.md lists it. Quantifiers
// are bounded so a long line cannot make a pattern slow.

/** Masks a block's output, a piece of whole lines at a time; remembers whether it is inside a private key. */
export type TextMasker = (text: string) => string;

/**
 * Could any credential shape below be in this text? A superset of what every
 * pattern needs, tested once per piece of output: a flood of ordinary lines
 * costs one scan, not eight patterns per line.
 */
const MAYBE_CREDENTIAL = /AKIA|ASIA|gh[pousr]_|github_pat_|xox[abprs]-|secret|token|authorization|passw|:\/\/|\$(?:1|2[abxy]|5|6|y|gy|7)\$|PRIVATE KEY/i;

const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----/;
const PEM_END = /-----END (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----/;

/** Shapes that are credentials wherever they appear: the whole match is masked. */
const TOKENS: readonly RegExp[] = [
	// AWS access key ids (long-term and temporary).
	/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
	// GitHub personal, OAuth, user-to-server, server-to-server and refresh tokens.
	/\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g,
	/\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g,
	// Slack bot, user, app and refresh tokens.
	/\bxox[abprs]-[A-Za-z0-9-]{10,250}/g,
];

/** A label that says what follows is a credential: the label is kept, the value masked. */
const LABELLED: readonly RegExp[] = [
	// aws_secret_access_key = …, AWS_SECRET_ACCESS_KEY=…, "SecretAccessKey": "…", and the session token.
	/((?:aws_?secret_?access_?key|secretaccesskey|aws_?session_?token|sessiontoken)["']?\s{0,8}[:=]\s{0,8}["']?)([A-Za-z0-9/+=]{16,2048})/gi,
	// HTTP authorization headers, as curl -v and many tools print them.
	/(authorization["']?\s{0,8}[:=]\s{0,8}["']?(?:bearer|basic|token)\s{1,8})([A-Za-z0-9\-._~+/]{1,4096}=*)/gi,
	// Password assignments: DB_PASSWORD=…, password=… (env files, ini, URLs' query strings).
	/((?<![A-Za-z0-9_])[A-Za-z0-9_.-]{0,64}?(?:password|passwd)["']?\s{0,8}=\s{0,8})("[^"]{1,1024}"|'[^']{1,1024}'|[^\s&;,'"]{1,1024})/gi,
	// YAML-style `password: value` at the start of a line (not `passwd: password updated`).
	/(^\s{0,64}["']?[A-Za-z0-9_.-]{0,64}?password["']?\s{0,8}:\s{1,8})("[^"]{1,1024}"|'[^']{1,1024}'|\S.{0,1023})$/gi,
	// Credentials inside a URL: scheme://user:password@host.
	/(\b[a-z][a-z0-9+.-]{0,30}:\/\/[^\s:@/]{1,256}:)([^\s@/]{1,1024})(?=@)/gi,
];

/** Crypt(3) password hashes, as /etc/shadow and `getent shadow` show them. */
const CRYPT_HASH = /\$(?:1|2[abxy]|5|6|y|gy|7)\$[./A-Za-z0-9$=]{8,512}/g;

const maskInline = (line: string): string => {
	// Each carriage-return segment on its own, as a terminal would show them (and as `$` expects).
	if (line.includes('\r')) return line.split('\r').map(maskInline).join('\r');
	let masked = line;
	for (const pattern of TOKENS) masked = masked.replace(pattern, MASK);
	for (const pattern of LABELLED) masked = masked.replace(pattern, (_match, label: string) => `${label}${MASK}`);
	return masked.replace(CRYPT_HASH, MASK);
};

/**
 * A masker for one stream of one block. A private key block is masked from
 * its BEGIN line to its END line (the markers stay, so the reader knows what
 * was there); a key that never ends keeps the rest of the stream masked.
 */
export const createCredentialMasker = (): TextMasker => {
	let inKey = false;
	const maskLine = (line: string): string => {
		if (inKey) {
			const end = PEM_END.exec(line);
			if (!end) return MASK;
			inKey = false;
			return `${MASK}${end[0]}${maskInline(line.slice(end.index + end[0].length))}`;
		}
		const begin = PEM_BEGIN.exec(line);
		if (begin) {
			const after = line.slice(begin.index + begin[0].length);
			const end = PEM_END.exec(after);
			// A whole key on one line (as in JSON with \n escapes) is masked in place.
			if (end) return `${maskInline(line.slice(0, begin.index))}${begin[0]}${MASK}${end[0]}${maskInline(after.slice(end.index + end[0].length))}`;
			inKey = true;
			return `${maskInline(line.slice(0, begin.index))}${begin[0]}${after.trim() === '' ? '' : MASK}`;
		}
		return maskInline(line);
	};
	return text => {
		if (!inKey && !MAYBE_CREDENTIAL.test(text)) return text;
		// The newline that ends a piece ends its last line; it does not start another.
		const ended = text.endsWith('\n');
		const body = ended ? text.slice(0, -1) : text;
		const masked = body.includes('\n') ? body.split('\n').map(maskLine).join('\n') : maskLine(body);
		return ended ? `${masked}\n` : masked;
	};
};

/** Masks credentials in a whole text (several lines), e.g. an error message or a note. */
export const maskCredentials = (text: string): string => createCredentialMasker()(text);
