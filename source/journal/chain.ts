// The hash chain shared by the writer and the verifier: each line records the
// SHA-256 of the previous line's exact bytes (without its newline).

import crypto from 'node:crypto';
import fs from 'node:fs';
import {openRecordForReading} from './state-dir.js';

/** What the first line of a journal records as its `prev`. */
export const CHAIN_START = '0'.repeat(64);

export function sha256Hex(data: Buffer | string): string {
	return crypto.createHash('sha256').update(data).digest('hex');
}

/** SHA-256 and size of a file, read in chunks so big logs don't fill memory. */
export function hashFile(file: string): {sha256: string; bytes: number} {
	const hash = crypto.createHash('sha256');
	const fd = openRecordForReading(file);
	const chunk = Buffer.allocUnsafe(1024 * 1024);
	let bytes = 0;
	try {
		for (;;) {
			const read = fs.readSync(fd, chunk, 0, chunk.length, null);
			if (read === 0) {
				break;
			}

			hash.update(chunk.subarray(0, read));
			bytes += read;
		}
	} finally {
		fs.closeSync(fd);
	}

	return {sha256: hash.digest('hex'), bytes};
}
