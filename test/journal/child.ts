// Runs in a child process (bundled by helpers.ts) so tests can kill it or
// race several of it against each other.
//   append <stateDir> <runId> <create|reopen> <bigEvery>
//     appends notes forever, printing `acked <seq>` after each append returns.
//   lock <stateDir> <runbookId> <runId> <goAtMs>
//     waits until goAtMs, tries the lock, prints `won` or `lost <message>`,
//     then holds what it got until its stdin closes.
//   complete <stateDir> <runbookId> <count> <goAtMs>
//     waits until goAtMs, then records `count` completions of the runbook one
//     after the other (runs <runbookId>-1 …), printing `done <n>` after each.

import fs from 'node:fs';
import {createRunJournal, reopenRunJournal} from '../../source/journal/run-journal.js';
import {acquireRunLock} from '../../source/journal/lock.js';
import {recordCompletion} from '../../source/journal/completion-index.js';

const [mode, ...args] = process.argv.slice(2);

function say(text: string): void {
	fs.writeSync(1, text + '\n');
}

if (mode === 'append') {
	const [stateDir = '', runId = '', how = 'create', bigEvery = '0'] = args;
	const journal = how === 'create' ? createRunJournal(stateDir, runId) : reopenRunJournal(stateDir, runId);
	const big = 'x'.repeat(4 * 1024 * 1024);
	for (let count = 1; ; count++) {
		// Now and then a big line, so a kill can land in the middle of its write.
		const text = Number(bigEvery) > 0 && count % Number(bigEvery) === 0 ? big : `note ${count}`;
		journal.append({type: 'note-added', runId, time: new Date().toISOString(), text});
		say(`acked ${journal.nextSeq - 1}`);
	}
} else if (mode === 'lock') {
	const [stateDir = '', runbookId = '', runId = '', goAt = '0'] = args;
	while (Date.now() < Number(goAt)) {
		// Spin, so both children start trying within the same moment.
	}

	try {
		acquireRunLock(stateDir, runbookId, runId);
		say('won');
	} catch (error) {
		say(`lost ${(error as Error).message}`);
	}

	process.stdin.resume();
	process.stdin.on('end', () => process.exit(0));
} else if (mode === 'complete') {
	const [stateDir = '', runbookId = '', count = '1', goAt = '0'] = args;
	while (Date.now() < Number(goAt)) {
		// Spin, so every child starts writing within the same moment.
	}

	for (let n = 1; n <= Number(count); n++) {
		recordCompletion(stateDir, runbookId, {runId: `${runbookId}-${n}`, completedAt: new Date(Date.UTC(2026, 0, n)), every: '7d'});
		say(`done ${n}`);
	}
} else {
	throw new Error(`unknown mode ${mode}`);
}
