// Everything a block started, found again to stop it: a process group is not
// enough (`setsid` leaves it, a double fork leaves its parent chain), so each
// block gets, where the kernel and permissions allow, a cgroup of its own,
// and always a marker in its environment that its children inherit. A
// process that sets RAMPART_DETACH=1 in its environment is left running on
// purpose (a firewall's rollback timer must outlive a lost SSH session).

import {mkdirSync, readdirSync, readFileSync, readlinkSync, rmdirSync, writeFileSync} from 'node:fs';
import {writeFile} from 'node:fs/promises';
import path from 'node:path';

export const BLOCK_MARKER = 'RAMPART_BLOCK';
export const DETACH_MARKER = 'RAMPART_DETACH=1';

export interface TreeProcess {
	pid: number;
	command: string;
}

export interface BlockTree {
	/**
	 * Puts the block's shell in the cgroup (before it runs anything). Moving a
	 * process between cgroups is the slowest part of a block's start (1-2 ms,
	 * more on a busy machine), so it is done on libuv's thread pool, beside
	 * the journal's record of the block's start.
	 */
	adopt(pid: number): Promise<void>;
	/** Live processes of the block outside `exceptGroup`, and those that detached on purpose. */
	members(exceptGroup?: number): {running: TreeProcess[]; detached: TreeProcess[]};
	/** Signals every member that did not detach; true when there was one. */
	signal(signal: NodeJS.Signals, exceptGroup?: number): boolean;
	/** Removes the cgroup, moving detached processes out of it first. */
	release(): void;
	/** `cgroup` or `environment`: how members are found (for tests and the log). */
	readonly kind: 'cgroup' | 'environment';
}

const read = (file: string): string | undefined => {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return undefined;
	}
};

interface ProcInfo {
	pid: number;
	pgid: number;
	zombie: boolean;
	command: string;
	environ?: string;
}

const procInfo = (pid: number, withEnviron: boolean): ProcInfo | undefined => {
	const stat = read(`/proc/${pid}/stat`);
	if (!stat) return undefined;
	// Fields after the command (which may hold spaces and parentheses): state ppid pgrp ...
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const cmdline = read(`/proc/${pid}/cmdline`)?.split('\0').filter(Boolean).join(' ');
	return {
		pid,
		pgid: Number(fields[2]),
		zombie: fields[0] === 'Z',
		command: cmdline || stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
		...(withEnviron ? {environ: read(`/proc/${pid}/environ`)} : {}),
	};
};

/** Signals each process; true when there was one to signal. */
const signalAll = (processes: readonly TreeProcess[], signal: NodeJS.Signals): boolean => {
	for (const p of processes) {
		try {
			process.kill(p.pid, signal);
		} catch {
			// gone already
		}
	}
	return processes.length > 0;
};

const detachedIn = (environ: string | undefined) => environ !== undefined && environ.split('\0').includes(DETACH_MARKER);

/** The cgroup v2 directory this process is in, when cgroup2 is mounted (pure v2, or hybrid under /sys/fs/cgroup/unified). */
let ownCgroupCache: {dir: string | undefined} | undefined;
const ownCgroup2 = (): string | undefined => (ownCgroupCache ??= {dir: findOwnCgroup2()}).dir;

const findOwnCgroup2 = (): string | undefined => {
	const line = read('/proc/self/cgroup')
		?.split('\n')
		.find(l => l.startsWith('0::'));
	if (!line) return undefined;
	const mount = read('/proc/self/mountinfo')
		?.split('\n')
		.map(l => l.split(' '))
		.find(f => f[f.indexOf('-') + 1] === 'cgroup2');
	if (!mount) return undefined;
	// mountinfo field 4 is the mount's root within the hierarchy, field 5 where it is mounted.
	const root = mount[3] ?? '/';
	const own = line.slice(3);
	const relative = root === '/' ? own : own.startsWith(root) ? own.slice(root.length) : undefined;
	return relative === undefined ? undefined : path.join(mount[4]!, relative);
};

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** A child cgroup of Rampart's own; undefined where it cannot be made (not root, no cgroup2, read-only). */
const cgroupTree = (token: string): BlockTree | undefined => {
	const parent = ownCgroup2();
	if (!parent) return undefined;
	const dir = path.join(parent, `rampart-${token}`);
	try {
		mkdirSync(dir);
	} catch {
		return undefined;
	}
	const pids = () => (read(path.join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean).map(Number);
	const members = (exceptGroup?: number) => {
		const running: TreeProcess[] = [];
		const detached: TreeProcess[] = [];
		for (const pid of pids()) {
			const info = procInfo(pid, true);
			if (!info || info.zombie || info.pgid === exceptGroup) continue;
			(detachedIn(info.environ) ? detached : running).push({pid, command: info.command});
		}
		return {running, detached};
	};
	return {
		kind: 'cgroup',
		adopt: pid => writeFile(path.join(dir, 'cgroup.procs'), String(pid)),
		members,
		signal: (signal, exceptGroup) => signalAll(members(exceptGroup).running, signal),
		release: () => {
			// Detached processes live on in Rampart's own cgroup; the block's goes.
			for (const pid of pids()) {
				try {
					writeFileSync(path.join(parent, 'cgroup.procs'), String(pid));
				} catch {
					// it ended meanwhile
				}
			}
			for (let tries = 0; tries < 20; tries++) {
				try {
					rmdirSync(dir);
					return;
				} catch {
					sleep(5); // the last members are still being reaped
				}
			}
		},
	};
};

/** Every process whose environment carries the block's marker (/proc, same user or root). */
const environmentTree = (token: string): BlockTree => {
	const marker = `${BLOCK_MARKER}=${token}`;
	const members = (exceptGroup?: number) => {
		const running: TreeProcess[] = [];
		const detached: TreeProcess[] = [];
		let entries: string[] = [];
		try {
			entries = readdirSync('/proc');
		} catch {
			return {running, detached};
		}
		for (const entry of entries) {
			if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
			const environ = read(`/proc/${entry}/environ`);
			if (!environ?.split('\0').includes(marker)) continue;
			const info = procInfo(Number(entry), false);
			if (!info || info.zombie || info.pgid === exceptGroup) continue;
			(detachedIn(environ) ? detached : running).push({pid: info.pid, command: info.command});
		}
		return {running, detached};
	};
	return {
		kind: 'environment',
		adopt: async () => {},
		members,
		signal: (signal, exceptGroup) => signalAll(members(exceptGroup).running, signal),
		release: () => {},
	};
};

/**
 * The tree of one block. RAMPART_CGROUP=off uses only the environment
 * marker (for a system where cgroups misbehave, and for tests of the fallback).
 */
export const blockTree = (token: string, env: NodeJS.ProcessEnv = process.env): BlockTree =>
	(process.platform === 'linux' && env.RAMPART_CGROUP !== 'off' ? cgroupTree(token) : undefined) ?? environmentTree(token);

/** What a process's stdout and stderr are (`socket:[123]`, `pipe:[456]`), read from /proc. */
export const outputLinks = (pid: number): string[] =>
	[1, 2].flatMap(fd => {
		try {
			return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
		} catch {
			return [];
		}
	});

/**
 * Processes holding the block's output open (its stdout and stderr as
 * outputLinks gave them): they were given to nothing but the block, so
 * whoever holds them after it ended is something it started, also one that
 * cleared its environment and left the cgroup's reach.
 */
export const pipeHolders = (links: readonly string[]): TreeProcess[] => {
	const wanted = new Set(links);
	if (wanted.size === 0) return [];
	const holders: TreeProcess[] = [];
	let entries: string[] = [];
	try {
		entries = readdirSync('/proc');
	} catch {
		return holders;
	}
	for (const entry of entries) {
		if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
		let fds: string[] = [];
		try {
			fds = readdirSync(`/proc/${entry}/fd`);
		} catch {
			continue;
		}
		const holds = fds.some(fd => {
			try {
				return wanted.has(readlinkSync(`/proc/${entry}/fd/${fd}`));
			} catch {
				return false;
			}
		});
		const info = holds ? procInfo(Number(entry), false) : undefined;
		if (info && !info.zombie) holders.push({pid: info.pid, command: info.command});
	}
	return holders;
};
