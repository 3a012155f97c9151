// Masks secret input values in everything that leaves the engine: output
// lines, logs, events and error messages.

export const MASK = '********';

export type Masker = (text: string) => string;

export const createMasker = (secrets: readonly string[]): Masker => {
	// Longest first, so a secret that contains another is masked whole. Each
	// line of a multi-line secret is masked too, since output is seen a line at a time.
	const needles = [...new Set(secrets.flatMap(s => [s, ...s.split('\n').filter(line => line.trim().length >= 3)]))]
		.filter(s => s.length > 0)
		.sort((a, b) => b.length - a.length);
	if (needles.length === 0) return text => text;
	return text => {
		let masked = text;
		for (const needle of needles) if (masked.includes(needle)) masked = masked.split(needle).join(MASK);
		return masked;
	};
};
