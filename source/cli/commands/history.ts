import {loadHistory} from '../../engine/run-catalog.js';
import type {CliContext} from '../context.js';
import {usageError} from '../errors.js';
import {addEvery, parseEvery} from '../../runbook/duration.js';
import {isFleetId, readFleetRecord, type FleetRecord} from '../../journal/fleet-record.js';

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
	// A fleet id shows that fleet's runs, one per host, and the hosts it never reached.
	const fleet = runbookId !== undefined && isFleetId(runbookId) ? readFleetRecord(ctx.stateDir(), runbookId) : undefined;
	if (runbookId !== undefined && isFleetId(runbookId) && !fleet) throw usageError(`there is no fleet run ${runbookId}`);
	const page = fleet
		? {runs: loadHistory(ctx.stateDir(), {runbookId: fleet.runbook.id, since}).runs.filter(run => run.target?.fleet === fleet.fleetId), more: false}
		: loadHistory(ctx.stateDir(), {runbookId, since, limit});
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
		// A run on another host over SSH: which host, and the fleet run it was part of.
		target: run.target?.host ?? null,
		fleet: run.target?.fleet ?? null,
	}));
	const more = page.more ? moreHint(runbookId, options, limit!) : undefined;
	if (fleet) return fleetHistory(ctx, fleet, rows, options.json === true);
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
			`${r.runId}  ${r.outcome.padEnd(11)}  ${r.operator}@${r.host}${r.target ? ` on ${r.target}` : ''}  ${r.start}${r.end ? ` → ${r.end}` : ''}${r.damaged ? '  (record damaged: run `rampart journal verify`)' : ''}`,
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

/** A fleet run: its hosts in the fleet's order, each with its run, or why nothing ran there. */
const fleetHistory = (
	ctx: CliContext,
	fleet: FleetRecord,
	rows: Array<{runId: string; target: string | null; outcome: string; start: string; end: string | null}>,
	json: boolean,
): number => {
	const hosts = fleet.hosts.map(host => {
		const runs = rows.filter(r => r.target === host.name).reverse();
		return {host: host.name, runs, unreached: runs.length === 0 ? (fleet.unreached[host.name] ?? 'not started') : undefined};
	});
	if (json) {
		ctx.out(JSON.stringify({fleet: fleet.fleetId, runbook: fleet.runbook.id, mode: fleet.mode, startedAt: fleet.startedAt, hosts}, null, 2));
		return 0;
	}
	ctx.out(`Fleet run ${fleet.fleetId} of "${fleet.runbook.title}" (${fleet.mode}), started ${fleet.startedAt}, ${fleet.hosts.length} hosts:`);
	const width = Math.max(...fleet.hosts.map(h => h.name.length));
	for (const h of hosts) {
		if (h.runs.length === 0) ctx.out(`  ${h.host.padEnd(width)}  ${'not run'.padEnd(11)}  ${h.unreached!.split('\n')[0]}`);
		for (const r of h.runs) ctx.out(`  ${h.host.padEnd(width)}  ${r.outcome.padEnd(11)}  ${r.runId}  ${r.start}${r.end ? ` → ${r.end}` : ''}`);
	}
	return 0;
};
