// Durations as runbooks write them: `every:` cadences (days to years, in
// calendar terms) and block timeouts (milliseconds to hours, in clock terms).
// The unit `m` means months in a cadence but minutes in a timeout, so the two
// have separate parsers rather than one that guesses.

import type {Every} from './model.js';

// More than 9999 units is surely a typo, and the bound keeps every date that
// addEvery can produce well inside what a Date can hold.
const EVERY_PATTERN = /^([1-9]\d{0,3})([dwmy])$/;

const EVERY_UNITS: Record<Every['unit'], [singular: string, plural: string]> = {
	d: ['day', 'days'],
	w: ['week', 'weeks'],
	m: ['month', 'months'],
	y: ['year', 'years'],
};

/** Parses a cadence such as `7d`, `12w`, `6m` or `1y`; undefined if it is not one. */
export const parseEvery = (text: string): Every | undefined => {
	const trimmed = text.trim();
	const match = EVERY_PATTERN.exec(trimmed);
	if (!match) return undefined;
	return {count: Number(match[1]), unit: match[2] as Every['unit'], text: trimmed};
};

/** `every 90 days`, `every 6 months`, `every week`. */
export const everyDescription = (every: Every): string => {
	const [singular, plural] = EVERY_UNITS[every.unit];
	return every.count === 1 ? `every ${singular}` : `every ${every.count} ${plural}`;
};

const daysInUtcMonth = (year: number, month: number): number => {
	// Day 0 of the next month is the last of this one. setUTCFullYear, unlike
	// Date.UTC, does not read years 0-99 as 1900-1999.
	const probe = new Date(0);
	probe.setUTCFullYear(year, month + 1, 0);
	return probe.getUTCDate();
};

const addUtcMonths = (date: Date, months: number): Date => {
	const total = date.getUTCFullYear() * 12 + date.getUTCMonth() + months;
	const year = Math.floor(total / 12);
	const month = total - year * 12;
	// Clamp so Jan 31 + 1 month is the end of February, not early March.
	const day = Math.min(date.getUTCDate(), daysInUtcMonth(year, month));
	const result = new Date(date.getTime());
	// setUTCFullYear takes the day too, so no intermediate date can overflow.
	result.setUTCFullYear(year, month, day);
	return result;
};

const addUtcDays = (date: Date, days: number): Date => {
	const result = new Date(date.getTime());
	result.setUTCDate(result.getUTCDate() + days);
	return result;
};

/** The date one cadence after `date`, in UTC calendar terms; the time of day is kept. */
export const addEvery = (date: Date, every: Every): Date => {
	switch (every.unit) {
		case 'd':
			return addUtcDays(date, every.count);
		case 'w':
			return addUtcDays(date, every.count * 7);
		case 'm':
			return addUtcMonths(date, every.count);
		case 'y':
			return addUtcMonths(date, every.count * 12);
	}
};

const TIMEOUT_PATTERN = /^([1-9]\d*)(ms|s|m|h)?$/;
const TIMEOUT_UNIT_MS = {ms: 1, s: 1000, m: 60_000, h: 3_600_000} as const;
const MAX_TIMEOUT_MS = 24 * 3_600_000;

/**
 * Milliseconds from a block timeout: `500ms`, `30s`, `5m` (minutes), `1h`, or
 * a bare integer of seconds. Undefined for zero, fractions, negative values,
 * unknown units, and anything over 24 hours (a block that may run for a day
 * is better without a timeout).
 */
export const parseTimeout = (text: string): number | undefined => {
	const match = TIMEOUT_PATTERN.exec(text.trim());
	if (!match?.[1]) return undefined;
	const unit = (match[2] ?? 's') as keyof typeof TIMEOUT_UNIT_MS;
	const ms = Number(match[1]) * TIMEOUT_UNIT_MS[unit];
	return ms <= MAX_TIMEOUT_MS ? ms : undefined;
};

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Compact elapsed time: `850ms`, `4.2s`, `1m 05s`, `2h 03m`. */
export const formatDuration = (ms: number): string => {
	const safe = Number.isFinite(ms) && ms > 0 ? ms : 0;
	const rounded = Math.round(safe);
	if (rounded < 1000) return `${rounded}ms`;
	// Decide each unit on the rounded figure, so 59.97s shows as `1m 00s`, not `60.0s`.
	const tenths = Math.round(safe / 100);
	if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
	const seconds = Math.round(safe / 1000);
	if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad2(seconds % 60)}s`;
	return `${Math.floor(seconds / 3600)}h ${pad2(Math.floor((seconds % 3600) / 60))}m`;
};
