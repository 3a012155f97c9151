import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {createRunJournal} from '../../source/journal/run-journal.js';
import {listRuns} from '../../source/journal/read-journal.js';
import {newRunId} from '../../source/journal/run-id.js';
import {tempStateDir} from './helpers.js';

describe('listRuns', () => {
	it('lists the runs with a journal, oldest first', () => {
		const stateDir = tempStateDir();
		const ids = [
			newRunId('zeta', new Date('2026-03-01T00:00:00Z')),
			newRunId('alpha', new Date('2027-01-01T00:00:00Z')),
			newRunId('mid', new Date('2026-06-15T12:00:00Z')),
		];
		for (const id of ids) {
			createRunJournal(stateDir, id).close();
		}

		fs.writeFileSync(path.join(stateDir, 'runs', 'notes.txt'), 'not a journal');
		expect(listRuns(stateDir)).toEqual([ids[0], ids[2], ids[1]]);
	});

	it('orders runs started in the same second by when their journals were made', () => {
		const stateDir = tempStateDir();
		const ids = ['20260301T000000Z-b-ffff', '20260301T000000Z-a-0000'];
		for (const id of ids) {
			createRunJournal(stateDir, id).close();
			// Make sure the creation times differ on coarse-clock file systems.
			const wait = Date.now() + 20;
			while (Date.now() < wait) {
				// busy-wait: a sleep here would need the test to be async
			}
		}

		// Not by name: 'b' was made first.
		expect(listRuns(stateDir)).toEqual(ids);
	});

	it('is empty when nothing has run', () => {
		expect(listRuns(tempStateDir())).toEqual([]);
	});
});
