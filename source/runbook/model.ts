// The typed model of a parsed runbook. Everything the engine and the front
// ends know about a runbook comes from here; nothing downstream reads Markdown.

import type {Root} from 'mdast';

/** 1-based line and column in the runbook's source file. */
export interface Position {
	line: number;
	column: number;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
	file: string;
	line: number;
	column: number;
	severity: Severity;
	/** Stable rule name, e.g. `unknown-attribute`, so tests and tools can match on it. */
	rule: string;
	message: string;
}

export const INPUT_TYPES = ['string', 'enum', 'boolean', 'integer', 'port', 'ip', 'cidr', 'cidr-list', 'domain', 'email', 'path', 'user', 'secret'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

export interface InputSpec {
	/** The environment variable the value reaches commands as, e.g. `DOMAIN`. */
	name: string;
	type: InputType;
	prompt: string;
	description?: string;
	/** Literal default, as written (validated by type before any run). */
	default?: string;
	/**
	 * Computed default: `ssh-client` (the address in $SSH_CLIENT) or
	 * `env:NAME` (the value of an environment variable of Rampart's process).
	 */
	defaultFrom?: string;
	pattern?: string;
	optional: boolean;
	/** Allowed values for `enum`. */
	values?: string[];
	min?: number;
	max?: number;
	position: Position;
}

export {BLOCK_ROLES, type BlockRole} from '../types/events.js';
import type {BlockRole} from '../types/events.js';

export interface CodeBlock {
	/** Index among the step's blocks (all languages), stable for a given source. */
	index: number;
	lang: string;
	/** True for `sh`/`bash` blocks: the only ones Rampart executes. */
	runnable: boolean;
	role: BlockRole;
	code: string;
	name?: string;
	timeoutMs?: number;
	cwd?: string;
	confirm: boolean;
	interactive: boolean;
	continueOnError: boolean;
	/** `mask-credentials=false` turns off masking of credential-like output for this block. */
	maskCredentials: boolean;
	/**
	 * `finding` on a check: its failure is an audit finding the step cannot fix
	 * (a domain about to expire), so the step ends as needing attention.
	 */
	finding: boolean;
	/**
	 * `idempotent`: running the block again after it was cut off is safe, so a
	 * resumed run may repeat its interrupted step without asking.
	 */
	idempotent: boolean;
	/** Every attribute as written in the info string, for lint and display. */
	attributes: Record<string, string | true>;
	/** Position of the opening fence. */
	position: Position;
	/** Line of the first line of code (fence line + 1). */
	codeLine: number;
}

export interface TaskItem {
	index: number;
	text: string;
	/** Pre-ticked in the source (`- [x]`): still shown, never counted as done for a run. */
	checkedInSource: boolean;
	position: Position;
}

export interface Step {
	index: number;
	/** Slug of the title, unique within the runbook (used in journals and logs). */
	id: string;
	title: string;
	position: Position;
	/** The step's Markdown body (everything below its heading), for rendering. */
	markdown: string;
	blocks: CodeBlock[];
	tasks: TaskItem[];
}

export interface Requires {
	root: boolean;
	/** OS families by /etc/os-release ID or ID_LIKE, e.g. `debian`, `ubuntu`. */
	os: string[];
	commands: string[];
}

export interface Every {
	count: number;
	unit: 'd' | 'w' | 'm' | 'y';
	/** As written, e.g. `90d`. */
	text: string;
}

export interface RunbookMeta {
	title: string;
	summary: string;
	tags: string[];
	every?: Every;
	requires: Requires;
	inputs: InputSpec[];
}

export interface Runbook {
	/** File name without `.md`. */
	id: string;
	/** Absolute path of the file it was read from. */
	path: string;
	/** SHA-256 (hex) of the file's bytes, as read. */
	sha256: string;
	/** The text after BOM removal and line-ending normalisation. */
	source: string;
	meta: RunbookMeta;
	/** Markdown between the front matter and the first step. */
	intro: string;
	steps: Step[];
}

export interface ParseResult {
	/** Present unless the file could not be read as a runbook at all. */
	runbook?: Runbook;
	diagnostics: Diagnostic[];
	/** The Markdown tree the runbook was read from (with `runbook`), so lint never parses it again. */
	tree?: Root;
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean => diagnostics.some(d => d.severity === 'error');
