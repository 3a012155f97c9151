// Front matter: YAML parsed with positions, validated by a schema, turned into
// `RunbookMeta`. Every message points at the key or value that caused it.

import {isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node as YamlNode, type Pair, type YAMLMap} from 'yaml';
import {z} from 'zod';
import {closest} from 'fastest-levenshtein';
import {INPUT_TYPES, type Diagnostic, type InputSpec, type Position, type RunbookMeta} from './model.js';
import {parseEvery} from './duration.js';
import {reservedInputName} from './input-names.js';

// Each schema validates a handful of documents per process: compiling it to
// code first (zod's JIT) costs more than it saves.
z.config({jitless: true});

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const inputSchema = z.strictObject({
	type: z.enum(INPUT_TYPES),
	prompt: z.string().min(1, 'prompt must not be empty'),
	description: z.string().optional(),
	default: scalar.optional(),
	'default-from': z.string().optional(),
	pattern: z.string().optional(),
	optional: z.boolean().optional(),
	values: z
		.array(z.union([z.string(), z.number()]))
		.min(1, 'values must list at least one choice')
		.optional(),
	min: z.number().int().optional(),
	max: z.number().int().optional(),
});

const frontMatterSchema = z.strictObject({
	title: z.string().min(1, 'title must not be empty').optional(),
	summary: z.string().optional(),
	tags: z.array(z.string()).optional(),
	every: z.union([z.string(), z.number()]).optional(),
	requires: z
		.strictObject({
			root: z.boolean().optional(),
			os: z.array(z.string()).optional(),
			commands: z.array(z.string()).optional(),
		})
		.optional(),
	inputs: z.record(z.string(), inputSchema).optional(),
});

type FrontMatter = z.infer<typeof frontMatterSchema>;

export const FRONT_MATTER_KEYS = Object.keys(frontMatterSchema.shape);
const INPUT_KEYS = Object.keys(inputSchema.shape);
const REQUIRES_KEYS = ['root', 'os', 'commands'];

export const INPUT_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * YAML aliases (`*name`) the front matter may use, and how far they may
 * expand: the yaml package's maxAliasCount, counted in aliased nodes. An alias
 * bomb (aliases of aliases, each doubling the data) stops here, as a finding.
 */
export const MAX_YAML_ALIASES = 100;

const TOO_DEEP = 'front matter is nested too deeply to be read; front matter needs a few levels, not thousands';

export interface FrontMatterResult {
	meta: Partial<RunbookMeta> & {inputs: InputSpec[]};
	diagnostics: Diagnostic[];
}

interface Context {
	file: string;
	/** Line of the YAML text's first line in the runbook. */
	firstLine: number;
	lines: LineCounter;
	doc: Document;
	diagnostics: Diagnostic[];
}

const positionOf = (ctx: Context, offset: number): Position => {
	const pos = ctx.lines.linePos(offset);
	return {line: pos.line + ctx.firstLine - 1, column: pos.col};
};

const report = (ctx: Context, offset: number, rule: string, message: string, severity: 'error' | 'warning' = 'error') => {
	const at = positionOf(ctx, offset);
	ctx.diagnostics.push({file: ctx.file, line: at.line, column: at.column, severity, rule, message});
};

/** Each mapping's pairs by key, built once: a lookup per key must not scan the mapping (40,000 keys). */
const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

const pairOf = (map: YAMLMap, key: string): Pair | undefined => {
	let index = pairIndex.get(map);
	if (!index) {
		index = new Map();
		for (const pair of map.items) {
			if (isScalar(pair.key) && !index.has(String(pair.key.value))) index.set(String(pair.key.value), pair);
		}
		pairIndex.set(map, index);
	}
	return index.get(key);
};

/** The node at a path, or the key node when `key` is set. */
const nodeAt = (ctx: Context, path: readonly PropertyKey[], key?: string): YamlNode | undefined => {
	let node: unknown = ctx.doc.contents;
	for (const step of path) {
		if (isMap(node)) node = pairOf(node, String(step))?.value;
		else if (isSeq(node) && typeof step === 'number') node = node.items[step];
		else return undefined;
	}
	if (key !== undefined && isMap(node)) {
		const pair = pairOf(node, key);
		if (pair && isScalar(pair.key)) return pair.key;
	}
	return (node as YamlNode | null | undefined) ?? undefined;
};

const offsetOf = (node: YamlNode | undefined | null): number => node?.range?.[0] ?? 0;

const pathText = (path: readonly PropertyKey[]): string => path.map(String).join('.');

const suggest = (key: string, known: string[]): string => {
	const guess = closest(key, known);
	return guess && levenshteinClose(key, guess) ? ` (did you mean "${guess}"?)` : '';
};

const levenshteinClose = (a: string, b: string): boolean => {
	// Only suggest when the names are plausibly the same word mistyped.
	const longest = Math.max(a.length, b.length);
	let same = 0;
	for (const char of new Set(a)) if (b.includes(char)) same++;
	return same >= Math.min(a.length, b.length) / 2 && Math.abs(a.length - b.length) <= Math.max(2, longest / 3);
};

const knownKeysAt = (path: readonly PropertyKey[]): string[] => {
	if (path.length === 0) return FRONT_MATTER_KEYS;
	if (path[0] === 'requires') return REQUIRES_KEYS;
	if (path[0] === 'inputs' && path.length === 2) return INPUT_KEYS;
	return [];
};

const reportSchemaIssues = (ctx: Context, error: z.ZodError) => {
	for (const issue of error.issues) {
		if (issue.code === 'unrecognized_keys') {
			const known = knownKeysAt(issue.path);
			const where = issue.path.length === 0 ? 'front matter' : `"${pathText(issue.path)}"`;
			for (const key of issue.keys) {
				report(ctx, offsetOf(nodeAt(ctx, issue.path, key)), 'unknown-key', `unknown key "${key}" in ${where}${suggest(key, known)}; known keys: ${known.join(', ')}`);
			}
			continue;
		}
		const last = issue.path.at(-1);
		const parentPath = issue.path.slice(0, -1);
		// A missing key is reported at its parent mapping; a bad value at the value.
		const node = nodeAt(ctx, issue.path) ?? nodeAt(ctx, parentPath, String(last));
		let message = issue.message;
		if (issue.code === 'invalid_value' && last === 'type') {
			message = `unknown input type; use one of: ${INPUT_TYPES.join(', ')}`;
		} else if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
			message = `"${String(last)}" is required`;
		}
		report(ctx, offsetOf(node), 'front-matter-schema', `${pathText(issue.path)}: ${message}`);
	}
};

const toInputs = (ctx: Context, fm: FrontMatter): InputSpec[] => {
	const inputs: InputSpec[] = [];
	for (const [name, spec] of Object.entries(fm.inputs ?? {})) {
		const keyNode = nodeAt(ctx, ['inputs'], name);
		const position = positionOf(ctx, offsetOf(keyNode));
		if (!INPUT_NAME.test(name)) {
			report(
				ctx,
				offsetOf(keyNode),
				'bad-input-name',
				`input name "${name}" must be a shell variable name in capitals (A-Z, 0-9, _), e.g. ${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`,
			);
		} else {
			const reserved = reservedInputName(name);
			if (reserved) report(ctx, offsetOf(keyNode), 'reserved-input-name', `input name "${name}" is reserved: ${reserved}; choose another name`);
		}
		inputs.push({
			name,
			type: spec.type,
			prompt: spec.prompt,
			description: spec.description,
			default: spec.default === undefined ? undefined : String(spec.default),
			defaultFrom: spec['default-from'],
			pattern: spec.pattern,
			optional: spec.optional ?? false,
			values: spec.values?.map(String),
			min: spec.min,
			max: spec.max,
			position,
		});
	}
	return inputs;
};

/**
 * @param yamlText the text between the `---` fences
 * @param firstLine the runbook line the YAML text starts on
 */
export const parseFrontMatter = (file: string, yamlText: string, firstLine: number): FrontMatterResult => {
	const lines = new LineCounter();
	// Duplicate keys are found below, in one pass: the yaml package's own check compares each key with every other.
	const doc = parseDocument(yamlText, {lineCounter: lines, prettyErrors: false, uniqueKeys: false});
	const ctx: Context = {file, firstLine, lines, doc, diagnostics: []};
	const empty = {inputs: []};

	if (doc.errors.length > 0) {
		let tooDeep = false;
		for (const error of doc.errors) {
			const offset = error.pos[0];
			if (error.message.includes('Maximum call stack size exceeded')) {
				// Once, not once per level.
				if (!tooDeep) report(ctx, offset, 'yaml-limit', TOO_DEEP);
				tooDeep = true;
				continue;
			}
			const lineText = yamlText.split('\n')[lines.linePos(offset).line - 1] ?? '';
			const tabHint = /^\s*\t/.test(lineText) ? ' (YAML cannot be indented with tabs: use spaces)' : '';
			report(ctx, offset, 'yaml-syntax', `front matter is not valid YAML: ${error.message.split('\n')[0]}${tabHint}`);
		}
		return {meta: empty, diagnostics: ctx.diagnostics};
	}
	let data: unknown;
	try {
		if (!checkKeysAndAliases(ctx)) return {meta: empty, diagnostics: ctx.diagnostics};
		data = doc.toJS({maxAliasCount: MAX_YAML_ALIASES});
	} catch (error) {
		if (error instanceof RangeError) {
			// Deep enough to pass the parser but not what comes after it.
			report(ctx, 0, 'yaml-limit', TOO_DEEP);
		} else if (error instanceof ReferenceError && /excessive alias count/i.test(error.message)) {
			const message = `front matter's YAML aliases (*name) expand to too much data: more than ${MAX_YAML_ALIASES} aliased nodes; write the values out instead`;
			report(ctx, offsetOf(aliasAt(doc, false)), 'yaml-limit', message);
		} else if (error instanceof ReferenceError) {
			// An alias used before its anchor.
			report(ctx, offsetOf(aliasAt(doc, true)), 'yaml-syntax', `front matter is not valid YAML: ${error.message}`);
		} else {
			throw error;
		}
		return {meta: empty, diagnostics: ctx.diagnostics};
	}
	if (data === null || data === undefined) return {meta: empty, diagnostics: ctx.diagnostics};
	if (typeof data !== 'object' || Array.isArray(data)) {
		report(ctx, 0, 'front-matter-not-mapping', 'front matter must be a YAML mapping of keys such as title:, summary:, inputs:');
		return {meta: empty, diagnostics: ctx.diagnostics};
	}
	const parsed = frontMatterSchema.safeParse(data);
	if (!parsed.success) {
		reportSchemaIssues(ctx, parsed.error);
		// Keep what is usable so later rules and the model still see it.
	}
	const fm: FrontMatter = parsed.success ? parsed.data : salvage(data as Record<string, unknown>);

	let every;
	if (fm.every !== undefined) {
		every = parseEvery(String(fm.every));
		if (!every) {
			report(
				ctx,
				offsetOf(nodeAt(ctx, ['every'])),
				'invalid-every',
				`every: "${String(fm.every)}" is not a period; write a whole number and a unit: d (days), w (weeks), m (months), y (years), e.g. 30d, 12w, 6m, 1y`,
			);
		}
	}
	return {
		meta: {
			title: fm.title,
			summary: fm.summary ?? '',
			tags: fm.tags ?? [],
			every,
			requires: {root: fm.requires?.root ?? false, os: fm.requires?.os ?? [], commands: fm.requires?.commands ?? []},
			inputs: parsed.success ? toInputs(ctx, fm) : salvageInputs(ctx, data as Record<string, unknown>),
		},
		diagnostics: ctx.diagnostics,
	};
};

/** The first alias, or with `unresolved` the first one used before any anchor of its name. */
const aliasAt = (doc: Document, unresolved: boolean): YamlNode | undefined => {
	const anchors = new Set<string>();
	let found: YamlNode | undefined;
	visit(doc, {
		Node: (_, node) => {
			if (isAlias(node)) {
				if (unresolved && anchors.has(node.source)) return undefined;
				found = node;
				return visit.BREAK;
			}
			if (node.anchor) anchors.add(node.anchor);
			return undefined;
		},
	});
	return found;
};

/**
 * Reports a key that appears twice in one mapping, and more aliases than
 * allowed; false when there was something to report. One pass over the
 * document, with a set of keys per mapping.
 */
const checkKeysAndAliases = (ctx: Context): boolean => {
	let ok = true;
	let aliases = 0;
	visit(ctx.doc, {
		Map: (_, map) => {
			const seen = new Set<string>();
			for (const pair of map.items) {
				if (!isScalar(pair.key)) continue;
				const key = String(pair.key.value);
				if (seen.has(key)) {
					report(ctx, offsetOf(pair.key), 'yaml-syntax', `front matter is not valid YAML: Map keys must be unique ("${key}" appears twice)`);
					ok = false;
				}
				seen.add(key);
			}
		},
		Alias: (_, node) => {
			aliases++;
			if (aliases === MAX_YAML_ALIASES + 1) {
				report(ctx, offsetOf(node), 'yaml-limit', `front matter uses more than ${MAX_YAML_ALIASES} YAML aliases (*name); write the values out instead`);
				ok = false;
			}
		},
	});
	return ok;
};

/** The parts of an invalid front matter that are individually valid. */
const salvage = (data: Record<string, unknown>): FrontMatter => {
	const out: Record<string, unknown> = {};
	for (const key of ['title', 'summary', 'tags', 'every', 'requires'] as const) {
		const field = frontMatterSchema.shape[key].safeParse(data[key]);
		if (field.success) out[key] = field.data;
	}
	return out as FrontMatter;
};

const salvageInputs = (ctx: Context, data: Record<string, unknown>): InputSpec[] => {
	const raw = data.inputs;
	if (typeof raw !== 'object' || raw === null) return [];
	const valid: Record<string, z.infer<typeof inputSchema>> = {};
	for (const [name, spec] of Object.entries(raw)) {
		const parsed = inputSchema.safeParse(spec);
		if (parsed.success) valid[name] = parsed.data;
	}
	return toInputs(ctx, {inputs: valid});
};
