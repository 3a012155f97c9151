// The bundled firewall runbook (and firewall-audit) on real nftables,
// headless, inside network namespaces: a server (rpfw-srv) with listeners on
// 22 (a real sshd), 80, 443, 3306 and 9000, and a client (rpfw-cli) with an
// allowed, a random and a denied address in IPv4 and IPv6. Only private test
// ranges are used, only inside the namespaces; the runbook's files go to
// temporary directories and its `systemctl` and `systemd-run` are stand-ins,
// so the host's network, firewall, sysctls, /etc and services are untouched
// (the host ruleset and sysctls are compared before and after). Rampart runs
// in the server namespace through `nsenter --net`, the same as `ip netns
// exec` but without a new mount namespace (see helpers/netns.ts); where a
// test needs systemd to look present or absent, it runs in a private mount
// namespace with its own /run/systemd.

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
	linkAddress,
	listeningTcpPorts,
	nft,
	nsRun,
	nsRunAsync,
	nsSysctl,
	ping,
	probeTcp,
	python,
	run,
	ruleset,
	sendForgedSyn,
	startInNamespace,
	startTcpListeners,
	stopProcess,
	waitFor,
	type Probe,
} from './helpers/netns.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist', 'rampart.js');
const RUNBOOK = path.join(ROOT, 'runbooks', 'firewall.md');
const AUDIT = path.join(ROOT, 'runbooks', 'firewall-audit.md');

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
	if (!python()) missing.push('python3');
	if (!hasCommand('unshare')) missing.push('unshare');
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
	let hostSysctlsBefore: string;
	let stubLog: string;
	let systemdRunLog: string;
	let stubBin: string;
	let sshKey: string;
	let listeners: ChildProcess | undefined;
	let sshd: ChildProcess | undefined;
	let madeRunSystemd = false;
	const stateDirs: string[] = [];
	let homes = 0;
	// Where systemd runs, the host's own /run/systemd/system says so.
	const hostRunsSystemd = fs.existsSync('/run/systemd/system');
	const hostSysctls = () => run('sysctl', ['net.ipv4.conf.all.route_localnet', 'net.ipv4.conf.all.accept_local']).stdout;

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

	/**
	 * `rampart run` inside the server namespace, headless, with JSON events.
	 * systemd looks absent (the rollback timer runs under setsid) unless
	 * `systemd` is set: then /run/systemd/system exists in a private mount
	 * namespace, and the stand-in systemd-run starts the timer.
	 */
	const startRampart = (options: {inputs: Record<string, string>; sshClient?: string; check?: boolean; systemd?: boolean; runbook?: string}) => {
		const home = path.join(tmp, `home-${++homes}`);
		const env: NodeJS.ProcessEnv = {...process.env, RAMPART_HOME: home, PATH: `${stubBin}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`};
		for (const key of Object.keys(env)) if (key.startsWith('RAMPART_INPUT_') || key.startsWith('SSH_')) delete env[key];
		if (options.sshClient) env.SSH_CLIENT = `${options.sshClient} 50022 22`;
		const args = ['run', options.runbook ?? RUNBOOK, '--yes', '--ack', '--json'];
		if (options.check) args.push('--check');
		for (const [name, value] of Object.entries(options.inputs)) args.push('--input', `${name}=${value}`);
		let [command, argv] = inNamespace(SRV, process.execPath, [CLI, ...args]);
		if (options.systemd || hostRunsSystemd) {
			const setup = options.systemd ? 'mount -t tmpfs -o mode=0755 tmpfs /run/systemd && mkdir /run/systemd/system' : 'mount -t tmpfs -o mode=0755 tmpfs /run/systemd';
			argv = ['-m', '--propagation', 'private', '--', 'sh', '-c', `${setup} && exec "$@"`, 'sh', command, ...argv];
			command = 'unshare';
		}
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
	const failedStep = (result: RampartResult) => result.events.find(e => e.type === 'step-finished' && e.status === 'failed')?.step;
	const findings = (result: RampartResult) =>
		result.events
			.filter(e => e.type === 'step-finished' && e.status === 'attention')
			.flatMap(e => ((e.findings as string[] | undefined) ?? []).map(f => `${String(e.step)}: ${f}`));
	const tableActive = () => nsRun(SRV, 'nft', ['list', 'tables']).stdout.includes('table inet rampart_firewall');
	const timerRunning = (state: string) => run('flock', ['-n', path.join(state, 'timer.lock'), 'true'], {allowFail: true}).code !== 0;

	/** The test's own key, never the host's configuration or known hosts. */
	const sshOptions = () => [
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
		'LogLevel=ERROR',
	];
	/** A command on the server over SSH from the client namespace: a new connection, or one multiplexed over `control`. */
	const ssh = (from: string, command: readonly string[], options: {control?: string; to?: string} = {}) =>
		nsRunAsync(
			CLI_NS,
			'ssh',
			[...sshOptions(), '-o', 'ConnectTimeout=5', '-o', `ControlPath=${options.control ?? 'none'}`, '-b', from, `root@${options.to ?? SERVER4}`, ...command],
			{timeoutMs: 20_000},
		);
	/** An SSH connection that stays open (a ControlMaster), for commands multiplexed over it later. */
	const startMaster = (from: string, control: string) => nsRunAsync(CLI_NS, 'ssh', [...sshOptions(), '-M', '-S', control, '-f', '-N', '-b', from, `root@${SERVER4}`]);
	const stopMaster = (control: string) => nsRunAsync(CLI_NS, 'ssh', ['-F', '/dev/null', '-S', control, '-O', 'exit', `root@${SERVER4}`]);

	/** The server's listeners must still run, or a closed port proves nothing. */
	const expectListenersRunning = () => {
		expect(exitOf(listeners), 'the TCP listeners in the server namespace stopped').toBeUndefined();
		expect(exitOf(sshd), 'sshd in the server namespace stopped').toBeUndefined();
	};

	// Forged packets: a table of counters in the server namespace that sees a
	// packet arrive on the veth (netdev ingress, before anything else), and
	// again after every input chain has let it through (priority 100, after
	// the runbook's "filter" at 0). Only packets that came in on veth-srv count.
	const OBSERVE = `table netdev rpfw_arrived {
	chain ingress {
		type filter hook ingress device "veth-srv" priority -500;
		ip saddr 127.0.0.1 tcp dport 80 counter
		ip6 saddr ::1 tcp dport 80 counter
	}
}
table inet rpfw_delivered {
	chain input {
		type filter hook input priority 100;
		iifname "veth-srv" ip saddr 127.0.0.1 tcp dport 80 counter
		iifname "veth-srv" ip6 saddr ::1 tcp dport 80 counter
	}
}
`;
	const packets = (listing: string, pattern: RegExp): number => Number(pattern.exec(listing)?.[1] ?? NaN);
	const forgeAndCount = async () => {
		nft(SRV, OBSERVE);
		try {
			const mac = linkAddress(SRV, 'veth-srv');
			sendForgedSyn(CLI_NS, 'veth-cli', mac, '127.0.0.1', SERVER4, 80);
			sendForgedSyn(CLI_NS, 'veth-cli', mac, '::1', SERVER6, 80);
			await new Promise(resolve => setTimeout(resolve, 300));
			const arrived = nsRun(SRV, 'nft', ['list', 'table', 'netdev', 'rpfw_arrived']).stdout;
			const delivered = nsRun(SRV, 'nft', ['list', 'table', 'inet', 'rpfw_delivered']).stdout;
			return {
				arrived4: packets(arrived, /ip saddr 127\.0\.0\.1 tcp dport 80 counter packets (\d+)/),
				arrived6: packets(arrived, /ip6 saddr ::1 tcp dport 80 counter packets (\d+)/),
				delivered4: packets(delivered, /ip saddr 127\.0\.0\.1 tcp dport 80 counter packets (\d+)/),
				delivered6: packets(delivered, /ip6 saddr ::1 tcp dport 80 counter packets (\d+)/),
			};
		} finally {
			nft(SRV, 'delete table netdev rpfw_arrived\ndelete table inet rpfw_delivered\n');
		}
	};
	const spoofDropped = () => {
		const chain = nsRun(SRV, 'nft', ['list', 'chain', 'inet', 'rampart_firewall', 'prerouting']).stdout;
		return {v4: packets(chain, /saddr 127\.0\.0\.0\/8 counter packets (\d+)/), v6: packets(chain, /saddr ::1 counter packets (\d+)/)};
	};

	beforeAll(async () => {
		hostRulesetBefore = ruleset();
		hostSysctlsBefore = hostSysctls();
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rpfw-'));
		fs.mkdirSync(path.join(tmp, 'etc'));
		// The private /run/systemd of startRampart needs a place to mount on.
		if (!fs.existsSync('/run/systemd')) {
			fs.mkdirSync('/run/systemd', {mode: 0o755});
			madeRunSystemd = true;
		}

		// systemctl stand-in: records its calls, remembers "enable".
		stubBin = path.join(tmp, 'bin');
		stubLog = path.join(tmp, 'systemctl.log');
		systemdRunLog = path.join(tmp, 'systemd-run.log');
		fs.mkdirSync(stubBin);
		fs.writeFileSync(
			path.join(stubBin, 'systemctl'),
			`#!/bin/sh
echo "$*" >> '${stubLog}'
case "$1" in
	enable) touch '${tmp}/nftables-enabled' ;;
	is-enabled) test -e '${tmp}/nftables-enabled' ;;
	is-active) exit 3 ;;
	*) exit 0 ;;
esac
`,
			{mode: 0o755},
		);
		// systemd-run stand-in: records its arguments and starts the command as
		// systemd would start a transient service: detached, with systemd's
		// clean environment, in the caller's network namespace (a real one would
		// run it in the host's).
		fs.writeFileSync(
			path.join(stubBin, 'systemd-run'),
			`#!/bin/sh
printf '%s\\n' "$*" >> '${systemdRunLog}'
while [ $# -gt 0 ]; do
	case $1 in
		-*) shift ;;
		*) break ;;
	esac
done
RAMPART_DETACH=1 setsid nohup env -i RAMPART_DETACH=1 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@" </dev/null >/dev/null 2>&1 &
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
		// The case the anti-spoofing rule is for: route_localnet on (kube-proxy
		// sets it), so that the kernel itself no longer drops 127.0.0.0/8
		// sources that arrive on a real interface. In the server namespace only.
		nsSysctl(SRV, {
			'net.ipv4.conf.all.route_localnet': '1',
			'net.ipv4.conf.veth-srv.route_localnet': '1',
			'net.ipv4.conf.all.accept_local': '1',
			'net.ipv4.conf.veth-srv.accept_local': '1',
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
		if (madeRunSystemd) fs.rmdirSync('/run/systemd');
		expect(ruleset(), 'the host ruleset changed').toBe(hostRulesetBefore);
		expect(hostSysctls(), 'the host sysctls changed').toBe(hostSysctlsBefore);
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

	it('refuses, and applies nothing, when sshd does not listen on SSH_PORT', async () => {
		const before = ruleset(SRV);
		const state = stateDir('state-port');
		const result = await rampart({inputs: inputsFor(state, {SSH_PORT: '2222'}), sshClient: ALLOWED.v4});
		expect(result.code, result.text).toBe(1);
		expect(failedStep(result)).toBe('make-sure-sshd-listens-on-the-ssh-port');
		expect(result.text).toContain('Refusing: sshd does not listen on SSH_PORT (2222)');
		// Where it does listen (the real sshd of the server namespace), from ss.
		expect(result.text).toMatch(/sshd listens on: \S*:22 \S*:22/);
		expect(fs.existsSync(path.join(state, 'candidate.nft'))).toBe(false);
		expect(ruleset(SRV)).toBe(before);
	});

	it('lockout guard: refuses, and applies nothing, when the operator would be locked out or the address is unknown; warns about an allow list of one family', async () => {
		const before = ruleset(SRV);
		const [notAllowed4, notAllowed6, denied, noClient, onlyV6] = await Promise.all([
			rampart({inputs: inputsFor(stateDir('state-guard-1'), {ALLOW_SSH: '10.200.0.99, fd00:200::99'}), sshClient: ALLOWED.v4}),
			rampart({inputs: inputsFor(stateDir('state-guard-2'), {ALLOW_SSH: ALLOWED.v4}), sshClient: ALLOWED.v6}),
			rampart({inputs: inputsFor(stateDir('state-guard-3'), {ALLOW_SSH: `${ALLOWED.v4} ${DENIED.v4}`}), sshClient: DENIED.v4}),
			rampart({inputs: inputsFor(stateDir('state-guard-4'))}),
			rampart({inputs: inputsFor(stateDir('state-guard-5'), {ALLOW_SSH: ALLOWED.v6}), sshClient: ALLOWED.v4}),
		]);
		for (const result of [notAllowed4, notAllowed6, denied, onlyV6]) {
			expect(result.code, result.text).toBe(1);
			expect(result.text).toContain('LOCKOUT');
			expect(result.text).toContain('Nothing was applied');
		}
		expect(notAllowed4.text).toContain(`from your address\n${ALLOWED.v4} to port 22 is dropped`);
		expect(notAllowed6.text).toContain(`${ALLOWED.v6} to port 22 is dropped`);
		expect(noClient.code, noClient.text).toBe(1);
		expect(noClient.text).toContain('$SSH_CLIENT is not set');
		expect(noClient.text).toContain('ALLOW_NO_SSH_CLIENT=true');
		for (const result of [notAllowed4, notAllowed6, denied, noClient, onlyV6]) {
			expect(failedStep(result)).toBe('lockout-guard-test-the-candidate-in-a-throwaway-namespace');
		}
		// The server has addresses of both families: an allow list of one family is a warning.
		expect(notAllowed6.text).toContain(`Warning: this server has global IPv6 addresses (${SERVER6}), but\n  ALLOW_SSH has IPv4 entries only`);
		expect(onlyV6.text).toContain(`Warning: this server has global IPv4 addresses (${SERVER4}), but\n  ALLOW_SSH has IPv6 entries only`);
		for (const result of [notAllowed4]) expect(result.text).not.toContain('Warning: this server has global');
		expect(ruleset(SRV)).toBe(before);
		expect(tableActive()).toBe(false);
	});

	it('without the firewall, a forged 127.0.0.1 source gets through once route_localnet is on (the case the rule is for)', async () => {
		expect(tableActive()).toBe(false);
		const seen = await forgeAndCount();
		expect(seen.arrived4).toBe(1);
		expect(seen.delivered4).toBe(1);
		// A forged ::1 source arrives, but Linux drops it before any nftables
		// input hook, firewall or not: the runbook's ::1 rule is a second layer.
		expect(seen.arrived6).toBe(1);
		expect(seen.delivered6).toBe(0);
	});

	let applied: RampartResult;

	it('applies; refuses a confirmation over a connection opened before the apply, and a bare marker file; keeps the rules once confirmed from a new SSH connection; then persists them', async () => {
		// Docker-like rules already in place: explained, and left alone.
		nft(SRV, 'table ip filter {\n\tchain DOCKER-USER {\n\t}\n}\n');
		// A second session opened before the apply (a ControlMaster, so that
		// commands can be multiplexed over it later).
		const control = path.join(tmp, 'old-connection');
		const master = await startMaster(ALLOWED.v4, control);
		expect(master.code, master.stderr).toBe(0);
		try {
			const {done} = startRampart({inputs: inputsFor(stateDir('state')), sshClient: ALLOWED.v4});
			await waitFor('the candidate to be applied', () => fs.existsSync(path.join(main.state, 'connections-at-apply')) && tableActive(), 60_000);
			// Not persisted before the confirmation.
			expect(fs.existsSync(main.rulesetPath)).toBe(false);
			const confirm = path.join(main.state, 'confirm');

			// The old way, a bare marker, made over the old connection: no token, no effect.
			const touched = await ssh(ALLOWED.v4, ['touch', '--', path.join(main.state, 'confirmed')], {control});
			expect(touched.code, touched.stderr).toBe(0);
			// The confirmation command over the connection that was open before the apply: refused.
			const old = await ssh(ALLOWED.v4, [confirm], {control});
			expect(old.code, old.stderr).toBe(1);
			expect(old.stderr).toMatch(/NOT CONFIRMED: this connection, from 10\.200\.0\.10 port \d+, was already open when the new rules were applied/);
			await new Promise(resolve => setTimeout(resolve, 2500));
			expect(timerRunning(main.state), 'the rollback timer stopped without a valid confirmation').toBe(true);
			expect(fs.existsSync(path.join(main.state, 'rolled-back'))).toBe(false);

			// The confirmation command over a new SSH connection, through the new rules.
			const fresh = await ssh(ALLOWED.v4, [confirm]);
			expect(fresh.code, fresh.stderr).toBe(0);
			expect(fresh.stdout).toMatch(/CONFIRMED: this new SSH connection, from 10\.200\.0\.10 port \d+ to 10\.200\.0\.1 port 22/);

			applied = await done;
		} finally {
			await stopMaster(control);
		}
		expect(applied.code, applied.text).toBe(0);
		expect(applied.text).toContain('Docker: its rules are in place');
		expect(applied.text).toContain('sshd listens on port 22:');
		expect(applied.text).toContain('Lockout guard passed: a new SSH connection from 10.200.0.10 to port 22');
		expect(applied.text).toContain('The rollback timer runs as a detached process (no systemd here).');
		expect(fs.existsSync(systemdRunLog)).toBe(false);
		expect(applied.text).toMatch(/Confirmations refused:\n {2}\S+ this connection, from 10\.200\.0\.10 port \d+, was already open/);
		expect(applied.text).toMatch(/Confirmed at \S+ from a new SSH connection \(10\.200\.0\.10 port \d+\),\nbefore the rollback time: the new rules stay\./);
		expect(applied.text).not.toContain('Warning: this server has global');
		expect(fs.existsSync(path.join(main.state, 'rolled-back'))).toBe(false);

		// Persisted only now: the confirmed ruleset, with the service enabled.
		const saved = fs.readFileSync(main.rulesetPath, 'utf8');
		expect(saved).toBe(fs.readFileSync(path.join(main.state, 'applied.nft'), 'utf8'));
		expect(saved).toContain('# Written by the Rampart runbook "firewall".');
		expect(fs.readFileSync(stubLog, 'utf8')).toContain('enable nftables.service');
		// And recorded for firewall-audit: the listing without counters and its hash.
		const listing = nsRun(SRV, 'nft', ['-s', 'list', 'table', 'inet', 'rampart_firewall']).stdout;
		expect(fs.readFileSync(path.join(main.state, 'audit', 'rules.listing'), 'utf8')).toBe(listing);
		expect(fs.readFileSync(path.join(main.state, 'audit', 'rules.sha256'), 'utf8').trim()).toBe(run('sha256sum', [], {input: listing}).stdout.split(' ')[0]);

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

	it('drops a forged 127.0.0.1 source from the client namespace before it reaches any input chain, and counts it', async () => {
		expect(applied?.code).toBe(0);
		const before = spoofDropped();
		const seen = await forgeAndCount();
		// It arrived on the wire, the runbook's rule dropped it, nothing delivered it.
		expect(seen.arrived4).toBe(1);
		expect(seen.delivered4).toBe(0);
		expect(spoofDropped().v4).toBe(before.v4 + 1);
		expect(seen.arrived6).toBe(1);
		expect(seen.delivered6).toBe(0);
		// Port 80 itself is open to that client's real address: it was the source that was dropped.
		expect(await probeTcp(CLI_NS, [{from: RANDOM.v4, to: SERVER4, port: 80}])).toEqual(['open']);
	});

	it('a second run skips what is done, and an audit run (--check) passes', async () => {
		const before = ruleset(SRV);
		const again = await rampart({inputs: inputsFor(main.state), sshClient: ALLOWED.v4});
		expect(again.code, again.text).toBe(0);
		expect(alreadyDone(again)).toEqual(
			expect.arrayContaining(['apply-with-an-automatic-rollback', 'confirm-from-a-new-ssh-connection', 'save-the-ruleset-for-the-next-boot']),
		);
		expect(again.events.some(e => e.type === 'block-started' && e.step === 'apply-with-an-automatic-rollback' && e.role === 'run')).toBe(false);
		expect(again.text).toContain('Forged loopback sources dropped since the rules were loaded: 1 IPv4, 0 IPv6 packets.');
		expect(ruleset(SRV)).toBe(before);

		const audit = await rampart({inputs: inputsFor(main.state), sshClient: ALLOWED.v4, check: true});
		expect(audit.code, audit.text).toBe(0);
		expect(ruleset(SRV)).toBe(before);
	});

	it('where systemd runs, the rollback timer is a transient unit started with systemd-run (stand-in), and the apply works through it', async () => {
		const inputs = inputsFor(main.state, {ALLOW_SSH: `${ALLOWED.v4} ${ALLOWED.v6} ${RANDOM.v6}`});
		const {done} = startRampart({inputs, sshClient: ALLOWED.v4, systemd: true});
		await waitFor('the new candidate to be applied', () => ruleset(SRV).includes(RANDOM.v6) && fs.existsSync(path.join(main.state, 'connections-at-apply')), 60_000);
		expect(timerRunning(main.state)).toBe(true);
		const fresh = await ssh(ALLOWED.v6, [path.join(main.state, 'confirm')], {to: SERVER6});
		expect(fresh.code, fresh.stderr).toBe(0);
		const result = await done;
		expect(result.code, result.text).toBe(0);
		const unit = fs.readFileSync(path.join(main.state, 'timer.unit'), 'utf8').trim();
		expect(unit).toMatch(/^rampart-firewall-rollback-\d+-\d+$/);
		expect(result.text).toContain(`The rollback timer runs as the transient unit ${unit} (systemctl status ${unit}).`);
		const calls = fs.readFileSync(systemdRunLog, 'utf8').trim().split('\n');
		expect(calls).toHaveLength(1);
		expect(calls[0]).toContain(`--quiet --collect --service-type=exec --unit=${unit} --description=Rampart firewall: previous rules back at`);
		expect(calls[0]).toMatch(
			new RegExp(`unless confirmed /\\S*/flock ${main.state}/timer\\.lock /\\S*/sh ${main.state}/rollback-timer\\.sh ${main.state} \\d+ /\\S*/nft$`),
		);
		expect(result.text).toMatch(/Confirmed at \S+ from a new SSH connection \(fd00:200::10 port \d+\)/);
		expect(await probeTcp(CLI_NS, [{from: RANDOM.v6, to: SERVER6, port: 22}])).toEqual(['open']);
	});

	it('an unconfirmed apply rolls back to the previous rules by itself, and says it was too late; a bare marker file does not stop it', async () => {
		const before = ruleset(SRV);
		const savedBefore = fs.readFileSync(main.rulesetPath, 'utf8');
		// The new candidate also lets the random address in on 22.
		const inputs = inputsFor(main.state, {ALLOW_SSH: `${ALLOWED.v4} ${ALLOWED.v6} ${RANDOM.v6} ${RANDOM.v4}`, CONFIRM_SECONDS: '8'});
		const {done} = startRampart({inputs, sshClient: ALLOWED.v4});
		await waitFor('the new candidate to be applied', () => ruleset(SRV).includes(RANDOM.v4), 60_000);
		expect(await probeTcp(CLI_NS, [{from: RANDOM.v4, to: SERVER4, port: 22}])).toEqual(['open']);
		// "sudo touch STATE_DIR/confirmed" from a new connection, as the runbook once asked.
		const touched = await ssh(RANDOM.v4, ['touch', '--', path.join(main.state, 'confirmed')]);
		expect(touched.code, touched.stderr).toBe(0);

		const result = await done;
		expect(result.code, result.text).toBe(1);
		expect(result.text).toContain('TOO LATE: the automatic rollback ran');
		expect(result.text).toContain('No confirmation from a new SSH connection arrived');
		expect(result.text).toContain(`A file ${main.state}/confirmed is there, but the confirmation command did not write it`);
		expect(failedStep(result)).toBe('confirm-from-a-new-ssh-connection');

		// The previous (confirmed) rules are back, exactly, and nothing was persisted.
		expect(ruleset(SRV)).toBe(before);
		expect(await probeTcp(CLI_NS, [{from: RANDOM.v4, to: SERVER4, port: 22}])).toEqual(['timeout']);
		expect(fs.readFileSync(main.rulesetPath, 'utf8')).toBe(savedBefore);
		// A confirmation after the rollback is refused, and says why.
		const late = await ssh(ALLOWED.v4, [path.join(main.state, 'confirm')]);
		expect(late.code).toBe(1);
		expect(late.stderr).toContain('NOT CONFIRMED: too late: the automatic rollback already ran');
	});

	it('firewall-audit passes on the confirmed rules, and finds a table changed by hand or a flushed ruleset', async () => {
		const auditInputs = {STATE_DIR: main.state};
		const audit = (check = false) => rampart({inputs: auditInputs, runbook: AUDIT, check});
		// After the rolled-back apply, the rules confirmed before it are active again: nothing to find.
		const clean = await audit();
		expect(clean.code, clean.text).toBe(0);
		expect(alreadyDone(clean)).toHaveLength(4);
		expect(clean.text).toMatch(/table inet rampart_firewall is loaded and is the one confirmed on /);

		// A rule added by hand: a finding (the run goes on and exits 1).
		nsRun(SRV, 'nft', ['add', 'rule', 'inet', 'rampart_firewall', 'input', 'tcp', 'dport', '3306', 'accept']);
		const changed = await audit();
		expect(changed.code, changed.text).toBe(1);
		expect(findings(changed)).toEqual([expect.stringContaining('table inet rampart_firewall is loaded but DIFFERS from the rules confirmed on')]);
		expect(changed.text).toMatch(/^\+\s+tcp dport 3306 accept$/m);

		// The whole ruleset flushed (a package's postinst, systemctl stop nftables),
		// seen by the check-only run cron would make.
		nsRun(SRV, 'nft', ['flush', 'ruleset']);
		const flushed = await audit(true);
		expect(flushed.code, flushed.text).toBe(1);
		expect(flushed.events.filter(e => e.type === 'step-finished' && e.status !== 'done').map(e => e.step)).toEqual([
			'the-firewall-table-is-loaded-and-is-the-confirmed-one',
		]);
		expect(flushed.text).toContain('table inet rampart_firewall is NOT loaded: the firewall is off');

		// And another firewall beside it.
		nft(SRV, `table inet intruder {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t}\n}\n`);
		nsRun(SRV, 'nft', ['-f', path.join(main.state, 'audit', 'rules.nft')]);
		const other = await audit();
		expect(other.code, other.text).toBe(1);
		expect(findings(other)).toEqual([expect.stringContaining('Tables that filter incoming packets and were not there at the confirmation')]);
		expect(other.text).toContain('  inet intruder');
		nft(SRV, 'delete table inet intruder\n');

		// Back as confirmed: clean again.
		const restored = await audit(true);
		expect(restored.code, restored.text).toBe(0);
	});

	it('left the host ruleset alone', () => {
		expect(ruleset()).toBe(hostRulesetBefore);
	});
});
