// Runbooks approved by content. A runbook that is not shipped with Rampart
// runs only after the operator has read and approved its exact bytes (by
// SHA-256). A private copy of each approved text is kept, so that when the
// file changes the operator is shown what changed, not the whole file again.
//
// Layout, all 0700/0600 like the rest of the state directory:
//   <stateDir>/trust/approvals.json        every approval, oldest first
//   <stateDir>/trust/content/<sha256>.md   the approved text

import {createHash} from 'node:crypto';
import {closeSync, constants, fstatSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync} from 'node:fs';
import {join, resolve} from 'node:path';
import {createTwoFilesPatch, FILE_HEADERS_ONLY} from 'diff';
import type {Runbook} from '../runbook/model.js';
import type {Operator} from '../types/events.js';
import {ensurePrivateDir, fsyncDir, openPrivateFile, writeAll} from '../journal/state-dir.js';
import {isBundled} from './bundled.js';

export interface Approval {
	/** Real path of the runbook file when it was approved. */
	path: string;
	runbookId: string;
	/** SHA-256 of the file's bytes as approved. */
	sha256: string;
	approvedBy: {user: string; uid: number; host: string};
	/** ISO 8601. */
	approvedAt: string;
	/** SHA-256 of the stored copy of the text, to notice a changed copy. */
	copySha256: string;
}

export type TrustStatus =
	| {kind: 'bundled'}
	| {kind: 'approved'; approval: Approval}
	| {kind: 'new'}
	| {
			kind: 'changed';
			approvedSha: string;
			approval: Approval;
			/**
			 * Unified diff from the approved text to the current one; undefined
			 * when the stored copy is missing or was altered (then show the whole file).
			 */
			diff?: string;
	  };

/** The trust store cannot be relied on; its message says why and what to do. */
export class TrustStoreError extends Error {
	override name = 'TrustStoreError';
}

interface StoreFile {
	version: 1;
	approvals: Approval[];
}

export const trustDir = (stateDir: string) => join(stateDir, 'trust');
const indexFile = (stateDir: string) => join(trustDir(stateDir), 'approvals.json');
const copyFile = (stateDir: string, sha256: string) => join(trustDir(stateDir), 'content', `${sha256}.md`);

const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** The real path when the file exists: approvals follow the file, not the way to it. */
export const canonicalPath = (path: string): string => {
	try {
		return realpathSync(path);
	} catch {
		return resolve(path);
	}
};

/**
 * Reads a store file, refusing one that someone other than us could have
 * written: a forged approval is as good as a changed runbook.
 */
const readPrivate = (file: string): string | undefined => {
	let fd: number;
	try {
		fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
		throw new TrustStoreError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
	}
	try {
		const info = fstatSync(fd);
		const uid = process.getuid?.() ?? info.uid;
		if (info.uid !== uid || (info.mode & 0o022) !== 0) {
			throw new TrustStoreError(
				`${file} is owned by uid ${info.uid} with mode ${(info.mode & 0o777).toString(8)}; approvals are trusted only from a file that only you can write. Check who changed it, then: chown ${uid} ${file} && chmod 600 ${file}`,
			);
		}
		return readFileSync(fd, 'utf8');
	} finally {
		closeSync(fd);
	}
};

export const readApprovals = (stateDir: string): Approval[] => {
	const text = readPrivate(indexFile(stateDir));
	if (text === undefined) return [];
	let data: StoreFile;
	try {
		data = JSON.parse(text) as StoreFile;
	} catch {
		throw new TrustStoreError(`${indexFile(stateDir)} is not valid JSON; move it aside and approve your runbooks again`);
	}
	if (data?.version !== 1 || !Array.isArray(data.approvals)) {
		throw new TrustStoreError(`${indexFile(stateDir)} is not an approvals file this Rampart understands`);
	}
	return data.approvals;
};

/** Writes the whole file beside the old one, then renames it over: never half a file. */
const writeAtomically = (file: string, data: string | Buffer) => {
	const temporary = `${file}.${process.pid}.tmp`;
	rmSync(temporary, {force: true});
	const fd = openPrivateFile(temporary, 'wx');
	try {
		writeAll(fd, Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'));
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
	renameSync(temporary, file);
	fsyncDir(join(file, '..'));
};

/** The latest approval of the file at `path`, if any. */
export const latestApproval = (approvals: readonly Approval[], path: string): Approval | undefined => {
	const canonical = canonicalPath(path);
	return approvals.findLast(a => a.path === canonical);
};

const approvedText = (stateDir: string, approval: Approval): string | undefined => {
	try {
		const text = readPrivate(copyFile(stateDir, approval.sha256));
		return text !== undefined && sha(text) === approval.copySha256 ? text : undefined;
	} catch {
		return undefined;
	}
};

/** Unified diff of the approved text against the runbook as it is now. */
export const diffSinceApproval = (approval: Approval, approved: string, runbook: Runbook): string => {
	const diff = createTwoFilesPatch(`${runbook.path} (approved ${approval.approvedAt})`, `${runbook.path} (now)`, approved, runbook.source, undefined, undefined, {
		context: 3,
		headerOptions: FILE_HEADERS_ONLY,
	});
	// The text is compared after line endings and a BOM are normalised; the approval is of the bytes.
	return diff.includes('\n@@ ') ? diff : `${diff}(no change in the text: only its bytes changed, such as line endings or a byte-order mark)\n`;
};

/** Whether `runbook` (as read, by its bytes' hash) may run, and if not, what changed. */
export const trustStatus = (runbook: Runbook, stateDir: string): TrustStatus => {
	if (isBundled(runbook.path, runbook.sha256)) return {kind: 'bundled'};
	const approval = latestApproval(readApprovals(stateDir), runbook.path);
	if (!approval) return {kind: 'new'};
	if (approval.sha256 === runbook.sha256) return {kind: 'approved', approval};
	const before = approvedText(stateDir, approval);
	return {kind: 'changed', approvedSha: approval.sha256, approval, diff: before === undefined ? undefined : diffSinceApproval(approval, before, runbook)};
};

/** True when the runbook may run without asking. */
export const isTrusted = (status: TrustStatus): boolean => status.kind === 'bundled' || status.kind === 'approved';

/**
 * Records that `operator` approved the runbook's exact content now. The text
 * is kept so that a later change can be shown as a diff against it.
 */
export const approve = (runbook: Runbook, stateDir: string, operator: Pick<Operator, 'user' | 'uid' | 'host'>, now = new Date()): Approval => {
	// Made (or found) without following a link, and as root judged root's alone.
	ensurePrivateDir(stateDir, 'trust', 'content');
	const approvals = readApprovals(stateDir);
	const copy = copyFile(stateDir, runbook.sha256);
	writeAtomically(copy, runbook.source);
	const approval: Approval = {
		path: canonicalPath(runbook.path),
		runbookId: runbook.id,
		sha256: runbook.sha256,
		approvedBy: {user: operator.user, uid: operator.uid, host: operator.host},
		approvedAt: now.toISOString(),
		copySha256: sha(runbook.source),
	};
	const store: StoreFile = {version: 1, approvals: [...approvals, approval]};
	writeAtomically(indexFile(stateDir), `${JSON.stringify(store, null, 2)}\n`);
	return approval;
};

export interface TrustListEntry {
	path: string;
	runbookId: string;
	sha256: string;
	approvedBy: Approval['approvedBy'];
	approvedAt: string;
	/** How the file compares with its latest approval now. */
	now: 'approved' | 'changed' | 'missing';
}

/** The latest approval of each file, with how the file compares with it now. */
export const listApprovals = (stateDir: string): TrustListEntry[] => {
	const latest = new Map<string, Approval>();
	for (const approval of readApprovals(stateDir)) latest.set(approval.path, approval);
	return [...latest.values()].map(a => {
		let now: TrustListEntry['now'];
		try {
			now = statSync(a.path).isFile() && sha(readFileSync(a.path)) === a.sha256 ? 'approved' : 'changed';
		} catch {
			now = 'missing';
		}
		return {path: a.path, runbookId: a.runbookId, sha256: a.sha256, approvedBy: a.approvedBy, approvedAt: a.approvedAt, now};
	});
};
