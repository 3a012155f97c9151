import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {indexPath, nextDueAfter, readCompletionIndex, recordCompletion} from '../../source/journal/completion-index.js';
import {tempStateDir} from './helpers.js';

const COMPLETED = '2026-01-31T10:00:00.000Z';

describe('the completion index', () => {
	it.each([
		['30d', '2026-03-02T10:00:00.000Z'],
		['12w', '2026-04-25T10:00:00.000Z'],
		['6m', '2026-07-31T10:00:00.000Z'],
		['1m', '2026-02-28T10:00:00.000Z'],
		['1y', '2027-01-31T10:00:00.000Z'],
	])('every %s after %s is due %s', (every, nextDue) => {
		const stateDir = tempStateDir();
		const entry = recordCompletion(stateDir, 'firewall', {runId: 'run-1', completedAt: COMPLETED, every});
		expect(entry).toEqual({lastRunId: 'run-1', lastCompletedAt: COMPLETED, every, nextDue});
		expect(readCompletionIndex(stateDir)).toEqual({firewall: entry});
	});

	it('counts months by the calendar, from the end of a month too', () => {
		expect(nextDueAfter(new Date('2026-08-31T00:00:00Z'), '6m').toISOString()).toBe('2027-02-28T00:00:00.000Z');
		expect(nextDueAfter(new Date('2028-02-29T12:00:00Z'), '1y').toISOString()).toBe('2029-02-28T12:00:00.000Z');
		expect(() => nextDueAfter(new Date(), '3 months')).toThrow(RangeError);
	});

	it('keeps one entry per runbook, the latest completion replacing the last', () => {
		const stateDir = tempStateDir();
		recordCompletion(stateDir, 'firewall', {runId: 'run-1', completedAt: new Date(COMPLETED), every: '7d'});
		recordCompletion(stateDir, 'ssh.hardening', {runId: 'run-2', completedAt: COMPLETED});
		recordCompletion(stateDir, 'firewall', {runId: 'run-3', completedAt: '2026-02-10T00:00:00Z', every: '7d'});
		expect(readCompletionIndex(stateDir)).toEqual({
			firewall: {lastRunId: 'run-3', lastCompletedAt: '2026-02-10T00:00:00.000Z', every: '7d', nextDue: '2026-02-17T00:00:00.000Z'},
			// A dotted id is one key, not a path into the store.
			'ssh.hardening': {lastRunId: 'run-2', lastCompletedAt: COMPLETED},
		});
		expect(JSON.parse(fs.readFileSync(indexPath(stateDir), 'utf8'))).toHaveProperty(['ssh.hardening', 'lastRunId'], 'run-2');
	});

	it('rejects a bad cadence or time without writing anything', () => {
		const stateDir = tempStateDir();
		expect(() => recordCompletion(stateDir, 'x', {runId: 'r', completedAt: COMPLETED, every: 'weekly'})).toThrow(RangeError);
		expect(() => recordCompletion(stateDir, 'x', {runId: 'r', completedAt: 'yesterday'})).toThrow(RangeError);
		expect(fs.existsSync(indexPath(stateDir))).toBe(false);
	});

	it('reading an index that does not exist creates nothing', () => {
		const stateDir = tempStateDir();
		expect(readCompletionIndex(stateDir)).toEqual({});
		expect(fs.existsSync(stateDir)).toBe(false);
	});

	it('a hand-edited index that breaks the schema is an error, not silently cleared', () => {
		const stateDir = tempStateDir();
		recordCompletion(stateDir, 'firewall', {runId: 'run-1', completedAt: COMPLETED});
		fs.writeFileSync(path.join(stateDir, 'index.json'), JSON.stringify({firewall: {lastRunId: 5}}));
		expect(() => readCompletionIndex(stateDir)).toThrow(/schema/);
	});
});
