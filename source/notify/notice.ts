// What Rampart tells people: one shape for every channel (mail, webhook, the
// login message), so each channel only decides how to spell it.

import os from 'node:os';

export interface NoticeItem {
	id: string;
	state: string;
	text: string;
}

export interface Notice {
	/** The same key is the same news: a newer notice replaces an older one still waiting to be delivered. */
	key: string;
	title: string;
	message: string;
	priority: 'default' | 'high';
	tags: string[];
	host: string;
	createdAt: string;
	items: NoticeItem[];
}

/** A row of `rampart status` as the due notice needs it. */
export interface DueRow {
	id: string;
	state: string;
	stateText: string;
	nextDue?: string;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Worth a message today: overdue, or due by now (today, or never run).
 * "Due in 3 days" is for `rampart status`; a daily message about it would
 * arrive every day for a runbook done daily.
 */
const dueNow = (row: DueRow, now: Date) => row.state === 'overdue' || (row.state === 'due' && (!row.nextDue || Date.parse(row.nextDue) <= now.getTime()));

/** The daily notice: what is overdue or due now (undefined when nothing is, so nobody is nagged for nothing). */
export const dueNotice = (rows: readonly DueRow[], host = os.hostname(), now = new Date()): Notice | undefined => {
	// Overdue first: the first line of a mail or a phone's notification is what gets read.
	const items = rows
		.filter(r => dueNow(r, now))
		.sort((a, b) => Number(b.state === 'overdue') - Number(a.state === 'overdue'))
		.map(r => ({id: r.id, state: r.state, text: r.stateText}));
	if (items.length === 0) return undefined;
	const overdue = items.filter(i => i.state === 'overdue').length;
	const what = overdue > 0 ? `${plural(overdue, 'runbook')} overdue` : `${plural(items.length, 'runbook')} due`;
	return {
		key: 'due',
		title: `${host}: ${what}`,
		message: items.map(i => `${i.state === 'overdue' ? 'OVERDUE' : 'due'}  ${i.id}: ${i.text}  (rampart run ${i.id})`).join('\n'),
		priority: overdue > 0 ? 'high' : 'default',
		tags: ['rampart', overdue > 0 ? 'overdue' : 'due'],
		host,
		createdAt: now.toISOString(),
		items,
	};
};

/** An audit run on schedule that failed or found something. */
export const auditNotice = (runbookId: string, outcome: string, detail: string, runId: string | undefined, host = os.hostname(), now = new Date()): Notice => ({
	key: `audit:${runId ?? `${runbookId}:${now.toISOString()}`}`,
	title: `${host}: ${runbookId} --check: ${outcome}`,
	message: [detail, runId ? `Record: rampart report ${runId}` : ''].filter(Boolean).join('\n'),
	priority: 'high',
	tags: ['rampart', 'audit', runbookId],
	host,
	createdAt: now.toISOString(),
	items: [{id: runbookId, state: outcome, text: detail.split('\n')[0] ?? ''}],
});

export const testNotice = (host = os.hostname(), now = new Date()): Notice => ({
	key: 'test',
	title: `${host}: Rampart test notification`,
	message: 'If you can read this, Rampart can reach you here.',
	priority: 'default',
	tags: ['rampart', 'test'],
	host,
	createdAt: now.toISOString(),
	items: [],
});
