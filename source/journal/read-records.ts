// Reading run records without reading them whole: a journal's first and last
// events (what a listing needs), and the lines of a step log (what the log
// view and the report's excerpts need). The one reader of these files
// outside the journal's own verify.

import {closeSync, fstatSync, readSync, type Stats} from 'node:fs';
import path from 'node:path';
import type {LogRef, RunEvent, RunOutcome} from '../types/events.js';
import {journalPath} from './layout.js';
import {openRecordForReading} from './state-dir.js';

/** Whose run it is and how it ended: all a listing needs of a finished run. */
export interface RunHead {
	runId: string;
	runbookId: string;
	outcome?: RunOutcome;
	finishedAt?: string;
	/** The runbook's cadence when the run started, e.g. `90d`. */
	every?: string;
	/** A run on another host over SSH: the host's name, and the fleet run it belongs to. */
	host?: string;
	fleet?: string;
}

/** Reads of step logs: big files, read from the end. */
const CHUNK = 64 * 1024;
/**
 * Reads of a journal's first and last lines: run-started is a few KB and
 * run-finished a few hundred bytes, so a listing reads about 8 KiB of each
 * journal however long the run was.
 */
const HEAD_CHUNK = 8 * 1024;

const withFile = <T>(file: string, read: (fd: number, stats: Stats) => T): T => {
	const fd = openRecordForReading(file);
	try {
		return read(fd, fstatSync(fd));
	} finally {
		closeSync(fd);
	}
};

const readAt = (fd: number, position: number, length: number): Buffer => {
	const buffer = Buffer.alloc(length);
	const got = readSync(fd, buffer, 0, length, position);
	return buffer.subarray(0, got);
};

/** The first line, read in chunks until its newline (run-started can be large). */
const firstLine = (fd: number, size: number): string | undefined => {
	const parts: Buffer[] = [];
	for (let position = 0; position < size; position += HEAD_CHUNK) {
		const chunk = readAt(fd, position, Math.min(HEAD_CHUNK, size - position));
		const end = chunk.indexOf(0x0a);
		if (end !== -1) return Buffer.concat([...parts, chunk.subarray(0, end)]).toString('utf8');
		parts.push(chunk);
	}
	return undefined; // no newline: the line was never completely written
};

/**
 * The last complete line. Anything after the final newline is a torn line
 * (a crash while writing it): it was never an event, the same rule as
 * readJournal's 'torn-tail'.
 */
const lastLine = (fd: number, size: number): string | undefined => {
	let tail = Buffer.alloc(0);
	for (let end = size; end > 0;) {
		const start = Math.max(0, end - HEAD_CHUNK);
		tail = Buffer.concat([readAt(fd, start, end - start), tail]);
		end = start;
		const lastNewline = tail.lastIndexOf(0x0a);
		if (lastNewline === -1) continue;
		const before = tail.lastIndexOf(0x0a, lastNewline - 1);
		if (before !== -1 || start === 0) return tail.subarray(before + 1, lastNewline).toString('utf8');
	}
	return undefined;
};

const headOf = (runId: string, fd: number, size: number): RunHead | undefined => {
	const head = firstLine(fd, size);
	const tail = lastLine(fd, size);
	if (head === undefined || tail === undefined) return undefined;
	try {
		const first = JSON.parse(head) as RunEvent;
		const last = JSON.parse(tail) as RunEvent;
		if (first.type !== 'run-started' || typeof first.runbook?.id !== 'string') return undefined;
		return {
			runId,
			runbookId: first.runbook.id,
			...(typeof first.runbook.every === 'string' ? {every: first.runbook.every} : {}),
			...(typeof first.target?.host === 'string' ? {host: first.target.host} : {}),
			...(typeof first.target?.fleet === 'string' ? {fleet: first.target.fleet} : {}),
			...(last.type === 'run-finished' ? {outcome: last.outcome, finishedAt: last.time} : {}),
		};
	} catch {
		return undefined;
	}
};

/**
 * The first and last events of a journal, without hashing or folding the
 * rest. Undefined for a journal that is not a run (or not one yet: its first
 * line is still being written).
 */
export const readRunHead = (stateDir: string, runId: string): RunHead | undefined => {
	try {
		return withFile(journalPath(stateDir, runId), (fd, stats) => headOf(runId, fd, stats.size));
	} catch {
		return undefined;
	}
};

/** What a journal file looked like when it was read: a later append or replacement changes it. */
export interface JournalStamp {
	size: number;
	mtimeMs: number;
	ino: number;
	/** Creation time (mtime where the file system has none): orders runs started in the same second. */
	born: number;
}

export const stampOf = (stats: Stats): JournalStamp => ({size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino, born: stats.birthtimeMs || stats.mtimeMs});

/**
 * A journal's head together with the stamp of the file it was read from,
 * taken before reading: an append after the stamp makes the stamp stale,
 * never the head. Undefined when the journal cannot be opened (gone).
 */
export const readRunHeadStamped = (stateDir: string, runId: string): {head?: RunHead; stamp: JournalStamp} | undefined => {
	try {
		return withFile(journalPath(stateDir, runId), (fd, stats) => {
			const head = headOf(runId, fd, stats.size);
			return {...(head ? {head} : {}), stamp: stampOf(stats)};
		});
	} catch {
		return undefined;
	}
};

export interface LogLines {
	lines: string[];
	/** Lines before the first one returned. */
	omitted: number;
	/** The file could not be read; `error` says why. */
	error?: string;
}

/**
 * The last `max` lines of a step log (all of them when `max` is not given),
 * read from the end in chunks so a huge log costs only what is kept.
 */
export const readLogLines = (stateDir: string, log: LogRef, max = Number.POSITIVE_INFINITY): LogLines => {
	try {
		return withFile(path.join(stateDir, log.path), (fd, {size}) => {
			const chunks: Buffer[] = [];
			let newlines = 0;
			let start = size;
			// Read back until there are more line ends than lines wanted.
			while (start > 0 && newlines <= max) {
				const from = Math.max(0, start - CHUNK);
				const chunk = readAt(fd, from, start - from);
				for (const byte of chunk) if (byte === 0x0a) newlines++;
				chunks.unshift(chunk);
				start = from;
			}
			const bytes = Buffer.concat(chunks);
			// Reading stopped before the file's start: its first line is partial.
			const cut = start > 0 ? bytes.indexOf(0x0a) + 1 : 0;
			const text = bytes.subarray(cut).toString('utf8');
			const whole = text === '' ? [] : (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
			const kept = whole.length > max ? whole.slice(whole.length - max) : whole;
			const linesBefore = start > 0 ? countLines(fd, start + cut) : 0;
			return {lines: kept, omitted: linesBefore + whole.length - kept.length};
		});
	} catch (error) {
		return {lines: [], omitted: 0, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message};
	}
};

/** Newlines in the first `end` bytes. */
const countLines = (fd: number, end: number): number => {
	let count = 0;
	for (let position = 0; position < end; position += CHUNK) {
		for (const byte of readAt(fd, position, Math.min(CHUNK, end - position))) if (byte === 0x0a) count++;
	}
	return count;
};
