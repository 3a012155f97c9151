// Markdown → `Runbook`. A real CommonMark + GFM parser builds the tree; this
// module only walks it: `##` headings start steps, fenced code blocks become
// blocks, task items become manual checks. It never throws on bad input:
// whatever is wrong comes back as diagnostics with the line and column.

import {fromMarkdown} from 'mdast-util-from-markdown';
import {gfm} from 'micromark-extension-gfm';
import {gfmFromMarkdown} from 'mdast-util-gfm';
import {frontmatter} from 'micromark-extension-frontmatter';
import {frontmatterFromMarkdown} from 'mdast-util-frontmatter';
import {toString} from 'mdast-util-to-string';
import {slug} from 'github-slugger';
import {closest} from 'fastest-levenshtein';
import type {Code, Heading, ListItem, Nodes, Root, RootContent} from 'mdast';
import {basename} from 'node:path';
import {BLOCK_ROLES, type BlockRole, type CodeBlock, type Diagnostic, type ParseResult, type Position, type Step, type TaskItem} from './model.js';
import {decodeRunbookBytes} from './read-source.js';
import {parseFrontMatter} from './front-matter.js';
import {parseInfoAttributes} from './info-string.js';
import {parseTimeout} from './duration.js';

export const RUNNABLE_LANGS = new Set(['sh', 'bash']);
export const BLOCK_ATTRIBUTES = ['role', 'timeout', 'cwd', 'confirm', 'interactive', 'continue-on-error', 'name', 'mask-credentials', 'finding', 'idempotent'] as const;
const FLAG_ATTRIBUTES = new Set(['interactive', 'continue-on-error', 'mask-credentials', 'finding', 'idempotent']);

/**
 * Deeper nesting than any runbook needs; the Markdown parser's time and stack
 * grow with depth, so deeper input is refused before it is parsed.
 */
export const MAX_NESTING = 64;

const micromarkOptions = {
	extensions: [gfm(), frontmatter(['yaml'])],
	mdastExtensions: [gfmFromMarkdown(), frontmatterFromMarkdown(['yaml'])],
};

class Collector {
	readonly diagnostics: Diagnostic[] = [];
	constructor(readonly file: string) {}
	add(at: Position, severity: 'error' | 'warning', rule: string, message: string) {
		this.diagnostics.push({file: this.file, line: at.line, column: at.column, severity, rule, message});
	}
}

const startOf = (node: {position?: {start: {line: number; column: number}}}): Position => ({
	line: node.position?.start.line ?? 1,
	column: node.position?.start.column ?? 1,
});

/**
 * The deepest nesting of block containers (quotes, list items) a line opens.
 * Counted on the raw text, before parsing, so pathological input stays cheap.
 */
export const nestingDepth = (text: string): {depth: number; line: number} => {
	let deepest = {depth: 0, line: 0};
	let lineNumber = 0;
	for (const line of text.split('\n')) {
		lineNumber++;
		let depth = 0;
		let indent = 0;
		let i = 0;
		while (i < line.length) {
			const char = line[i]!;
			if (char === ' ') indent++;
			else if (char === '\t') indent += 4;
			else if (char === '>') depth++;
			else if ((char === '-' || char === '*' || char === '+') && (line[i + 1] === ' ' || line[i + 1] === '\t')) depth++;
			else if (char >= '0' && char <= '9') {
				// An ordered list marker: up to 9 digits, `.` or `)`, then a space.
				let end = i;
				while (end < line.length && end - i < 9 && line[end]! >= '0' && line[end]! <= '9') end++;
				if ((line[end] !== '.' && line[end] !== ')') || (line[end + 1] !== ' ' && line[end + 1] !== '\t')) break;
				depth++;
				i = end;
			} else break;
			i++;
		}
		// Two columns of indentation are at least one more level of list.
		depth += Math.floor(indent / 2);
		if (depth > deepest.depth) deepest = {depth, line: lineNumber};
	}
	return deepest;
};

const parseTree = (text: string, c: Collector): Root | undefined => {
	const nesting = nestingDepth(text);
	if (nesting.depth > MAX_NESTING) {
		c.add(
			{line: nesting.line, column: 1},
			'error',
			'too-deeply-nested',
			`lists or quotes are nested more than ${MAX_NESTING} levels deep here; a runbook does not need that`,
		);
		return undefined;
	}
	try {
		return fromMarkdown(text, micromarkOptions);
	} catch (error) {
		// The guard above should make this unreachable; never let it become a stack trace.
		const message = error instanceof RangeError ? 'the document is nested too deeply to read' : String(error);
		c.add({line: 1, column: 1}, 'error', 'unreadable-markdown', message);
		return undefined;
	}
};

/** Calls `visit` for every code block and task item below `node`, in document order. */
const walk = (node: Nodes, visit: (node: Code | ListItem) => void) => {
	if (node.type === 'code') visit(node);
	if (node.type === 'listItem' && typeof node.checked === 'boolean') visit(node);
	if ('children' in node) for (const child of node.children) walk(child as Nodes, visit);
};

/** True for ``` and ~~~ blocks, false for indented code (which has no fence). */
const isFenced = (code: Code, lines: string[]): boolean => {
	const start = code.position?.start;
	const open = (lines[(start?.line ?? 1) - 1] ?? '').slice((start?.column ?? 1) - 1).trimStart();
	return open.startsWith('```') || open.startsWith('~~~');
};

const isFenceClosed = (code: Code, lines: string[]): boolean => {
	if (!isFenced(code, lines)) return true;
	const start = code.position?.start;
	const end = code.position?.end;
	if (!start || !end || end.line === start.line) return false;
	const openLine = (lines[start.line - 1] ?? '').slice(start.column - 1);
	const fenceChar = openLine.trimStart()[0] ?? '`';
	let fenceLength = 0;
	for (const char of openLine.trimStart()) {
		if (char !== fenceChar) break;
		fenceLength++;
	}
	// The last line of the node holds the closing fence if there is one;
	// strip the container prefixes (quotes, indentation) in front of it.
	let closing = (lines[end.line - 1] ?? '').replace(/^[\s>]*/, '');
	let count = 0;
	for (const char of closing) {
		if (char !== fenceChar) break;
		count++;
	}
	closing = closing.slice(count).trim();
	return count >= fenceLength && closing === '';
};

const toBlock = (code: Code, index: number, lines: string[], c: Collector): CodeBlock => {
	const position = startOf(code);
	const lang = (code.lang ?? '').toLowerCase();
	const fenceLine = lines[position.line - 1] ?? '';
	const metaColumn = code.meta ? fenceLine.indexOf(code.meta) + 1 : position.column;
	const at = (offset: number): Position => ({line: position.line, column: metaColumn + offset});
	const info = parseInfoAttributes(code.meta ?? '');
	for (const problem of info.problems) c.add(at(problem.offset), 'error', 'bad-attribute', problem.message);
	if (!info.braced && info.attributes.length > 0) {
		c.add(at(0), 'warning', 'attributes-without-braces', `put block attributes in braces so GitHub still highlights the code: \`\`\`${lang} {${code.meta ?? ''}}`);
	}

	const attributes: Record<string, string | true> = {};
	let role: BlockRole = 'run';
	let timeoutMs: number | undefined;
	const flags = {interactive: false, 'continue-on-error': false, 'mask-credentials': true, finding: false, idempotent: false};
	for (const attribute of info.attributes) {
		const {key, value} = attribute;
		if (key in attributes) c.add(at(attribute.offset), 'error', 'duplicate-attribute', `"${key}" is given twice`);
		attributes[key] = value;
		if (!(BLOCK_ATTRIBUTES as readonly string[]).includes(key)) {
			const guess = closest(key, [...BLOCK_ATTRIBUTES]);
			c.add(
				at(attribute.offset),
				'error',
				'unknown-attribute',
				`unknown block attribute "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}; known: ${BLOCK_ATTRIBUTES.join(', ')}`,
			);
			continue;
		}
		if (key === 'role') {
			if (value !== true && (BLOCK_ROLES as readonly string[]).includes(value)) role = value as BlockRole;
			else c.add(at(attribute.offset), 'error', 'unknown-role', `unknown role ${value === true ? '(empty)' : `"${value}"`}; use one of: ${BLOCK_ROLES.join(', ')}`);
		} else if (key === 'timeout') {
			timeoutMs = value === true ? undefined : parseTimeout(value);
			if (timeoutMs === undefined) {
				c.add(
					at(attribute.offset),
					'error',
					'bad-timeout',
					`timeout ${value === true ? 'needs a value' : `"${value}" is not a duration`}: write e.g. timeout=30s, 5m, 1h (at most 24h)`,
				);
			}
		} else if (FLAG_ATTRIBUTES.has(key)) {
			if (value === true || value === 'true') flags[key as keyof typeof flags] = true;
			else if (value === 'false') flags[key as keyof typeof flags] = false;
			else c.add(at(attribute.offset), 'error', 'bad-attribute', `"${key}" is a flag: write it alone, or =true / =false`);
		} else if ((key === 'cwd' || key === 'name') && value === true) {
			c.add(at(attribute.offset), 'error', 'bad-attribute', `"${key}" needs a value, e.g. ${key}="${key === 'cwd' ? '/srv' : 'Reload nginx'}"`);
		}
	}
	if (!isFenceClosed(code, lines)) {
		c.add(position, 'error', 'unclosed-fence', 'this code block is never closed: add a closing fence (```) after its last line');
	}
	return {
		index,
		lang,
		runnable: RUNNABLE_LANGS.has(lang),
		role,
		code: code.value,
		name: typeof attributes.name === 'string' ? attributes.name : undefined,
		timeoutMs,
		cwd: typeof attributes.cwd === 'string' ? attributes.cwd : undefined,
		confirm: attributes.confirm !== undefined,
		interactive: flags.interactive,
		continueOnError: flags['continue-on-error'],
		maskCredentials: flags['mask-credentials'],
		finding: flags.finding,
		idempotent: flags.idempotent,
		attributes,
		position,
		// Fenced code starts below the fence; indented code on its own first line.
		codeLine: position.line + (isFenced(code, lines) ? 1 : 0),
	};
};

const toStep = (heading: Heading, body: RootContent[], index: number, text: string, lines: string[], c: Collector): Step => {
	const title = toString(heading).trim();
	const blocks: CodeBlock[] = [];
	const tasks: TaskItem[] = [];
	for (const node of body) {
		walk(node, found => {
			if (found.type === 'code') blocks.push(toBlock(found, blocks.length, lines, c));
			else {
				// A task item's own text, without any nested list under it.
				const own = found.children.filter(child => child.type !== 'list');
				tasks.push({
					index: tasks.length,
					text: own
						.map(child => toString(child))
						.join(' ')
						.trim(),
					checkedInSource: found.checked === true,
					position: startOf(found),
				});
			}
		});
	}
	const bodyStart = heading.position?.end.offset ?? 0;
	const bodyEnd = body.at(-1)?.position?.end.offset ?? bodyStart;
	return {
		index,
		id: slug(title) || `step-${index + 1}`,
		title,
		position: startOf(heading),
		markdown: text.slice(bodyStart, bodyEnd).replace(/^\n+/, ''),
		blocks,
		tasks,
	};
};

export const parseRunbookText = (file: string, text: string, sha256 = ''): ParseResult => {
	const c = new Collector(file);
	const tree = parseTree(text, c);
	if (!tree) return {diagnostics: c.diagnostics};
	const lines = text.split('\n');

	let children = tree.children;
	let meta: ReturnType<typeof parseFrontMatter>['meta'] = {inputs: []};
	const first = children[0];
	if (first?.type === 'yaml') {
		const fm = parseFrontMatter(file, first.value, (first.position?.start.line ?? 1) + 1);
		c.diagnostics.push(...fm.diagnostics);
		meta = fm.meta;
		children = children.slice(1);
	}

	let documentTitle: string | undefined;
	const introNodes: RootContent[] = [];
	const sections: Array<{heading: Heading; body: RootContent[]}> = [];
	for (const node of children) {
		if (node.type === 'heading' && node.depth === 2) sections.push({heading: node, body: []});
		else if (sections.length > 0) sections.at(-1)!.body.push(node);
		else if (node.type === 'heading' && node.depth === 1 && documentTitle === undefined) documentTitle = toString(node).trim();
		else introNodes.push(node);
	}

	const steps = sections.map((section, index) => toStep(section.heading, section.body, index, text, lines, c));
	// Ids must be unique for the journal; lint reports the duplicate itself.
	const seen = new Map<string, number>();
	for (const step of steps) {
		const count = (seen.get(step.id) ?? 0) + 1;
		seen.set(step.id, count);
		if (count > 1) step.id = `${step.id}-${count}`;
	}
	const introStart = introNodes[0]?.position?.start.offset;
	const introEnd = introNodes.at(-1)?.position?.end.offset;
	const id = basename(file).replace(/\.md$/i, '');
	const title = meta.title ?? documentTitle;
	if (!title) {
		c.add({line: 1, column: 1}, 'error', 'missing-title', 'the runbook has no title: add `title:` to the front matter or a `# Title` heading');
	}
	return {
		runbook: {
			id,
			path: file,
			sha256,
			source: text,
			meta: {
				title: title ?? id,
				summary: meta.summary ?? '',
				tags: meta.tags ?? [],
				every: meta.every,
				requires: meta.requires ?? {root: false, os: [], commands: []},
				inputs: meta.inputs,
			},
			intro: introStart === undefined || introEnd === undefined ? '' : text.slice(introStart, introEnd),
			steps,
		},
		diagnostics: c.diagnostics,
		tree,
	};
};

/** Parses a runbook from its file's bytes (size, encoding and binary checks first). */
export const parseRunbookBytes = (file: string, bytes: Buffer): ParseResult => {
	const decoded = decodeRunbookBytes(file, bytes);
	if (!decoded.ok) return {diagnostics: [decoded.diagnostic]};
	return parseRunbookText(file, decoded.source.text, decoded.source.sha256);
};
