// After kill -9, a block's commands can outlive Rampart in their own process
// group. Resuming then would run the step twice at once: resume must refuse,
// name the processes, and say how to stop them.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cliHome, frontMatter, runCli, sh, startCli, waitFor, writeRunbook} from './helpers.js';
import {liveGroupMembers} from '../../source/engine/leftover-processes.js';

describe('resume after kill -9 while a block still runs', () => {
	it('refuses while the orphaned block runs, and goes on once it is gone', async () => {
		const home = cliHome();
		writeRunbook(
			home.cwd,
			'orphan',
			frontMatter('Orphan') +
				'## Long\n\n' +
				sh('if [ ! -e started ]; then\n\techo started > started\n\tsleep 60\nfi\necho long >> effects') +
				'## After\n\n' +
				sh('echo after >> effects'),
		);
		const run = startCli(['run', './orphan.md', '--yes', '--approve'], {cwd: home.cwd, env: home.env});
		await waitFor(() => fs.existsSync(path.join(home.cwd, 'started')), 'the long block to start');
		run.child.kill('SIGKILL');
		await run.done;

		const refused = await runCli(['resume', '--yes'], home);
		expect(refused.code).toBe(1);
		expect(refused.stderr).toContain('still running; resuming now would run the step twice at once');
		const pgid = Number(/process group (\d+)/.exec(refused.stderr)?.[1]);
		expect(pgid).toBeGreaterThan(1);
		expect(refused.stderr).toContain(`kill -TERM -- -${pgid}`);
		expect(refused.stderr).toContain('sleep 60');
		expect(fs.existsSync(path.join(home.cwd, 'effects'))).toBe(false);

		// Do what the message says, then resume completes the run.
		process.kill(-pgid, 'SIGTERM');
		await waitFor(() => liveGroupMembers(pgid).length === 0, 'the orphaned group to end');
		const resumed = await runCli(['resume', '--yes', '--rerun-interrupted'], home);
		expect(resumed.code, resumed.stderr).toBe(0);
		expect(fs.readFileSync(path.join(home.cwd, 'effects'), 'utf8')).toBe('long\nafter\n');
	});
});
