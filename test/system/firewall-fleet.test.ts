// The bundled firewall runbook applied by a fleet run with a canary to two
// servers, each a network namespace with its own real sshd, listeners and
// files (helpers/fleet-netns.ts). Rampart, the operator, runs headless in a
// client namespace and reaches each server over OpenSSH through a veth of its
// own: server 1 sees the operator as 10.201.1.10, server 2 as 10.201.2.10, so
// each lockout guard must use the address its own host sees. The client
// namespace also has a random and a denied address on each link, for the
// probes the single-host test (firewall.test.ts) makes. The host's firewall,
// sysctls and /etc are compared before and after.

import {spawn, type ChildProcess} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createFleetLab, removeFleetLab, startSshd, type FleetLab, type FleetServer} from './helpers/fleet-netns.js';
import {exitOf, hasCommand, inNamespace, listeningTcpPorts, nsRunAsync, ping, probeTcp, run, ruleset, startTcpListeners, stopProcess, waitFor} from './helpers/netns.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist', 'rampart.js');

const PREFIX = 'rpff';
const SUBNETS = ['10.201.1', '10.201.2'];
// Host numbers of the client's addresses on each link: the operator's (first: its connections come from it), a random and a denied one.
const OPERATOR = 10;
const RANDOM = 20;
const DENIED = 200;
const DENY = SUBNETS.map(s => `${s}.192/26`).join(', ');
const PORTS = [80, 443, 3306];

const skipReason = (): string => {
	if (process.platform !== 'linux') return 'needs Linux';
	if (process.getuid?.() !== 0) return 'needs root';
	const missing = ['nft', 'ip', 'ss', 'ping', 'ssh', 'ssh-keygen', 'flock', 'setsid', 'sha256sum', 'nsenter', 'unshare'].filter(c => !hasCommand(c));
	if (!fs.existsSync('/usr/sbin/sshd')) missing.push('/usr/sbin/sshd');
	return missing.length > 0 ? `missing: ${missing.join(', ')} (CI installs them from .ci/apt-packages.txt)` : '';
};
const reason = skipReason();
if (reason !== '') console.warn(`firewall fleet system test skipped: ${reason}`);

interface Result {
	code: number | null;
	stdout: string;
	stderr: string;
}

const hostSysctls = () =>
	run('sysctl', [
		'net.ipv4.ip_forward',
		'net.ipv4.conf.all.route_localnet',
		'net.ipv4.conf.all.accept_local',
		'net.ipv4.conf.all.rp_filter',
		'net.ipv6.conf.all.forwarding',
	]).stdout;
const etcNftables = () => (fs.existsSync('/etc/nftables.conf') ? fs.readFileSync('/etc/nftables.conf', 'utf8') : '(none)');
const guardNamespaces = () =>
	run('ip', ['netns', 'list'])
		.stdout.split('\n')
		.filter(line => line.startsWith('rampart-fwguard-'));

describe.skipIf(reason !== '')(`firewall runbook on two hosts of a fleet, with a canary${reason ? ` (skipped: ${reason})` : ''}`, () => {
	let tmp: string;
	let lab: FleetLab;
	let inventory: string;
	let homes = 0;
	let hostBefore: {ruleset: string; sysctls: string; nftablesConf: string};
	const daemons: ChildProcess[] = [];
	const rampartChildren: ChildProcess[] = [];

	const at = (server: FleetServer, host: number) => server.address.replace(/\.1$/, `.${host}`);
	const stateOf = (server: FleetServer) => path.join(server.root, 'state');
	const applied = (server: FleetServer) =>
		fs.existsSync(path.join(stateOf(server), 'connections-at-apply')) && ruleset(server.ns).includes('table inet rampart_firewall');

	/** Without allowSsh, each host takes its own view of the operator's address (ALLOW_SSH's default-from: ssh-client). */
	const inputs = (allowSsh?: string) => ({
		...(allowSsh !== undefined ? {ALLOW_SSH: allowSsh} : {}),
		DENY,
		CONFIRM_SECONDS: '120',
		// Inside each server's sessions, the box is that server's own directory.
		RULESET_PATH: path.join(lab.box, 'etc', 'nftables.conf'),
		STATE_DIR: path.join(lab.box, 'state'),
	});

	/** `rampart run RUNBOOK` against the inventory, from the client namespace, headless; `output()` is its stdout so far. */
	const startRampart = (runbook: string, extra: string[], given: Record<string, string> = {}) => {
		const env: NodeJS.ProcessEnv = {...process.env, RAMPART_HOME: path.join(tmp, `home-${++homes}`)};
		// The operator's own SSH_CLIENT (the test may run over SSH) must play no part.
		for (const key of Object.keys(env)) if (key.startsWith('RAMPART_INPUT_') || key.startsWith('SSH_')) delete env[key];
		const args = ['run', runbook, '--inventory', inventory, '--yes', ...extra];
		for (const [name, value] of Object.entries(given)) args.push('--input', `${name}=${value}`);
		const child = spawn(...inNamespace(lab.client, process.execPath, [CLI, ...args]), {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']});
		rampartChildren.push(child);
		let stdout = '';
		let stderr = '';
		child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		const done = new Promise<Result>(resolve => child.on('close', code => resolve({code, stdout, stderr})));
		return {done, output: () => stdout};
	};
	const firewall = (extra: string[], allowSsh?: string) => startRampart('firewall', ['--canary', '1', '--ack', ...extra], inputs(allowSsh));

	/** The confirmation command over a NEW connection (no multiplexing) from the operator's address, as the runbook asks. */
	const confirm = (server: FleetServer) =>
		nsRunAsync(
			lab.client,
			'ssh',
			[
				'-F',
				lab.sshConfig,
				'-o',
				'BatchMode=yes',
				'-o',
				'ControlPath=none',
				'-o',
				'ConnectTimeout=10',
				'-b',
				at(server, OPERATOR),
				server.address,
				path.join(lab.box, 'state', 'confirm'),
			],
			{timeoutMs: 60_000},
		);

	/** A block's output line as the fleet run prints it: the host's name, then the line. */
	const said = (result: Result, server: FleetServer, line: string) => result.stdout.split('\n').includes(`${server.name} │ › ${line}`);

	beforeAll(async () => {
		hostBefore = {ruleset: ruleset(), sysctls: hostSysctls(), nftablesConf: etcNftables()};
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rpff-'));
		lab = createFleetLab(tmp, PREFIX, SUBNETS, [OPERATOR, RANDOM, DENIED]);
		for (const server of lab.servers) daemons.push(startSshd(lab, server), startTcpListeners(server.ns, PORTS));
		await waitFor('sshd and the listeners on both servers', () => lab.servers.every(s => [22, ...PORTS].every(port => listeningTcpPorts(s.ns).has(port))));
		inventory = path.join(tmp, 'hosts.ini');
		fs.writeFileSync(
			inventory,
			['[web]', ...lab.servers.map(s => `${s.name} ansible_host=${s.address}`), '', '[all:vars]', `ansible_ssh_common_args='-F ${lab.sshConfig}'`, ''].join('\n'),
		);
		// No firewall yet: everything answers, even the denied address, so a closed port later is the firewall's doing.
		const probes = lab.servers.flatMap(s => [22, ...PORTS].map(port => ({from: at(s, DENIED), to: s.address, port})));
		expect(await probeTcp(lab.client, probes)).toEqual(probes.map(() => 'open'));
	});

	afterAll(async () => {
		for (const child of rampartChildren) await stopProcess(child);
		// A rollback timer still waiting stops on "cancelled"; wait for it to let go of its lock.
		for (const server of lab?.servers ?? []) {
			const state = stateOf(server);
			if (!fs.existsSync(path.join(state, 'timer.lock'))) continue;
			fs.writeFileSync(path.join(state, 'cancelled'), '');
			run('flock', ['-w', '10', path.join(state, 'timer.lock'), 'true'], {allowFail: true});
		}
		for (const daemon of daemons) await stopProcess(daemon);
		removeFleetLab(PREFIX, SUBNETS.length, lab);
		if (tmp) fs.rmSync(tmp, {recursive: true, force: true});
		expect(ruleset(), 'the host ruleset changed').toBe(hostBefore.ruleset);
		expect(hostSysctls(), 'the host sysctls changed').toBe(hostBefore.sysctls);
		expect(etcNftables(), 'the host /etc/nftables.conf changed').toBe(hostBefore.nftablesConf);
		expect(guardNamespaces(), 'a lockout guard left its namespaces').toEqual([]);
	});

	it('canary: an allow list that would lock the operator out of the first host stops the run there, and the second host is never touched', async () => {
		const [first, second] = lab.servers as [FleetServer, FleetServer];
		const before = lab.servers.map(s => ruleset(s.ns));
		// The operator's address as the SECOND host sees it: right there, a lockout on the first.
		const result = await firewall([], at(second, OPERATOR)).done;
		expect(result.code, result.stderr).toBe(1);
		expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
		expect(said(result, first, `${at(first, OPERATOR)} to port 22 is dropped. Nothing was applied.`), result.stdout).toBe(true);
		expect(result.stderr).toMatch(/0 of 2 hosts completed/);
		expect(result.stderr).toMatch(new RegExp(`${first.name}\\s+failed`));
		expect(result.stderr).toMatch(new RegExp(`${second.name}\\s+not-started\\s+the canary ${first.name} did not complete`));
		// Nothing ran on the second host: no line of it, no file, its ruleset as it was; and nothing was applied on the first.
		expect(result.stdout).not.toContain(`${second.name} │`);
		expect(fs.readdirSync(stateOf(second))).toEqual([]);
		expect(lab.servers.map(s => ruleset(s.ns))).toEqual(before);
	});

	it('applies on the canary first, then on the second host, each guard testing the address that host sees; each confirmed from a new SSH connection', async () => {
		const [first, second] = lab.servers as [FleetServer, FleetServer];
		const secondBefore = ruleset(second.ns);
		// ALLOW_SSH not given: each host allows the operator's address as that host sees it.
		const running = firewall([]);
		// Rampart waits in the confirmation step's verify, as it would for an operator; the confirmation comes from a new connection.
		const waiting = (server: FleetServer) => running.output().includes(`${server.name} │ › Waiting for the confirmation (sudo ${lab.box}/state/confirm`);
		await waitFor('the canary to apply its rules and wait for the confirmation', () => waiting(first), 150_000);
		expect(applied(first)).toBe(true);
		expect(fs.existsSync(path.join(first.root, 'etc', 'nftables.conf')), 'persisted before the confirmation').toBe(false);
		// While the canary waits for its confirmation, the second host has not been touched.
		expect(ruleset(second.ns)).toBe(secondBefore);
		expect(fs.readdirSync(stateOf(second))).toEqual([]);
		const confirmed1 = await confirm(first);
		expect(confirmed1.code, confirmed1.stderr).toBe(0);
		expect(confirmed1.stdout).toContain(`CONFIRMED: this new SSH connection, from ${at(first, OPERATOR)} port`);
		await waitFor('the second host to apply its rules and wait', () => waiting(second), 150_000);
		expect(applied(second)).toBe(true);
		const confirmed2 = await confirm(second);
		expect(confirmed2.code, confirmed2.stderr).toBe(0);

		const result = await running.done;
		expect(result.code, result.stdout + result.stderr).toBe(0);
		expect(result.stderr).toMatch(/2 of 2 hosts completed/);
		for (const server of lab.servers) {
			const operator = at(server, OPERATOR);
			expect(said(result, server, `Lockout guard passed: a new SSH connection from ${operator} to port 22 gets through the candidate.`), result.stdout).toBe(true);
			expect(result.stdout).toMatch(new RegExp(`${server.name} │ › Confirmed at \\S+ from a new SSH connection \\(${operator.replaceAll('.', '\\.')} port \\d+\\),`));
			// Persisted on that host once confirmed, and "enabled" through the stand-in, not the host's systemctl.
			const saved = fs.readFileSync(path.join(server.root, 'etc', 'nftables.conf'), 'utf8');
			expect(saved).toBe(fs.readFileSync(path.join(stateOf(server), 'applied.nft'), 'utf8'));
			expect(fs.readFileSync(path.join(server.root, 'systemctl.log'), 'utf8')).toContain('enable nftables.service');
			expect(ruleset(server.ns)).toContain('table inet rampart_firewall');
		}
		// One record per host, each naming the address the operator came from as that host saw it, and the host's key.
		const home = path.join(tmp, `home-${homes}`);
		const heads = fs
			.readdirSync(path.join(home, 'runs'))
			.filter(f => f.endsWith('.jsonl'))
			.map(
				f =>
					JSON.parse(fs.readFileSync(path.join(home, 'runs', f), 'utf8').split('\n')[0]!) as {
						target: {host: string; clientAddress: string; hostKey: string};
						inputs: Record<string, string>;
					},
			);
		expect(heads.map(h => [h.target.host, h.inputs['ALLOW_SSH']]).sort()).toEqual(lab.servers.map(s => [s.name, `${at(s, OPERATOR)}/32`]));
		// OpenSSH's fingerprint: SHA-256 of the key's blob, base64 without padding.
		const fingerprint = (s: FleetServer) =>
			createHash('sha256')
				.update(Buffer.from(s.hostKey.split(' ')[1]!, 'base64'))
				.digest('base64')
				.replace(/=+$/, '');
		expect(heads.map(h => [h.target.host, h.target.clientAddress, h.target.hostKey]).sort()).toEqual(
			lab.servers.map(s => [s.name, at(s, OPERATOR), `ssh-ed25519 SHA256:${fingerprint(s)}`]),
		);
	});

	it('on both hosts lets in exactly what it says: 80/443 but nothing from the deny list, 22 only from the operator, ping', async () => {
		for (const daemon of daemons) expect(exitOf(daemon), 'a listener or sshd in a server namespace stopped').toBeUndefined();
		const cases = lab.servers.flatMap(s => [
			{server: s, from: at(s, OPERATOR), expected: {22: 'open', 80: 'open', 443: 'open', 3306: 'timeout'}, ping: true},
			{server: s, from: at(s, RANDOM), expected: {22: 'timeout', 80: 'open', 443: 'open', 3306: 'timeout'}, ping: true},
			{server: s, from: at(s, DENIED), expected: {22: 'timeout', 80: 'timeout', 443: 'timeout', 3306: 'timeout'}, ping: false},
		]);
		const probes = cases.flatMap(c => Object.keys(c.expected).map(port => ({from: c.from, to: c.server.address, port: Number(port)})));
		const [results, pings] = await Promise.all([probeTcp(lab.client, probes), Promise.all(cases.map(c => ping(lab.client, c.from, c.server.address)))]);
		const key = (from: string, to: string, port: number | string) => `${from} -> ${to}:${port}`;
		expect(Object.fromEntries(probes.map((p, i) => [key(p.from, p.to, p.port), results[i]]))).toEqual(
			Object.fromEntries(cases.flatMap(c => Object.entries(c.expected).map(([port, r]) => [key(c.from, c.server.address, port), r]))),
		);
		expect(cases.map(c => `${c.from} ping ${pings[cases.indexOf(c)] ? 'answered' : 'dropped'}`)).toEqual(
			cases.map(c => `${c.from} ping ${c.ping ? 'answered' : 'dropped'}`),
		);
	});

	it('the operator still gets in: Rampart reaches both hosts over new connections from the allowed address', async () => {
		const before = lab.servers.map(s => ruleset(s.ns));
		const reach = path.join(tmp, 'reach.md');
		fs.writeFileSync(reach, '---\ntitle: Reach\n---\n\n# Reach\n\n## Say where the operator is\n\n```bash\necho "reached from ${SSH_CLIENT%% *}"\n```\n');
		const result = await startRampart(reach, ['--approve']).done;
		expect(result.code, result.stdout + result.stderr).toBe(0);
		expect(result.stderr).toMatch(/2 of 2 hosts completed/);
		for (const server of lab.servers) expect(said(result, server, `reached from ${at(server, OPERATOR)}`), result.stdout).toBe(true);
		expect(lab.servers.map(s => ruleset(s.ns))).toEqual(before);
		// A new login from an address outside the allow list is dropped on both.
		for (const server of lab.servers) {
			const denied = await nsRunAsync(lab.client, 'ssh', [
				'-F',
				lab.sshConfig,
				'-o',
				'BatchMode=yes',
				'-o',
				'ConnectTimeout=3',
				'-b',
				at(server, RANDOM),
				server.address,
				'true',
			]);
			expect(denied.code).toBe(255);
			expect(denied.stderr).toMatch(/timed out/);
		}
	});
});
