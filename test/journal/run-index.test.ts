// The run index (journal/run-index.ts): what `list`, `status`, the TUI home
// and `resume` read instead of every journal. It is a cache: whatever happens
// to it (lost, stale, torn, another state directory's), the answers are the
// journals' own.

import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {listRunbooks} from '../../source/engine/runbook-list.js';
import {newestUnfinishedRun} from '../../source/engine/run-catalog.js';
import type {Discovery} from '../../source/runbook/discover.js';
import type {RunbookHeader} from '../../source/runbook/header.js';
import {listRuns} from '../../source/journal/read-journal.js';
import {readRunHead, type RunHead} from '../../source/journal/read-records.js';
import {COMPLETED_OUTCOMES, readRunIndex, RUN_INDEX_FILE} from '../../source/journal/run-index.js';
import type {RunOutcome} from '../../source/types/events.js';
import {tempStateDir} from './helpers.js';
import {stamp, writeRun} from './run-fixtures.js';

const NOW = new Date('2026-12-01T12:00:00Z');

const journalFile = (stateDir: string, runId: string) => path.join(stateDir, 'runs', `${runId}.jsonl`);

const finish = (stateDir: string, runId: string, outcome: RunOutcome) => {
	// Appended as the engine would on resume: a new line at the end (the chain is not what this reads).
	fs.appendFileSync(journalFile(stateDir, runId), JSON.stringify({seq: 99, prev: '0', runId, time: NOW.toISOString(), type: 'run-finished', outcome}) + '\n');
};

const indexFile = (stateDir: string) => path.join(stateDir, RUN_INDEX_FILE);

/** What the listing needs, worked out the slow way: every journal's head. */
const fromEveryJournal = (stateDir: string): RunHead[] => {
	const heads = listRuns(stateDir).flatMap(runId => readRunHead(stateDir, runId) ?? []);
	const latest = new Map<string, RunHead>();
	for (const head of heads) if (COMPLETED_OUTCOMES.has(head.outcome)) latest.set(head.runbookId, head);
	return heads.filter(head => !head.outcome || latest.get(head.runbookId) === head);
};

const ids = (heads: readonly RunHead[]) => heads.map(head => head.runId);

const header = (every?: string): RunbookHeader => ({summary: '', tags: [], every});

/** The rows `rampart list` shows for runbooks `a` and `b` (both every 30 days). */
const listing = (stateDir: string) => {
	const discovery: Discovery = {entries: ['a', 'b'].map(id => ({id, path: `/nowhere/${id}.md`, origin: 'env'})), searched: [], conflicts: []};
	return listRunbooks(discovery, stateDir, () => header('30d'), NOW).map(row => ({id: row.id, state: row.state, lastRun: row.lastRun}));
};

const days = (n: number) => new Date(NOW.getTime() - n * 24 * 60 * 60 * 1000);

describe('the run index', () => {
	it('answers from the index once made, and reads only what changed after', () => {
		const stateDir = tempStateDir();
		writeRun(stateDir, 'a', days(40), 'completed');
		writeRun(stateDir, 'a', days(10), 'completed');
		const open = writeRun(stateDir, 'b', days(2));
		expect(readRunIndex(stateDir).how).toBe('rebuilt');
		expect(readRunIndex(stateDir).how).toBe('hit');
		finish(stateDir, open, 'completed');
		const after = readRunIndex(stateDir);
		expect(after.how).toBe('updated');
		expect(ids(after.heads)).toEqual(ids(fromEveryJournal(stateDir)));
		writeRun(stateDir, 'b', days(1));
		expect(readRunIndex(stateDir).how).toBe('updated');
		expect(readRunIndex(stateDir).how).toBe('hit');
	});

	it('keeps every unfinished run and each runbook’s latest completed one, not the whole history', () => {
		const stateDir = tempStateDir();
		for (let n = 60; n > 3; n--) writeRun(stateDir, n % 2 ? 'a' : 'b', days(n), n % 5 ? 'completed' : 'failed');
		const unfinished = writeRun(stateDir, 'a', days(1));
		const {heads} = readRunIndex(stateDir);
		expect(heads.length).toBe(3);
		expect(heads.at(-1)!.runId).toBe(unfinished);
		expect(newestUnfinishedRun(stateDir, 'a')?.runId).toBe(unfinished);
		expect(newestUnfinishedRun(stateDir, 'b')).toBeUndefined();
	});

	it('lost: list gives the same answers without it, and it is made again', () => {
		const stateDir = tempStateDir();
		writeRun(stateDir, 'a', days(40), 'completed');
		const latest = writeRun(stateDir, 'a', days(10), 'completed');
		writeRun(stateDir, 'b', days(2));
		const before = listing(stateDir);
		expect(before).toEqual([
			{id: 'a', state: 'done', lastRun: days(10 - 3 / (24 * 60)).toISOString()},
			{id: 'b', state: 'in-progress', lastRun: undefined},
		]);
		fs.rmSync(indexFile(stateDir));
		expect(listing(stateDir)).toEqual(before);
		expect(fs.existsSync(indexFile(stateDir))).toBe(true);
		expect(readRunIndex(stateDir).heads.map(h => h.runId)).toContain(latest);
	});

	it('stale: a run that finished since is shown finished, a new run is shown, a removed one is gone', () => {
		const stateDir = tempStateDir();
		writeRun(stateDir, 'a', days(40), 'completed');
		const newer = writeRun(stateDir, 'a', days(35), 'completed');
		const open = writeRun(stateDir, 'b', days(2));
		listing(stateDir);
		const stale = fs.readFileSync(indexFile(stateDir));

		finish(stateDir, open, 'completed');
		expect(listing(stateDir).find(row => row.id === 'b')?.state).toBe('done');

		const started = writeRun(stateDir, 'a', days(1));
		expect(listing(stateDir).find(row => row.id === 'a')?.state).toBe('in-progress');

		// The index from before all that, put back over the current one.
		fs.writeFileSync(indexFile(stateDir), stale);
		expect(listing(stateDir)).toEqual([
			{id: 'a', state: 'in-progress', lastRun: expect.any(String)},
			{id: 'b', state: 'done', lastRun: expect.any(String)},
		]);

		// The latest completed run of a removed: the one before it counts again.
		fs.rmSync(journalFile(stateDir, started));
		fs.rmSync(journalFile(stateDir, newer));
		const a = listing(stateDir).find(row => row.id === 'a')!;
		expect(a.state).toBe('overdue');
		expect(a.lastRun).toBe(new Date(days(40).getTime() + 3 * 60_000).toISOString());
		expect(ids(readRunIndex(stateDir).heads)).toEqual(ids(fromEveryJournal(stateDir)));
	});

	it('stale: a run recorded with an earlier start than any it knew (a clock set back) is found', () => {
		const stateDir = tempStateDir();
		writeRun(stateDir, 'a', days(5), 'completed');
		listing(stateDir);
		const early = writeRun(stateDir, 'b', days(50));
		expect(newestUnfinishedRun(stateDir, 'b')?.runId).toBe(early);
	});

	it('torn or not its shape: the answers are the journals’, and it is made again', () => {
		const stateDir = tempStateDir();
		writeRun(stateDir, 'a', days(10), 'completed');
		writeRun(stateDir, 'b', days(2));
		const right = listing(stateDir);
		const whole = fs.readFileSync(indexFile(stateDir), 'utf8');
		for (const bad of [whole.slice(0, whole.length / 2), '', 'null', '{"version":1}', whole.replace('"head":{', '"head":{"runId":7,"x":{'), '\0\0\0']) {
			fs.writeFileSync(indexFile(stateDir), bad);
			expect(listing(stateDir)).toEqual(right);
			expect(JSON.parse(fs.readFileSync(indexFile(stateDir), 'utf8'))).toEqual(JSON.parse(whole));
		}
	});

	it('another state directory’s index is not taken for this one', () => {
		const one = tempStateDir();
		const two = tempStateDir();
		writeRun(one, 'a', days(3), 'completed');
		writeRun(two, 'b', days(3));
		writeRun(two, 'a', days(3));
		listing(one);
		fs.copyFileSync(indexFile(one), indexFile(two));
		expect(ids(readRunIndex(two).heads)).toEqual(ids(fromEveryJournal(two)));
	});

	it('a journal whose first line is still being written is listed once it is', () => {
		const stateDir = tempStateDir();
		writeRun(stateDir, 'a', days(3), 'completed');
		const runId = `${stamp(days(1))}-b-beef`;
		fs.writeFileSync(journalFile(stateDir, runId), '{"seq":1,"prev":"', {mode: 0o600});
		expect(listing(stateDir).find(row => row.id === 'b')?.state).toBe('due');
		fs.rmSync(journalFile(stateDir, runId));
		const real = writeRun(stateDir, 'b', days(1));
		fs.renameSync(journalFile(stateDir, real), journalFile(stateDir, runId));
		// Same name, now a run (its content says which run it is; the listing goes by the file).
		expect(listing(stateDir).find(row => row.id === 'b')?.state).toBe('in-progress');
	});

	it('a torn last line is not an event: the run stays unfinished', () => {
		const stateDir = tempStateDir();
		const runId = writeRun(stateDir, 'a', days(1));
		listing(stateDir);
		fs.appendFileSync(journalFile(stateDir, runId), '{"seq":3,"prev":"x","type":"run-finished","outcome":"comp');
		expect(listing(stateDir).find(row => row.id === 'a')?.state).toBe('in-progress');
	});

	it('whatever happens to the journals and the index, it answers as reading every journal would', () => {
		const action = fc.oneof(
			fc.record({
				kind: fc.constant('start' as const),
				runbook: fc.constantFrom('a', 'b', 'c'),
				day: fc.integer({min: 1, max: 60}),
				outcome: fc.constantFrom(undefined, 'completed', 'needs-attention', 'failed', 'stopped'),
			}),
			fc.record({kind: fc.constant('finish' as const), pick: fc.nat(), outcome: fc.constantFrom('completed', 'stopped', 'needs-attention')}),
			fc.record({kind: fc.constant('remove' as const), pick: fc.nat()}),
			fc.record({kind: fc.constantFrom('lose-index' as const, 'tear-index' as const)}),
		);
		fc.assert(
			fc.property(fc.array(action, {minLength: 1, maxLength: 14}), actions => {
				const stateDir = tempStateDir();
				const open: string[] = [];
				const all: string[] = [];
				for (const step of actions) {
					if (step.kind === 'start') {
						const runId = writeRun(stateDir, step.runbook, days(step.day), step.outcome as RunOutcome | undefined);
						all.push(runId);
						if (!step.outcome) open.push(runId);
					} else if (step.kind === 'finish' && open.length > 0) {
						finish(stateDir, open.splice(step.pick % open.length, 1)[0]!, step.outcome);
					} else if (step.kind === 'remove' && all.length > 0) {
						const [runId] = all.splice(step.pick % all.length, 1);
						open.splice(open.indexOf(runId!) >>> 0, open.includes(runId!) ? 1 : 0);
						fs.rmSync(journalFile(stateDir, runId!));
					} else if (step.kind === 'lose-index') {
						fs.rmSync(indexFile(stateDir), {force: true});
					} else if (step.kind === 'tear-index' && fs.existsSync(indexFile(stateDir))) {
						fs.truncateSync(indexFile(stateDir), Math.floor(fs.statSync(indexFile(stateDir)).size / 3));
					}
					expect(ids(readRunIndex(stateDir).heads)).toEqual(ids(fromEveryJournal(stateDir)));
				}
			}),
			{numRuns: 40},
		);
	});
});
