// A step's full log as a document of display lines, for a view that pages
// through it, searches it and jumps to errors, at any size: the files are
// scanned once in 1 MiB reads and never held whole. A display line ends at a
// newline or after PIECE bytes, so a 20 MB line without a newline becomes
// about 320 display lines. The rule "a line starting at byte p ends at
// min(next newline, p + PIECE)" gives the same lines from any start, so a
// sparse index (the byte offset of every 64th line) finds any line: seek to
// its mark, read that block of lines. A step has one log per attempt; they
// are shown one after the other.

import fs from 'node:fs';
import {renderLine} from './terminal-text.js';
import {LOG_NOTE_PREFIX} from '../types/events.js';

/** The longest display line, in bytes: longer lines are cut into pieces of this size. */
export const PIECE = 64 * 1024;
/** One index mark every BLOCK display lines. */
const BLOCK = 64;
const READ = 1024 * 1024;
/** Blocks kept decoded: a screen and the ones beside it (at most 4 MiB each). */
const CACHED_BLOCKS = 4;
const NEWLINE = 0x0a;

export interface LogSource {
	/** The file to read. */
	file: string;
	/** How the file is named to the operator (the path in the state directory). */
	label: string;
}

export interface LogDocumentOptions {
	/** Opens a file for reading and returns its descriptor (the state directory's opener: no links). */
	open?: (file: string) => number;
}

/** One source file: its size when scanned, its display lines and their sparse index. */
interface Part {
	source: LogSource;
	/** Index of the part's first line in the document. */
	first: number;
	count: number;
	size: number;
	/** Byte offset of lines 0, BLOCK, 2·BLOCK, … of this part. */
	marks: Float64Array;
	/** The file could not be read: the part is this one line. */
	problem?: string;
}

const isContinuation = (byte: number | undefined): boolean => byte !== undefined && (byte & 0xc0) === 0x80;
const reasonOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/** Lines that look like something went wrong, as commands usually say it. */
const ERROR_WORDS =
	/\b(?:errors?|fail(?:ed|ure|s)?|fatal|denied|cannot|can't|couldn't|could not|unable to|not found|no such file|permission|traceback|panic(?:ked)?|exception|segmentation fault|aborted)\b/i;
/** apt's `E: …`, npm's `npm ERR! …`. */
const ERROR_MARK = /^\s*E:|\bERR!/;

/** True when a line, as shown, looks like an error report (Rampart's own lines never do). */
export const looksLikeError = (shown: string): boolean => !shown.startsWith(LOG_NOTE_PREFIX) && (ERROR_MARK.test(shown) || ERROR_WORDS.test(shown));

/** The text of a line as shown, without colours: what search and error finding look at. */
const shownText = (raw: string): string => renderLine(raw);

export class LogDocument {
	private readonly parts: Part[];
	private readonly cache = new Map<string, Block>();
	readonly lineCount: number;

	private constructor(
		parts: Part[],
		private readonly open: (file: string) => number,
	) {
		this.parts = parts;
		this.lineCount = parts.reduce((sum, part) => sum + part.count, 0);
	}

	/** Scans every source once; a file that cannot be read becomes one line saying so, never an exception. */
	static open(sources: readonly LogSource[], options: LogDocumentOptions = {}): LogDocument {
		const open = options.open ?? ((file: string) => fs.openSync(file, 'r'));
		const parts: Part[] = [];
		let first = 0;
		for (const source of sources) {
			const part = scanPart(source, first, open);
			parts.push(part);
			first += part.count;
		}
		return new LogDocument(parts, open);
	}

	/** The raw text (as the command wrote it) of up to `count` lines from `from`. */
	lines(from: number, count: number): string[] {
		const out: string[] = [];
		const end = Math.min(this.lineCount, from + count);
		for (let index = Math.max(0, from); index < end;) {
			const part = this.partOf(index)!;
			const local = index - part.first;
			const block = this.cachedBlock(part, Math.floor(local / BLOCK));
			const start = local % BLOCK;
			const take = Math.min(block.length - start, end - index);
			for (let i = 0; i < take; i++) out.push(block.text(start + i));
			// A block shorter than it should be (the file shrank): the rest are empty lines.
			if (take <= 0) {
				out.push('');
				index++;
			} else index += take;
		}
		return out;
	}

	line(index: number): string {
		return this.lines(index, 1)[0] ?? '';
	}

	/** The first line from `from` (itself included), going `direction`, whose shown text holds `query`, any case. */
	find(query: string, from: number, direction: 1 | -1): number | undefined {
		const wanted = query.toLowerCase();
		if (wanted === '') return undefined;
		return this.scan(from, direction, raw => shownText(raw).toLowerCase().includes(wanted));
	}

	/** The first line from `from` (itself included) that looks like an error. */
	findError(from: number): number | undefined {
		return this.scan(from, 1, raw => looksLikeError(shownText(raw)));
	}

	/** Lines in order from `from`, a block at a time, each file opened once; the cache is left alone. */
	private scan(from: number, direction: 1 | -1, test: (raw: string) => boolean): number | undefined {
		if (this.lineCount === 0 || (from < 0 && direction === -1) || (from >= this.lineCount && direction === 1)) return undefined;
		let index = Math.min(Math.max(0, from), this.lineCount - 1);
		for (let p = this.parts.indexOf(this.partOf(index)!); p >= 0 && p < this.parts.length; p += direction) {
			const part = this.parts[p]!;
			if (part.count === 0) continue;
			if (index < part.first || index >= part.first + part.count) index = direction === 1 ? part.first : part.first + part.count - 1;
			const hit = this.withFile(part, fd => {
				for (let block = Math.floor((index - part.first) / BLOCK); block >= 0 && block < part.marks.length; block += direction) {
					const lines = blockLines(fd, part, block);
					const base = part.first + block * BLOCK;
					for (let i = Math.min(index - base, lines.length - 1); i >= 0 && i < lines.length; i += direction) if (test(lines.text(i))) return base + i;
					index = direction === 1 ? base + BLOCK : base - 1;
				}
				return undefined;
			});
			if (hit !== undefined) return hit;
		}
		return undefined;
	}

	private partOf(index: number): Part | undefined {
		// Few parts (one per attempt): a linear look is enough.
		return this.parts.find(part => index >= part.first && index < part.first + part.count);
	}

	private withFile<T>(part: Part, read: (fd: number | undefined) => T): T {
		if (part.problem !== undefined) return read(undefined);
		let fd: number;
		try {
			fd = this.open(part.source.file);
		} catch (error) {
			part.problem = reasonOf(error);
			return read(undefined);
		}
		try {
			return read(fd);
		} finally {
			fs.closeSync(fd);
		}
	}

	private cachedBlock(part: Part, block: number): Block {
		const key = `${part.first}:${block}`;
		const hit = this.cache.get(key);
		if (hit) {
			// Most recently used last.
			this.cache.delete(key);
			this.cache.set(key, hit);
			return hit;
		}
		const lines = this.withFile(part, fd => blockLines(fd, part, block));
		this.cache.set(key, lines);
		if (this.cache.size > CACHED_BLOCKS) this.cache.delete(this.cache.keys().next().value!);
		return lines;
	}
}

/**
 * The lines of one block: its bytes and where each line is in them, decoded
 * only when asked for (a block of 64 pieces of a long line is 4 MiB, and a
 * screen shows a few of them).
 */
class Block {
	private readonly ranges: number[] = [];
	private readonly texts: Array<string | undefined> = [];

	constructor(private readonly bytes: Buffer) {}

	static of(texts: string[]): Block {
		const block = new Block(Buffer.alloc(0));
		for (const text of texts) {
			block.ranges.push(0, 0);
			block.texts.push(text);
		}
		return block;
	}

	get length(): number {
		return this.texts.length;
	}

	add(from: number, to: number): void {
		this.ranges.push(from, to);
		this.texts.push(undefined);
	}

	text(i: number): string {
		return (this.texts[i] ??= this.bytes.toString('utf8', this.ranges[2 * i], this.ranges[2 * i + 1]));
	}
}

const problemLine = (part: Part, reason: string): string => `${LOG_NOTE_PREFIX} cannot read ${part.source.label}: ${reason}`;

/** A block's lines, or, when its file cannot be read, a line saying so in place of each. */
const blockLines = (fd: number | undefined, part: Part, block: number): Block => {
	const problem = (reason: string) => Block.of(Array.from({length: Math.min(BLOCK, part.count - block * BLOCK)}, () => problemLine(part, reason)));
	if (fd === undefined) return problem(part.problem ?? 'unknown');
	try {
		return readBlock(fd, part, block);
	} catch (error) {
		return problem(reasonOf(error));
	}
};

/** Counts the display lines of one file and marks every BLOCK-th, reading it once in READ-sized pieces. */
const scanPart = (source: LogSource, first: number, open: (file: string) => number): Part => {
	let fd: number;
	try {
		fd = open(source.file);
	} catch (error) {
		return {source, first, count: 1, size: 0, marks: new Float64Array(1), problem: reasonOf(error)};
	}
	try {
		const size = fs.fstatSync(fd).size;
		let marks = new Float64Array(64);
		let count = 0;
		const add = (start: number) => {
			if (count % BLOCK === 0) {
				const slot = count / BLOCK;
				if (slot === marks.length) {
					const grown = new Float64Array(marks.length * 2);
					grown.set(marks);
					marks = grown;
				}
				marks[slot] = start;
			}
			count++;
		};
		const buffer = Buffer.allocUnsafe(Math.min(READ, Math.max(1, size)));
		let lineStart = 0;
		if (size > 0) add(0);
		for (let position = 0; position < size;) {
			const length = fs.readSync(fd, buffer, 0, Math.min(buffer.length, size - position), position);
			if (length <= 0) break;
			const chunk = length === buffer.length ? buffer : buffer.subarray(0, length);
			const end = position + length;
			for (let from = 0; ;) {
				const at = chunk.indexOf(NEWLINE, from);
				const newline = at === -1 ? Infinity : position + at;
				// No newline within PIECE bytes, and the byte after them is here: the line is cut.
				const bound = Math.min(newline, end);
				while (lineStart + PIECE < bound) add((lineStart += PIECE));
				if (at === -1) break;
				lineStart = newline + 1;
				if (lineStart < size) add(lineStart);
				from = at + 1;
			}
			position = end;
		}
		return {source, first, count, size, marks: marks.subarray(0, Math.ceil(count / BLOCK))};
	} catch (error) {
		return {source, first, count: 1, size: 0, marks: new Float64Array(1), problem: reasonOf(error)};
	} finally {
		fs.closeSync(fd);
	}
};

/**
 * The lines of one block, decoded. Its bytes run from its mark to the next
 * (read with the byte before, to tell a cut piece from a new line, and the 3
 * after, to finish a character cut at the last piece's end). A UTF-8
 * character cut by a piece boundary belongs to the piece holding its first byte.
 */
const readBlock = (fd: number, part: Part, block: number): Block => {
	const start = part.marks[block]!;
	const end = block + 1 < part.marks.length ? part.marks[block + 1]! : part.size;
	const base = Math.max(0, start - 1);
	const limit = Math.min(part.size, end + 3);
	const bytes = Buffer.allocUnsafe(limit - base);
	let got = 0;
	while (got < bytes.length) {
		const n = fs.readSync(fd, bytes, got, bytes.length - got, base + got);
		if (n <= 0) break;
		got += n;
	}
	const lines = new Block(bytes);
	const count = Math.min(BLOCK, part.count - block * BLOCK);
	const last = Math.min(part.size, base + got);
	let newline = -1;
	for (let s = start; lines.length < count && s < last;) {
		if (newline < s) {
			const at = bytes.indexOf(NEWLINE, s - base);
			newline = at === -1 || base + at >= last ? Infinity : base + at;
		}
		let contentEnd: number;
		let next: number;
		let cut = false;
		if (newline <= s + PIECE) {
			contentEnd = newline;
			next = newline + 1;
		} else {
			contentEnd = Math.min(s + PIECE, last);
			next = contentEnd;
			cut = contentEnd < part.size;
		}
		let from = s;
		if (s > 0 && bytes[s - 1 - base] !== NEWLINE) while (from < contentEnd && from - s < 3 && isContinuation(bytes[from - base])) from++;
		let to = contentEnd;
		if (cut) while (to < last && to - contentEnd < 3 && isContinuation(bytes[to - base])) to++;
		lines.add(from - base, to - base);
		s = next;
	}
	return lines;
};
