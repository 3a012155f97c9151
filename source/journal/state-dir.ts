// Where Rampart keeps its records, and the two rules for everything in it:
// directories are 0700 and files 0600 whatever the umask, because journals and
// logs hold what was done to the server and may quote sensitive output.

import fs from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** `$RAMPART_HOME` (made absolute) if set, else the per-user data directory. */
export function resolveStateDir(env: NodeJS.ProcessEnv = process.env): string {
	const home = env['RAMPART_HOME'];
	if (home !== undefined && home !== '') {
		return path.resolve(home);
	}

	return envPaths('rampart', {suffix: ''}).data;
}

/**
 * `mkdir -p`, then chmod 0700 on every directory created and on `dir` itself:
 * mkdir's mode is filtered by the umask, chmod's is not.
 */
export function ensurePrivateDir(dir: string): void {
	const absolute = path.resolve(dir);
	const missing: string[] = [];
	for (let current = absolute; !fs.existsSync(current); current = path.dirname(current)) {
		missing.unshift(current);
		if (path.dirname(current) === current) {
			break;
		}
	}

	for (const created of missing) {
		try {
			fs.mkdirSync(created, {mode: PRIVATE_DIR_MODE});
		} catch (error) {
			// Another process made it first; it is then theirs to chmod.
			if (!isErrno(error, 'EEXIST')) {
				throw error;
			}

			continue;
		}

		fs.chmodSync(created, PRIVATE_DIR_MODE);
		// A new directory entry is only durable once its parent is synced.
		fsyncDir(path.dirname(created));
	}

	if (!fs.statSync(absolute).isDirectory()) {
		throw new Error(`${absolute} exists but is not a directory`);
	}

	fs.chmodSync(absolute, PRIVATE_DIR_MODE);
}

/**
 * Open (and maybe create) a file that ends up 0600 whatever the umask and
 * whatever mode an existing file had. Returns the fd.
 */
export function openPrivateFile(file: string, flags: fs.OpenMode): number {
	const fd = fs.openSync(file, flags, PRIVATE_FILE_MODE);
	try {
		fs.fchmodSync(fd, PRIVATE_FILE_MODE);
	} catch (error) {
		fs.closeSync(fd);
		throw error;
	}

	return fd;
}

/** Write a whole buffer: writeSync may write less than asked. */
export function writeAll(fd: number, data: Buffer): void {
	let offset = 0;
	while (offset < data.length) {
		offset += fs.writeSync(fd, data, offset, data.length - offset);
	}
}

/** Make the entries of a directory (files created, removed, renamed) durable. */
export function fsyncDir(dir: string): void {
	const fd = fs.openSync(dir, 'r');
	try {
		fs.fsyncSync(fd);
	} finally {
		fs.closeSync(fd);
	}
}

/** fsyncDir on libuv's thread pool, so the caller can do other work meanwhile. */
export function fsyncDirInBackground(dir: string): Promise<void> {
	return new Promise((resolve, reject) => {
		// Inside the executor: a failed open rejects instead of throwing.
		const fd = fs.openSync(dir, 'r');
		fs.fsync(fd, error => {
			fs.closeSync(fd);
			if (error) reject(error);
			else resolve();
		});
	});
}

export function isErrno(error: unknown, code: string): boolean {
	return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
