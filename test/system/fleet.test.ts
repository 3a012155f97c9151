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
for _ in $(seq 40); do [[ -e ${dir}/go ]] && break; sleep 0.1; done
echo "wrote the value on $3"
\`\`\`

\`\`\`bash {role=verify}
# shellcheck disable=SC2086 # its words are wanted
set -- $SSH_CONNECTION
[[ -s "${dir}/value-$3" ]]
\`\`\`
`;

interface Result {
	code: number | null;
	stdout: string;
	stderr: string;
}

const rampart = (args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<Result> =>
	new Promise(resolve => {
		const child = spawn(process.execPath, [CLI, ...args], {env: {...process.env, CI: '1', ...env}, stdio: ['pipe', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', d => (stdout += d));
		child.stderr.on('data', d => (stderr += d));
		child.stdin.end(input);
		child.on('close', code => resolve({code, stdout, stderr}));
	});

const waitFor = async (what: () => boolean, ms = 30_000) => {
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
		const running = rampart(['run', path.join(tmp, 'probe.md'), '--inventory', inventory, '--yes', '--approve', '--input', `SECRET=@${secretFile}`, '--input', `VALUE=${HOSTILE}`], env);
		await waitFor(() => lab.hosts.every(h => fs.existsSync(path.join(out, `started-${h.address}`))));
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
});
