// Who could have changed a runbook before root runs it: the idea of sshd's
// StrictModes. The file and every directory above it must be writable only by
// root or the file's owner, and the file must belong to root or to the person
// running Rampart. Otherwise anyone who can write there can choose what root
// runs next. Both the path as given and its realpath are checked, since a
// symbolic link anywhere on the way leads through directories of its own.

import {realpathSync, statSync, type Stats} from 'node:fs';
import {dirname, resolve} from 'node:path';

export interface FileTrustProblem {
	/** The file or directory at fault. */
	path: string;
	kind: 'writable' | 'owner' | 'unreadable';
	/** One sentence for the operator: what is wrong and the command that fixes it. */
	message: string;
}

export interface FileTrustOptions {
	/** Effective uid Rampart runs with. */
	uid: number;
	/** The person behind it: `$SUDO_UID` under sudo, else `uid`. */
	invokingUid: number;
}

const S_ISVTX = 0o1000;
const GROUP_OR_OTHER_WRITE = 0o022;

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/** The uid of the person who ran Rampart, seen through sudo. */
export const invokingUid = (env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? -1): number => {
	const sudo = env.SUDO_UID;
	// SUDO_UID only means something when sudo actually made us root.
	if (uid === 0 && sudo && /^\d+$/.test(sudo)) return Number(sudo);
	return uid;
};

/** The directories from `path`'s parent up to `/`. */
const parents = (path: string): string[] => {
	const dirs: string[] = [];
	for (let dir = dirname(path); ; dir = dirname(dir)) {
		dirs.push(dir);
		if (dirname(dir) === dir) break;
	}
	return dirs;
};

const checkOne = (path: string, info: Stats, fileOwner: number, isFile: boolean, options: FileTrustOptions): FileTrustProblem[] => {
	const problems: FileTrustProblem[] = [];
	const allowedOwners = isFile ? new Set([0, options.invokingUid]) : new Set([0, fileOwner]);
	if (!allowedOwners.has(info.uid)) {
		const whose = isFile ? 'neither root nor you' : "neither root nor the runbook's owner";
		problems.push({
			path,
			kind: 'owner',
			message: `${path} is owned by uid ${info.uid}, ${whose}, so that user could change what runs; fix: chown root ${path}${isFile ? '' : ' (or move the runbook elsewhere)'}`,
		});
	}
	if ((info.mode & GROUP_OR_OTHER_WRITE) !== 0) {
		// In a sticky directory owned by root (like /tmp) others may add entries
		// but cannot rename or remove the ones they do not own.
		const stickyRoot = !isFile && (info.mode & S_ISVTX) !== 0 && info.uid === 0;
		if (!stickyRoot) {
			const who = (info.mode & 0o002) !== 0 ? 'every user' : `group ${info.gid}`;
			problems.push({
				path,
				kind: 'writable',
				message: `${path} is writable by ${who} (mode ${octal(info.mode)}), so others could change what runs; fix: chmod go-w ${path}`,
			});
		}
	}
	return problems;
};

const checkChain = (file: string, options: FileTrustOptions): FileTrustProblem[] => {
	let info: Stats;
	try {
		info = statSync(file);
	} catch (error) {
		return [{path: file, kind: 'unreadable', message: `cannot check ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`}];
	}
	const problems = checkOne(file, info, info.uid, true, options);
	for (const dir of parents(file)) {
		let dirInfo: Stats;
		try {
			dirInfo = statSync(dir);
		} catch (error) {
			problems.push({path: dir, kind: 'unreadable', message: `cannot check ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`});
			continue;
		}
		problems.push(...checkOne(dir, dirInfo, info.uid, false, options));
	}
	return problems;
};

/**
 * Everything that lets someone other than root or the runbook's owner change
 * the runbook at `path`; empty when nobody else can. Each problem names the
 * path and the fix.
 */
export const checkFileTrust = (path: string, options: FileTrustOptions): FileTrustProblem[] => {
	const given = resolve(path);
	const problems = checkChain(given, options);
	let real: string | undefined;
	try {
		real = realpathSync(given);
	} catch {
		real = undefined;
	}
	if (real && real !== given) problems.push(...checkChain(real, options));
	// The same directory can turn up on both ways; say each thing once.
	const seen = new Set<string>();
	return problems.filter(p => {
		const key = `${p.kind}:${p.path}`;
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
};

/** The refusal shown when root is asked to run an untrusted runbook. */
export const describeFileTrust = (path: string, problems: readonly FileTrustProblem[]): string =>
	`refusing to run ${path} as root: someone other than root or its owner could have changed it; nothing was run:\n${problems.map(p => `  ${p.message}`).join('\n')}`;
