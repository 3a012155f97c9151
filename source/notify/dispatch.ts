// One pass of delivery: first what earlier passes could not deliver, then the
// new notices; whatever fails now is kept for the next pass.

import {deliver, type Channel, type Delivery} from './channels.js';
import type {Notice} from './notice.js';
import {keepPending, readPending, writePending, type PendingDelivery} from './pending.js';

export interface DispatchReport {
	/** Earlier failures tried again, with how it went. */
	retried: Array<Delivery & {notice: Notice}>;
	sent: Array<Delivery & {notice: Notice}>;
	/** Still waiting after this pass (including what just failed). */
	pending: PendingDelivery[];
	/** Pending deliveries for a channel no longer configured: dropped, and said so. */
	dropped: PendingDelivery[];
}

export const dispatch = async (stateDir: string, channels: readonly Channel[], notices: readonly Notice[], now = new Date()): Promise<DispatchReport> => {
	const byName = new Map(channels.map(c => [c.name, c]));
	const earlier = readPending(stateDir);
	// A fresher notice with the same key makes the older one moot.
	const superseded = (p: PendingDelivery) => notices.some(n => n.key === p.notice.key);
	const dropped = earlier.filter(p => !byName.has(p.channel as Channel['name']));
	let pending: PendingDelivery[] = [];
	const retried: DispatchReport['retried'] = [];
	for (const entry of earlier.filter(p => byName.has(p.channel as Channel['name']) && !superseded(p))) {
		const result = await deliver(byName.get(entry.channel as Channel['name'])!, entry.notice);
		retried.push({...result, notice: entry.notice});
		if (!result.ok) pending = keepPending([...pending, entry], entry.channel, entry.notice, result.detail, now);
	}
	const sent: DispatchReport['sent'] = [];
	for (const notice of notices) {
		for (const channel of channels) {
			const result = await deliver(channel, notice);
			sent.push({...result, notice});
			if (!result.ok) {
				const before = earlier.find(p => p.channel === channel.name && p.notice.key === notice.key);
				pending = keepPending(before ? [...pending, before] : pending, channel.name, notice, result.detail, now);
			}
		}
	}
	writePending(stateDir, pending);
	return {retried, sent, pending, dropped};
};

/** Lines for stderr about every failure and what is kept; empty when all went through. */
export const failureLines = (report: DispatchReport, pendingFile: string): string[] => [
	...[...report.retried, ...report.sent].filter(d => !d.ok).map(d => `rampart: ${d.channel} (${d.target}) failed: ${d.detail}`),
	...report.dropped.map(p => `rampart: a notice for ${p.channel}, no longer configured, was dropped: ${p.notice.title}`),
	...(report.pending.length > 0 ? [`rampart: ${report.pending.length} notification(s) kept in ${pendingFile}; the next "rampart notify --due" tries again`] : []),
];
