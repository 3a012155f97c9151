// Servers of a fleet for system tests: each a network namespace with its own
// real sshd and its own files, all reached from one client namespace (where
// the operator, Rampart, runs) through a veth pair of its own on a /24 of its
// own, so that each server sees the operator at a different address, as
// servers in different places would. Key-only SSH, host keys checked against a
// known_hosts of the test's own; the real ~/.ssh is never read or written.

import {type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {deleteNamespace, run, startInNamespace} from './netns.js';
import {createSshLab, type SshLab} from './ssh-lab.js';

export interface FleetServer {
	/** The inventory name. */
	name: string;
	ns: string;
	address: string;
	/** The server's private directory on the host; inside its sessions it is the lab's `box`. */
	root: string;
	/** Its public host key, `ssh-ed25519 AAAA…`. */
	hostKey: string;
	sshdConfig: string;
}

export interface FleetLab {
	client: string;
	servers: FleetServer[];
	/** The path every server sees its own `root` at (a bind mount in its private mount namespace). */
	box: string;
	/** The operator's ssh_config: the lab's key, known_hosts, StrictHostKeyChecking yes, User root. */
	sshConfig: string;
	sshLab: SshLab;
}

// The runbooks' systemctl calls land here (there is no systemd in the lab):
// each call is logged beside the stand-in, "enable UNIT" is remembered.
const SYSTEMCTL = `#!/bin/sh
box=$(dirname "$(dirname "$0")")
echo "$*" >> "$box/systemctl.log"
for unit; do :; done
case "$1" in
	enable) touch "$box/enabled-$unit" ;;
	is-enabled) test -e "$box/enabled-$unit" ;;
	is-active) exit 3 ;;
esac
`;

/**
 * The namespaces, veth pairs, keys and configurations: server i is
 * `${subnet}.1` on `${prefix}-s${i}`, and the client namespace has
 * `${subnet}.${host}` for every host number in `clientHosts` (the first
 * added is the one its connections come from). Nothing runs yet: see
 * startSshd.
 */
export const createFleetLab = (dir: string, prefix: string, subnets: readonly string[], clientHosts: readonly number[]): FleetLab => {
	const namespaces = labNamespaces(prefix, subnets.length);
	const client = namespaces[0]!;
	const servers = subnets.map((subnet, i) => ({subnet, ns: namespaces[i + 1]!, address: `${subnet}.1`}));
	for (const ns of namespaces) {
		deleteNamespace(ns);
		run('ip', ['netns', 'add', ns]);
		run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
	}
	servers.forEach(({ns, subnet, address}, i) => {
		const device = `veth-${i + 1}`;
		run('ip', ['-n', ns, 'link', 'add', 'name', 'veth-srv', 'type', 'veth', 'peer', 'name', device, 'netns', client]);
		run('ip', ['-n', ns, 'link', 'set', 'veth-srv', 'up']);
		run('ip', ['-n', client, 'link', 'set', device, 'up']);
		run('ip', ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'veth-srv']);
		for (const host of clientHosts) run('ip', ['-n', client, 'addr', 'add', `${subnet}.${host}/24`, 'dev', device]);
	});

	const box = path.join(dir, 'box');
	fs.mkdirSync(box);
	// The keys, sshd configurations and ssh_config of the loopback lab, moved into the namespaces.
	const sshLab = createSshLab(servers.length);
	const made = servers.map(({ns, address}, i) => {
		const {name, config, hostKeyLine} = sshLab.hosts[i]!;
		const root = path.join(dir, name);
		for (const sub of ['bin', 'etc', 'state']) fs.mkdirSync(path.join(root, sub), {recursive: true});
		fs.writeFileSync(path.join(root, 'bin', 'systemctl'), SYSTEMCTL, {mode: 0o755});
		const sshd = fs.readFileSync(config, 'utf8').replace(/^ListenAddress .*$/m, 'ListenAddress 0.0.0.0:22');
		// Rampart runs each block through the login environment of the SSH
		// session, as on a real server, and passes on nothing of its own but the
		// inputs and SSH_CLIENT/SSH_CONNECTION. So the stand-ins reach the blocks'
		// PATH through sshd itself: SetEnv is applied after sshd's default PATH,
		// and root's ~/.bashrc only adds to the front of it.
		fs.writeFileSync(config, `${sshd}SetEnv PATH=${box}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n`);
		return {name, ns, address, root, sshdConfig: config, hostKey: hostKeyLine.split(' ').slice(1).join(' ')};
	});
	fs.writeFileSync(sshLab.knownHosts, made.map(s => `${s.address} ${s.hostKey}\n`).join(''));
	return {client, servers: made, box, sshConfig: sshLab.sshConfig, sshLab};
};

/**
 * The server's sshd, in its network namespace and a private mount namespace
 * where the lab's box is the server's own directory and /run/systemd is
 * empty (the runbooks see no systemd, as on this machine, even where the host
 * runs it). Every session, and whatever it leaves running, stays in both.
 */
export const startSshd = (lab: FleetLab, server: FleetServer): ChildProcess => {
	fs.mkdirSync('/run/sshd', {recursive: true, mode: 0o755});
	// Root's ~/.bashrc is hidden too: a login there runs this machine's (pyenv:
	// half a second a block), where a server has Debian's stock one.
	const script = [
		'mount --bind "$1" "$2"',
		'{ [ ! -d /run/systemd ] || mount -t tmpfs -o mode=0755 tmpfs /run/systemd; }',
		'{ [ ! -f /root/.bashrc ] || mount --bind /dev/null /root/.bashrc; }',
		'exec /usr/sbin/sshd -D -e -f "$3"',
	].join(' && ');
	return startInNamespace(server.ns, 'unshare', ['-m', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', server.root, lab.box, server.sshdConfig]);
};

/** The client's namespace, then each server's. */
export const labNamespaces = (prefix: string, servers: number): string[] => [`${prefix}-cli`, ...Array.from({length: servers}, (_, i) => `${prefix}-s${i + 1}`)];

/** Kills every process in the lab's namespaces (sshd sessions, timers a run left), then deletes them and the keys. */
export const removeFleetLab = (prefix: string, servers: number, lab: FleetLab | undefined): void => {
	for (const ns of labNamespaces(prefix, servers)) {
		const pids = run('ip', ['netns', 'pids', ns], {allowFail: true})
			.stdout.split('\n')
			.filter(p => /^\d+$/.test(p));
		for (const pid of pids) {
			try {
				process.kill(Number(pid), 'SIGKILL');
			} catch {
				// gone meanwhile
			}
		}
		deleteNamespace(ns);
	}
	lab?.sshLab.remove();
};
