// One active run per runbook: a second `rampart run` of the same runbook on
// the same state directory is refused, says who holds it, and writes nothing.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {journalPath, listRuns, lockPath, verifyJournal} from '../../source/journal/index.js';
import {cliHome, eventsOf, frontMatter, sh, startCli, waitFor, writeRunbook} from './helpers.js';

describe('two runs of one runbook', () => {
	it('refuses the second with the holder named, and the first completes with a whole record', async () => {
		const home = cliHome();
		writeRunbook(
			home.cwd,
			'slow',
			frontMatter('Slow') + '## Before\n\n' + sh('echo before >> order') + '## Sleep\n\n' + sh('echo sleeping >> order\nsleep 2\necho woke >> order'),
		);
		const first = startCli(['run', './slow.md', '--approve', '--yes'], {cwd: home.cwd, env: home.env});
		const order = path.join(home.cwd, 'order');
		await waitFor(() => fs.existsSync(order) && fs.readFileSync(order, 'utf8').includes('sleeping'), 'the first run to reach its long step');

		const second = await startCli(['run', './slow.md', '--approve', '--yes'], {cwd: home.cwd, env: home.env}).done;
		expect(second.code).toBe(1);
		const match = /already running \(pid (\d+) on host (\S+) since (\S+)\)/.exec(second.stderr);
		expect(match, second.stderr).not.toBeNull();
		expect(Number(match![1])).toBe(first.child.pid);
		expect(match![2]).toBe(os.hostname());
		expect(Number.isNaN(Date.parse(match![3]!))).toBe(false);
		expect(second.stderr).not.toMatch(/unexpected error/);
		// The lock is still the first run's.
		expect(JSON.parse(fs.readFileSync(lockPath(home.stateDir, 'slow'), 'utf8'))).toMatchObject({pid: first.child.pid});

		const done = await first.done;
		expect(done.code).toBe(0);
		expect(fs.readFileSync(order, 'utf8')).toBe('before\nsleeping\nwoke\n');

		// Only the first run left a record, and it has every event from start to finish.
		const runs = listRuns(home.stateDir);
		expect(runs).toHaveLength(1);
		expect(fs.readdirSync(path.join(home.stateDir, 'logs'))).toEqual(runs);
		expect(verifyJournal(journalPath(home.stateDir, runs[0]!))).toMatchObject({ok: true, problems: []});
		const types = eventsOf(home.stateDir, runs[0]!).map(e => e.type);
		expect(types).toEqual([
			'run-started',
			...['step-started', 'block-started', 'block-finished', 'step-finished'],
			...['step-started', 'block-started', 'block-finished', 'step-finished'],
			'run-finished',
		]);
		expect(eventsOf(home.stateDir, runs[0]!).at(-1)).toMatchObject({outcome: 'completed'});
		expect(fs.existsSync(lockPath(home.stateDir, 'slow'))).toBe(false);
	});
});
