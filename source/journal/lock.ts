// One active run per runbook on this machine. The lock is a file created with
// O_EXCL holding who has it; a holder on this host whose process is gone left
// it stale, and the next run takes it over.
//
// Taking over races: two processes may both find the same stale lock. Each
// renames it aside first (only one rename of a name can succeed) and then
// checks that what it moved is the stale lock it saw; if it moved a fresh lock
// instead, it puts that back. Then both retry the O_EXCL create: one wins.
//
// The same file lock, held for a moment and waited for instead of refused,
// guards read-modify-write updates of shared files (withBriefLock: the
// completion index).

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {ActiveRunHolder} from './types.js';
import {LOCKS, lockPath} from './layout.js';
import {ensurePrivateDir, isErrno, openPrivateFile, openRecordForReading, StateDirError, writeAll} from './state-dir.js';

/** A lock file this old that cannot be read was left by a crash mid-write. */
const UNREADABLE_STALE_MS = 3000;
const RETRY_MS = 25;
const GIVE_UP_MS = 10_000;

export interface RunLock {
	readonly holder: ActiveRunHolder;
	readonly path: string;
	/** Remove the lock file, if it is still ours. */
	release(): void;
}

export interface RunLockStatus extends ActiveRunHolder {
	/** False only when provably gone: same host and no such process. */
	alive: boolean;
}

export class RunAlreadyActiveError extends Error {
	constructor(
		readonly runbookId: string,
		readonly holder: ActiveRunHolder,
	) {
		super(`${runbookId} is already running (pid ${holder.pid} on host ${holder.host} since ${holder.since})`);
		this.name = 'RunAlreadyActiveError';
	}
}

export function acquireRunLock(stateDir: string, runbookId: string, runId: string): RunLock {
	const file = lockPath(stateDir, runbookId);
	ensurePrivateDir(stateDir, LOCKS);
	const holder: ActiveRunHolder = {pid: process.pid, host: os.hostname(), since: new Date().toISOString(), runId};
	const content = JSON.stringify(holder) + '\n';
	const deadline = Date.now() + GIVE_UP_MS;

	for (;;) {
		if (tryCreate(file, content)) {
			return {holder, path: file, release: () => releaseIfOurs(file, runId)};
		}

		const seen = inspect(file);
		if (seen === undefined) {
			continue; // Released between our create and our look: try again.
		}

		if (seen.holder) {
			if (!isStale(seen.holder)) {
				throw new RunAlreadyActiveError(runbookId, seen.holder);
			}

			moveAsideIfStill(file, seen);
		} else if (Date.now() - seen.mtimeMs >= UNREADABLE_STALE_MS) {
			moveAsideIfStill(file, seen);
		} else {
			// Most likely its creator is between open and write: give it a moment.
			sleep(RETRY_MS);
		}

		if (Date.now() > deadline) {
			throw new Error(`could not take the lock ${file}: it keeps changing`);
		}
	}
}

/** Who holds the lock of a runbook, for display; undefined when nobody (or unreadable). */
export function readRunLock(stateDir: string, runbookId: string): RunLockStatus | undefined {
	let seen: SeenLock | undefined;
	try {
		seen = inspect(lockPath(stateDir, runbookId));
	} catch (error) {
		// A link or a foreign file where the lock belongs names no holder; taking the lock refuses it.
		if (error instanceof StateDirError) return undefined;
		throw error;
	}

	if (!seen?.holder) {
		return undefined;
	}

	return {...seen.holder, alive: !isStale(seen.holder)};
}

interface SeenLock {
	raw: string;
	ino: number;
	mtimeMs: number;
	holder: ActiveRunHolder | undefined;
}

function tryCreate(file: string, content: string): boolean {
	let fd: number;
	try {
		fd = openPrivateFile(file, 'wx');
	} catch (error) {
		if (isErrno(error, 'EEXIST')) {
			return false;
		}

		throw error;
	}

	try {
		writeAll(fd, Buffer.from(content));
		fs.fsyncSync(fd);
	} catch (error) {
		fs.closeSync(fd);
		fs.rmSync(file, {force: true});
		throw error;
	}

	fs.closeSync(fd);
	return true;
}

function inspect(file: string): SeenLock | undefined {
	let fd: number;
	try {
		fd = openRecordForReading(file);
	} catch (error) {
		if (isErrno(error, 'ENOENT')) {
			return undefined;
		}

		throw error;
	}

	try {
		// Stat and read the same open file, so the two describe one version of it.
		const stats = fs.fstatSync(fd);
		const raw = fs.readFileSync(fd, 'utf8');
		return {raw, ino: stats.ino, mtimeMs: stats.mtimeMs, holder: parseHolder(raw)};
	} finally {
		fs.closeSync(fd);
	}
}

function parseHolder(raw: string): ActiveRunHolder | undefined {
	try {
		const value = JSON.parse(raw) as Partial<ActiveRunHolder> | null;
		if (
			value &&
			typeof value.pid === 'number' &&
			Number.isSafeInteger(value.pid) &&
			value.pid > 0 &&
			typeof value.host === 'string' &&
			typeof value.since === 'string' &&
			typeof value.runId === 'string'
		) {
			return {pid: value.pid, host: value.host, since: value.since, runId: value.runId};
		}
	} catch {
		// Not JSON: a torn or foreign file names no holder.
	}

	return undefined;
}

/** Stale: held on this host by a process that no longer exists. */
function isStale(holder: ActiveRunHolder): boolean {
	return holder.host === os.hostname() && !isProcessAlive(holder.pid);
}

function isProcessAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		// EPERM: it exists but belongs to someone else.
		return !isErrno(error, 'ESRCH');
	}
}

/** Take a stale lock out of the way, unless it changed since we looked. */
function moveAsideIfStill(file: string, seen: SeenLock): void {
	const aside = path.join(path.dirname(file), `.${path.basename(file)}.stale-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
	try {
		fs.renameSync(file, aside);
	} catch (error) {
		if (isErrno(error, 'ENOENT')) {
			return; // Someone else moved it first.
		}

		throw error;
	}

	const moved = inspect(aside);
	if (moved && (moved.ino !== seen.ino || moved.mtimeMs !== seen.mtimeMs || moved.raw !== seen.raw)) {
		// We moved a lock someone took meanwhile: give it back (link fails rather than overwrite).
		try {
			fs.linkSync(aside, file);
		} catch (error) {
			if (!isErrno(error, 'EEXIST')) {
				throw error;
			}
		}
	}

	fs.rmSync(aside, {force: true});
}

function releaseIfOurs(file: string, runId: string): void {
	const seen = inspect(file);
	if (seen?.holder?.runId === runId) {
		fs.rmSync(file, {force: true});
	}
}

export interface BriefLockOptions {
	/** A lock held this long is taken over even from a live holder (hung, or its pid reused). */
	staleMs: number;
	/** Waiting longer than this throws a LockBusyError. */
	waitMs: number;
}

/** A brief lock stayed taken for longer than the caller would wait. */
export class LockBusyError extends Error {
	constructor(readonly path: string) {
		super(`the lock ${path} stayed taken`);
		this.name = 'LockBusyError';
	}
}

/**
 * Runs `work` holding the lock file `file` (its directory must exist): a
 * lock held for a moment, so a taken one is waited for, not refused. One
 * whose holder is gone, or that is older than `staleMs`, is taken over.
 */
export function withBriefLock<T>(file: string, work: () => T, {staleMs, waitMs}: BriefLockOptions): T {
	const token = `${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
	const holder: ActiveRunHolder = {pid: process.pid, host: os.hostname(), since: new Date().toISOString(), runId: token};
	const content = JSON.stringify(holder) + '\n';
	const deadline = Date.now() + waitMs;
	while (!tryCreate(file, content)) {
		const seen = inspect(file);
		if (seen) {
			const age = Date.now() - seen.mtimeMs;
			const gone = seen.holder ? isStale(seen.holder) : age >= UNREADABLE_STALE_MS;
			if (gone || age >= staleMs) moveAsideIfStill(file, seen);
			else sleep(2 + Math.floor(Math.random() * 8));
		}

		if (Date.now() > deadline) {
			throw new LockBusyError(file);
		}
	}

	try {
		return work();
	} finally {
		releaseIfOurs(file, token);
	}
}

function sleep(ms: number): void {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
