// Several real sshd on loopback addresses (127.0.0.2, 127.0.0.3, …), key-only,
// each with its own host key, config and pid file, all under one temporary
// directory; a client key, a known_hosts and an ssh_config for the operator
// side, handed to Rampart through the inventory's ansible_ssh_common_args
// (`-F`), so the real ~/.ssh is never read or written.

import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LabHost {
	name: string;
	address: string;
	port: number;
	/** The sshd's own pid file, for stopping and starting it. */
	pidFile: string;
	config: string;
	hostKeyLine: string;
}

export interface SshLab {
	dir: string;
	hosts: LabHost[];
	/** The client's ssh_config (IdentityFile, UserKnownHostsFile, StrictHostKeyChecking yes). */
	sshConfig: string;
	knownHosts: string;
	start: (host: LabHost) => void;
	/** Stops the sshd and every connection it serves (each session's sshd too). */
	stop: (host: LabHost) => void;
	remove: () => void;
}

const run = (command: string, args: string[]) => {
	const result = spawnSync(command, args, {encoding: 'utf8'});
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr || result.error?.message}`);
	return result.stdout;
};

/** The sshd processes below `root` (its per-connection children and theirs). */
const sshdDescendants = (root: number): number[] => {
	const children = new Map<number, Array<{pid: number; comm: string}>>();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			children.set(ppid, [...(children.get(ppid) ?? []), {pid: Number(entry), comm}]);
		} catch {
			// gone meanwhile
		}
	}
	const found: number[] = [];
	const visit = (pid: number) => {
		for (const child of children.get(pid) ?? []) {
			if (!child.comm.startsWith('sshd')) continue;
			found.push(child.pid);
			visit(child.pid);
		}
	};
	visit(root);
	return found;
};

export const sshLabMissing = (): string | undefined => {
	if (process.platform !== 'linux') return 'needs Linux';
	if (process.getuid?.() !== 0) return 'needs root';
	if (!fs.existsSync('/usr/sbin/sshd')) return 'needs /usr/sbin/sshd (openssh-server, see .ci/apt-packages.txt)';
	if (spawnSync('ssh', ['-V']).error) return 'needs ssh (openssh-client)';
	return undefined;
};

/** Ports from a range unlikely to be in use; each lab gets its own base. */
export const createSshLab = (count: number, basePort = 22_000 + Math.floor(Math.random() * 2000) * 4): SshLab => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-ssh-lab-'));
	fs.chmodSync(dir, 0o755);
	const key = path.join(dir, 'id_ed25519');
	run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'rampart-lab', '-f', key]);
	const authorized = path.join(dir, 'authorized_keys');
	fs.copyFileSync(`${key}.pub`, authorized);
	fs.mkdirSync('/run/sshd', {recursive: true, mode: 0o755});
	const hosts: LabHost[] = [];
	for (let i = 0; i < count; i++) {
		const name = `host${i + 1}`;
		const address = `127.0.0.${i + 2}`;
		const port = basePort + i;
		const hostKey = path.join(dir, `${name}_host_ed25519`);
		run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
		const pidFile = path.join(dir, `${name}.pid`);
		const config = path.join(dir, `${name}_sshd_config`);
		fs.writeFileSync(
			config,
			[
				`ListenAddress ${address}:${port}`,
				`HostKey ${hostKey}`,
				`PidFile ${pidFile}`,
				`AuthorizedKeysFile ${authorized}`,
				'StrictModes no',
				'UsePAM no',
				'PasswordAuthentication no',
				'KbdInteractiveAuthentication no',
				'PermitRootLogin prohibit-password',
				// Many blocks at once over one connection.
				'MaxSessions 50',
				'MaxStartups 100',
				'',
			].join('\n'),
		);
		const [type, body] = fs.readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/);
		hosts.push({name, address, port, pidFile, config, hostKeyLine: `[${address}]:${port} ${type} ${body}`});
	}
	const knownHosts = path.join(dir, 'known_hosts');
	fs.writeFileSync(knownHosts, hosts.map(h => h.hostKeyLine).join('\n') + '\n');
	const sshConfig = path.join(dir, 'ssh_config');
	fs.writeFileSync(
		sshConfig,
		[
			'Host *',
			`  IdentityFile ${key}`,
			'  IdentitiesOnly yes',
			`  UserKnownHostsFile ${knownHosts}`,
			'  StrictHostKeyChecking yes',
			'  User root',
			'  LogLevel ERROR',
			'',
		].join('\n'),
	);
	const daemons = new Map<string, ChildProcess>();
	const start = (host: LabHost) => {
		run('/usr/sbin/sshd', ['-t', '-f', host.config]);
		const daemon = spawn('/usr/sbin/sshd', ['-D', '-f', host.config, '-E', path.join(dir, `${host.name}.log`)], {stdio: 'ignore'});
		daemons.set(host.name, daemon);
		for (let i = 0; i < 100; i++) {
			if (spawnSync('bash', ['-c', `exec 3<>/dev/tcp/${host.address}/${host.port}`]).status === 0) return;
			spawnSync('sleep', ['0.05']);
		}
		throw new Error(`sshd for ${host.name} did not start: ${fs.readFileSync(path.join(dir, `${host.name}.log`), 'utf8')}`);
	};
	const stop = (host: LabHost) => {
		const daemon = daemons.get(host.name);
		daemons.delete(host.name);
		if (daemon?.pid === undefined) return;
		// Each connection has sshd processes of its own, which outlive the listener: end
		// them too (not the commands they ran: those learn of it as a real host's would).
		const doomed = sshdDescendants(daemon.pid);
		for (const pid of [daemon.pid, ...doomed]) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
	};
	return {
		dir,
		hosts,
		sshConfig,
		knownHosts,
		start,
		stop,
		remove: () => {
			for (const host of hosts) stop(host);
			fs.rmSync(dir, {recursive: true, force: true});
		},
	};
};
