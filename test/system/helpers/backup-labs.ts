// Machines for the backups system test, each a WebLab (helpers/services.ts:
// its own mount and network namespace, /etc and /var overlays, empty /srv,
// /run and /home) with a few more private mounts, joined by veth pairs that
// exist only inside the labs:
//
//   server (10.203.16.1) ── backup host (10.203.16.2, 10.203.17.2) ── new server (10.203.17.1)
//
// The backup host runs its own sshd (its own host key and configuration)
// and has a `borg` account for the repositories, as the backups runbook's
// text tells an administrator to make one. Nothing here touches the host's
// network, accounts or files: the addresses exist only in the labs, and
// everything is gone when the labs close.

import {spawnSync} from 'node:child_process';
import {chmodSync, copyFileSync, readFileSync, renameSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {WebLab} from './services.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The process that holds a lab's namespaces. */
const holderOf = (lab: WebLab): number => Number(readFileSync(join(lab.root, 'holder.pid'), 'utf8').trim());

/**
 * Starts a lab for one machine: root's home and /usr/local/sbin are private
 * too (the backup job is installed there), and systemctl is the backups
 * stand-in in front of the web one.
 */
export const startMachine = (label: string): WebLab => {
	const lab = WebLab.start(label);
	try {
		lab.must('mount -t tmpfs -o mode=0700 lab /root && mount -t tmpfs -o mode=0755 lab /usr/local/sbin');
		const mounts = lab.must('findmnt -n -o TARGET,FSTYPE --list');
		for (const target of ['/root', '/usr/local/sbin']) {
			if (!mounts.split('\n').some(line => line.trim().split(/\s+/).join(' ') === `${target} tmpfs`))
				throw new Error(`the lab's ${target} is not a private tmpfs:\n${mounts}`);
		}
		const bin = join(lab.root, 'bin');
		renameSync(join(bin, 'systemctl'), join(bin, 'web-systemctl'));
		copyFileSync(join(here, 'backup-systemctl.sh'), join(bin, 'systemctl'));
		chmodSync(join(bin, 'systemctl'), 0o755);
	} catch (error) {
		lab.close();
		throw error;
	}
	return lab;
};

/** Joins two labs with a veth pair: `a` gets addressA/24 on ifA, `b` gets addressB/24 on ifB. */
export const link = (a: WebLab, ifA: string, addressA: string, b: WebLab, ifB: string, addressB: string): void => {
	a.must('ip link add "$1" type veth peer name "$2" netns "$3"', [ifA, ifB, String(holderOf(b))]);
	a.must('ip addr add "$1/24" dev "$2" && ip link set "$2" up', [addressA, ifA]);
	b.must('ip addr add "$1/24" dev "$2" && ip link set "$2" up', [addressB, ifB]);
	a.must('ping -c 1 -W 5 "$1" >/dev/null', [addressB]);
};

export interface BackupHost {
	/** The sshd host key, as BACKUP_HOST_KEY wants it. */
	hostKey: string;
	/** The repository account's authorized_keys. */
	authorizedKeys: string;
}

/**
 * Makes the backup host as the backups runbook's text says (a `borg`
 * account with a real shell, /srv/borg owned by it) and starts an sshd on
 * port 22 of the lab's addresses, key logins only.
 */
export const setUpBackupHost = (lab: WebLab): BackupHost => {
	lab.must(String.raw`
adduser --quiet --system --group --home /srv/borg --shell /bin/sh borg
# sshd without PAM refuses accounts whose password field says locked.
usermod -p '*' borg
install -d -o borg -g borg -m 0700 /srv/borg /srv/borg/.ssh
install -o borg -g borg -m 0600 /dev/null /srv/borg/.ssh/authorized_keys
ssh-keygen -q -t ed25519 -N '' -C backup-host -f /etc/ssh/rpbk_host_ed25519_key
cat >/etc/ssh/rpbk_sshd_config <<'EOF'
Port 22
ListenAddress 0.0.0.0
HostKey /etc/ssh/rpbk_host_ed25519_key
PidFile /run/rpbk-sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
EOF
install -d -m 0755 /run/sshd
/usr/sbin/sshd -t -f /etc/ssh/rpbk_sshd_config
/usr/sbin/sshd -f /etc/ssh/rpbk_sshd_config -E /var/log/rpbk-sshd.log
for i in $(seq 50); do [[ -s /run/rpbk-sshd.pid ]] && break; sleep 0.1; done
[[ -s /run/rpbk-sshd.pid ]]
`);
	return {hostKey: lab.must('cat /etc/ssh/rpbk_host_ed25519_key.pub').trim(), authorizedKeys: '/srv/borg/.ssh/authorized_keys'};
};

const succeeds = (command: string, args: string[]): boolean => spawnSync(command, args, {stdio: 'ignore'}).status === 0;

/** Why the backups test cannot run here, or undefined when it can. */
export const backupLabUnavailable = (): string | undefined => {
	if (process.platform !== 'linux') return 'the backups system test needs Linux';
	if (process.getuid?.() !== 0) return 'the backups system test needs root (namespaces, accounts, services)';
	for (const command of ['unshare', 'nsenter', 'ip', 'ping', 'borg', 'ssh', 'ssh-keygen', 'adduser', 'mariadbd', 'mariadb', 'mariadb-dump', 'findmnt']) {
		if (!succeeds('sh', ['-c', 'command -v "$1"', 'sh', command])) return `the backups system test needs ${command} (see .ci/apt-packages.txt)`;
	}
	if (!succeeds('test', ['-x', '/usr/sbin/sshd'])) return 'the backups system test needs /usr/sbin/sshd (openssh-server)';
	return undefined;
};
