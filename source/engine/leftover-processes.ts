// After a crash (kill -9, power loss of the terminal, OOM), a block's commands
// can outlive Rampart: they were in their own process group. Resuming while
// they still run would do the step twice at once. This finds them.

import {readdirSync, readFileSync} from 'node:fs';
import {hostname} from 'node:os';
import type {RunEvent} from '../types/events.js';
import {GO_GATE} from './execute-block.js';

export interface Leftover {
	step: string;
	pgid: number;
	/** Live (not zombie) processes of the group: pid and command line. */
	processes: Array<{pid: number; command: string}>;
}

/** Live members of a process group, from /proc (Linux); zombies are ignored. */
export const liveGroupMembers = (pgid: number): Array<{pid: number; command: string}> => {
	let entries: string[];
	try {
		entries = readdirSync('/proc');
	} catch {
		// No /proc: fall back to asking the kernel whether the group exists at all.
		try {
			process.kill(-pgid, 0);
			return [{pid: pgid, command: '?'}];
		} catch {
			return [];
		}
	}
	const members: Array<{pid: number; command: string}> = [];
	for (const entry of entries) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			// Fields after the command (which may hold spaces and parentheses): state ppid pgrp ...
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(fields[2]) !== pgid || fields[0] === 'Z') continue;
			// Show the block's own code, not the gate Rampart puts in front of it.
			const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').replace(GO_GATE, '');
			members.push({pid: Number(entry), command: command || stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))});
		} catch {
			// The process ended while we looked.
		}
	}
	return members;
};

/**
 * Process groups of blocks that were running when the run's process died and
 * still have live processes on this host.
 */
export const findLeftovers = (events: readonly RunEvent[]): Leftover[] => {
	const open = new Map<string, {step: string; pgid: number}>();
	for (const event of events) {
		if (event.type === 'block-started' && event.pgid !== undefined && event.host === hostname() && !event.remote) {
			open.set(`${event.step}/${event.block}`, {step: event.step, pgid: event.pgid});
		} else if (event.type === 'block-finished') {
			open.delete(`${event.step}/${event.block}`);
		}
	}
	const leftovers: Leftover[] = [];
	for (const {step, pgid} of open.values()) {
		const processes = liveGroupMembers(pgid);
		if (processes.length > 0) leftovers.push({step, pgid, processes});
	}
	return leftovers;
};
