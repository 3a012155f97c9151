// The completion index as the CLI keeps it: many runs finishing at once in
// separate processes lose no entry, and an index that is not JSON does not
// fail a run whose steps have all run (it used to end in "unexpected error").

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {indexPath, readCompletionIndex} from '../../source/journal/completion-index.js';
import {listRuns} from '../../source/journal/read-journal.js';
import {readRunHead} from '../../source/journal/read-records.js';
import {cliHome, frontMatter, runCli, sh, writeRunbook} from '../engine/helpers.js';

const book = (n: number) => frontMatter(`Book ${n}`) + '## Do it\n\n' + sh(`echo ${n} >> done-${n}`);

/** Each runbook's latest completed run, as the journals say. */
const latestByJournal = (stateDir: string): Record<string, string> => {
	const latest: Record<string, string> = {};
	for (const runId of listRuns(stateDir)) {
		const head = readRunHead(stateDir, runId);
		if (head?.outcome === 'completed') latest[head.runbookId] = runId;
	}
	return latest;
};

describe('the completion index, kept by the CLI', () => {
	it('4 rounds of 15 concurrent runs: every runbook has its latest completion in the index', {timeout: 240_000}, async () => {
		const home = cliHome();
		const ids = Array.from({length: 15}, (_, n) => `book-${n}`);
		ids.forEach((id, n) => writeRunbook(home.cwd, id, book(n)));
		for (let round = 1; round <= 4; round++) {
			const results = await Promise.all(ids.map(id => runCli(['run', `./${id}.md`, '--yes', '--approve'], home)));
			for (const result of results) expect(result.code, result.stderr).toBe(0);
		}

		const latest = latestByJournal(home.stateDir);
		expect(Object.keys(latest).sort()).toEqual([...ids].sort());
		const index = readCompletionIndex(home.stateDir);
		expect(Object.fromEntries(Object.entries(index).map(([id, entry]) => [id, entry.lastRunId]))).toEqual(latest);
		for (const n of ids.keys()) expect(fs.readFileSync(path.join(home.cwd, `done-${n}`), 'utf8')).toBe(`${n}\n`.repeat(4));
		expect(fs.readdirSync(path.join(home.stateDir, 'locks'))).toEqual([]);
	});

	it('an index.json that is not JSON does not fail the run: it is put aside and rebuilt', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'book', book(1));
		writeRunbook(home.cwd, 'other', book(2));
		expect((await runCli(['run', './other.md', '--yes', '--approve'], home)).code).toBe(0);
		fs.writeFileSync(indexPath(home.stateDir), '{"other": {"lastRunId": "20', {mode: 0o600});

		const result = await runCli(['run', './book.md', '--yes', '--approve'], home);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).not.toContain('unexpected error');
		const index = readCompletionIndex(home.stateDir);
		expect(Object.fromEntries(Object.entries(index).map(([id, entry]) => [id, entry.lastRunId]))).toEqual(latestByJournal(home.stateDir));
		expect(Object.keys(index).sort()).toEqual(['book', 'other']);
		const aside = fs.readdirSync(home.stateDir).filter(name => name.startsWith('index.json.corrupt-'));
		expect(aside).toHaveLength(1);
		expect(fs.readFileSync(path.join(home.stateDir, aside[0]!), 'utf8')).toBe('{"other": {"lastRunId": "20');

		const list = await runCli(['list', '--json'], {...home, env: {...home.env, RAMPART_RUNBOOKS: home.cwd}});
		expect(list.code, list.stderr).toBe(0);
	});
});
