import fc from 'fast-check';
import {describe, expect, test} from 'vitest';
import {addEvery, everyDescription, formatDuration, parseEvery, parseTimeout} from '../../source/runbook/duration.js';
import type {Every} from '../../source/runbook/model.js';

const every = (text: string): Every => {
	const parsed = parseEvery(text);
	if (!parsed) throw new Error(`expected ${JSON.stringify(text)} to parse`);
	return parsed;
};

const utc = (iso: string): Date => new Date(`${iso}Z`);

describe('parseEvery', () => {
	test.each([
		['7d', 7, 'd'],
		['30d', 30, 'd'],
		['12w', 12, 'w'],
		['6m', 6, 'm'],
		['1y', 1, 'y'],
		['9999d', 9999, 'd'],
	] as const)('%s', (text, count, unit) => {
		expect(parseEvery(text)).toEqual({count, unit, text});
	});

	test('keeps the text as written, without surrounding space', () => {
		expect(parseEvery(' 90d ')).toEqual({count: 90, unit: 'd', text: '90d'});
	});

	test.each(['0d', '90', '1.5d', '-3d', '+3d', '3h', '', 'd', '07d', '3 d', '3D', '3M', '10000d', '1d1w', 'monthly'])('rejects %j', text => {
		expect(parseEvery(text)).toBeUndefined();
	});
});

describe('everyDescription', () => {
	test.each([
		['90d', 'every 90 days'],
		['6m', 'every 6 months'],
		['2w', 'every 2 weeks'],
		['3y', 'every 3 years'],
		['1d', 'every day'],
		['1w', 'every week'],
		['1m', 'every month'],
		['1y', 'every year'],
	])('%s is %j', (text, description) => {
		expect(everyDescription(every(text))).toBe(description);
	});
});

describe('addEvery', () => {
	test('days and weeks keep the time of day, across DST changes elsewhere', () => {
		expect(addEvery(utc('2024-03-30T09:15:00'), every('1d'))).toEqual(utc('2024-03-31T09:15:00'));
		expect(addEvery(utc('2024-12-25T00:00:00'), every('7d'))).toEqual(utc('2025-01-01T00:00:00'));
		expect(addEvery(utc('2024-02-27T12:00:00'), every('2w'))).toEqual(utc('2024-03-12T12:00:00'));
	});

	test('days count leap days', () => {
		expect(addEvery(utc('2024-02-28T00:00:00'), every('1d'))).toEqual(utc('2024-02-29T00:00:00'));
		expect(addEvery(utc('2023-02-28T00:00:00'), every('1d'))).toEqual(utc('2023-03-01T00:00:00'));
	});

	test('months are calendar months, clamped to the end of a shorter month', () => {
		expect(addEvery(utc('2024-01-15T08:30:00'), every('1m'))).toEqual(utc('2024-02-15T08:30:00'));
		expect(addEvery(utc('2025-01-31T10:00:00'), every('1m'))).toEqual(utc('2025-02-28T10:00:00'));
		expect(addEvery(utc('2024-01-31T10:00:00'), every('1m'))).toEqual(utc('2024-02-29T10:00:00'));
		expect(addEvery(utc('2024-03-31T00:00:00'), every('1m'))).toEqual(utc('2024-04-30T00:00:00'));
		expect(addEvery(utc('2024-08-31T00:00:00'), every('6m'))).toEqual(utc('2025-02-28T00:00:00'));
	});

	test('months roll over years', () => {
		expect(addEvery(utc('2024-11-05T00:00:00'), every('3m'))).toEqual(utc('2025-02-05T00:00:00'));
		expect(addEvery(utc('2024-12-31T23:59:59'), every('12m'))).toEqual(utc('2025-12-31T23:59:59'));
		expect(addEvery(utc('2024-05-10T00:00:00'), every('25m'))).toEqual(utc('2026-06-10T00:00:00'));
	});

	test('years clamp 29 February', () => {
		expect(addEvery(utc('2024-02-29T06:00:00'), every('1y'))).toEqual(utc('2025-02-28T06:00:00'));
		expect(addEvery(utc('2024-02-29T06:00:00'), every('4y'))).toEqual(utc('2028-02-29T06:00:00'));
		expect(addEvery(utc('2024-07-01T00:00:00'), every('1y'))).toEqual(utc('2025-07-01T00:00:00'));
	});

	test('does not change the date it is given', () => {
		const date = utc('2024-01-31T00:00:00');
		addEvery(date, every('1m'));
		expect(date).toEqual(utc('2024-01-31T00:00:00'));
	});

	test('the result is always later, and never skips a month', () => {
		const dates = fc.date({min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(2200, 0, 1)), noInvalidDate: true});
		fc.assert(
			fc.property(dates, fc.integer({min: 1, max: 9999}), fc.constantFrom('d', 'w', 'm', 'y'), (date, count, unit) => {
				const next = addEvery(date, every(`${count}${unit}`));
				expect(next.getTime()).toBeGreaterThan(date.getTime());
				if (unit === 'm' || unit === 'y') {
					const months = unit === 'm' ? count : count * 12;
					const monthIndex = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();
					expect(monthIndex(next) - monthIndex(date)).toBe(months);
					expect(next.getUTCDate()).toBeLessThanOrEqual(date.getUTCDate());
					expect(next.getUTCHours()).toBe(date.getUTCHours());
				}
			}),
		);
	});
});

describe('parseTimeout', () => {
	test.each([
		['500ms', 500],
		['30s', 30_000],
		['5m', 300_000],
		['1h', 3_600_000],
		['90', 90_000],
		['1', 1000],
		['24h', 86_400_000],
		['1440m', 86_400_000],
		['86400', 86_400_000],
		[' 10s ', 10_000],
	])('%j is %d ms', (text, ms) => {
		expect(parseTimeout(text)).toBe(ms);
	});

	test.each(['0', '0s', '0ms', '-5s', '1.5s', '1.5', '25h', '86401', '86400001ms', '1441m', '5d', '5 m', '5M', '', 's', '05s', '1e3', '99999999999999999999h'])(
		'rejects %j',
		text => {
			expect(parseTimeout(text)).toBeUndefined();
		},
	);
});

describe('formatDuration', () => {
	test.each([
		[0, '0ms'],
		[850, '850ms'],
		[999.4, '999ms'],
		[999.6, '1.0s'],
		[1000, '1.0s'],
		[4200, '4.2s'],
		[4249, '4.2s'],
		[59_940, '59.9s'],
		[59_960, '1m 00s'],
		[65_000, '1m 05s'],
		[3_599_000, '59m 59s'],
		[3_599_600, '1h 00m'],
		[7_380_000, '2h 03m'],
		[7_439_000, '2h 03m'],
		[93_600_000, '26h 00m'],
	])('%d ms is %j', (ms, text) => {
		expect(formatDuration(ms)).toBe(text);
	});

	test('treats nonsense as zero rather than printing NaN', () => {
		expect(formatDuration(-5)).toBe('0ms');
		expect(formatDuration(Number.NaN)).toBe('0ms');
	});
});
