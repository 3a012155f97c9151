// The completion index is one file that every completed run updates. Runs of
// different runbooks finish at the same moment, in processes of their own:
// none may lose another's entry. And the index is a summary of the journals,
// so an index that cannot be used is rebuilt from them, never fatal.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/types/events.js';
import {indexPath, readCompletionIndex, recordCompletion} from '../../source/journal/completion-index.js';
import {createRunJournal} from '../../source/journal/run-journal.js';
import {childScript, deadPid, runChild, tempStateDir} from './helpers.js';

/** A finished run's journal: run-started (with the runbook's cadence) and run-finished. */
const writeRun = (stateDir: string, runId: string, runbookId: string, outcome: string, finishedAt: string, every?: string) => {
	const journal = createRunJournal(stateDir, runId);
	const started = {
		type: 'run-started',
		runId,
		time: finishedAt,
		runbook: {id: runbookId, path: `/books/${runbookId}.md`, sha256: '0'.repeat(64), title: runbookId, ...(every ? {every} : {})},
		operator: {user: 'root', uid: 0, host: 'test'},
		rampartVersion: '0.0.0',
		inputs: {},
		secrets: [],
		steps: [],
		cwd: '/',
		mode: 'run',
	};
	journal.append(started as unknown as RunEvent);
	journal.append({type: 'run-finished', runId, time: finishedAt, outcome} as RunEvent);
	journal.close();
};

const ENTRY_4 = (id: string) => ({lastRunId: `${id}-4`, lastCompletedAt: '2026-01-04T00:00:00.000Z', every: '7d', nextDue: '2026-01-11T00:00:00.000Z'});

describe('concurrent updates of the completion index', () => {
	it('keeps every runbook: 15 processes each record 4 completions of their own runbook at the same moment', async () => {
		const stateDir = tempStateDir();
		const script = childScript();
		const ids = Array.from({length: 15}, (_, n) => `book-${n}`);
		// Late enough for every child to have started and be spinning.
		const goAt = Date.now() + 2500 + 150 * os.cpus().length;
		const results = await Promise.all(ids.map(id => runChild([script, 'complete', stateDir, id, '4', String(goAt)])));
		for (const result of results) {
			expect(result.code).toBe(0);
			expect(result.stdout).toContain('done 4');
		}

		const index = readCompletionIndex(stateDir);
		expect(Object.keys(index).sort()).toEqual([...ids].sort());
		for (const id of ids) expect(index[id]).toEqual(ENTRY_4(id));
		// The lock is given back and no temporary file is left behind.
		expect(fs.readdirSync(stateDir).sort()).toEqual(['index.json', 'locks']);
		expect(fs.readdirSync(path.join(stateDir, 'locks'))).toEqual([]);
	});

	it('takes over the lock of a process that died holding it', async () => {
		const stateDir = tempStateDir();
		fs.mkdirSync(path.join(stateDir, 'locks'), {recursive: true, mode: 0o700});
		const lock = path.join(stateDir, 'locks', '.index.lock');
		fs.writeFileSync(lock, JSON.stringify({pid: await deadPid(), host: os.hostname(), since: new Date().toISOString(), runId: 'gone'}), {mode: 0o600});
		const started = Date.now();
		recordCompletion(stateDir, 'firewall', {runId: 'run-1', completedAt: '2026-01-01T00:00:00Z'});
		expect(Date.now() - started).toBeLessThan(2000);
		expect(readCompletionIndex(stateDir)).toEqual({firewall: {lastRunId: 'run-1', lastCompletedAt: '2026-01-01T00:00:00.000Z'}});
		expect(fs.existsSync(lock)).toBe(false);
	});
});

describe('an index that cannot be used', () => {
	const journals = (stateDir: string) => {
		writeRun(stateDir, '20260101T000000Z-firewall-aaaa', 'firewall', 'completed', '2026-01-01T00:00:00.000Z', '30d');
		writeRun(stateDir, '20260102T000000Z-firewall-bbbb', 'firewall', 'failed', '2026-01-02T00:00:00.000Z', '30d');
		writeRun(stateDir, '20260103T000000Z-backup-cccc', 'backup', 'needs-attention', '2026-01-03T00:00:00.000Z');
		writeRun(stateDir, '20260104T000000Z-backup-dddd', 'backup', 'stopped', '2026-01-04T00:00:00.000Z');
	};
	const rebuilt = {
		firewall: {lastRunId: '20260101T000000Z-firewall-aaaa', lastCompletedAt: '2026-01-01T00:00:00.000Z', every: '30d', nextDue: '2026-01-31T00:00:00.000Z'},
		backup: {lastRunId: '20260103T000000Z-backup-cccc', lastCompletedAt: '2026-01-03T00:00:00.000Z'},
	};

	it.each([
		['is not JSON', (file: string) => fs.writeFileSync(file, '{"firewall": {"lastRunId": "20260101T0', {mode: 0o600})],
		['breaks the schema', (file: string) => fs.writeFileSync(file, JSON.stringify({firewall: {lastRunId: 5}}), {mode: 0o600})],
		['is a directory', (file: string) => fs.mkdirSync(file)],
	])('an index that %s does not fail the update: it is put aside and rebuilt from the journals', (_what, spoil) => {
		const stateDir = tempStateDir();
		journals(stateDir);
		spoil(indexPath(stateDir));
		const entry = recordCompletion(stateDir, 'ssh', {runId: '20260105T000000Z-ssh-eeee', completedAt: '2026-01-05T00:00:00Z'});
		expect(readCompletionIndex(stateDir)).toEqual({...rebuilt, ssh: entry});
		// What it said is kept beside it, for whoever wants to look.
		expect(fs.readdirSync(stateDir).filter(name => name.startsWith('index.json.corrupt-'))).toHaveLength(1);
	});

	it('a missing index is rebuilt from the journals too', () => {
		const stateDir = tempStateDir();
		journals(stateDir);
		const entry = recordCompletion(stateDir, 'ssh', {runId: '20260105T000000Z-ssh-eeee', completedAt: '2026-01-05T00:00:00Z'});
		expect(readCompletionIndex(stateDir)).toEqual({...rebuilt, ssh: entry});
	});

	it('a runbook id such as __proto__ is an entry like any other', () => {
		const stateDir = tempStateDir();
		recordCompletion(stateDir, '__proto__', {runId: 'run-1', completedAt: '2026-01-01T00:00:00Z'});
		recordCompletion(stateDir, 'firewall', {runId: 'run-2', completedAt: '2026-01-01T00:00:00Z'});
		expect(Object.keys(readCompletionIndex(stateDir)).sort()).toEqual(['__proto__', 'firewall']);
	});
});
