// Where Rampart keeps its records, and the rules for everything in it:
// directories are 0700 and files 0600 whatever the umask, because journals and
// logs hold what was done to the server and may quote sensitive output; and
// nothing in it is reached through a link. As root, the directory must also be
// root's alone (state-trust.ts says what that means and words the refusals).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';
import {assertStateDirTrusted, openedDirProblem, openedFileProblem, refusedOpen, runningAsRoot, StateDirError} from './state-trust.js';

export {StateDirError} from './state-trust.js';
export type {StateDirProblem} from './state-trust.js';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

const {O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY} = fs.constants;

/** Root's records, where the FHS keeps a program's state (a .deb's postrm leaves it, as purge documents). */
export const SYSTEM_STATE_DIR = '/var/lib/rampart';

/**
 * Where records are kept when `$RAMPART_HOME` is not set: for root,
 * /var/lib/rampart; for anyone else, the per-user data directory (XDG). A
 * root that already has records in its per-user directory (the default
 * before 0.2) keeps using them until they are moved (`rampart doctor` says
 * how): switching silently would hide every past run and due date.
 */
export function defaultStateDir(uid: number | undefined = process.geteuid?.(), exists: (dir: string) => boolean = fs.existsSync): {dir: string; legacy?: string} {
	const perUser = envPaths('rampart', {suffix: ''}).data;
	if (uid !== 0) return {dir: perUser};
	if (!exists(SYSTEM_STATE_DIR) && exists(perUser)) return {dir: perUser, legacy: perUser};
	return {dir: SYSTEM_STATE_DIR};
}

/**
 * `$RAMPART_HOME` (made absolute) if set, else the default above.
 * As root, throws a StateDirError (its message is for the operator) when
 * someone other than root could change the records there.
 */
export function resolveStateDir(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.geteuid?.()): string {
	const home = env['RAMPART_HOME'];
	const dir = home !== undefined && home !== '' ? path.resolve(home) : defaultStateDir(uid).dir;
	assertStateDirTrusted(dir);
	return dir;
}

/**
 * Makes the state directory `stateDir` (`mkdir -p`) and then, inside it, the
 * directory `inside` names (`ensurePrivateDir(state, 'logs', runId)`);
 * returns the path of the last. Every directory made or used is chmodded 0700
 * (mkdir's mode is filtered by the umask, chmod's is not).
 *
 * Inside the state directory nothing is followed: each directory is made with
 * mkdir (which never follows a link) or found by an O_NOFOLLOW open, and
 * judged on that descriptor. The state directory itself may be reached
 * through links; as root it is judged whole first (assertStateDirTrusted).
 * Throws a StateDirError for a link, a non-directory, or (as root) a
 * directory of another user's or that others can write.
 */
export function ensurePrivateDir(stateDir: string, ...inside: string[]): string {
	const root = path.resolve(stateDir);
	if (runningAsRoot()) {
		// Judged before anything is made (a missing directory by the ones above it), and again once it is there.
		if (!fs.existsSync(root)) assertStateDirTrusted(root);
		makeMissing(root);
		assertStateDirTrusted(root);
	} else {
		makeMissing(root);
	}

	if (!fs.statSync(root).isDirectory()) {
		throw new Error(`${root} exists but is not a directory`);
	}

	fs.chmodSync(root, PRIVATE_DIR_MODE);
	let current = root;
	for (const part of inside.flatMap(name => name.split(path.sep))) {
		if (part === '' || part === '.' || part === '..') {
			throw new Error(`invalid directory name ${JSON.stringify(part)} inside ${root}`);
		}

		current = path.join(current, part);
		makeInside(root, current);
	}

	return current;
}

/** mkdir -p for the state directory's own path, each directory made 0700 and its name made durable. */
function makeMissing(absolute: string): void {
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
			// Another process made it first; it is then theirs to chmod (and, as root, judged next).
			if (!isErrno(error, 'EEXIST')) {
				throw error;
			}

			continue;
		}

		fs.chmodSync(created, PRIVATE_DIR_MODE);
		// A new directory entry is only durable once its parent is synced.
		fsyncDir(path.dirname(created));
	}
}

/** One directory inside the state directory: made, or found as a real directory, never through a link. */
function makeInside(stateDir: string, dir: string): void {
	let created = true;
	try {
		fs.mkdirSync(dir, {mode: PRIVATE_DIR_MODE});
	} catch (error) {
		if (!isErrno(error, 'EEXIST')) {
			throw error;
		}

		created = false;
	}

	let fd: number;
	try {
		fd = fs.openSync(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	} catch (error) {
		throw refusedOpen(stateDir, dir, error) ?? error;
	}

	try {
		const info = fs.fstatSync(fd);
		const problem = created ? undefined : openedDirProblem(dir, info);
		if (problem) {
			throw new StateDirError(stateDir, [problem]);
		}

		if ((info.mode & 0o7777) !== PRIVATE_DIR_MODE) {
			fs.fchmodSync(fd, PRIVATE_DIR_MODE);
		}
	} finally {
		fs.closeSync(fd);
	}

	if (created) {
		fsyncDir(path.dirname(dir));
	}
}

const STRING_FLAGS: Record<string, number> = {
	r: O_RDONLY,
	'r+': O_RDWR,
	w: O_WRONLY | O_CREAT | O_TRUNC,
	wx: O_WRONLY | O_CREAT | O_EXCL,
	a: O_WRONLY | O_CREAT | O_APPEND,
	ax: O_WRONLY | O_CREAT | O_EXCL | O_APPEND,
};

const numericFlags = (flags: fs.OpenMode): number => {
	if (typeof flags === 'number') return flags;
	const numeric = STRING_FLAGS[flags];
	if (numeric === undefined) throw new Error(`unsupported open flags ${JSON.stringify(flags)}`);
	return numeric;
};

/**
 * Opens a file in the state directory without following a link (O_NOFOLLOW;
 * O_NONBLOCK, so a FIFO cannot hang the open) and checks what was opened:
 * a regular file, and as root, root's, with one name when `writing`.
 */
function openRecord(file: string, flags: number, writing: boolean): number {
	let fd: number;
	try {
		fd = fs.openSync(file, flags | O_NOFOLLOW | O_NONBLOCK, PRIVATE_FILE_MODE);
	} catch (error) {
		throw refusedOpen(path.dirname(file), file, error) ?? error;
	}

	try {
		const info = fs.fstatSync(fd);
		if (info.isDirectory()) {
			// What reading a directory by name always said.
			throw Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${file}'`), {code: 'EISDIR', path: file});
		}

		const problem = openedFileProblem(file, info, writing);
		if (problem) {
			throw new StateDirError(path.dirname(file), [problem]);
		}
	} catch (error) {
		fs.closeSync(fd);
		throw error;
	}

	return fd;
}

/**
 * Open (and maybe create) a record file that ends up 0600 whatever the umask
 * and whatever mode an existing file had, never through a link (see
 * openRecord). Returns the fd.
 */
export function openPrivateFile(file: string, flags: fs.OpenMode): number {
	const numeric = numericFlags(flags);
	const fd = openRecord(file, numeric, (numeric & (O_WRONLY | O_RDWR)) !== 0);
	try {
		fs.fchmodSync(fd, PRIVATE_FILE_MODE);
	} catch (error) {
		fs.closeSync(fd);
		throw error;
	}

	return fd;
}

/** Opens a record file for reading, never through a link (see openRecord). */
export function openRecordForReading(file: string): number {
	return openRecord(file, O_RDONLY, false);
}

/** A whole record file, read without following a link. */
export function readRecordFile(file: string): Buffer {
	const fd = openRecordForReading(file);
	try {
		return fs.readFileSync(fd);
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * Replaces `file` with `data` whole: written to a new file beside it
 * (O_EXCL, so never through a link), then renamed over it (a rename replaces
 * a link, never what it points at). With `durable` (the default) the data and
 * the new name are fsynced, so a crash leaves the old file or the new one.
 */
export function writeFileAtomically(file: string, data: string | Buffer, {durable = true}: {durable?: boolean} = {}): void {
	const dir = path.dirname(file);
	const temporary = path.join(dir, `.${path.basename(file)}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`);
	const fd = openPrivateFile(temporary, O_WRONLY | O_CREAT | O_EXCL);
	try {
		try {
			writeAll(fd, Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'));
			if (durable) fs.fsyncSync(fd);
		} finally {
			fs.closeSync(fd);
		}
		fs.renameSync(temporary, file);
	} catch (error) {
		fs.rmSync(temporary, {force: true});
		throw error;
	}

	if (durable) fsyncDir(dir);
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

/** fsync on libuv's thread pool, so the caller can do other work meanwhile. */
export function fsyncInBackground(fd: number): Promise<void> {
	return new Promise((resolve, reject) => fs.fsync(fd, error => (error ? reject(error) : resolve())));
}

/** fsyncDir on libuv's thread pool. */
export async function fsyncDirInBackground(dir: string): Promise<void> {
	// In an async function: a failed open rejects instead of throwing.
	const fd = fs.openSync(dir, 'r');
	try {
		await fsyncInBackground(fd);
	} finally {
		fs.closeSync(fd);
	}
}

export function isErrno(error: unknown, code: string): boolean {
	return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
