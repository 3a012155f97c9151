import {loadHistory} from '../../engine/run-catalog.js';
import type {CliContext} from '../context.js';
import {usageError} from '../errors.js';
import {addEvery, parseEvery} from '../../runbook/duration.js';

export interface HistoryOptions {
	json?: boolean;
	limit?: string;
	since?: string;
	all?: boolean;
}

/** Runs shown when --limit is not given: a screenful. */
export const DEFAULT_HISTORY_LIMIT = 20;

const LIMIT_PATTERN = /^[1-9]\d{0,5}$/;
const HOURS_PATTERN = /^([1-9]\d{0,4})h$/;
const DATE_PATTERN = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:\d{2})?)?$/;

export const parseLimit = (text: string): number => {
	if (!LIMIT_PATTERN.test(text.trim())) {
		throw usageError(`--limit must be a whole number from 1 to 999999, not ${JSON.stringify(text)}`, 'For every run, use --all.');
	}
	return Number(text.trim());
};

/**
 * `--since`: a date (`2026-11-01`, UTC midnight), a date and time
 * (`2026-11-01T08:00`, UTC unless it names a zone), or how long ago: `12h`,
 * `90d`, `8w`, `6m` (calendar months), `1y`.
 */
export const parseSince = (text: string, now: Date = new Date()): Date => {
	const trimmed = text.trim();
	const hours = HOURS_PATTERN.exec(trimmed);
	if (hours) return new Date(now.getTime() - Number(hours[1]) * 3_600_000);
	// Days to years as a runbook's `every:` counts them (calendar months and years), backwards.
	const every = parseEvery(trimmed);
	if (every) return addEvery(now, {...every, count: -every.count});
	const date = DATE_PATTERN.exec(trimmed);
	if (date) {
		const [, day, time = '', zone] = date;
		const [year, month, dayOfMonth] = day!.split('-').map(Number) as [number, number, number];
		// Date would read 2026-02-30 as 2 March: the day must exist as written.
		const real = month >= 1 && month <= 12 && dayOfMonth >= 1 && new Date(Date.UTC(year, month - 1, dayOfMonth)).getUTCDate() === dayOfMonth;
		// Without a zone, UTC: history shows times in UTC.
		const parsed = new Date(`${day}${time ? `T${time}` : 'T00:00'}${zone ?? 'Z'}`);
		if (real && !Number.isNaN(parsed.getTime())) return parsed;
	}
	throw usageError(
		`--since must be a date like 2026-11-01 (UTC), a date and time like 2026-11-01T08:00, or a time ago like 12h, 90d, 8w, 6m or 1y; not ${JSON.stringify(text)}`,
	);
};

/** `rampart history [id]`: runs with who, when and how they ended, newest first, a page at a time. */
export const historyCommand = async (ctx: CliContext, runbookId: string | undefined, options: HistoryOptions): Promise<number> => {
	if (options.all && options.limit !== undefined) throw usageError('--all and --limit cannot be used together: --all shows every run');
	const limit = options.all ? undefined : options.limit === undefined ? DEFAULT_HISTORY_LIMIT : parseLimit(options.limit);
	const since = options.since === undefined ? undefined : parseSince(options.since);
	const page = loadHistory(ctx.stateDir(), {runbookId, since, limit});
	const rows = page.runs.map(run => ({
		runId: run.runId,
		runbook: run.runbook.id,
		title: run.runbook.title,
		operator: run.operator.user,
		host: run.operator.host,
		mode: run.mode,
		start: run.startedAt,
		end: run.finishedAt ?? null,
		outcome: run.outcome ?? (run.active ? 'running' : run.interrupted ? 'interrupted' : 'in progress'),
		damaged: run.damaged,
	}));
	const more = page.more ? moreHint(runbookId, options, limit!) : undefined;
	if (options.json) {
		// stdout stays one JSON array; how to see the rest goes beside it.
		ctx.out(JSON.stringify(rows, null, 2));
		if (more) ctx.err(`rampart: ${more}`);
		return 0;
	}
	if (rows.length === 0) {
		const which = runbookId ? `No runs of ${runbookId}` : 'No runs';
		ctx.out(since ? `${which} recorded since ${since.toISOString()}.` : runbookId ? `${which} recorded.` : 'No runs recorded yet.');
		return 0;
	}
	for (const r of rows) {
		ctx.out(
			`${r.runId}  ${r.outcome.padEnd(11)}  ${r.operator}@${r.host}  ${r.start}${r.end ? ` → ${r.end}` : ''}${r.damaged ? '  (record damaged: run `rampart journal verify`)' : ''}`,
		);
	}
	if (more) ctx.out(`\n${more}`);
	return 0;
};

const moreHint = (runbookId: string | undefined, options: HistoryOptions, limit: number): string => {
	const base = ['rampart history', ...(runbookId ? [runbookId] : []), ...(options.since ? ['--since', options.since] : [])].join(' ');
	const ways = [`${base} --limit ${limit * 2}`, ...(options.since ? [] : [`${base} --since 90d`]), `${base} --all`];
	return `Showing the newest ${limit} run${limit === 1 ? '' : 's'}; there are older ones. To see them: ${ways.join(', or ')}`;
};
