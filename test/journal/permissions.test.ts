// Journals and logs record what was done to a server: with even a wide-open
// umask, everything Rampart creates must be readable by its owner only.

import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {createRunJournal} from '../../source/journal/run-journal.js';
import {acquireRunLock} from '../../source/journal/lock.js';
import {indexPath, recordCompletion} from '../../source/journal/completion-index.js';
import {modeOf, note, tempDir} from './helpers.js';

const RUN = '20261124T201500Z-firewall-a1b2';

describe('permissions under umask 0', () => {
	let savedUmask: number;
	beforeEach(() => {
		savedUmask = process.umask(0);
	});
	afterEach(() => {
		process.umask(savedUmask);
	});

	it('makes every directory 0700 and every file 0600', () => {
		const stateDir = path.join(tempDir(), 'deep', 'state');
		const journal = createRunJournal(stateDir, RUN);
		journal.append(note(RUN, 'hello'));
		const log = journal.openLog('one', 'run');
		log.write('output\n');
		const ref = log.finish();
		journal.close();
		const lock = acquireRunLock(stateDir, 'firewall', RUN);
		recordCompletion(stateDir, 'firewall', {runId: RUN, completedAt: new Date(), every: '7d'});

		for (const dir of [
			path.dirname(stateDir),
			stateDir,
			path.join(stateDir, 'runs'),
			path.join(stateDir, 'logs'),
			path.join(stateDir, 'logs', RUN),
			path.join(stateDir, 'locks'),
		]) {
			expect([dir, modeOf(dir).toString(8)]).toEqual([dir, '700']);
		}

		for (const file of [journal.path, path.join(stateDir, ref.path), lock.path, indexPath(stateDir)]) {
			expect([file, modeOf(file).toString(8)]).toEqual([file, '600']);
		}

		lock.release();
	});
});
