import {describe, expect, it} from 'vitest';
import {newRunId, runIdTime} from '../../source/journal/run-id.js';

describe('newRunId', () => {
	it('is the UTC time to the second, the runbook id, and four hex digits', () => {
		const id = newRunId('firewall', new Date('2026-11-24T20:15:00.789Z'));
		expect(id).toMatch(/^20261124T201500Z-firewall-[\da-f]{4}$/);
	});

	it('sorts in time order', () => {
		const earlier = newRunId('zzz', new Date('2026-01-02T03:04:05Z'));
		const later = newRunId('aaa', new Date('2026-01-02T03:04:06Z'));
		const muchLater = newRunId('aaa', new Date('2027-01-01T00:00:00Z'));
		expect([muchLater, later, earlier].sort()).toEqual([earlier, later, muchLater]);
	});

	it('makes any runbook id safe as a file name', () => {
		const id = newRunId('../etc/pass wd:€', new Date('2026-01-01T00:00:00Z'));
		expect(id).toMatch(/^20260101T000000Z-[\w.-]+-[\da-f]{4}$/);
		expect(id).not.toContain('/');
		expect(id).not.toContain('..');
		expect(newRunId('', new Date('2026-01-01T00:00:00Z'))).toMatch(/^20260101T000000Z-run-[\da-f]{4}$/);
	});

	it('differs between runs started in the same second', () => {
		const date = new Date('2026-01-01T00:00:00Z');
		const ids = new Set(Array.from({length: 50}, () => newRunId('x', date)));
		expect(ids.size).toBeGreaterThan(40);
	});

	it('gives its start time back', () => {
		const date = new Date('2026-11-24T20:15:00Z');
		expect(runIdTime(newRunId('firewall', date))?.toISOString()).toBe(date.toISOString());
		expect(runIdTime('not-a-run-id')).toBeUndefined();
	});
});
