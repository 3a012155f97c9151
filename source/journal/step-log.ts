// One step attempt's output on disk. Output can arrive in floods of tiny
// lines, so writes are buffered in memory and hashed as they go: finish()
// never has to read the file back.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {LOG_NOTE_PREFIX, type LogRef} from '../types/events.js';
import type {StepLog} from './types.js';
import {fsyncDir, fsyncDirInBackground, fsyncInBackground, openPrivateFile, writeAll} from './state-dir.js';

export const DEFAULT_MAX_LOG_BYTES = 64 * 1024 * 1024;
const FLUSH_AT_BYTES = 64 * 1024;

export function truncationNotice(maxBytes: number): string {
	return `[rampart: log truncated at ${maxBytes} bytes]\n`;
}

export class FileStepLog implements StepLog {
	readonly relativePath: string;
	readonly #absolutePath: string;
	readonly #maxBytes: number;
	readonly #hash = crypto.createHash('sha256');
	#fd: number | undefined;
	#pending: Buffer[] = [];
	#pendingBytes = 0;
	/** Bytes of output accepted so far, toward the limit. */
	#outputBytes = 0;
	/** Bytes handed to the file (or pending), including the truncation notice. */
	#fileBytes = 0;
	/** How much of the file an fsync has made durable (flushDurably). */
	#durableBytes = -1;
	#lastByte: number | undefined;
	#truncated = false;
	#ref: LogRef | undefined;
	#namePersisted = false;
	#persistingName: Promise<void> | undefined;

	/** Creates the file (never overwrites one); its directory must exist. */
	constructor(stateDir: string, relativePath: string, maxBytes: number = DEFAULT_MAX_LOG_BYTES) {
		this.relativePath = relativePath;
		this.#absolutePath = path.join(stateDir, relativePath);
		this.#maxBytes = maxBytes;
		this.#fd = openPrivateFile(this.#absolutePath, 'wx');
	}

	write(text: string): void {
		if (this.#ref) {
			throw new Error(`log ${this.relativePath} is already finished`);
		}

		if (this.#truncated || text === '') {
			return;
		}

		let data = Buffer.from(text, 'utf8');
		const room = this.#maxBytes - this.#outputBytes;
		if (data.length > room) {
			data = data.subarray(0, utf8Boundary(data, room));
			this.#push(data);
			const notice = truncationNotice(this.#maxBytes);
			this.#push(Buffer.from(this.#lastByte === undefined || this.#lastByte === 0x0a ? notice : '\n' + notice));
			this.#truncated = true;
		} else {
			this.#push(data);
		}

		this.#outputBytes += data.length;
		if (this.#pendingBytes >= FLUSH_AT_BYTES) {
			this.#flush();
		}
	}

	note(text: string): void {
		const fresh = this.#lastByte === undefined || this.#lastByte === 0x0a;
		this.write(`${fresh ? '' : '\n'}${LOG_NOTE_PREFIX} ${text}\n`);
	}

	finish(): LogRef {
		if (this.#ref) {
			return this.#ref;
		}

		const fd = this.#requireFd();
		this.#flush();
		if (this.#durableBytes !== this.#fileBytes) fs.fsyncSync(fd);
		fs.closeSync(fd);
		this.#fd = undefined;
		// The journal will point at this file: its name must survive a power cut too.
		if (!this.#namePersisted) fsyncDir(path.dirname(this.#absolutePath));
		this.#namePersisted = true;
		this.#ref = {
			path: this.relativePath.split(path.sep).join('/'),
			sha256: this.#hash.digest('hex'),
			bytes: this.#fileBytes,
			...(this.#truncated ? {truncated: true} : {}),
		};
		return this.#ref;
	}

	async flushDurably(): Promise<void> {
		const fd = this.#requireFd();
		this.#flush();
		const upTo = this.#fileBytes;
		await fsyncInBackground(fd);
		this.#durableBytes = Math.max(this.#durableBytes, upTo);
	}

	persistName(): Promise<void> {
		this.#persistingName ??= fsyncDirInBackground(path.dirname(this.#absolutePath)).then(() => {
			this.#namePersisted = true;
		});
		return this.#persistingName;
	}

	#push(data: Buffer): void {
		if (data.length === 0) {
			return;
		}

		this.#pending.push(data);
		this.#pendingBytes += data.length;
		this.#fileBytes += data.length;
		this.#lastByte = data.at(-1);
	}

	#flush(): void {
		if (this.#pendingBytes === 0) {
			return;
		}

		const data = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
		this.#pending = [];
		this.#pendingBytes = 0;
		this.#hash.update(data);
		writeAll(this.#requireFd(), data);
	}

	#requireFd(): number {
		if (this.#fd === undefined) {
			throw new Error(`log ${this.relativePath} is closed`);
		}

		return this.#fd;
	}
}

/** The largest length <= limit that does not cut a UTF-8 character in two. */
function utf8Boundary(data: Buffer, limit: number): number {
	if (limit <= 0) {
		return 0;
	}

	let end = limit;
	// Back up over continuation bytes (10xxxxxx) to the start of the character.
	while (end > 0 && (data[end]! & 0xc0) === 0x80) {
		end--;
	}

	return end;
}
