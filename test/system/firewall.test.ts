// The bundled firewall runbook on real nftables, headless, inside network
// namespaces: a server (rpfw-srv) with listeners on 22 (a real sshd), 80, 443,
// 3306 and 9000, and a client (rpfw-cli) with an allowed, a random and a
// denied address in IPv4 and IPv6. Only private test ranges are used, only
// inside the namespaces; the runbook's files go to temporary directories and
// its `systemctl` is a stand-in, so the host's network, firewall, /etc and
// services are untouched (the host ruleset is compared before and after).
// Rampart runs in the server namespace through `nsenter --net`, the same as
// `ip netns exec` but without a new mount namespace (see helpers/netns.ts).

import {spawn, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
	createLab,
	deleteNamespace,
	exitOf,
	hasCommand,
	inNamespace,
	listeningTcpPorts,
	nft,
	nsRun,
	nsRunAsync,
	ping,
	probeTcp,
	run,
	ruleset,
	startInNamespace,
	startTcpListeners,
	stopProcess,
	waitFor,
	type Probe,
} from './helpers/netns.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist', 'rampart.js');
const RUNBOOK = path.join(ROOT, 'runbooks', 'firewall.md');

const SRV = 'rpfw-srv';
const CLI_NS = 'rpfw-cli';
const SERVER4 = '10.200.0.1';
const SERVER6 = 'fd00:200::1';
const ALLOWED = {v4: '10.200.0.10', v6: 'fd00:200::10'};
const RANDOM = {v4: '10.200.0.20', v6: 'fd00:200::20'};
const DENIED = {v4: '10.200.0.200', v6: 'fd00:200::dead:30'};
const DENY = '10.200.0.192/26, fd00:200::dead:0/112';
const PORTS = [80, 443, 3306, 9000];

const skipReason = (): string => {
	if (process.platform !== 'linux') return 'needs Linux';
	if (process.getuid?.() !== 0) return 'needs root';
	const missing = ['nft', 'ip', 'ss', 'ping', 'ssh', 'ssh-keygen', 'flock', 'setsid', 'sha256sum', 'nsenter'].filter(c => !hasCommand(c));
	if (!fs.existsSync('/usr/sbin/sshd')) missing.push('/usr/sbin/sshd');
	return missing.length > 0 ? `missing: ${missing.join(', ')} (CI installs them from .ci/apt-packages.txt)` : '';
};
const reason = skipReason();
if (reason !== '') console.warn(`firewall system test skipped: ${reason}`);

interface RampartResult {
	code: number | null;
	stdout: string;
	stderr: string;
	events: Array<Record<string, unknown> & {type: string}>;
	/** Every line the blocks printed, then Rampart's own stderr. */
	text: string;
}

describe.skipIf(reason !== '')(`firewall runbook on nftables in namespaces${reason ? ` (skipped: ${reason})` : ''}`, () => {
	let tmp: string;
	let hostRulesetBefore: string;
	let stubLog: string;
	let stubBin: string;
	let sshKey: string;
	let listeners: ChildProcess | undefined;
	let sshd: ChildProcess | undefined;
	const stateDirs: string[] = [];
	let homes = 0;

	const stateDir = (name: string) => {
		const dir = path.join(tmp, name);
		stateDirs.push(dir);
		return dir;
	};
	const main = {
		get state() {
			return path.join(tmp, 'state');
		},
		get rulesetPath() {
			return path.join(tmp, 'etc', 'nftables.conf');
		},
	};

	const inputsFor = (state: string, overrides: Record<string, string> = {}) => ({
		ALLOW_SSH: `${ALLOWED.v4} ${ALLOWED.v6}`,
		DENY,
		CONFIRM_SECONDS: '30',
		RULESET_PATH: main.rulesetPath,
		STATE_DIR: state,
		...overrides,
	});

	/** `rampart run` inside the server namespace, headless, with JSON events. */
	const startRampart = (options: {inputs: Record<string, string>; sshClient?: string; check?: boolean}) => {
		const home = path.join(tmp, `home-${++homes}`);
		const env: NodeJS.ProcessEnv = {...process.env, RAMPART_HOME: home, PATH: `${stubBin}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`};
		for (const key of Object.keys(env)) if (key.startsWith('RAMPART_INPUT_') || key.startsWith('SSH_')) delete env[key];
		if (options.sshClient) env.SSH_CLIENT = `${options.sshClient} 50022 22`;
		const args = ['run', RUNBOOK, '--yes', '--ack', '--json'];
		if (options.check) args.push('--check');
		for (const [name, value] of Object.entries(options.inputs)) args.push('--input', `${name}=${value}`);
		const [command, argv] = inNamespace(SRV, process.execPath, [CLI, ...args]);
		const child = spawn(command, argv, {cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		const done = new Promise<RampartResult>(resolve => {
			child.on('close', (code, signal) => {
				const events = stdout
					.split('\n')
					.filter(line => line.trim() !== '')
					.map(line => JSON.parse(line) as RampartResult['events'][number]);
				const text = events
					.filter(e => e.type === 'output')
					.flatMap(e => (e.lines as string[] | undefined) ?? [])
					.concat(stderr, signal ? `(rampart killed by ${signal})` : '')
					.join('\n');
				resolve({code, stdout, stderr, events, text});
			});
		});
		return {child, done};
	};
	const rampart = (options: Parameters<typeof startRampart>[0]) => startRampart(options).done;

	const alreadyDone = (result: RampartResult) => result.events.filter(e => e.type === 'step-already-done').map(e => e.step);
	const tableActive = () => nsRun(SRV, 'nft', ['list', 'tables']).stdout.includes('table inet rampart_firewall');
	const sshTouch = (from: string, file: string) =>
		nsRunAsync(
			CLI_NS,
			'ssh',
			[
				'-F',
				'/dev/null',
				'-i',
				sshKey,
				'-o',
				'IdentitiesOnly=yes',
				'-o',
				'BatchMode=yes',
				'-o',
				'StrictHostKeyChecking=no',
				'-o',
				'UserKnownHostsFile=/dev/null',
				'-o',
				'ConnectTimeout=5',
				'-o',
				'ControlPath=none',
				'-o',
				'LogLevel=ERROR',
				'-b',
				from,
				`root@${SERVER4}`,
				'touch',
				'--',
				file,
			],
			{timeoutMs: 20_000},
		);

	/** The server's listeners must still run, or a closed port proves nothing. */
	const expectListenersRunning = () => {
		expect(exitOf(listeners), 'the TCP listeners in the server namespace stopped').toBeUndefined();
		expect(exitOf(sshd), 'sshd in the server namespace stopped').toBeUndefined();
	};

	beforeAll(async () => {
		hostRulesetBefore = ruleset();
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rpfw-'));
		fs.mkdirSync(path.join(tmp, 'etc'));

		// systemctl stand-in: records its calls, remembers "enable".
		stubBin = path.join(tmp, 'bin');
		stubLog = path.join(tmp, 'systemctl.log');
		fs.mkdirSync(stubBin);
		fs.writeFileSync(
			path.join(stubBin, 'systemctl'),
			`#!/bin/sh
echo "$*" >> '${stubLog}'
case "$1" in
	enable) touch '${tmp}/nftables-enabled' ;;
	is-enabled) test -e '${tmp}/nftables-enabled' ;;
	*) exit 0 ;;
esac
`,
			{mode: 0o755},
		);

		createLab({
			server: SRV,
			client: CLI_NS,
			server4: SERVER4,
			server6: SERVER6,
			clientAddresses: [ALLOWED.v4, RANDOM.v4, DENIED.v4, ALLOWED.v6, RANDOM.v6, DENIED.v6],
		});

		// Listeners: a real sshd on 22, plain TCP servers on the rest.
		const sshDir = path.join(tmp, 'ssh');
		fs.mkdirSync(sshDir, {mode: 0o700});
		run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(sshDir, 'host_key')]);
		run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(sshDir, 'client_key')]);
		sshKey = path.join(sshDir, 'client_key');
		fs.copyFileSync(`${sshKey}.pub`, path.join(sshDir, 'authorized_keys'));
		fs.writeFileSync(
			path.join(sshDir, 'sshd_config'),
			[
				'Port 22',
				'ListenAddress 0.0.0.0',
				'ListenAddress ::',
				`HostKey ${sshDir}/host_key`,
				`PidFile ${sshDir}/sshd.pid`,
				`AuthorizedKeysFile ${sshDir}/authorized_keys`,
				'PermitRootLogin prohibit-password',
				'PasswordAuthentication no',
				'KbdInteractiveAuthentication no',
				'UsePAM no',
				'StrictModes no',
				'',
			].join('\n'),
		);
		fs.mkdirSync('/run/sshd', {recursive: true, mode: 0o755});
		sshd = startInNamespace(SRV, '/usr/sbin/sshd', ['-D', '-e', '-f', path.join(sshDir, 'sshd_config')]);
		listeners = startTcpListeners(SRV, PORTS);
		await waitFor('the listeners in the server namespace', () => {
			const ports = listeningTcpPorts(SRV);
			return [22, ...PORTS].every(port => ports.has(port));
		});
		// No firewall yet: everything answers, so a closed port later is the firewall's doing.
		const open = await probeTcp(
			CLI_NS,
			[22, ...PORTS].map(port => ({from: DENIED.v4, to: SERVER4, port})),
		);
		expect(open).toEqual(Array(5).fill('open'));
	});

	afterAll(async () => {
		// Stop any rollback timer still waiting (it stops on "cancelled"), then
		// the processes this file started, then the namespaces.
		for (const dir of stateDirs) {
			if (!fs.existsSync(dir)) continue;
			fs.writeFileSync(path.join(dir, 'cancelled'), '');
			run('flock', ['-w', '10', path.join(dir, 'timer.lock'), 'true'], {allowFail: true});
		}
		await stopProcess(listeners);
		await stopProcess(sshd);
		deleteNamespace(CLI_NS);
		deleteNamespace(SRV);
		if (tmp) fs.rmSync(tmp, {recursive: true, force: true});
		expect(ruleset(), 'the host ruleset changed').toBe(hostRulesetBefore);
	});

	it('refuses to change anything while ufw rules are loaded, and says why', async () => {
		nft(SRV, 'table ip filter {\n\tchain ufw-user-input {\n\t}\n}\n');
		const before = ruleset(SRV);
		const state = stateDir('state-ufw');
		const result = await rampart({inputs: inputsFor(state), sshClient: ALLOWED.v4});
		expect(result.code, result.text).toBe(1);
		expect(result.text).toContain('ufw: ACTIVE');
		expect(result.text).toContain('KEEP_OTHER_FIREWALLS');
		expect(ruleset(SRV)).toBe(before);
		expect(fs.existsSync(path.join(state, 'candidate.nft'))).toBe(false);
		nft(SRV, 'delete table ip filter\n');
	});

	it('lockout guard: refuses, and applies nothing, when the operator would be locked out or the address is unknown', async () => {
		const before = ruleset(SRV);
		const [notAllowed4, notAllowed6, denied, noClient] = await Promise.all([
			rampart({inputs: inputsFor(stateDir('state-guard-1'), {ALLOW_SSH: '10.200.0.99, fd00:200::99'}), sshClient: ALLOWED.v4}),
			rampart({inputs: inputsFor(stateDir('state-guard-2'), {ALLOW_SSH: ALLOWED.v4}), sshClient: ALLOWED.v6}),
			rampart({inputs: inputsFor(stateDir('state-guard-3'), {ALLOW_SSH: `${ALLOWED.v4} ${DENIED.v4}`}), sshClient: DENIED.v4}),
			rampart({inputs: inputsFor(stateDir('state-guard-4'))}),
		]);
		for (const result of [notAllowed4, notAllowed6, denied]) {
			expect(result.code, result.text).toBe(1);
			expect(result.text).toContain('LOCKOUT');
			expect(result.text).toContain('Nothing was applied');
		}
		expect(notAllowed4.text).toContain(`from your address\n${ALLOWED.v4} to port 22 is dropped`);
		expect(notAllowed6.text).toContain(`${ALLOWED.v6} to port 22 is dropped`);
		expect(noClient.code, noClient.text).toBe(1);
		expect(noClient.text).toContain('$SSH_CLIENT is not set');
		expect(noClient.text).toContain('ALLOW_NO_SSH_CLIENT=true');
		for (const result of [notAllowed4, notAllowed6, denied, noClient]) {
			const failed = result.events.find(e => e.type === 'step-finished' && e.status === 'failed');
			expect(failed?.step).toBe('lockout-guard-test-the-candidate-in-a-throwaway-namespace');
		}
		expect(ruleset(SRV)).toBe(before);
		expect(tableActive()).toBe(false);
	});

	let applied: RampartResult;

	it('applies, keeps the rules once confirmed from a new SSH connection, then persists them', async () => {
		// Docker-like rules already in place: explained, and left alone.
		nft(SRV, 'table ip filter {\n\tchain DOCKER-USER {\n\t}\n}\n');
		const {done} = startRampart({inputs: inputsFor(stateDir('state')), sshClient: ALLOWED.v4});
		await waitFor('the candidate to be applied', () => fs.existsSync(path.join(main.state, 'deadline')) && tableActive(), 60_000);
		// Not persisted before the confirmation.
		expect(fs.existsSync(main.rulesetPath)).toBe(false);

		// The confirmation, over a new SSH connection through the new rules.
		const ssh = await sshTouch(ALLOWED.v4, path.join(main.state, 'confirmed'));
		expect(ssh.code, ssh.stderr).toBe(0);

		applied = await done;
		expect(applied.code, applied.text).toBe(0);
		expect(applied.text).toContain('Docker: its rules are in place');
		expect(applied.text).toContain('Lockout guard passed: a new SSH connection from 10.200.0.10 to port 22');
		expect(applied.text).toMatch(/Confirmed at \S+, before the rollback time: the new rules stay\./);
		expect(fs.existsSync(path.join(main.state, 'rolled-back'))).toBe(false);

		// Persisted only now: the confirmed ruleset, with the service enabled.
		const saved = fs.readFileSync(main.rulesetPath, 'utf8');
		expect(saved).toBe(fs.readFileSync(path.join(main.state, 'applied.nft'), 'utf8'));
		expect(saved).toContain('# Written by the Rampart runbook "firewall".');
		expect(fs.readFileSync(stubLog, 'utf8')).toContain('enable nftables.service');

		// One inet table beside the untouched Docker-like table.
		const rules = ruleset(SRV);
		expect(rules).toContain('table inet rampart_firewall');
		expect(rules).toContain('chain DOCKER-USER');
		// The audit of listening sockets names the ones now cut off.
		expectListenersRunning();
		expect(applied.text).toMatch(/tcp +\S+:3306 +UNREACHABLE \(dropped\)/);
		expect(applied.text).toMatch(/tcp +\S+:9000 +UNREACHABLE \(dropped\)/);
		expect(applied.text).toMatch(/tcp +\S+:22 +ALLOW_SSH only/);
	});

	it('lets in from the client exactly what it says: 80/443 but not from the deny list, 22 only from the allow list, ping', async () => {
		expect(applied?.code).toBe(0);
		expectListenersRunning();
		const cases: Array<{from: string; to: string; expected: Record<number, string>; ping: boolean}> = [];
		for (const family of ['v4', 'v6'] as const) {
			const to = family === 'v4' ? SERVER4 : SERVER6;
			cases.push(
				{from: ALLOWED[family], to, expected: {22: 'open', 80: 'open', 443: 'open', 3306: 'timeout', 9000: 'timeout'}, ping: true},
				{from: RANDOM[family], to, expected: {22: 'timeout', 80: 'open', 443: 'open', 3306: 'timeout', 9000: 'timeout'}, ping: true},
				{from: DENIED[family], to, expected: {22: 'timeout', 80: 'timeout', 443: 'timeout', 3306: 'timeout', 9000: 'timeout'}, ping: false},
			);
		}
		const probes: Probe[] = cases.flatMap(c => Object.keys(c.expected).map(port => ({from: c.from, to: c.to, port: Number(port)})));
		const [results, pings] = await Promise.all([probeTcp(CLI_NS, probes), Promise.all(cases.map(c => ping(CLI_NS, c.from, c.to)))]);
		const seen = Object.fromEntries(probes.map((p, i) => [`${p.from} -> ${p.to}:${p.port}`, results[i]]));
		const wanted = Object.fromEntries(cases.flatMap(c => Object.entries(c.expected).map(([port, r]) => [`${c.from} -> ${c.to}:${port}`, r])));
		expect(seen).toEqual(wanted);
		expect(Object.fromEntries(cases.map((c, i) => [`ping ${c.from} -> ${c.to}`, pings[i]]))).toEqual(
			Object.fromEntries(cases.map(c => [`ping ${c.from} -> ${c.to}`, c.ping])),
		);
	});

	it('a second run skips what is done, and an audit run (--check) passes', async () => {
		const before = ruleset(SRV);
		const again = await rampart({inputs: inputsFor(main.state), sshClient: ALLOWED.v4});
		expect(again.code, again.text).toBe(0);
		expect(alreadyDone(again)).toEqual(
			expect.arrayContaining(['apply-with-an-automatic-rollback', 'confirm-from-a-new-ssh-connection', 'save-the-ruleset-for-the-next-boot']),
		);
		expect(again.events.some(e => e.type === 'block-started' && e.step === 'apply-with-an-automatic-rollback' && e.role === 'run')).toBe(false);
		expect(ruleset(SRV)).toBe(before);

		const audit = await rampart({inputs: inputsFor(main.state), sshClient: ALLOWED.v4, check: true});
		expect(audit.code, audit.text).toBe(0);
		expect(ruleset(SRV)).toBe(before);
	});

	it('an unconfirmed apply rolls back to the previous rules by itself, and says it was too late', async () => {
		const before = ruleset(SRV);
		const savedBefore = fs.readFileSync(main.rulesetPath, 'utf8');
		// The new candidate also lets the random address in on 22.
		const inputs = inputsFor(main.state, {ALLOW_SSH: `${ALLOWED.v4} ${ALLOWED.v6} ${RANDOM.v4}`, CONFIRM_SECONDS: '8'});
		const {done} = startRampart({inputs, sshClient: ALLOWED.v4});
		await waitFor('the new candidate to be applied', () => ruleset(SRV).includes(RANDOM.v4), 60_000);
		expect(await probeTcp(CLI_NS, [{from: RANDOM.v4, to: SERVER4, port: 22}])).toEqual(['open']);

		const result = await done;
		expect(result.code, result.text).toBe(1);
		expect(result.text).toContain('TOO LATE: the automatic rollback ran');
		expect(result.text).toContain('No confirmation arrived');
		const failed = result.events.find(e => e.type === 'step-finished' && e.status === 'failed');
		expect(failed?.step).toBe('confirm-from-a-new-ssh-connection');

		// The previous (confirmed) rules are back, exactly, and nothing was persisted.
		expect(ruleset(SRV)).toBe(before);
		expect(await probeTcp(CLI_NS, [{from: RANDOM.v4, to: SERVER4, port: 22}])).toEqual(['timeout']);
		expect(fs.readFileSync(main.rulesetPath, 'utf8')).toBe(savedBefore);
	});

	it('left the host ruleset alone', () => {
		expect(ruleset()).toBe(hostRulesetBefore);
	});
});
