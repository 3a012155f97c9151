// The remote block protocol, end to end but without sshd: the command ssh
// would ask the host's login shell to run is run by a local `sh -c`, and the
// agent and its requests go on its stdin exactly as they would over the
// connection.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {spawn} from 'node:child_process';
import {remoteExecutor as openExecutor, type RemoteExecutor, type RemoteLink} from '../../source/remote/remote-block.js';
import {agentCommand, BOOTSTRAP} from '../../source/remote/bootstrap.js';
import {hostProblems} from '../../source/remote/host-facts.js';
import {executeBlock, type BlockRun} from '../../source/engine/execute-block.js';

/** A host whose login shell is a local `sh`: it runs the agent's command as sshd would (after `before`). */
const link = ({before = '', ...overrides}: Partial<RemoteLink> & {before?: string} = {}): RemoteLink => {
	const host = overrides.host ?? {name: 'local', destination: 'local', sshArgs: [], become: false};
	return {
		host,
		lost: undefined,
		lostWithin: async () => false,
		openAgent: () => spawn('sh', ['-c', `${before}${agentCommand(host.become, host.becomeUser)}`], {stdio: 'pipe'}),
		...overrides,
	};
};

const run = async (code: string, extra: Partial<BlockRun> = {}, executor: RemoteExecutor = remoteExecutor(link())) => {
	const output = {stdout: '', stderr: ''};
	const result = await executor({code, cwd: '', env: {}, interactive: false, onOutput: (stream, text) => (output[stream] += text), ...extra});
	return {result, ...output};
};

/** Processes running `sleep SECONDS` (each test sleeps a number of its own). */
const sleeping = (seconds: number): number[] =>
	fs
		.readdirSync('/proc')
		.filter(entry => /^\d+$/.test(entry))
		.filter(entry => {
			try {
				return fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8') === `sleep\0${seconds}\0`;
			} catch {
				return false;
			}
		})
		.map(Number);

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

const waitFor = async (what: () => boolean, ms = 10_000) => {
	const deadline = Date.now() + ms;
	while (!what()) {
		if (Date.now() > deadline) throw new Error('timed out waiting');
		await new Promise(r => setTimeout(r, 25));
	}
};

// Every agent a test starts is ended after it, as the connection's close would.
const executors: RemoteExecutor[] = [];
const remoteExecutor = (remote: RemoteLink): RemoteExecutor => {
	const executor = openExecutor(remote);
	executors.push(executor);
	return executor;
};

let tmp: string | undefined;
afterEach(() => {
	for (const executor of executors.splice(0)) executor.close();
	if (tmp) fs.rmSync(tmp, {recursive: true, force: true});
	tmp = undefined;
});

describe('a block run through the remote bootstrap', () => {
	it('gets every byte of its inputs as environment variables, and none of them as an argument', async () => {
		const hostile = `-n '; echo pwned; "$(id)" \`id\` * \\ \\c \\x41 \\0101 %s %b =x \t\r ünï 🦊\n\nend\n\n`;
		const {result, stdout} = await run('printf "%s" "$V" | od -An -c | tr -s " "; printf "%s" "$V" | sha256sum', {env: {V: hostile, EMPTY: ''}});
		expect(result.exitCode).toBe(0);
		const expected = (await import('node:crypto')).createHash('sha256').update(hostile).digest('hex');
		expect(stdout).toContain(expected);
	});

	it('reports the exit status, stdout and stderr as they were', async () => {
		const {result, stdout, stderr} = await run('echo out; echo err >&2; exit 7');
		expect(result.exitCode).toBe(7);
		expect(stdout).toBe('out\n');
		expect(stderr).toBe('err\n');
	});

	it('runs in bash with -Eeuo pipefail, as a local block does', async () => {
		const {result, stderr} = await run('echo "$UNSET_VARIABLE_HERE"');
		expect(result.exitCode).not.toBe(0);
		expect(stderr).toMatch(/unbound variable/);
	});

	it('starts in the working directory it is given, and says so when there is none', async () => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-remote-'));
		expect((await run('pwd', {cwd: tmp})).stdout.trim()).toBe(fs.realpathSync(tmp));
		const missing = await run('pwd', {cwd: path.join(tmp, 'nope')});
		expect(missing.result.exitCode).toBeNull();
		expect(missing.result.error).toMatch(/cannot enter the working directory .*nope/);
	});

	it('runs nothing until the start is recorded, and nothing at all when recording fails', async () => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-remote-'));
		const marker = path.join(tmp, 'ran');
		await expect(
			remoteExecutor(link())({
				code: `touch ${marker}`,
				cwd: '',
				env: {},
				interactive: false,
				onOutput: () => {},
				onSpawn: () => {
					// While the record is being written, the block waits at its gate.
					expect(fs.existsSync(marker)).toBe(false);
					throw new Error('disk full');
				},
			}),
		).rejects.toThrow('disk full');
		await new Promise(r => setTimeout(r, 300));
		expect(fs.existsSync(marker)).toBe(false);
	});

	it('stops its whole process group and what left it (setsid) on cancel, and leaves RAMPART_DETACH=1 alone', async () => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-remote-'));
		const pids = path.join(tmp, 'pids');
		const abort = new AbortController();
		const running = run(
			`sleep 300 & echo $! >> ${pids}; setsid sleep 301 & echo $! >> ${pids}; RAMPART_DETACH=1 setsid sleep 302 </dev/null >/dev/null 2>&1 & echo $! >> ${pids}; wait`,
			{signal: abort.signal, killGraceMs: 1000},
		);
		await waitFor(() => fs.existsSync(pids) && fs.readFileSync(pids, 'utf8').trim().split('\n').length === 3);
		const [inGroup, escaped, detached] = fs.readFileSync(pids, 'utf8').trim().split('\n').map(Number) as [number, number, number];
		// Until it has exec'd, the detached one still has its parent's environment (no RAMPART_DETACH yet).
		await waitFor(() => fs.readFileSync(`/proc/${detached}/cmdline`, 'utf8').startsWith('sleep\u0000302'));
		abort.abort();
		const {result} = await running;
		expect(result.cancelled).toBe(true);
		await waitFor(() => !alive(inGroup) && !alive(escaped));
		expect(alive(detached)).toBe(true);
		process.kill(detached, 'SIGKILL');
	});

	it('is stopped when it times out, also within its first moments', async () => {
		const early = await run('sleep 3011', {timeoutMs: 20, killGraceMs: 1000});
		expect(early.result.timedOut).toBe(true);
		await waitFor(() => sleeping(3011).length === 0, 2000);

		const timed = await run('sleep 3012', {timeoutMs: 300, killGraceMs: 1000});
		expect(timed.result.timedOut).toBe(true);
		await waitFor(() => sleeping(3012).length === 0, 2000);
	});

	it('is stopped by a cancel that reaches a host too busy to read it at once, in the block’s first moments', async () => {
		// A loaded host: the agent is not scheduled while the stop byte arrives and its
		// wait for input would have run out (SIGSTOP/SIGCONT make that moment happen every time).
		let agent = 0;
		const host = remoteExecutor(
			link({
				openAgent: () => {
					const child = spawn('sh', ['-c', agentCommand(false)], {stdio: 'pipe'});
					agent = child.pid!;
					return child;
				},
			}),
		);
		for (let i = 0; i < 5; i++) {
			const abort = new AbortController();
			let started = false;
			const running = run('echo started; sleep 3013', {signal: abort.signal, killGraceMs: 1000, onOutput: () => (started = true)}, host);
			await waitFor(() => started);
			await new Promise(r => setTimeout(r, 20));
			process.kill(agent, 'SIGSTOP');
			abort.abort();
			await new Promise(r => setTimeout(r, 30));
			process.kill(agent, 'SIGCONT');
			const {result} = await running;
			expect(result.cancelled).toBe(true);
			await waitFor(() => sleeping(3013).length === 0, 2000);
		}
	});

	it('is stopped by a cancel that comes after its first moments, when a watcher reads the stop', async () => {
		const abort = new AbortController();
		const running = run('sleep 3015', {signal: abort.signal, killGraceMs: 1000});
		// Past the agent's own polling (half a second): the watcher process has the connection's stdin.
		await new Promise(r => setTimeout(r, 1200));
		expect(sleeping(3015)).toHaveLength(1);
		abort.abort();
		const {result} = await running;
		expect(result.cancelled).toBe(true);
		await waitFor(() => sleeping(3015).length === 0, 2000);
	});

	it('stops what the block left running in its group once it exits, as a local block does', async () => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-remote-'));
		const pid = path.join(tmp, 'pid');
		const {result} = await run(`sleep 300 >/dev/null 2>&1 & echo $! > ${pid}`, {killGraceMs: 1000});
		expect(result.exitCode).toBe(0);
		const left = Number(fs.readFileSync(pid, 'utf8'));
		await waitFor(() => !alive(left));
	});

	it('finds every process that left its group, however many, once it exits', async () => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-remote-'));
		const pids = path.join(tmp, 'pids');
		// More escapees than the agent reads one by one: they are narrowed down by grep first.
		const {result, stderr} = await run(
			`for i in $(seq 80); do setsid sleep 30$i </dev/null >/dev/null 2>&1 & echo $! >> ${pids}; done; sleep 0.3; kill -9 $(cat ${pids} | head -n 3)`,
			{killGraceMs: 1000},
		);
		expect(result.exitCode).toBe(0);
		// Nothing of the agent's own search reaches the block's output.
		expect(stderr).toBe('');
		const left = fs.readFileSync(pids, 'utf8').trim().split('\n').map(Number);
		expect(left).toHaveLength(80);
		await waitFor(() => left.every(pid => !alive(pid)));
	});

	it('says clearly when sudo wants a password', async () => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-remote-'));
		// A sudo that answers as sudo -n does when a password is needed.
		fs.writeFileSync(path.join(tmp, 'sudo'), '#!/bin/sh\necho "sudo: a password is required" >&2\nexit 1\n', {mode: 0o755});
		const become = link({host: {name: 'web1', destination: 'web1', sshArgs: [], become: true}, before: `PATH=${tmp}:$PATH; `});
		const result = await remoteExecutor(become)({code: 'true', cwd: '', env: {}, interactive: false, onOutput: () => {}});
		expect(result.error).toMatch(/sudo on web1 needs a password; Rampart runs sudo -n/);
	});

	it('keeps the login shell command constant and free of values, and the agent plain ASCII', () => {
		// The agent is read by length in characters, sent as its length in bytes.
		expect(Buffer.byteLength(BOOTSTRAP)).toBe(BOOTSTRAP.length);
		expect(agentCommand(false)).toBe(agentCommand(false));
		expect(agentCommand(true)).toMatch(/^exec sudo -n -- bash /);
		expect(agentCommand(true, 'deploy')).toMatch(/^exec sudo -n -u deploy -- bash /);
		expect(() => agentCommand(true, 'x; rm -rf /')).toThrow(/not a user name/);
	});

	it('reports a lost connection instead of an exit status', async () => {
		const gone = link({lostWithin: async () => true, lost: undefined, openAgent: () => spawn('sh', ['-c', 'exit 255'], {stdio: 'pipe'})});
		const result = await remoteExecutor(gone)({code: 'true', cwd: '', env: {}, interactive: false, onOutput: () => {}});
		expect(result.connectionLost).toBeDefined();
	});
	it('runs every block of a host through one agent: the login shell is started once, not per block', async () => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-remote-'));
		const logins = path.join(tmp, 'logins');
		// Each ssh session runs the login shell's command once: count them.
		const host = remoteExecutor(link({before: `echo login >> ${logins}; `}));
		const parents = new Set<string>();
		for (let i = 0; i < 5; i++) {
			const {result, stdout} = await run(`echo "block ${i} $PPID"`, {}, host);
			expect(result.exitCode).toBe(0);
			expect(stdout).toMatch(new RegExp(`^block ${i} \\d+\\n$`));
			parents.add(stdout.split(' ')[2]!);
		}
		expect(fs.readFileSync(logins, 'utf8')).toBe('login\n');
		expect(parents.size).toBe(1);
	});

	it("keeps each block's output its own: no newline at the end, control bytes and look-alike records pass through", async () => {
		const host = remoteExecutor(link());
		const first = await run(String.raw`printf 'no newline\x1e'; printf '\x1eabc x 0\n' >&2; printf '\x1e'`, {}, host);
		expect(first.result.exitCode).toBe(0);
		expect(first.stdout).toBe('no newline\x1e\x1e');
		expect(first.stderr).toBe('\x1eabc x 0\n');
		const second = await run('echo second; echo two >&2; exit 3', {}, host);
		expect(second).toMatchObject({stdout: 'second\n', stderr: 'two\n', result: {exitCode: 3}});
	});

	it('gives the block SIGPIPE as a shell has it: a pipe cut short ends as it does locally, without an error', async () => {
		const code = 'yes | head -n 1';
		const remote = await run(code);
		const local = await executeBlock({code, cwd: os.tmpdir(), env: {PATH: process.env.PATH ?? ''}, interactive: false, onOutput: () => {}});
		// 141 (SIGPIPE) through pipefail; with SIGPIPE ignored, yes would say "Broken pipe" and exit 1.
		expect(remote.result.exitCode).toBe(local.exitCode);
		expect(remote.stderr).toBe('');
		expect(remote.stdout).toBe('y\n');
	});

	it('gives the block Ctrl-C and SIGQUIT as a shell has them, in a process group of its own', async () => {
		// As locally: `kill -INT` or `timeout -s INT` in a block must work, and its group is the one Rampart stops.
		const {result, stdout} = await run(
			'grep -E "^SigIgn" /proc/self/status; echo $$ $(ps -o pgid= -p $$); sleep 30 & kill -INT $!; wait $! || echo "sleep ended by $(kill -l $?)"',
		);
		expect(result.exitCode).toBe(0);
		const [ignored, group, ended] = stdout.trim().split('\n');
		expect(BigInt(`0x${ignored!.split(/\s+/)[1]}`) & 0b110n).toBe(0n);
		const [pid, pgid] = group!.split(' ');
		expect(pgid).toBe(pid);
		expect(ended).toBe('sleep ended by INT');
	});

	it('runs blocks asked for at once one after another, each with its own output', async () => {
		const host = remoteExecutor(link());
		const results = await Promise.all([1, 2, 3].map(i => run(`sleep 0.2; echo ${i}; exit ${i}`, {}, host)));
		expect(results.map(r => [r.stdout, r.result.exitCode])).toEqual([
			['1\n', 1],
			['2\n', 2],
			['3\n', 3],
		]);
	});

	it('says so when its agent is killed mid-block, and starts a new one for the next block', async () => {
		const host = remoteExecutor(link());
		// Nothing is left on the host to stop the block (as when Rampart itself is killed at home): it ends on its own.
		const killed = await run('kill -9 $PPID; sleep 0.5', {killGraceMs: 500}, host);
		expect(killed.result.exitCode).toBeNull();
		expect(killed.result.error).toMatch(/agent on local ended while the block ran/);
		const after = await run('echo again', {}, host);
		expect(after.result.exitCode).toBe(0);
		expect(after.stdout).toBe('again\n');
	});

	it('runs nothing of a block cancelled while its start is being recorded, and the next block still runs', async () => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-remote-'));
		const marker = path.join(tmp, 'ran');
		const host = remoteExecutor(link());
		const abort = new AbortController();
		const cancelled = await run(`touch ${marker}`, {signal: abort.signal, onSpawn: () => abort.abort()}, host);
		expect(cancelled.result.cancelled).toBe(true);
		const next = await run('echo next', {}, host);
		expect(next.stdout).toBe('next\n');
		expect(fs.existsSync(marker)).toBe(false);
	});
});

describe("the host's facts for `requires`", () => {
	it('are answered by the agent itself: who it runs as, the OS, and which commands are missing, with no name ever run', async () => {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-facts-'));
		const marker = path.join(tmp, 'ran');
		const executor = remoteExecutor(link());
		const hostile = [`$(touch ${marker})`, `; touch ${marker}`, 'two words', 'line\nbreak', 'ünïcode'];
		const answer = await executor.facts(['bash', 'rampart-no-such-command', ...hostile], 60_000);
		expect(answer.result.exitCode).toBe(0);
		const [uid, osRelease, missing] = answer.stdout.split('--rampart-facts--\n');
		expect(Number(uid)).toBe(process.getuid!());
		expect(osRelease).toBe(fs.existsSync('/etc/os-release') ? fs.readFileSync('/etc/os-release', 'utf8').replace(/\n?$/, '\n') : '');
		// The missing, by their place in the list asked for.
		expect(missing).toBe('1\n2\n3\n4\n5\n6\n');
		expect(fs.existsSync(marker)).toBe(false);
		// As the operator reads it: every missing name, whatever its bytes, and none that is there.
		const problems = await hostProblems(executor, 'web1', {root: false, os: [], commands: ['sh', 'rampart-no-such-command', 'line\nbreak', 'two words']}, false);
		expect(problems).toEqual(['commands not found on PATH: rampart-no-such-command, line\nbreak, two words (install them first, e.g. with apt-get install)']);
		// The agent goes on running blocks after it.
		expect(await run('echo after', {}, executor)).toMatchObject({result: {exitCode: 0}, stdout: 'after\n'});
	});

	it('are answered when the runbook names no command', async () => {
		const answer = await remoteExecutor(link()).facts([], 60_000);
		expect(answer.result.exitCode).toBe(0);
		expect(answer.stdout.split('--rampart-facts--\n')).toHaveLength(3);
		expect(answer.stdout.endsWith('--rampart-facts--\n')).toBe(true);
	});
});
