// Fleet runs over real OpenSSH: several sshd on loopback addresses
// (helpers/ssh-lab.ts), key-only, host keys checked against a known_hosts of
// the test's own. Rampart runs headless from the built bundle, as an
// operator would, with an Ansible inventory.

import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createSshLab, sshLabMissing, type SshLab} from './helpers/ssh-lab.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist', 'rampart.js');

const reason = sshLabMissing() ?? '';
if (reason !== '') console.warn(`fleet system test skipped: ${reason}`);

// Quotes, command substitutions, globs, a leading dash, spaces, a tab and non-ASCII: none of it may be interpreted anywhere.
const HOSTILE = `-x '; touch /tmp/rampart-pwned; echo "$(id)" \`id\` $HOME * ?	ünï ${'%s'} \\ end`;

const runbook = (dir: string) => `---
title: Fleet probe
inputs:
  VALUE:
    type: string
    prompt: A value to write
  SECRET:
    type: secret
    prompt: A secret to check
    pattern: ".{12,}"
    optional: true
---

# Fleet probe

## Write the value

\`\`\`bash
# shellcheck disable=SC2086 # its words are wanted
set -- $SSH_CONNECTION
printf '%s' "$VALUE" > "${dir}/value-$3"
[[ -z \${SECRET:-} ]] || printf '%s' "$SECRET" > "${dir}/secret-$3"
touch "${dir}/started-$3"
for _ in $(seq 900); do [[ -e ${dir}/go ]] && break; sleep 0.1; done
echo "wrote the value on $3"
\`\`\`

\`\`\`bash {role=verify}
# shellcheck disable=SC2086 # its words are wanted
set -- $SSH_CONNECTION
[[ -s "${dir}/value-$3" ]]
\`\`\`
`;

const waitRunbook = (dir: string) => `---
title: Fleet wait
---

# Fleet wait

## Wait for the release

\`\`\`bash
# shellcheck disable=SC2086 # its words are wanted
set -- $SSH_CONNECTION
touch "${dir}/waiting-$3"
for _ in $(seq 600); do [[ -e ${dir}/release ]] && break; sleep 0.1; done
echo "released on $3"
\`\`\`

## Leave processes behind

\`\`\`bash
# shellcheck disable=SC2086 # its words are wanted
set -- $SSH_CONNECTION
[[ ! -e ${dir}/hang ]] || { touch "${dir}/sleeping-$3"; sleep 3001 & sleep 3002 & wait; }
\`\`\`
`;

const markRunbook = (dir: string) => `---
title: Fleet mark
---

# Fleet mark

## Leave a mark

\`\`\`bash
# shellcheck disable=SC2086 # its words are wanted
set -- $SSH_CONNECTION
touch "${dir}/mark-$3"
\`\`\`

\`\`\`bash {role=rollback}
# shellcheck disable=SC2086 # its words are wanted
set -- $SSH_CONNECTION
rm -f "${dir}/mark-$3"
\`\`\`

## Fail

\`\`\`bash
echo "this step fails" >&2
exit 3
\`\`\`
`;

interface Result {
	code: number | null;
	stdout: string;
	stderr: string;
}

const rampart = (args: string[], env: NodeJS.ProcessEnv, input = '', started?: (pid: number) => void): Promise<Result> =>
	new Promise(resolve => {
		const child = spawn(process.execPath, [CLI, ...args], {env: {...process.env, CI: '1', ...env}, stdio: ['pipe', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', d => (stdout += d));
		child.stderr.on('data', d => (stderr += d));
		child.stdin.end(input);
		if (child.pid !== undefined) started?.(child.pid);
		child.on('close', code => resolve({code, stdout, stderr}));
	});

const waitFor = async (what: () => boolean, ms = 90_000) => {
	const deadline = Date.now() + ms;
	while (!what()) {
		if (Date.now() > deadline) throw new Error('timed out waiting');
		await new Promise(r => setTimeout(r, 50));
	}
};

/** Every process's arguments, NUL-separated, as ps would show them. */
const allCommandLines = (): string[] =>
	fs
		.readdirSync('/proc')
		.filter(e => /^\d+$/.test(e))
		.flatMap(e => {
			try {
				return [fs.readFileSync(`/proc/${e}/cmdline`, 'utf8')];
			} catch {
				return [];
			}
		});

/** Pids of blocks running on the lab host at `address` (their SSH_CONNECTION names it). */
const blocksOn = (address: string): string[] =>
	fs
		.readdirSync('/proc')
		.filter(e => /^\d+$/.test(e))
		.filter(e => {
			try {
				const environ = fs.readFileSync(`/proc/${e}/environ`, 'utf8').split('\0');
				return (
					environ.includes('RAMPART_BLOCK=' + (environ.find(v => v.startsWith('RAMPART_BLOCK='))?.slice(14) ?? '-')) &&
					environ.some(v => v.startsWith('SSH_CONNECTION=') && v.split(' ')[2] === address)
				);
			} catch {
				return false;
			}
		});

describe.skipIf(reason !== '')(`fleet over OpenSSH${reason ? ` (skipped: ${reason})` : ''}`, () => {
	let lab: SshLab;
	let tmp: string;
	let env: NodeJS.ProcessEnv;
	let inventory: string;

	beforeAll(() => {
		lab = createSshLab(3);
		for (const host of lab.hosts) lab.start(host);
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-fleet-'));
		fs.mkdirSync(path.join(tmp, 'out'));
		env = {RAMPART_HOME: path.join(tmp, 'state')};
		inventory = path.join(tmp, 'hosts.ini');
		fs.writeFileSync(
			inventory,
			[
				'[web]',
				...lab.hosts.map(h => `${h.name} ansible_host=${h.address} ansible_port=${h.port}`),
				'',
				'[all:vars]',
				`ansible_ssh_common_args='-F ${lab.sshConfig}'`,
				'',
			].join('\n'),
		);
		fs.writeFileSync(path.join(tmp, 'probe.md'), runbook(path.join(tmp, 'out')));
		fs.writeFileSync(path.join(tmp, 'wait.md'), waitRunbook(path.join(tmp, 'out')));
		fs.writeFileSync(path.join(tmp, 'mark.md'), markRunbook(path.join(tmp, 'out')));
	});

	afterAll(() => {
		lab?.remove();
		if (tmp) fs.rmSync(tmp, {recursive: true, force: true});
		fs.rmSync('/tmp/rampart-pwned', {force: true});
	});

	it('runs a runbook with a hostile input on three hosts; each holds the exact value, and no process had it in its arguments', async () => {
		const out = path.join(tmp, 'out');
		const secretFile = path.join(tmp, 'secret');
		fs.writeFileSync(secretFile, 'sw0rdfish-' + 'x'.repeat(12), {mode: 0o600});
		const running = rampart(
			['run', path.join(tmp, 'probe.md'), '--inventory', inventory, '--yes', '--approve', '--input', `SECRET=@${secretFile}`, '--input', `VALUE=${HOSTILE}`],
			env,
		);
		// Should Rampart end before every host started, its words say why.
		const ended = running.then(r => {
			throw new Error(`rampart ended before every host had started (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
		});
		await Promise.race([waitFor(() => lab.hosts.every(h => fs.existsSync(path.join(out, `started-${h.address}`)))), ended]);
		ended.catch(() => {});
		// While every host's block runs: nothing anywhere carries the value or the secret in its arguments.
		const leaked = allCommandLines().filter(line => line.includes('rampart-pwned') || line.includes('sw0rdfish'));
		// Rampart itself was given VALUE on its own command line by this test: only the ssh side matters.
		expect(leaked.filter(line => !line.includes(CLI))).toEqual([]);
		fs.writeFileSync(path.join(out, 'go'), '');
		const result = await running;
		expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
		expect(result.code, result.stderr).toBe(0);
		for (const host of lab.hosts) {
			expect(fs.readFileSync(path.join(out, `value-${host.address}`), 'utf8')).toBe(HOSTILE);
			expect(fs.readFileSync(path.join(out, `secret-${host.address}`), 'utf8')).toBe('sw0rdfish-' + 'x'.repeat(12));
		}
		expect(fs.existsSync('/tmp/rampart-pwned')).toBe(false);
		expect(result.stderr).toMatch(/3 of 3 hosts completed/);
		// Each host's output is told apart, and the secret is masked in what was shown.
		for (const host of lab.hosts) expect(result.stdout).toContain(`${host.name} │ › wrote the value on ${host.address}`);

		const history = await rampart(['history', '--json'], env);
		const runs = JSON.parse(history.stdout) as Array<{runId: string; target: string | null; fleet: string | null; outcome?: string}>;
		const fleetRuns = runs.filter(r => r.fleet !== null);
		expect(fleetRuns.map(r => r.target).sort()).toEqual(['host1', 'host2', 'host3']);
		expect(new Set(fleetRuns.map(r => r.fleet)).size).toBe(1);
		const journal = fs.readFileSync(path.join(tmp, 'state', 'runs', `${fleetRuns[0]!.runId}.jsonl`), 'utf8');
		const started = JSON.parse(journal.split('\n')[0]!) as {target: {host: string; hostKey: string; address: string}};
		expect(started.target.hostKey).toMatch(/^ssh-ed25519 SHA256:/);
		expect(journal).not.toContain('sw0rdfish');
		const verify = await rampart(['journal', 'verify'], env);
		expect(verify.code, verify.stdout + verify.stderr).toBe(0);
	});

	it('reports an unreachable host and a host whose key changed, runs the others, and exits 1', async () => {
		const bad = path.join(tmp, 'bad.ini');
		const [good, changed] = lab.hosts;
		// A known_hosts where host2's key is another key: OpenSSH must refuse it.
		const knownHosts = path.join(tmp, 'known_hosts_changed');
		const otherKey = path.join(tmp, 'other_key');
		spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
		const other = fs.readFileSync(`${otherKey}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
		fs.writeFileSync(knownHosts, `${good!.hostKeyLine}\n[${changed!.address}]:${changed!.port} ${other}\n`);
		const config = path.join(tmp, 'ssh_config_changed');
		fs.writeFileSync(config, fs.readFileSync(lab.sshConfig, 'utf8').replace(lab.knownHosts, knownHosts));
		fs.writeFileSync(
			bad,
			[
				`good ansible_host=${good!.address} ansible_port=${good!.port}`,
				`changed ansible_host=${changed!.address} ansible_port=${changed!.port}`,
				// Nothing listens here: refused at once.
				`gone ansible_host=127.0.0.250 ansible_port=${good!.port}`,
				'[all:vars]',
				`ansible_ssh_common_args='-F ${config}'`,
				'',
			].join('\n'),
		);
		fs.writeFileSync(path.join(tmp, 'out', 'go'), '');
		const result = await rampart(['run', path.join(tmp, 'probe.md'), '--inventory', bad, '--yes', '--approve', '--input', 'VALUE=plain'], env);
		expect(result.code).toBe(1);
		expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
		expect(result.stderr).toMatch(/1 of 3 hosts completed/);
		expect(result.stderr).toMatch(/changed\s+unreached[\s\S]*host key not accepted[\s\S]*(REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed)/);
		expect(result.stderr).toMatch(/gone\s+unreached[\s\S]*unreachable[\s\S]*Connection refused/);
		expect(fs.readFileSync(path.join(tmp, 'out', `value-${good!.address}`), 'utf8')).toBe('plain');
		// The changed host ran nothing: its value is still the first test's.
		expect(fs.readFileSync(path.join(tmp, 'out', `value-${changed!.address}`), 'utf8')).toBe(HOSTILE);
	});

	/** Processes of the `hang` step still running anywhere on this machine (every lab host is on it). */
	const sleepers = () => allCommandLines().filter(line => line.startsWith('sleep\u00003001\u0000') || line.startsWith('sleep\u00003002\u0000'));

	it('Ctrl-C stops what the blocks started on every host, within 2 s', async () => {
		const out = path.join(tmp, 'out');
		fs.writeFileSync(path.join(out, 'release'), '');
		fs.writeFileSync(path.join(out, 'hang'), '');
		let pid = 0;
		let ended = false;
		const running = rampart(['run', path.join(tmp, 'wait.md'), '--inventory', inventory, '--yes', '--approve'], env, '', p => (pid = p)).finally(() => (ended = true));
		try {
			await waitFor(() => lab.hosts.every(h => fs.existsSync(path.join(out, `sleeping-${h.address}`))) && sleepers().length === 6);
			process.kill(pid, 'SIGINT');
			const stoppedAt = Date.now();
			await waitFor(() => sleepers().length === 0, 10_000);
			expect(Date.now() - stoppedAt).toBeLessThan(2000);
			const result = await running;
			expect(result.code).toBe(130);
			expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
		} finally {
			// Whatever happened, the next test's run must not hang here, nor this one go on.
			fs.rmSync(path.join(out, 'hang'), {force: true});
			if (!ended && pid) process.kill(pid, 'SIGKILL');
		}
	});

	it('a host whose connection goes mid-step is interrupted, the others finish, and resume finishes it once it is back', async () => {
		const out = path.join(tmp, 'out');
		fs.rmSync(path.join(out, 'release'), {force: true});
		for (const h of lab.hosts) fs.rmSync(path.join(out, `waiting-${h.address}`), {force: true});
		const lost = lab.hosts[1]!;
		const running = rampart(['run', path.join(tmp, 'wait.md'), '--inventory', inventory, '--yes', '--approve'], env);
		await waitFor(() => lab.hosts.every(h => fs.existsSync(path.join(out, `waiting-${h.address}`))));
		expect(blocksOn(lost.address).length).toBeGreaterThan(0);
		lab.stop(lost);
		// Its block learns that the connection went, and stops: nothing of it is left on the host.
		await waitFor(() => blocksOn(lost.address).length === 0, 10_000);
		fs.writeFileSync(path.join(out, 'release'), '');
		const result = await running;
		expect(result.code).toBe(1);
		expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
		expect(result.stderr).toMatch(/2 of 3 hosts completed/);
		expect(result.stderr).toMatch(new RegExp(`${lost.name}\\s+lost`));
		const fleetId = /fleet run (\S+-fleet-wait-\S+) of/.exec(result.stderr)![1]!;

		lab.start(lost);
		const resumed = await rampart(['resume', fleetId, '--yes', '--rerun-interrupted'], env);
		expect(resumed.code, resumed.stderr).toBe(0);
		expect(resumed.stderr).toMatch(/1 of 1 host completed/);
		const history = JSON.parse((await rampart(['history', fleetId, '--json'], env)).stdout) as {hosts: Array<{host: string; runs: Array<{outcome: string}>}>};
		expect(history.hosts.map(h => [h.host, h.runs.map(r => r.outcome)])).toEqual([
			['host1', ['completed']],
			['host2', ['completed']],
			['host3', ['completed']],
		]);
	});

	it("rolls back one host's failed run on that host", async () => {
		const host = lab.hosts[2]!;
		const mark = path.join(tmp, 'out', `mark-${host.address}`);
		const result = await rampart(['run', path.join(tmp, 'mark.md'), '--inventory', inventory, '--limit', host.name, '--yes', '--approve'], env);
		expect(result.code).toBe(1);
		expect(result.stdout).toMatch(/this step fails/);
		expect(fs.existsSync(mark)).toBe(true);
		const runId = new RegExp(`${host.name}\\s+failed\\s+run (\\S+)`).exec(result.stderr)![1]!;
		const rolledBack = await rampart(['rollback', runId, '--yes'], env);
		expect(rolledBack.code, rolledBack.stderr).toBe(0);
		expect(rolledBack.stderr).toMatch(/undone: Leave a mark/);
		expect(fs.existsSync(mark)).toBe(false);
	});
});
