// `rampart history` a page at a time: newest first, --limit (20 by default,
// with a line saying how to see more), --since a date or a time ago, --all,
// --json still one JSON array; bad values are usage errors in plain words.

import {describe, expect, it} from 'vitest';
import {cliHome, runCli} from '../engine/helpers.js';
import {writeRun} from '../journal/run-fixtures.js';

const HOUR = 60 * 60 * 1000;

/** A state directory with `count` runs of `firewall` and `patch` in turn, one every 12 hours back from an hour ago. */
const withRuns = (count: number) => {
	const home = cliHome();
	const runIds: string[] = [];
	const now = Date.now();
	for (let n = 0; n < count; n++)
		runIds.push(writeRun(home.stateDir, n % 2 ? 'patch' : 'firewall', new Date(now - HOUR - n * 12 * HOUR), n % 7 === 3 ? 'failed' : 'completed'));
	return {home, newestFirst: runIds};
};

const shown = (stdout: string) => stdout.split('\n').flatMap(line => /^(\d{8}T\d{6}Z-\S+)\s/.exec(line)?.[1] ?? []);

describe('rampart history', () => {
	it('shows the newest 20 runs first, and says how to see the older ones', async () => {
		const {home, newestFirst} = withRuns(25);
		const result = await runCli(['history'], home);
		expect(result.code, result.stderr).toBe(0);
		expect(shown(result.stdout)).toEqual(newestFirst.slice(0, 20));
		expect(result.stdout).toContain('Showing the newest 20 runs; there are older ones');
		expect(result.stdout).toContain('rampart history --limit 40');
		expect(result.stdout).toContain('rampart history --all');

		const all = await runCli(['history', '--all'], home);
		expect(shown(all.stdout)).toEqual(newestFirst);
		expect(all.stdout).not.toContain('older ones');
	});

	it('--limit N shows N, and no line about more when none are left', async () => {
		const {home, newestFirst} = withRuns(6);
		const three = await runCli(['history', '--limit', '3'], home);
		expect(shown(three.stdout)).toEqual(newestFirst.slice(0, 3));
		expect(three.stdout).toContain('rampart history --limit 6');
		const six = await runCli(['history', '--limit', '6'], home);
		expect(shown(six.stdout)).toEqual(newestFirst);
		expect(six.stdout).not.toContain('older ones');
	});

	it('--since a time ago or a date leaves the older runs out; with a runbook, only its runs', async () => {
		const {home, newestFirst} = withRuns(12);
		// Runs start 1, 13, 25, 37, 49 … hours ago: 2d keeps the first four.
		expect(shown((await runCli(['history', '--since', '2d'], home)).stdout)).toEqual(newestFirst.slice(0, 4));
		expect(shown((await runCli(['history', '--since', '30h'], home)).stdout)).toEqual(newestFirst.slice(0, 3));
		const fourDaysTwoHoursAgo = new Date(Date.now() - 4 * 24 * HOUR - 2 * HOUR).toISOString().slice(0, 16);
		expect(shown((await runCli(['history', '--since', fourDaysTwoHoursAgo], home)).stdout)).toEqual(newestFirst.slice(0, 9));

		const patch = await runCli(['history', 'patch', '--since', '3d', '--limit', '2'], home);
		expect(shown(patch.stdout)).toEqual([newestFirst[1], newestFirst[3]]);
		expect(patch.stdout).toContain('rampart history patch --since 3d --limit 4');

		const none = await runCli(['history', 'firewall', '--since', '1h'], home);
		expect(none.code).toBe(0);
		expect(none.stdout).toMatch(/^No runs of firewall recorded since \d{4}-/);
	});

	it('--json is one JSON array of the page, newest first; the note about more goes to stderr', async () => {
		const {home, newestFirst} = withRuns(5);
		const result = await runCli(['history', '--json', '--limit', '2'], home);
		expect(result.code, result.stderr).toBe(0);
		const rows = JSON.parse(result.stdout) as Array<{runId: string; runbook: string; outcome: string; start: string}>;
		expect(rows.map(row => row.runId)).toEqual(newestFirst.slice(0, 2));
		expect(rows[0]).toMatchObject({runbook: 'firewall', outcome: 'completed'});
		expect(Date.parse(rows[0]!.start)).toBeGreaterThan(Date.parse(rows[1]!.start));
		expect(result.stderr).toContain('Showing the newest 2 runs');
		const all = JSON.parse((await runCli(['history', '--json', '--all'], home)).stdout) as unknown[];
		expect(all).toHaveLength(5);
	});

	it('says how each run ended: finished ones by their outcome, unfinished ones as interrupted or in progress', async () => {
		const home = cliHome();
		const hour = (n: number) => new Date(Date.now() - n * HOUR);
		const first = hour(4);
		const ids = [
			writeRun(home.stateDir, 'patch', first, 'needs-attention'),
			writeRun(home.stateDir, 'patch', hour(3), 'stopped'),
			writeRun(home.stateDir, 'firewall', hour(2)),
			writeRun(home.stateDir, 'firewall', hour(1), 'between-steps'),
		];
		const rows = JSON.parse((await runCli(['history', '--json'], home)).stdout) as Array<{
			runId: string;
			outcome: string;
			end: string | null;
			operator: string;
			host: string;
		}>;
		expect(rows.map(row => [row.runId, row.outcome])).toEqual([
			[ids[3], 'in progress'],
			[ids[2], 'interrupted'],
			[ids[1], 'stopped'],
			[ids[0], 'needs-attention'],
		]);
		expect(rows[1]!.end).toBeNull();
		// The fixture finishes a run 3 minutes after it starts.
		expect(rows[3]!.end).toBe(new Date(first.getTime() + 3 * 60_000).toISOString());
		expect(rows[3]).toMatchObject({operator: 'ops', host: 'web1'});
	});

	it('runs started in the same second are shown newest first by when their journals were made, not by name', async () => {
		const home = cliHome();
		const second = new Date(Date.now() - HOUR);
		const made: string[] = [];
		for (const runbook of ['zeta', 'alpha']) {
			made.push(writeRun(home.stateDir, runbook, second, 'completed'));
			// Creation times must differ even on a coarse file system clock.
			const wait = Date.now() + 20;
			while (Date.now() < wait) {
				// busy-wait: the journal writer is synchronous, so is this
			}
		}
		expect(shown((await runCli(['history'], home)).stdout)).toEqual([made[1], made[0]]);
	});

	it('bad values are usage errors that say what is wanted, never a stack trace', async () => {
		const {home} = withRuns(1);
		for (const args of [
			['--limit', '0'],
			['--limit', 'ten'],
			['--limit', '-3'],
			['--limit', '2.5'],
			['--since', 'yesterday'],
			['--since', '2026-02-30'],
			['--since', '90x'],
			['--since', '2026-11-01T25:00'],
			['--all', '--limit', '5'],
		]) {
			const result = await runCli(['history', ...args], home);
			expect(result.code, args.join(' ')).toBe(2);
			expect(result.stderr).toMatch(/^rampart: --(limit|since|all) /);
			expect(result.stderr).not.toMatch(/\n\s+at /);
			expect(result.stdout).toBe('');
		}
	});
});
