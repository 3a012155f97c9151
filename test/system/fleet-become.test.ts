// `ansible_become` on a real sshd and a real sudo: the lab's sshd runs in a
// private mount namespace whose /etc/passwd, /etc/shadow, /etc/group and
// /etc/sudoers.d are the test's own copies, with two users: one allowed
// `sudo` without a password, one who would have to type it. The host's /etc
// is never changed.

import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createSshLab, sshLabMissing, type SshLab} from './helpers/ssh-lab.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist', 'rampart.js');

const missing = (): string => {
	const lab = sshLabMissing();
	if (lab) return lab;
	if (!fs.existsSync('/usr/bin/sudo')) return 'needs sudo (see .ci/apt-packages.txt)';
	if (spawnSync('unshare', ['--version']).error) return 'needs unshare (util-linux)';
	return '';
};
const reason = missing();
if (reason !== '') console.warn(`fleet become system test skipped: ${reason}`);

const RUNBOOK = (out: string) => `---
title: Fleet become
requires:
  root: true
---

# Fleet become

## Who am I

\`\`\`bash
printf '%s %s' "$(id -u)" "\${SUDO_USER:-}" > "${out}/whoami-\${SUDO_USER:-none}"
\`\`\`
`;

describe.skipIf(reason !== '')(`fleet hosts through sudo -n${reason ? ` (skipped: ${reason})` : ''}`, () => {
	let lab: SshLab;
	let tmp: string;
	let sshd: ChildProcess | undefined;

	beforeAll(async () => {
		lab = createSshLab(1);
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-become-'));
		fs.chmodSync(tmp, 0o755);
		const etc = path.join(tmp, 'etc');
		fs.mkdirSync(path.join(etc, 'sudoers.d'), {recursive: true});
		const home = path.join(tmp, 'home');
		fs.mkdirSync(home, {mode: 0o755});
		const users = [
			['rlab', 4242],
			['rlabpw', 4243],
		] as const;
		const read = (file: string) => fs.readFileSync(file, 'utf8');
		fs.writeFileSync(path.join(etc, 'passwd'), read('/etc/passwd') + users.map(([u, id]) => `${u}:x:${id}:${id}::${home}:/bin/bash\n`).join(''));
		// `*`: no password at all (sshd without PAM refuses a locked `!`), so sudo could never be given one.
		fs.writeFileSync(path.join(etc, 'shadow'), read('/etc/shadow') + users.map(([u]) => `${u}:*:19000:0:99999:7:::\n`).join(''), {mode: 0o640});
		fs.writeFileSync(path.join(etc, 'group'), read('/etc/group') + users.map(([u, id]) => `${u}:x:${id}:\n`).join(''));
		fs.writeFileSync(path.join(etc, 'sudoers.d', 'rampart-lab'), 'rlab ALL=(ALL) NOPASSWD: ALL\nrlabpw ALL=(ALL) ALL\n', {mode: 0o440});
		const host = lab.hosts[0]!;
		const binds = ['passwd', 'shadow', 'group', 'sudoers.d'].map(f => `mount --bind ${path.join(etc, f)} /etc/${f}`).join(' && ');
		sshd = spawn('unshare', ['-m', '--propagation', 'private', 'bash', '-c', `${binds} && exec /usr/sbin/sshd -D -f ${host.config} -E ${path.join(tmp, 'sshd.log')}`], {
			stdio: 'ignore',
		});
		const deadline = Date.now() + 30_000;
		while (spawnSync('bash', ['-c', `exec 3<>/dev/tcp/${host.address}/${host.port}`]).status !== 0) {
			if (Date.now() > deadline) throw new Error(`the lab sshd did not start: ${fs.existsSync(path.join(tmp, 'sshd.log')) ? read(path.join(tmp, 'sshd.log')) : ''}`);
			await new Promise(r => setTimeout(r, 100));
		}
	});

	afterAll(() => {
		sshd?.kill('SIGKILL');
		lab?.remove();
		if (tmp) fs.rmSync(tmp, {recursive: true, force: true});
	});

	it('runs as root through sudo -n where it is allowed, and reports the host where sudo wants a password without running anything there', async () => {
		const host = lab.hosts[0]!;
		const out = path.join(tmp, 'out');
		fs.mkdirSync(out, {mode: 0o777});
		fs.chmodSync(out, 0o777);
		fs.writeFileSync(path.join(tmp, 'become.md'), RUNBOOK(out));
		const inventory = path.join(tmp, 'hosts.ini');
		fs.writeFileSync(
			inventory,
			[
				`allowed ansible_host=${host.address} ansible_port=${host.port} ansible_user=rlab ansible_become=true`,
				`password ansible_host=${host.address} ansible_port=${host.port} ansible_user=rlabpw ansible_become=true`,
				`plain ansible_host=${host.address} ansible_port=${host.port} ansible_user=rlab`,
				'[all:vars]',
				`ansible_ssh_common_args='-F ${lab.sshConfig}'`,
				'',
			].join('\n'),
		);
		const result = spawnSync(process.execPath, [CLI, 'run', path.join(tmp, 'become.md'), '--inventory', inventory, '--yes', '--approve'], {
			env: {...process.env, CI: '1', RAMPART_HOME: path.join(tmp, 'state')},
			encoding: 'utf8',
			timeout: 240_000,
		});
		expect(result.status, result.stderr).toBe(1);
		expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
		expect(result.stderr).toMatch(/1 of 3 hosts completed/);
		// Root through sudo, with sudo's own record of who asked.
		expect(fs.readFileSync(path.join(out, 'whoami-rlab'), 'utf8')).toBe('0 rlab');
		expect(result.stderr).toMatch(/password\s+unreached[\s\S]*sudo on password needs a password; Rampart runs sudo -n/);
		// Without become, the runbook's `requires: root` is checked on the host, as the user the blocks run as.
		expect(result.stderr).toMatch(/plain\s+unreached[\s\S]*needs root on plain: connect as root \(ansible_user=root\) or let Rampart use sudo -n/);
		expect(fs.readdirSync(out)).toEqual(['whoami-rlab']);
	});
});
