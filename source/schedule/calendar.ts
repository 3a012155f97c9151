// When a job runs: a runbook's `every:` rounded to the nearest period both
// systemd's OnCalendar and cron can say. One table, so a timer and its cron
// fallback always agree.

import type {Every} from '../runbook/model.js';

export interface Period {
	name: 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'half-yearly' | 'yearly';
	days: number;
	/** systemd OnCalendar (time filled in by the job). */
	calendar: (time: JobTime) => string;
	/** cron's minute hour day-of-month month day-of-week. */
	cron: (time: JobTime) => string;
}

export interface JobTime {
	hour: number;
	minute: number;
}

const hm = ({hour, minute}: JobTime) => `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00`;

export const PERIODS: readonly Period[] = [
	{name: 'daily', days: 1, calendar: t => `*-*-* ${hm(t)}`, cron: t => `${t.minute} ${t.hour} * * *`},
	{name: 'weekly', days: 7, calendar: t => `Mon *-*-* ${hm(t)}`, cron: t => `${t.minute} ${t.hour} * * 1`},
	{name: 'monthly', days: 30, calendar: t => `*-*-01 ${hm(t)}`, cron: t => `${t.minute} ${t.hour} 1 * *`},
	{name: 'quarterly', days: 90, calendar: t => `*-01,04,07,10-01 ${hm(t)}`, cron: t => `${t.minute} ${t.hour} 1 1,4,7,10 *`},
	{name: 'half-yearly', days: 180, calendar: t => `*-01,07-01 ${hm(t)}`, cron: t => `${t.minute} ${t.hour} 1 1,7 *`},
	{name: 'yearly', days: 365, calendar: t => `*-01-01 ${hm(t)}`, cron: t => `${t.minute} ${t.hour} 1 1 *`},
];

const DAYS_PER_UNIT: Record<Every['unit'], number> = {d: 1, w: 7, m: 30.44, y: 365.25};

/**
 * The period nearest to `every` (on a log scale, so 10d is weekly and 20d
 * monthly), never longer than it: an audit runs at least as often as its
 * runbook asks.
 */
export const periodFor = (every: Every): Period => {
	const days = every.count * DAYS_PER_UNIT[every.unit];
	const notLonger = PERIODS.filter(p => p.days <= days + 0.5);
	if (notLonger.length === 0) return PERIODS[0]!;
	return notLonger.reduce((best, p) => (Math.abs(Math.log(p.days / days)) < Math.abs(Math.log(best.days / days)) ? p : best));
};
