// A step cut off while it ran (Rampart killed) is not run again behind the
// operator's back: resume says what it had done and asks (TUI) or needs
// --rerun-interrupted (headless); its check runs first; a step whose run
// blocks are all `idempotent` is simply run again.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {
	cliHome,
	eventsOf,
	fixture,
	frontMatter,
	isAlive,
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

const TWO_BLOCKS = (attributes = '') =>
	frontMatter('Cut') +
	'## Append twice\n\n' +
	sh('echo once >> ledger', attributes) +
	sh('touch started\nsleep 30\necho twice >> ledger', attributes) +
	'## After\n\n' +
	sh('echo after >> ledger');

/** Runs the first step until its second block is running, then closes the session as a crash would leave it. */
const cutOff = async (text: string) => {
	const f = fixture(text);
	const session = startSession(f, {killGraceMs: 300});
	const running = session.runStep('append-twice');
	running.catch(() => undefined);
	await waitFor(() => fs.existsSync(path.join(f.work, 'started')), 'the second block to start');
	session.close();
	await running.catch(() => undefined);
	return {f, runId: session.runId};
};

describe('resuming a step that was cut off', () => {
	it('stops and says what it had done; runs it again only when the operator says so, and records that', async () => {
		const {f, runId} = await cutOff(TWO_BLOCKS());
		const session = resumeSession(f, runId);
		expect(session.state.steps[0]!.status).toBe('interrupted');
		const first = await session.proceed('append-twice', {run: true, confirmAll: true});
		expect(first.ran).toBe(false);
		expect(first.need).toMatchObject({
			kind: 'interrupted',
			blocks: [
				{block: 0, finished: true, exitCode: 0},
				{block: 1, finished: false},
			],
		});
		await expect(session.runStep('append-twice')).rejects.toThrow(
			/was interrupted while it ran \(attempt 1\): block 1 "echo once >> ledger" finished \(exit 0\); block 2 "touch started" was cut off/,
		);
		expect(fs.readFileSync(path.join(f.work, 'ledger'), 'utf8')).toBe('once\n');

		fs.writeFileSync(path.join(f.work, 'started'), '');
		const again = session.proceed('append-twice', {run: true, confirmAll: true, rerunInterrupted: true});
		await waitFor(() => (readIfExists(path.join(f.work, 'ledger')) ?? '').split('\n').length > 2, 'the step to run again');
		session.cancel();
		await again;
		const restarted = eventsOf(f.stateDir, runId).filter(e => e.type === 'step-started');
		expect(restarted.at(-1)).toMatchObject({attempt: 2, rerun: 'interrupted'});
	});

	it('a step whose run blocks are all idempotent runs again without asking', async () => {
		const {f, runId} = await cutOff(TWO_BLOCKS('idempotent'));
		const session = resumeSession(f, runId);
		const progress = session.proceed('append-twice', {run: true, confirmAll: true});
		await waitFor(() => (readIfExists(path.join(f.work, 'ledger')) ?? '') === 'once\nonce\n', 'the step to run again');
		session.cancel();
		expect((await progress).ran).toBe(true);
	});
});

describe('headless resume after kill -9 mid-step', () => {
	it('exits 1 naming the interrupted step and --rerun-interrupted; with it, the run completes', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'cut', TWO_BLOCKS().replace('sleep 30', 'if [ ! -e quick ]; then sleep 30; fi'));
		const run = startCli(['run', './cut.md', '--approve', '--yes'], {cwd: home.cwd, env: home.env});
		await waitFor(() => fs.existsSync(path.join(home.cwd, 'started')), 'the second block to start');
		run.child.kill('SIGKILL');
		await run.done;
		const runId = onlyRun(home.stateDir);
		// The block outlives Rampart (its own process group); resume refuses until it is stopped.
		const pgid = eventsOf(home.stateDir, runId).findLast(e => e.type === 'block-started')!.pgid!;
		process.kill(-pgid, 'SIGKILL');
		await waitFor(() => !isAlive(pgid), 'the cut-off block to end');

		fs.writeFileSync(path.join(home.cwd, 'quick'), '');
		const refused = await runCli(['resume', '--yes'], home);
		expect(refused.code).toBe(1);
		expect(refused.stderr).toContain('"Append twice" was interrupted while it ran');
		expect(refused.stderr).toContain(`rampart resume ${runId} --rerun-interrupted`);
		expect(fs.readFileSync(path.join(home.cwd, 'ledger'), 'utf8')).toBe('once\n');

		const resumed = await runCli(['resume', '--yes', '--rerun-interrupted'], home);
		expect(resumed.code, resumed.stderr).toBe(0);
		expect(fs.readFileSync(path.join(home.cwd, 'ledger'), 'utf8')).toBe('once\nonce\ntwice\nafter\n');
	});
});
