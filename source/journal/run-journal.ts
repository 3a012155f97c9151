// The append-only, hash-chained journal of one run.
//
// Durability: append() writes the whole line with one write (looped if the
// kernel writes less) and fsyncs before returning, so every event whose
// append() returned survives kill -9 and power loss. An append with
// {sync: false} leaves its fsync to the next one (group commit): written
// lines survive kill -9 at once, and power loss from that next fsync on.
//
// Torn tail: a crash during a write can leave a final line without its
// newline. That line was never acknowledged (append() had not returned), so it
// is not an event: verifyJournal reports it as 'torn-tail', not as tampering,
// and reopenRunJournal truncates it away before appending.

import fs from 'node:fs';
import path from 'node:path';
import type {RunEvent} from '../types/events.js';
import type {JournalLine, RunJournal, StepLog} from './types.js';
import {CHAIN_START, sha256Hex} from './chain.js';
import {journalPath, LOGS, logsDir, RUNS, slugForFileName} from './layout.js';
import {ensurePrivateDir, fsyncDir, fsyncInBackground, isErrno, openPrivateFile, writeAll} from './state-dir.js';
import {DEFAULT_MAX_LOG_BYTES, FileStepLog} from './step-log.js';

export interface RunJournalOptions {
	/** Per-log size limit; output past it is dropped. Default 64 MiB. */
	maxLogBytes?: number;
}

export interface OpenRunJournal extends RunJournal {
	/** Sequence number the next appended event will get. */
	readonly nextSeq: number;
}

export interface ReopenedRunJournal extends OpenRunJournal {
	/** Bytes of a torn final line that were cut off; 0 when the file was whole. */
	readonly removedTornBytes: number;
}

export class JournalCorruptError extends Error {
	constructor(
		readonly path: string,
		detail: string,
	) {
		super(`cannot continue the journal ${path}: ${detail}`);
		this.name = 'JournalCorruptError';
	}
}

/** Start the journal of a new run; fails if it already exists. */
export function createRunJournal(stateDir: string, runId: string, options: RunJournalOptions = {}): OpenRunJournal {
	const file = journalPath(stateDir, runId);
	ensurePrivateDir(stateDir, RUNS);
	const fd = openPrivateFile(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_APPEND);
	return new FileRunJournal({stateDir, runId, file, fd, nextSeq: 1, prev: CHAIN_START, size: 0, newFile: true, options});
}

/**
 * Continue the journal of an existing run (resume): cuts off a torn final
 * line, then carries on the sequence numbers and the hash chain from the last
 * complete line. Does not judge earlier lines; verifyJournal does that.
 */
export function reopenRunJournal(stateDir: string, runId: string, options: RunJournalOptions = {}): ReopenedRunJournal {
	const file = journalPath(stateDir, runId);
	// Judges the way to the journal (no links, as root root's alone); opening judges the file.
	ensurePrivateDir(stateDir, RUNS);
	const fd = openPrivateFile(file, fs.constants.O_RDWR | fs.constants.O_APPEND);
	try {
		const content = readAll(fd);
		const end = content.lastIndexOf(0x0a) + 1;
		const removedTornBytes = content.length - end;
		if (removedTornBytes > 0) {
			fs.ftruncateSync(fd, end);
			fs.fsyncSync(fd);
		}

		let nextSeq = 1;
		let prev = CHAIN_START;
		if (end > 0) {
			// Negative offsets count from the end in lastIndexOf: guard the one-line case.
			const start = end >= 2 ? content.lastIndexOf(0x0a, end - 2) + 1 : 0;
			const lastLine = content.subarray(start, end - 1);
			nextSeq = lastSeqOf(file, lastLine) + 1;
			prev = sha256Hex(lastLine);
		}

		return new FileRunJournal({
			stateDir,
			runId,
			file,
			fd,
			nextSeq,
			prev,
			size: end,
			// An empty file may be one whose creation was never made durable.
			newFile: end === 0,
			options,
			removedTornBytes,
		});
	} catch (error) {
		fs.closeSync(fd);
		throw error;
	}
}

interface JournalState {
	stateDir: string;
	runId: string;
	file: string;
	fd: number;
	nextSeq: number;
	prev: string;
	size: number;
	newFile: boolean;
	options: RunJournalOptions;
	removedTornBytes?: number;
}

class FileRunJournal implements ReopenedRunJournal {
	readonly runId: string;
	readonly path: string;
	readonly removedTornBytes: number;
	readonly #stateDir: string;
	readonly #maxLogBytes: number;
	#fd: number | undefined;
	#nextSeq: number;
	#prev: string;
	#size: number;
	#dirNeedsSync: boolean;
	/** Set when a failed write could not be undone: appending more would bury it mid-file. */
	#broken: Error | undefined;
	#logCounter: number | undefined;
	/** Lines written since the last fsync. */
	#unsynced = false;
	#logsDirReady = false;

	constructor(state: JournalState) {
		this.runId = state.runId;
		this.path = state.file;
		this.removedTornBytes = state.removedTornBytes ?? 0;
		this.#stateDir = state.stateDir;
		this.#maxLogBytes = state.options.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES;
		this.#fd = state.fd;
		this.#nextSeq = state.nextSeq;
		this.#prev = state.prev;
		this.#size = state.size;
		this.#dirNeedsSync = state.newFile;
	}

	get nextSeq(): number {
		return this.#nextSeq;
	}

	append(event: RunEvent, {sync = true}: {sync?: boolean} = {}): void {
		const fd = this.#requireFd();
		if (this.#broken) {
			throw new Error(`journal ${this.path} can no longer be written: ${this.#broken.message}`);
		}

		if (event.runId !== this.runId) {
			throw new Error(`event of run ${event.runId} appended to the journal of run ${this.runId}`);
		}

		// A JournalLine passed back in must not smuggle in its own seq and prev.
		const {seq: _seq, prev: _prev, ...body} = event as Partial<JournalLine> & RunEvent;
		const line = Buffer.from(JSON.stringify({seq: this.#nextSeq, prev: this.#prev, ...body}), 'utf8');
		const data = Buffer.concat([line, Buffer.from('\n')]);
		try {
			writeAll(fd, data);
			if (sync) fs.fsyncSync(fd);
		} catch (error) {
			this.#undoPartialWrite(fd, error);
			throw error;
		}

		if (this.#dirNeedsSync) {
			fsyncDir(path.dirname(this.path));
			this.#dirNeedsSync = false;
		}

		this.#unsynced = !sync;
		this.#size += data.length;
		this.#prev = sha256Hex(line);
		this.#nextSeq++;
	}

	async syncInBackground(): Promise<void> {
		const fd = this.#requireFd();
		if (!this.#unsynced) return;
		const upTo = this.#nextSeq;
		try {
			await fsyncInBackground(fd);
		} catch (error) {
			// Closed meanwhile: close() fsynced what was written (or threw for it).
			if (this.#fd !== fd) return;
			throw error;
		}
		// Lines appended meanwhile were not necessarily covered.
		if (this.#nextSeq === upTo) this.#unsynced = false;
	}

	openLog(step: string, label: string): StepLog {
		this.#requireFd();
		const dir = logsDir(this.#stateDir, this.runId);
		if (!this.#logsDirReady) {
			ensurePrivateDir(this.#stateDir, LOGS, this.runId);
			this.#logsDirReady = true;
		}
		this.#logCounter ??= highestLogNumber(dir);
		const name = `${slugForFileName(step, 'step')}-${slugForFileName(label, 'log')}.log`;
		for (;;) {
			this.#logCounter++;
			const file = `${String(this.#logCounter).padStart(3, '0')}-${name}`;
			const relativePath = path.relative(this.#stateDir, path.join(dir, file));
			try {
				return new FileStepLog(this.#stateDir, relativePath, this.#maxLogBytes);
			} catch (error) {
				// A file with this number exists (e.g. left by a crash): take the next.
				if (!isErrno(error, 'EEXIST')) {
					throw error;
				}
			}
		}
	}

	close(): void {
		if (this.#fd !== undefined) {
			const fd = this.#fd;
			this.#fd = undefined;
			try {
				if (this.#unsynced && !this.#broken) fs.fsyncSync(fd);
			} finally {
				fs.closeSync(fd);
			}
		}
	}

	#undoPartialWrite(fd: number, cause: unknown): void {
		try {
			fs.ftruncateSync(fd, this.#size);
			fs.fsyncSync(fd);
		} catch {
			this.#broken = cause instanceof Error ? cause : new Error(String(cause));
		}
	}

	#requireFd(): number {
		if (this.#fd === undefined) {
			throw new Error(`journal ${this.path} is closed`);
		}

		return this.#fd;
	}
}

function readAll(fd: number): Buffer {
	const {size} = fs.fstatSync(fd);
	const content = Buffer.alloc(size);
	let offset = 0;
	while (offset < size) {
		const read = fs.readSync(fd, content, offset, size - offset, offset);
		if (read === 0) {
			break;
		}

		offset += read;
	}

	return content.subarray(0, offset);
}

function lastSeqOf(file: string, line: Buffer): number {
	let parsed: unknown;
	try {
		parsed = JSON.parse(line.toString('utf8'));
	} catch {
		throw new JournalCorruptError(file, 'its last line is not valid JSON');
	}

	const seq = (parsed as {seq?: unknown} | null)?.seq;
	if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) {
		throw new JournalCorruptError(file, 'its last line has no sequence number');
	}

	return seq;
}

function highestLogNumber(dir: string): number {
	let highest = 0;
	for (const name of fs.readdirSync(dir)) {
		const match = /^(\d+)-/.exec(name);
		if (match) {
			highest = Math.max(highest, Number(match[1]));
		}
	}

	return highest;
}
