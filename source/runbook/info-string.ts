// Reads the attributes after a fence's language: ```sh {role=check timeout=30s}.
// The info string is one line of our own small syntax (not Markdown), so a
// tiny tokenizer is the right tool; it reports each mistake with its column.

export interface Attribute {
	key: string;
	/** `true` for a bare flag such as `confirm`. */
	value: string | true;
	/** 0-based offset of the attribute within the meta text. */
	offset: number;
}

export interface InfoProblem {
	offset: number;
	message: string;
}

export interface ParsedInfo {
	attributes: Attribute[];
	problems: InfoProblem[];
	/** False when the attributes were written without the surrounding braces. */
	braced: boolean;
}

const isKeyChar = (char: string): boolean => /[A-Za-z0-9_-]/.test(char);
const isSpace = (char: string): boolean => char === ' ' || char === '\t';

export const parseInfoAttributes = (meta: string): ParsedInfo => {
	const attributes: Attribute[] = [];
	const problems: InfoProblem[] = [];
	let start = 0;
	let end = meta.length;
	while (start < end && isSpace(meta[start]!)) start++;
	while (end > start && isSpace(meta[end - 1]!)) end--;
	const braced = meta[start] === '{';
	if (braced) {
		start++;
		if (meta[end - 1] === '}') end--;
		else problems.push({offset: end, message: 'attributes opened with "{" are never closed with "}"'});
	}

	let i = start;
	while (i < end) {
		if (isSpace(meta[i]!) || meta[i] === ',') {
			i++;
			continue;
		}
		const keyStart = i;
		while (i < end && isKeyChar(meta[i]!)) i++;
		const key = meta.slice(keyStart, i);
		if (key === '') {
			problems.push({offset: i, message: `unexpected ${JSON.stringify(meta[i])} in the block's attributes`});
			// Skip to the next space so one stray character gives one message.
			while (i < end && !isSpace(meta[i]!)) i++;
			continue;
		}
		if (meta[i] !== '=') {
			attributes.push({key, value: true, offset: keyStart});
			continue;
		}
		i++; // past '='
		if (meta[i] === '"' || meta[i] === "'") {
			const quote = meta[i]!;
			let value = '';
			i++;
			let closed = false;
			while (i < end) {
				const char = meta[i]!;
				if (char === '\\' && i + 1 < end) {
					value += meta[i + 1];
					i += 2;
					continue;
				}
				if (char === quote) {
					closed = true;
					i++;
					break;
				}
				value += char;
				i++;
			}
			if (!closed) problems.push({offset: keyStart, message: `the value of "${key}" has no closing ${quote}`});
			attributes.push({key, value, offset: keyStart});
			continue;
		}
		const valueStart = i;
		while (i < end && !isSpace(meta[i]!)) i++;
		const value = meta.slice(valueStart, i);
		if (value === '') problems.push({offset: keyStart, message: `"${key}=" has no value`});
		attributes.push({key, value, offset: keyStart});
	}
	return {attributes, problems, braced};
};
