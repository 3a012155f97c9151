// A block cannot outlive cancel, timeout or its own end by leaving its
// process group: setsid children, double-forked daemons with their output on
// /dev/null and children that clear their environment are all stopped, with
// a cgroup (root on Linux) and without one (the environment marker and the
// output pipes). Only what says RAMPART_DETACH=1 is left running, and named.

import fs from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {baseEnv, cliHome, eventsOf, fixture, frontMatter, isAlive, readIfExists, sh, startCli, startSession, waitFor, writeRunbook} from './helpers.js';

const kept: number[] = [];
afterEach(() => {
	for (const pid of kept.splice(0)) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// gone
		}
	}
});

const pidIn = async (dir: string, name: string): Promise<number> => {
	await waitFor(() => /^\d+\n?$/.test(readIfExists(path.join(dir, name)) ?? ''), `${name} to be written`);
	return Number(fs.readFileSync(path.join(dir, name), 'utf8'));
};

const gone = (pid: number, withinMs = 2000) => waitFor(() => !isAlive(pid), `pid ${pid} to end`, withinMs);

const canCgroup = process.platform === 'linux' && process.getuid?.() === 0;
const modes: Array<{name: string; env: Record<string, string>}> = [
	{name: 'environment marker', env: {RAMPART_CGROUP: 'off'}},
	...(canCgroup ? [{name: 'cgroup', env: {}}] : []),
];

/** The session's environment: RAMPART_CGROUP is read from Rampart's own, so it is set there for the test. */
const withMode = async <T>(env: Record<string, string>, work: () => Promise<T>): Promise<T> => {
	const before = process.env.RAMPART_CGROUP;
	if (env.RAMPART_CGROUP) process.env.RAMPART_CGROUP = env.RAMPART_CGROUP;
	else delete process.env.RAMPART_CGROUP;
	try {
		return await work();
	} finally {
		if (before === undefined) delete process.env.RAMPART_CGROUP;
		else process.env.RAMPART_CGROUP = before;
	}
};

describe.each(modes)('everything a block started ends with it ($name)', ({env}) => {
	it('cancel stops a setsid child that holds the output open, within 3 s', () =>
		withMode(env, async () => {
			const f = fixture(frontMatter('Escape') + '## Escapes\n\n' + sh('setsid sleep 301 &\necho $! > escapee\nsleep 300'));
			const session = startSession(f, {killGraceMs: 500});
			const running = session.runStep('escapes');
			const escapee = await pidIn(f.work, 'escapee');
			const sent = Date.now();
			session.cancel();
			const state = await running;
			expect(Date.now() - sent).toBeLessThan(3000);
			expect(state.status).toBe('cancelled');
			await gone(escapee);
			expect(eventsOf(f.stateDir, session.runId).some(e => e.type === 'warning')).toBe(false);
		}));

	it('a timeout stops a setsid child and a daemon whose output goes to /dev/null', () =>
		withMode(env, async () => {
			const block = "setsid sleep 20 &\necho $! > escapee\n( setsid bash -c 'echo $$ > daemon; exec sleep 303' </dev/null >/dev/null 2>&1 & )\nsleep 20";
			const f = fixture(frontMatter('Timeout') + '## Hangs\n\n' + sh(block, 'timeout=1s'));
			const session = startSession(f, {killGraceMs: 500});
			const started = Date.now();
			const state = await session.runStep('hangs');
			expect(state.status).toBe('timed-out');
			expect(Date.now() - started).toBeLessThan(3500);
			await gone(await pidIn(f.work, 'escapee'));
			await gone(await pidIn(f.work, 'daemon'));
		}));

	it('cancel stops a daemon whose output goes to /dev/null, and one that cleared its environment and holds the pipe', () =>
		withMode(env, async () => {
			const block = [
				"( setsid bash -c 'echo $$ > daemon; exec sleep 303' </dev/null >/dev/null 2>&1 & )",
				"env -i setsid bash -c 'echo $$ > cleared; exec sleep 305' &",
				'sleep 300',
			].join('\n');
			const f = fixture(frontMatter('Daemon') + '## Daemon\n\n' + sh(block));
			const session = startSession(f, {killGraceMs: 500});
			const running = session.runStep('daemon');
			const daemon = await pidIn(f.work, 'daemon');
			const cleared = await pidIn(f.work, 'cleared');
			session.cancel();
			expect((await running).status).toBe('cancelled');
			await gone(daemon);
			await gone(cleared);
		}));

	it('a block that ends by itself does not wait for a setsid child on its output: it is stopped and named in the log', () =>
		withMode(env, async () => {
			const f = fixture(
				frontMatter('Ends') +
					'## Ends\n\n' +
					sh("setsid sleep 302 &\necho $! > escapee\n# until setsid has left the group (before that it is the group's own)\nsleep 0.3\necho done"),
			);
			const session = startSession(f, {killGraceMs: 500});
			const started = Date.now();
			const state = await session.runStep('ends');
			expect(state.status).toBe('done');
			expect(Date.now() - started).toBeLessThan(3000);
			const escapee = await pidIn(f.work, 'escapee');
			await gone(escapee);
			const log = fs.readFileSync(path.join(f.stateDir, state.logs.at(-1)!.path), 'utf8');
			expect(log).toContain('done\n');
			expect(log).toMatch(new RegExp(`stopped what the block left running outside its process group: ${escapee} \\(sleep 302\\)`));
		}));

	it('RAMPART_DETACH=1 keeps a process running through cancel, named as left on purpose', () =>
		withMode(env, async () => {
			// The pid is written once setsid has left the block's group (until then it is the group's own).
			const block = 'RAMPART_DETACH=1 setsid sleep 304 </dev/null >/dev/null 2>&1 &\npid=$!\nsleep 0.3\necho "$pid" > timer\nsleep 300';
			const f = fixture(frontMatter('Detach') + '## Timer\n\n' + sh(block));
			const session = startSession(f, {killGraceMs: 500, env: baseEnv()});
			const running = session.runStep('timer');
			const timer = await pidIn(f.work, 'timer');
			kept.push(timer);
			session.cancel();
			const state = await running;
			expect(state.status).toBe('cancelled');
			expect(isAlive(timer)).toBe(true);
			const log = fs.readFileSync(path.join(f.stateDir, state.logs.at(-1)!.path), 'utf8');
			expect(log).toMatch(new RegExp(`left running on purpose \\(RAMPART_DETACH=1\\): ${timer} \\(sleep 304\\)`));
		}));
});

describe.each(['SIGINT', 'SIGTERM'] as const)('%s to a headless run whose block started a setsid child', signal => {
	it('stops everything and exits 130 within 3 s, saying nothing is left running', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'escape', frontMatter('Escape') + '## Escapes\n\n' + sh('setsid sleep 301 &\necho $! > escapee\nsleep 300'));
		const run = startCli(['run', './escape.md', '--approve', '--yes'], {cwd: home.cwd, env: home.env});
		const escapee = await pidIn(home.cwd, 'escapee');
		const sent = Date.now();
		run.child.kill(signal);
		const result = await run.done;
		expect(Date.now() - sent).toBeLessThan(3000);
		expect(result.code).toBe(130);
		await gone(escapee);
		expect(result.stderr).toContain('interrupted; nothing is left running');
	});
});
