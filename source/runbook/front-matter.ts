// Front matter: YAML parsed with positions, validated by a schema, turned into
// `RunbookMeta`. Every message points at the key or value that caused it.

import {isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode} from 'yaml';
import {z} from 'zod';
import {closest} from 'fastest-levenshtein';
import {INPUT_TYPES, type Diagnostic, type InputSpec, type Position, type RunbookMeta} from './model.js';
import {parseEvery} from './duration.js';

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

/** Names the shell, the dynamic loader or Rampart itself give a meaning to. */
const RESERVED_INPUT = /^(PATH|HOME|IFS|ENV|BASH_ENV|BASHOPTS|SHELLOPTS|PS4|CDPATH|GLOBIGNORE|LD_.*|RAMPART_.*|BASH_.*)$/;
export const INPUT_NAME = /^[A-Z][A-Z0-9_]*$/;

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

/** The node at a path, or the key node when `key` is set. */
const nodeAt = (ctx: Context, path: readonly PropertyKey[], key?: string): YamlNode | undefined => {
	const parent = path.length === 0 ? ctx.doc.contents : ctx.doc.getIn(path as unknown[], true);
	if (key !== undefined && isMap(parent)) {
		const pair = parent.items.find(item => isPair(item) && isScalar(item.key) && String(item.key.value) === key);
		if (pair && isScalar(pair.key)) return pair.key;
	}
	return (parent as YamlNode | undefined) ?? undefined;
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
		} else if (RESERVED_INPUT.test(name)) {
			report(ctx, offsetOf(keyNode), 'reserved-input-name', `input name "${name}" is reserved: the shell, the loader or Rampart gives it a meaning; choose another name`);
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
	const doc = parseDocument(yamlText, {lineCounter: lines, prettyErrors: false, uniqueKeys: true});
	const ctx: Context = {file, firstLine, lines, doc, diagnostics: []};
	const empty = {inputs: []};

	if (doc.errors.length > 0) {
		for (const error of doc.errors) {
			const offset = error.pos[0];
			const lineText = yamlText.split('\n')[lines.linePos(offset).line - 1] ?? '';
			const tabHint = /^\s*\t/.test(lineText) ? ' (YAML cannot be indented with tabs: use spaces)' : '';
			report(ctx, offset, 'yaml-syntax', `front matter is not valid YAML: ${error.message.split('\n')[0]}${tabHint}`);
		}
		return {meta: empty, diagnostics: ctx.diagnostics};
	}
	const data: unknown = doc.toJS();
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
