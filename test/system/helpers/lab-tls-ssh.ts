// sshd and a test certificate inside a web lab (helpers/services.ts).
//
// sshd runs in the lab's mount and network namespaces, from the lab's own
// /etc/ssh (an overlay on the host's, so the runbooks' changes to it stay in
// the lab), listening only on the lab's loopback: no traffic leaves the
// lab's network namespace. close() of the lab stops it with everything else.
//
// The certificate comes from a throwaway CA that only the lab's
// /etc/ssl/certs/ca-certificates.crt trusts, so curl inside the lab accepts
// it as it would accept a Let's Encrypt one.

import {spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {show, type WebLab} from './services.js';

const have = (command: string): boolean => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], {stdio: 'ignore'}).status === 0;

/** Why sshd or the test certificate cannot be had here (see .ci/apt-packages.txt), or undefined. */
export const sshUnavailable = (): string | undefined => {
	if (!existsSync('/usr/sbin/sshd')) return 'the test needs /usr/sbin/sshd (openssh-server, see .ci/apt-packages.txt)';
	for (const command of ['ssh', 'sftp', 'ssh-keygen', 'openssl']) {
		if (!have(command)) return `the test needs ${command} (see .ci/apt-packages.txt)`;
	}
	return undefined;
};

export interface LabSsh {
	/** Runs a command over SSH as the user; its output. */
	command(command: string): string;
	/** Uploads content over sftp as the user, from a local file of the given mode. */
	upload(content: string, mode: number, remotePath: string): void;
}

/**
 * Starts sshd in the lab on 127.0.0.1:PORT with the lab's /etc/ssh/sshd_config
 * (pid file /run/sshd.pid, as Debian's unit: the stand-in systemctl reloads
 * it) and lets `user` in with a key made for the test.
 */
export const startLabSshd = (lab: WebLab, user: string, port = 2222): LabSsh => {
	const dir = join(lab.root, 'ssh');
	mkdirSync(dir, {recursive: true, mode: 0o700});
	const key = join(dir, 'id_ed25519');
	if (!existsSync(key)) lab.must('ssh-keygen -q -t ed25519 -N "" -C rampart-test -f "$1"', [key]);
	lab.must(
		`usermod -p '*' "$1"
		home=$(getent passwd "$1" | cut -d: -f6)
		install -d -o "$1" -m 0700 "$home/.ssh"
		install -o "$1" -m 0600 "$2.pub" "$home/.ssh/authorized_keys"
		install -d -m 0755 /run/sshd
		/usr/sbin/sshd -t
		/usr/sbin/sshd -o "ListenAddress=127.0.0.1:$3" -o PidFile=/run/sshd.pid -o PasswordAuthentication=no
		for _ in $(seq 1 50); do
			ss -Hltn | grep -q "127.0.0.1:$3 " && exit 0
			sleep 0.1
		done
		echo "sshd does not listen on 127.0.0.1:$3" >&2
		exit 1`,
		[user, key, String(port)],
	);
	const options = ['-F', '/dev/null', '-i', key, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR'];
	return {
		command(command: string): string {
			const result = lab.run(['ssh', ...options, '-p', String(port), `${user}@127.0.0.1`, command]);
			if (result.code !== 0) throw new Error(`ssh ${command}: ${show(result)}`);
			return result.stdout;
		},
		upload(content: string, mode: number, remotePath: string): void {
			const local = join(dir, 'upload');
			writeFileSync(local, content);
			chmodSync(local, mode);
			const batch = join(dir, 'batch');
			writeFileSync(batch, `put ${local} ${remotePath}\n`);
			const result = lab.run(['sftp', ...options, '-P', String(port), '-b', batch, `${user}@127.0.0.1`]);
			if (result.code !== 0) throw new Error(`sftp put ${remotePath}: ${show(result)}`);
		},
	};
};

/**
 * A certificate for `domain` where certbot puts one
 * (/etc/letsencrypt/live/DOMAIN/fullchain.pem and privkey.pem), signed by a
 * test CA that the lab's curl trusts.
 */
export const addTestCertificate = (lab: WebLab, domain: string): void => {
	lab.must(
		`work=$(mktemp -d)
		trap 'rm -rf -- "$work"' EXIT
		live=/etc/letsencrypt/live/$1
		mkdir -p "$live"
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \\
			-subj "/CN=Rampart test CA" -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$1" \\
			-keyout "$live/privkey.pem" -out "$work/site.csr" 2>/dev/null
		printf 'subjectAltName=DNS:%s\\nbasicConstraints=CA:FALSE\\n' "$1" >"$work/ext"
		openssl x509 -req -in "$work/site.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \\
			-days 2 -extfile "$work/ext" -out "$live/cert.pem" 2>/dev/null
		cat "$live/cert.pem" "$work/ca.pem" >"$live/fullchain.pem"
		chmod 0600 "$live/privkey.pem"
		cat "$work/ca.pem" >>/etc/ssl/certs/ca-certificates.crt`,
		[domain],
	);
};
