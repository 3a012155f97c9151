// How each channel spells a notice: mail headers that cannot be split into
// more headers, non-ASCII subjects encoded, ntfy's topic taken from the URL,
// and the due notice only for what is due by now.

import {describe, expect, it} from 'vitest';
import {mailMessage} from '../../source/notify/mail.js';
import {dueNotice, testNotice} from '../../source/notify/notice.js';
import {webhookRequest} from '../../source/notify/webhook.js';

const now = new Date('2026-12-07T08:00:00Z');

describe('mail', () => {
	it('keeps a line break in a title from adding headers, and encodes a non-ASCII subject', () => {
		const notice = {...testNotice('web1', now), title: 'Überprüfung fällig\nBcc: everyone@example.org'};
		const [head] = mailMessage(['ops@example.org'], notice).split('\n\n');
		expect(head!.split('\n')).toEqual([
			'To: ops@example.org',
			`Subject: =?UTF-8?B?${Buffer.from('Überprüfung fällig Bcc: everyone@example.org').toString('base64')}?=`,
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=utf-8',
			'Content-Transfer-Encoding: 8bit',
			'Auto-Submitted: auto-generated',
			'X-Rampart-Notice: test',
		]);
	});
});

describe('webhook shapes', () => {
	it('ntfy: the topic is the last part of the path, posted to the path above it', () => {
		const request = webhookRequest({url: 'https://ntfy.example.org/base/servers?x=1', format: 'ntfy'}, testNotice('web1', now));
		expect(request.url).toBe('https://ntfy.example.org/base?x=1');
		expect(request.body).toMatchObject({topic: 'servers', priority: 3});
	});
});

describe('the due notice', () => {
	it('is for what is overdue (first), due today or never run; not for what falls due in a few days', () => {
		const rows = [
			{id: 'backups', state: 'due', stateText: 'due in 1 day', nextDue: '2026-12-08T07:00:00Z'},
			{id: 'patch-updates', state: 'done', stateText: 'done 2 days ago; due in 28 days', nextDue: '2027-01-04T00:00:00Z'},
		];
		expect(dueNotice(rows, 'web1', now)).toBeUndefined();
		const notice = dueNotice(
			[
				...rows,
				{id: 'account-security', state: 'due', stateText: 'never run; every 90d'},
				{id: 'firewall-audit', state: 'overdue', stateText: 'overdue by 3 days (done 10 days ago)', nextDue: '2026-12-04T00:00:00Z'},
			],
			'web1',
			now,
		);
		expect(notice).toMatchObject({key: 'due', title: 'web1: 1 runbook overdue', priority: 'high', tags: ['rampart', 'overdue']});
		expect(notice!.message).toBe(
			'OVERDUE  firewall-audit: overdue by 3 days (done 10 days ago)  (rampart run firewall-audit)\ndue  account-security: never run; every 90d  (rampart run account-security)',
		);
	});
});
