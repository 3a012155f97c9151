// Deliveries that failed, kept in the state directory until one succeeds:
// a notice is never lost silently. A newer notice with the same key (today's
// "what is due") replaces an older one for the same channel.

import fs from 'node:fs';
import path from 'node:path';
import {ensurePrivateDir, readRecordFile, writeFileAtomically} from '../journal/state-dir.js';
import type {Notice} from './notice.js';

export interface PendingDelivery {
	channel: string;
	notice: Notice;
	attempts: number;
	lastError: string;
	lastTriedAt: string;
}

export const pendingPath = (stateDir: string) => path.join(stateDir, 'notify-pending.json');

export const readPending = (stateDir: string): PendingDelivery[] => {
	const file = pendingPath(stateDir);
	if (!fs.existsSync(file)) return [];
	try {
		const data = JSON.parse(readRecordFile(file).toString('utf8')) as {pending?: PendingDelivery[]};
		return Array.isArray(data.pending) ? data.pending : [];
	} catch (error) {
		// Unreadable: say so rather than drop what it held without a word.
		throw new Error(`${file} cannot be read (${(error as Error).message}); move it aside to go on`);
	}
};

export const writePending = (stateDir: string, pending: readonly PendingDelivery[]): void => {
	const file = pendingPath(stateDir);
	if (pending.length === 0) {
		fs.rmSync(file, {force: true});
		return;
	}
	ensurePrivateDir(stateDir);
	writeFileAtomically(file, `${JSON.stringify({version: 1, pending}, null, 2)}\n`);
};

/** Adds (or, same channel and key, replaces) a failed delivery. */
export const keepPending = (pending: PendingDelivery[], channel: string, notice: Notice, error: string, now = new Date()): PendingDelivery[] => {
	const earlier = pending.find(p => p.channel === channel && p.notice.key === notice.key);
	const rest = pending.filter(p => p !== earlier);
	return [...rest, {channel, notice, attempts: (earlier?.attempts ?? 0) + 1, lastError: error, lastTriedAt: now.toISOString()}];
};
