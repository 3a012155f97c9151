// kill -9 at arbitrary moments while a child appends: whatever the moment,
// every acknowledged event is intact, verify finds nothing worse than a torn
// last line, and reopening repairs that and continues the chain.

import {describe, expect, it} from 'vitest';
import {createRunJournal, reopenRunJournal} from '../../source/journal/run-journal.js';
import {readJournal, verifyJournal} from '../../source/journal/read-journal.js';
import {childScript, runChild, tempStateDir} from './helpers.js';

const RUN = '20261124T201500Z-crash-0000';

describe('kill -9 while appending', () => {
	it('never loses an acknowledged event nor breaks the chain', async () => {
		const script = childScript();
		const stateDir = tempStateDir();
		createRunJournal(stateDir, RUN).close();
		let acknowledged = 0;
		let sawTornTail = false;

		for (let round = 0; round < 12; round++) {
			const killAfterOutputMs = Math.floor(Math.random() * 150);
			// Every third event is 4 MiB, so some kills land inside a write.
			const {stdout, signal} = await runChild([script, 'append', stateDir, RUN, 'reopen', '3'], {killAfterOutputMs});
			expect(signal).toBe('SIGKILL');
			for (const match of stdout.matchAll(/^acked (\d+)$/gm)) {
				acknowledged = Math.max(acknowledged, Number(match[1]));
			}

			const file = `${stateDir}/runs/${RUN}.jsonl`;
			const result = verifyJournal(file);
			// Killed before its first event was complete, the journal is empty, and verify says so.
			const empty = result.lines === 0 && acknowledged === 0;
			expect(result.problems.filter(problem => problem.kind !== 'torn-tail' && !(empty && problem.kind === 'empty'))).toEqual([]);
			expect(result.ok).toBe(!empty);
			sawTornTail ||= result.problems.length > 0;
			// Acknowledged means on disk: every one of them is there, in order.
			expect(result.lines).toBeGreaterThanOrEqual(acknowledged);
			const seqs = readJournal(file).events.map(event => event.seq);
			expect(seqs).toEqual(Array.from({length: result.lines}, (_, index) => index + 1));
		}

		expect(acknowledged).toBeGreaterThan(12);
		const reopened = reopenRunJournal(stateDir, RUN);
		reopened.close();
		expect(verifyJournal(reopened.path).problems).toEqual([]);
		// Not asserted (timing decides), but worth seeing when it happens.
		if (sawTornTail) {
			console.info('a kill landed mid-write and left a torn tail, which was repaired');
		}
	});
});
