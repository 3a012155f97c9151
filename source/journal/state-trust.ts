// Whose records these are. As root, the state directory holds what root did
// and what root will trust next (approvals, the journal a resume continues).
// Whoever can change that directory, or anything in it, can forge those
// records and steer root's writes: a link named index.json would make root
// overwrite any file on the system. So, as root, the idea of sshd's
// StrictModes (as trust/file-trust.ts applies it to runbooks) applies to the
// state directory too: it and every directory above it belong to root and no
// one else can write them (a sticky root-owned parent like /tmp is fine), and
// nothing in it is a link or belongs to another user.
//
// Whoever runs Rampart, it never follows a link inside its state directory:
// files are opened with O_NOFOLLOW and judged by fstat on the open descriptor
// (type, owner, link count), directories are made with mkdir (which never
// follows) and judged the same way. This module only judges; state-dir.ts
// opens and creates.

import fs from 'node:fs';
import path from 'node:path';

export interface StateDirProblem {
	/** The file or directory at fault. */
	path: string;
	/** One sentence for the operator: what is wrong and how to fix it. */
	message: string;
}

/**
 * The state directory, or something in it, could have been changed by
 * someone other than root (or is a link, which Rampart never follows). The
 * message is for the operator: it names each path at fault and the fix.
 */
export class StateDirError extends Error {
	override name = 'StateDirError';
	/** Exit status for a command refused because of it (3, as for a runbook others could change). */
	readonly exitCode = 3;

	constructor(
		readonly stateDir: string,
		readonly problems: readonly StateDirProblem[],
	) {
		super(
			problems.length === 1
				? problems[0]!.message
				: `refusing to keep records in ${stateDir}: other users could change them:\n${problems.map(p => `  ${p.message}`).join('\n')}`,
		);
	}
}

const GROUP_OR_OTHER_WRITE = 0o022;
const S_ISVTX = 0o1000;

/** The strict rules (owners, modes, link counts) hold as root; links are refused for everyone. */
export const runningAsRoot = (): boolean => process.geteuid?.() === 0;

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

let passwd: Map<number, string> | undefined;
let groups: Map<number, string> | undefined;

const namesFrom = (file: string): Map<number, string> => {
	const names = new Map<number, string>();
	try {
		for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
			const [name, , id] = line.split(':');
			if (name && id && /^\d+$/.test(id) && !names.has(Number(id))) names.set(Number(id), name);
		}
	} catch {
		// No names to be had: uids alone still say who.
	}
	return names;
};

/** `nobody (uid 65534)`, or `uid 1234` for a uid without a name. */
export const describeUid = (uid: number): string => {
	passwd ??= namesFrom('/etc/passwd');
	const name = passwd.get(uid);
	return name ? `${name} (uid ${uid})` : `uid ${uid}`;
};

const describeWriters = (mode: number, gid: number): string => {
	if ((mode & 0o002) !== 0) return 'every user';
	groups ??= namesFrom('/etc/group');
	const name = groups.get(gid);
	return name ? `the group ${name} (gid ${gid})` : `the group gid ${gid}`;
};

const readLink = (file: string): string => {
	try {
		return fs.readlinkSync(file);
	} catch {
		return '?';
	}
};

const ELSEWHERE = "or set RAMPART_HOME to a directory of root's";

// --- Problems, worded for the operator ------------------------------------------

export const linkProblem = (file: string): StateDirProblem => ({
	path: file,
	message: `${file} is a symbolic link (to ${readLink(file)}); Rampart never follows a link in its state directory, so it could not be sure where it writes: check who made it, then remove it (rm ${file})`,
});

const notDirectoryProblem = (dir: string): StateDirProblem => ({
	path: dir,
	message: `${dir} is not a directory; Rampart keeps its records in directories of its own: check who made it, then remove it`,
});

const notFileProblem = (file: string): StateDirProblem => ({
	path: file,
	message: `${file} is not a regular file; Rampart's records are plain files: check who made it, then remove it`,
});

const ownerInsideProblem = (file: string, uid: number): StateDirProblem => ({
	path: file,
	message: `${file} is owned by ${describeUid(uid)}, not root, so that user could change Rampart's records; as root, Rampart uses only root's files in its state directory: check who made it, then remove it or chown -R root:root ${file}`,
});

const writableInsideProblem = (dir: string, mode: number, gid: number): StateDirProblem => ({
	path: dir,
	message: `${dir} is writable by ${describeWriters(mode, gid)} (mode ${octal(mode)}), so others could change Rampart's records or put links in it; fix: chmod 700 ${dir}`,
});

const hardLinkProblem = (file: string, links: number): StateDirProblem => ({
	path: file,
	message: `${file} has ${links} names (hard links); Rampart's record files have one, so writing it could change another file: check what else links to it, then remove it`,
});

const stateDirOwnerProblem = (dir: string, uid: number): StateDirProblem => ({
	path: dir,
	message: `${dir} is owned by ${describeUid(uid)}; as root, Rampart keeps its records only in a directory owned by root: chown root:root ${dir}, ${ELSEWHERE}`,
});

const stateDirWritableProblem = (dir: string, mode: number, gid: number): StateDirProblem => ({
	path: dir,
	message: `${dir} is writable by ${describeWriters(mode, gid)} (mode ${octal(mode)}); as root, Rampart keeps its records only in a directory no one else can write: chmod 700 ${dir}, ${ELSEWHERE}`,
});

const parentOwnerProblem = (dir: string, uid: number): StateDirProblem => ({
	path: dir,
	message: `${dir} is owned by ${describeUid(uid)}, so that user could replace the state directory inside it; as root, Rampart keeps its records only below directories of root's: set RAMPART_HOME to a directory of root's (or chown root ${dir})`,
});

const parentWritableProblem = (dir: string, mode: number, gid: number): StateDirProblem => ({
	path: dir,
	message: `${dir} is writable by ${describeWriters(mode, gid)} (mode ${octal(mode)}), so others could replace the state directory inside it: chmod go-w ${dir} (or chmod +t ${dir}), ${ELSEWHERE}`,
});

const linkOwnerProblem = (link: string, uid: number): StateDirProblem => ({
	path: link,
	message: `${link} is a symbolic link owned by ${describeUid(uid)}, who could point it elsewhere; as root, Rampart follows only root's links on the way to its state directory: ${ELSEWHERE}`,
});

const uncheckable = (file: string, error: unknown): StateDirProblem => ({
	path: file,
	message: `cannot check ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
});

// --- Judging what was opened ------------------------------------------------------

/**
 * What is wrong with a record file as opened (without following a link):
 * not a regular file; as root, also another user's, or (when `writing`) a
 * file with more than one name.
 */
export const openedFileProblem = (file: string, info: fs.Stats, writing: boolean): StateDirProblem | undefined => {
	if (!info.isFile()) return notFileProblem(file);
	if (!runningAsRoot()) return undefined;
	if (info.uid !== 0) return ownerInsideProblem(file, info.uid);
	if (writing && info.nlink > 1) return hardLinkProblem(file, info.nlink);
	return undefined;
};

/**
 * What is wrong with a directory inside the state directory, as opened
 * without following a link: not a directory; as root, another user's or
 * writable by others.
 */
export const openedDirProblem = (dir: string, info: fs.Stats): StateDirProblem | undefined => {
	if (!info.isDirectory()) return notDirectoryProblem(dir);
	if (!runningAsRoot()) return undefined;
	if (info.uid !== 0) return ownerInsideProblem(dir, info.uid);
	if ((info.mode & GROUP_OR_OTHER_WRITE) !== 0) return writableInsideProblem(dir, info.mode, info.gid);
	return undefined;
};

/** The StateDirError for an errno from an O_NOFOLLOW open, or undefined when it is an ordinary error. */
export const refusedOpen = (stateDir: string, file: string, error: unknown): StateDirError | undefined => {
	const code = (error as NodeJS.ErrnoException).code;
	// O_NOFOLLOW on a link: ELOOP. O_DIRECTORY on something else: ENOTDIR.
	if (code === 'ELOOP') return new StateDirError(stateDir, [linkProblem(file)]);
	if (code === 'ENOTDIR') {
		try {
			if (fs.lstatSync(file).isSymbolicLink()) return new StateDirError(stateDir, [linkProblem(file)]);
		} catch {
			return undefined;
		}
		return new StateDirError(stateDir, [notDirectoryProblem(file)]);
	}
	return undefined;
};

// --- The state directory as a whole (as root) ------------------------------------

/** The directories above `dir`, nearest first, up to `/`. */
const ancestors = (dir: string): string[] => {
	const found: string[] = [];
	for (let current = path.dirname(dir); ; current = path.dirname(current)) {
		found.push(current);
		if (path.dirname(current) === current) break;
	}
	return found;
};

/**
 * `start` and every directory above it (stat: as the way leads). `start` is
 * the state directory itself when `isStateDir`, else the nearest existing
 * directory above where it will be made.
 */
const chainProblems = (start: string, isStateDir: boolean): StateDirProblem[] => {
	const problems: StateDirProblem[] = [];
	const check = (dir: string) => {
		let info: fs.Stats;
		try {
			info = fs.statSync(dir);
		} catch (error) {
			problems.push(uncheckable(dir, error));
			return;
		}
		if (isStateDir && dir === start) {
			if (!info.isDirectory()) problems.push(notDirectoryProblem(dir));
			else if (info.uid !== 0) problems.push(stateDirOwnerProblem(dir, info.uid));
			else if ((info.mode & GROUP_OR_OTHER_WRITE) !== 0) problems.push(stateDirWritableProblem(dir, info.mode, info.gid));
			return;
		}
		if (info.uid !== 0) problems.push(parentOwnerProblem(dir, info.uid));
		// Others may add to a root-owned sticky directory (/tmp), but not rename or remove what is not theirs.
		else if ((info.mode & GROUP_OR_OTHER_WRITE) !== 0 && (info.mode & S_ISVTX) === 0) problems.push(parentWritableProblem(dir, info.mode, info.gid));
	};
	check(start);
	for (const dir of ancestors(start)) check(dir);
	return problems;
};

/** Links on the given way that another user could point elsewhere. */
const foreignLinks = (stateDir: string): StateDirProblem[] => {
	const problems: StateDirProblem[] = [];
	for (const entry of [stateDir, ...ancestors(stateDir)]) {
		try {
			const info = fs.lstatSync(entry);
			if (info.isSymbolicLink() && info.uid !== 0) problems.push(linkOwnerProblem(entry, info.uid));
		} catch {
			// Not there (yet): nothing to follow.
		}
	}
	return problems;
};

/** Directories whose entries are judged too: few, and read before anything is decided (approvals, run locks). */
const SCANNED_BELOW: ReadonlySet<string> = new Set(['trust', 'locks']);

/** The directory's own entries, and those of `trust/` and `locks/`. */
const insideProblems = (stateDir: string): StateDirProblem[] => {
	const problems: StateDirProblem[] = [];
	const scan = (dir: string, depth: number) => {
		let names: string[];
		try {
			names = fs.readdirSync(dir);
		} catch (error) {
			problems.push(uncheckable(dir, error));
			return;
		}
		for (const name of names) {
			const entry = path.join(dir, name);
			let info: fs.Stats;
			try {
				info = fs.lstatSync(entry);
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(uncheckable(entry, error));
				continue;
			}
			if (info.isSymbolicLink()) problems.push(linkProblem(entry));
			else if (info.isDirectory()) {
				const problem = openedDirProblem(entry, info);
				if (problem) problems.push(problem);
				else if (depth === 0 && SCANNED_BELOW.has(name)) scan(entry, 1);
			} else {
				const problem = openedFileProblem(entry, info, true);
				if (problem) problems.push(problem);
			}
		}
	};
	scan(stateDir, 0);
	return problems;
};

/**
 * Everything that lets someone other than root change the records in
 * `stateDir` or steer root's writes there; empty when nobody else can. Judged
 * as root: the directory itself, every directory above it (as given and as it
 * really is), any link on the way, and what is in it: its own entries, and
 * those of `trust/` and `locks/`. Deeper entries (journals, logs, log
 * directories, approved copies) are judged when they are opened.
 */
export const stateDirProblems = (stateDir: string): StateDirProblem[] => {
	const given = path.resolve(stateDir);
	let existing = given;
	while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
	const problems = [...foreignLinks(given), ...chainProblems(existing, existing === given)];
	let real: string | undefined;
	try {
		real = fs.realpathSync(existing);
	} catch {
		real = undefined;
	}
	if (real !== undefined && real !== existing) problems.push(...chainProblems(real, existing === given));
	if (problems.length === 0 && existing === given) problems.push(...insideProblems(given));
	// The same directory can turn up on both ways; say each thing once.
	const seen = new Set<string>();
	return problems.filter(p => {
		if (seen.has(p.message)) return false;
		seen.add(p.message);
		return true;
	});
};

/** As root, throws a StateDirError unless only root can change the records in `stateDir`. */
export const assertStateDirTrusted = (stateDir: string): void => {
	if (!runningAsRoot()) return;
	const problems = stateDirProblems(stateDir);
	if (problems.length > 0) throw new StateDirError(path.resolve(stateDir), problems);
};
