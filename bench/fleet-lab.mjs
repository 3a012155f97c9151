// The fleet benchmark's hosts: N real sshd on loopback (127.0.0.2, 127.0.0.3,
// …), key-only, each with its own host key, config and pid file, under one
// temporary directory, with a client key, known_hosts and ssh_config for the
// operator side (handed to both tools through the inventory's
// ansible_ssh_common_args='-F FILE', so ~/.ssh is never read or written).
// The recipe of test/system/helpers/ssh-lab.ts, in plain JavaScript.
//
// `quickShell`: each sshd starts inside its own mount namespace (`unshare -m
// --propagation private`) with an empty file bind-mounted over the login
// user's ~/.bashrc, so the sessions it serves start bash without it, while
// the machine's own ~/.bashrc (and every other process) stays untouched.

import {spawn, spawnSync} from 'node:child_process';
import {chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {homedir, tmpdir} from 'node:os';
import {join} from 'node:path';

const run = (command, args) => {
	const result = spawnSync(command, args, {encoding: 'utf8'});
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr || result.error?.message}`);
	return result.stdout;
};

/** Why the lab cannot run here, or undefined. */
export const fleetLabMissing = () => {
	if (process.platform !== 'linux') return 'needs Linux';
	if (process.getuid?.() !== 0) return 'needs root (sshd on loopback addresses, as the login user root)';
	if (!existsSync('/usr/sbin/sshd')) return 'needs /usr/sbin/sshd (apt-get install openssh-server)';
	if (spawnSync('ssh', ['-V']).error) return 'needs ssh (apt-get install openssh-client)';
	if (spawnSync('unshare', ['--version']).error) return 'needs unshare (util-linux)';
	return undefined;
};

/** The sshd processes below `root`: its per-connection children and theirs. */
const sshdDescendants = root => {
	const children = new Map();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			children.set(ppid, [...(children.get(ppid) ?? []), {pid: Number(entry), comm}]);
		} catch {
			// Gone meanwhile.
		}
	}
	const found = [];
	const visit = pid => {
		for (const child of children.get(pid) ?? []) {
			if (!child.comm.startsWith('sshd')) continue;
			found.push(child.pid);
			visit(child.pid);
		}
	};
	visit(root);
	return found;
};

const listening = (address, port) => spawnSync('bash', ['-c', `exec 3<>/dev/tcp/${address}/${port}`], {stdio: 'ignore'}).status === 0;

/** Starts `count` sshd; `quickShell` as above. Call `stop()` at the end (it removes the directory). */
export const startFleetLab = async (count, {quickShell = false, basePort = 24_000 + Math.floor(Math.random() * 1000) * 8} = {}) => {
	const dir = mkdtempSync(join(tmpdir(), 'rampart-bench-fleet-lab-'));
	chmodSync(dir, 0o755);
	const key = join(dir, 'id_ed25519');
	run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'rampart-bench', '-f', key]);
	const authorized = join(dir, 'authorized_keys');
	copyFileSync(`${key}.pub`, authorized);
	mkdirSync('/run/sshd', {recursive: true, mode: 0o755});
	const emptyRc = join(dir, 'empty-bashrc');
	writeFileSync(emptyRc, '');
	const bashrc = join(homedir(), '.bashrc');
	const hosts = [];
	for (let i = 0; i < count; i++) {
		const name = `host${i + 1}`;
		const address = `127.0.0.${i + 2}`;
		const port = basePort + i;
		const hostKey = join(dir, `${name}_host_ed25519`);
		run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
		const config = join(dir, `${name}_sshd_config`);
		const lines = [
			`ListenAddress ${address}:${port}`,
			`HostKey ${hostKey}`,
			`PidFile ${join(dir, `${name}.pid`)}`,
			`AuthorizedKeysFile ${authorized}`,
			'StrictModes no',
			'UsePAM no',
			'PasswordAuthentication no',
			'KbdInteractiveAuthentication no',
			'PermitRootLogin prohibit-password',
			// Twenty clients' connections and their sessions at once.
			'MaxSessions 50',
			'MaxStartups 100',
			'',
		];
		writeFileSync(config, lines.join('\n'));
		run('/usr/sbin/sshd', ['-t', '-f', config]);
		const [type, body] = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/);
		hosts.push({name, address, port, config, hostKeyLine: `[${address}]:${port} ${type} ${body}`});
	}
	writeFileSync(join(dir, 'known_hosts'), hosts.map(h => h.hostKeyLine).join('\n') + '\n');
	const sshConfig = join(dir, 'ssh_config');
	writeFileSync(
		sshConfig,
		[
			'Host *',
			`  IdentityFile ${key}`,
			'  IdentitiesOnly yes',
			`  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
			'  StrictHostKeyChecking yes',
			'  User root',
			'  LogLevel ERROR',
			'',
		].join('\n'),
	);

	const daemons = [];
	for (const host of hosts) {
		const sshd = ['/usr/sbin/sshd', '-D', '-f', host.config, '-E', join(dir, `${host.name}.log`)];
		// unshare execs the shell and the shell execs sshd: the pid is the daemon's.
		const [command, args] = quickShell
			? ['unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" "$2" && shift 2 && exec "$@"', 'sh', emptyRc, bashrc, ...sshd]]
			: [sshd[0], sshd.slice(1)];
		daemons.push(spawn(command, args, {stdio: 'ignore'}));
	}
	for (const host of hosts) {
		const deadline = Date.now() + 15_000;
		while (!listening(host.address, host.port)) {
			if (Date.now() > deadline) throw new Error(`sshd for ${host.name} did not start: ${readFileSync(join(dir, `${host.name}.log`), 'utf8')}`);
			await new Promise(resolve => setTimeout(resolve, 50));
		}
	}

	/** An Ansible INI inventory of the first `n` hosts; both tools read it. */
	const inventory = (file, n = count) => {
		writeFileSync(
			file,
			[
				'[bench]',
				...hosts.slice(0, n).map(h => `${h.name} ansible_host=${h.address} ansible_port=${h.port}`),
				'',
				'[all:vars]',
				`ansible_ssh_common_args='-F ${sshConfig}'`,
				'',
			].join('\n'),
		);
		return file;
	};

	const stop = () => {
		for (const daemon of daemons) {
			if (daemon.pid === undefined) continue;
			// Each connection's own sshd processes outlive the listener: end them too.
			for (const pid of [daemon.pid, ...sshdDescendants(daemon.pid)]) {
				try {
					process.kill(pid, 'SIGKILL');
				} catch {
					// Already gone.
				}
			}
		}
		rmSync(dir, {recursive: true, force: true});
	};
	return {dir, hosts, sshConfig, inventory, stop, quickShell};
};
