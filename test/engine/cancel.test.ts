// Cancel and timeout stop the block's whole process group, background
// children included, and the step is recorded as such. Also through the CLI:
// Ctrl-C (SIGINT) leaves nothing running and a run that can be resumed.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {journalPath, verifyJournal} from '../../source/journal/index.js';
import {
	cliHome,
	eventsOf,
	fixture,
	frontMatter,
	isAlive,
	liveGroupMembers,
	onlyRun,
	readIfExists,
	resumeSession,
	runCli,
	sh,
	startCli,
	startSession,
	waitFor,
	writeRunbook,
} from './helpers.js';

/**
 * A block that records its pids, then waits on two background sleeps in a
 * nested bash: the block's shell (the group leader), the inner shell and the
 * two sleeps, one pid per line.
 */
const LONG_BLOCK = `echo $$ > pids
bash -c 'sleep 300 & echo $! >> pids; sleep 300 & echo $! >> pids; echo $$ >> pids; wait'`;

const pidLines = (dir: string): number[] => (readIfExists(path.join(dir, 'pids')) ?? '').split('\n').filter(Boolean).map(Number);

/** The distinct pids (bash may exec the inner shell in place of the block's own). */
const waitForPids = async (dir: string) => {
	await waitFor(() => pidLines(dir).length === 4, 'the block to write its 4 pids');
	return [...new Set(pidLines(dir))];
};

const expectAllGone = async (pids: number[], withinMs: number) => {
	const pgid = pids[0]!;
	await waitFor(() => pids.every(pid => !isAlive(pid)) && liveGroupMembers(pgid).length === 0, 'every process of the block to end', withinMs);
	// isAlive: process.kill(pid, 0) fails with ESRCH, or the pid is an unreaped zombie.
	for (const pid of pids) expect(isAlive(pid), `pid ${pid} is still running`).toBe(false);
	expect(liveGroupMembers(pgid)).toEqual([]);
};

describe('cancel', () => {
	it('kills every process of the running block within 2 s and records the step cancelled', async () => {
		const f = fixture(frontMatter('Cancel') + '## Long\n\n' + sh(LONG_BLOCK) + sh('touch after'));
		const session = startSession(f, {killGraceMs: 1000});
		const running = session.runStep('long');
		running.catch(() => undefined); // awaited below; keep an early failure from leaving it unhandled
		const pids = await waitForPids(f.work);
		expect(liveGroupMembers(pids[0]!).sort()).toEqual([...pids].sort());

		session.cancel();
		await expectAllGone(pids, 2000);
		const state = await running;
		expect(state.status).toBe('cancelled');
		expect(fs.existsSync(path.join(f.work, 'after'))).toBe(false);
		const finished = eventsOf(f.stateDir, session.runId).filter(e => e.type === 'block-finished');
		expect(finished).toEqual([expect.objectContaining({cancelled: true, timedOut: false})]);

		// The run goes on: the step can be run again.
		expect(session.isBusy).toBe(false);
		session.skip('long', 'cancelled on purpose');
		expect(session.finish()).toBe('completed');
	});

	it('also stops the block when the session is closed', async () => {
		const f = fixture(frontMatter('Close') + '## Long\n\n' + sh(LONG_BLOCK));
		const session = startSession(f, {killGraceMs: 1000});
		const running = session.runStep('long');
		running.catch(() => undefined);
		const pids = await waitForPids(f.work);
		session.close();
		await expectAllGone(pids, 2000);
		await expect(running).rejects.toThrow(/closed while a command was running/);
		// Nothing was written after the close: the record is intact and resumable.
		expect(verifyJournal(journalPath(f.stateDir, session.runId)).ok).toBe(true);
		const resumed = resumeSession(f, session.runId);
		expect(resumed.state.steps[0]!.status).toBe('interrupted');
	});
});

describe('timeout', () => {
	it('kills the block group at the limit and records the step timed out', async () => {
		const f = fixture(frontMatter('Timeout') + '## Hangs\n\n' + sh('sleep 30 &\necho $! > bg\necho $$ > leader\nsleep 30', 'timeout=1s') + sh('touch after'));
		const session = startSession(f);
		const started = Date.now();
		const state = await session.runStep('hangs');
		const took = Date.now() - started;
		expect(state.status).toBe('timed-out');
		expect(took).toBeGreaterThanOrEqual(900);
		expect(took).toBeLessThan(5000);
		const pids = [Number(fs.readFileSync(path.join(f.work, 'leader'), 'utf8')), Number(fs.readFileSync(path.join(f.work, 'bg'), 'utf8'))];
		await expectAllGone(pids, 2000);
		expect(fs.existsSync(path.join(f.work, 'after'))).toBe(false);
		expect(eventsOf(f.stateDir, session.runId).find(e => e.type === 'block-finished')).toMatchObject({timedOut: true, cancelled: false});
		const log = fs.readFileSync(path.join(f.stateDir, state.logs[0]!.path), 'utf8');
		expect(log).toMatch(/timed out after 1000 ms/);
	});
});

describe('SIGINT to rampart run', () => {
	it('stops the block, exits 130, and leaves a run that resume completes', async () => {
		const home = cliHome();
		const long = (block: string) =>
			frontMatter('Interrupt') + '## First\n\n' + sh('echo first >> order') + '## Long\n\n' + sh(block) + '## Last\n\n' + sh('echo last >> order');
		writeRunbook(home.cwd, 'interrupt', long(LONG_BLOCK));
		const run = startCli(['run', './interrupt.md', '--approve', '--yes'], {cwd: home.cwd, env: home.env});
		const pids = await waitForPids(home.cwd);

		const sent = Date.now();
		run.child.kill('SIGINT');
		const result = await run.done;
		expect(result.code).toBe(130);
		expect(Date.now() - sent).toBeLessThan(5000);
		await expectAllGone(pids, 2000);
		const runId = onlyRun(home.stateDir);
		expect(result.stderr).toContain(`interrupted; nothing is left running. Resume with: rampart resume ${runId}`);
		const stopped = eventsOf(home.stateDir, runId);
		expect(stopped.find(e => e.type === 'step-finished' && e.step === 'long')).toMatchObject({status: 'cancelled'});
		expect(stopped.some(e => e.type === 'run-finished')).toBe(false);

		// Make the step quick, then resume: the first step is not done again.
		writeRunbook(home.cwd, 'interrupt', long('echo long >> order'));
		const resumed = await runCli(['resume', '--yes', '--approve'], home);
		expect(resumed.stderr).toMatch(/steps changed since the run started: Long/);
		expect(resumed.code).toBe(0);
		expect(fs.readFileSync(path.join(home.cwd, 'order'), 'utf8')).toBe('first\nlong\nlast\n');
		expect(eventsOf(home.stateDir, runId).at(-1)).toMatchObject({type: 'run-finished', outcome: 'completed'});
		expect(verifyJournal(journalPath(home.stateDir, runId)).ok).toBe(true);
	});
});
