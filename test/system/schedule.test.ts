// `rampart schedule` on a host with systemd, for real but in a private mount
// namespace: /run says systemd runs, and /etc/systemd/system, /etc/cron.d and
// /etc/update-motd.d are private copies (empty but for an operator's own
// files), so nothing reaches the host. systemctl is a stand-in that records
// its calls (no systemd runs here). Proves: the units written pass
// `systemd-analyze verify`; a second install replaces the first; the daily
// job, started as the unit starts it, writes what the login message then
// prints; remove takes only Rampart's files.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {repoRoot} from './helpers/services.js';
import {tempDir} from '../engine/helpers.js';

const have = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

const unavailable = ((): string | undefined => {
	if (process.platform !== 'linux') return 'needs Linux';
	if (process.getuid?.() !== 0) return 'needs root (a private mount namespace)';
	for (const command of ['unshare', 'systemd-analyze']) if (!have(command)) return `needs ${command} (see .ci/apt-packages.txt)`;
	for (const dir of ['/etc/systemd/system', '/etc/update-motd.d', '/etc/cron.d']) if (!fs.existsSync(dir)) return `needs ${dir} to mount over (see .ci/apt-packages.txt)`;
	return undefined;
})();

const script = (t: string) => `
set -eu
mount -t tmpfs tmpfs /run
mkdir -p /run/systemd/system
for d in /etc/systemd/system /etc/update-motd.d /etc/cron.d; do mount -t tmpfs tmpfs "$d"; done
printf '[Service]\\nExecStart=/bin/true\\n' > /etc/systemd/system/nginx.service
printf '#!/bin/sh\\nuname -sr\\n' > /etc/update-motd.d/10-uname
R="${process.execPath} ${path.join(repoRoot, 'dist/rampart.js')}"
$R schedule install --dry-run > ${t}/dry.txt
$R schedule install > ${t}/install1.txt
cp -r /etc/systemd/system ${t}/units
$R schedule install > ${t}/install2.txt
ls /etc/systemd/system > ${t}/after-install.txt
$R schedule list --json > ${t}/list.json
/etc/update-motd.d/90-rampart > ${t}/motd-before.txt
# The daily job as its unit starts it: the unit's environment only, its ExecStart.
env -i PATH=/usr/bin:/bin $(sed -n 's/^Environment=//p' /etc/systemd/system/rampart-notify-due.service) \\
	sh -c "$(sed -n 's/^ExecStart=//p' /etc/systemd/system/rampart-notify-due.service)" > ${t}/job.txt 2>&1
/etc/update-motd.d/90-rampart > ${t}/motd.txt
$R schedule remove > ${t}/remove.txt
ls /etc/systemd/system > ${t}/after-remove.txt
ls /etc/update-motd.d > ${t}/motd-dir.txt
`;

describe.skipIf(unavailable !== undefined)(`rampart schedule with systemd${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
	it('installs verified, hardened units, replaces them, runs the daily job as the unit would, and removes only its own', () => {
		const t = tempDir('rampart-schedule-');
		const bin = path.join(t, 'bin');
		fs.mkdirSync(bin);
		fs.writeFileSync(path.join(bin, 'systemctl'), `#!/bin/sh\necho "$*" >> ${t}/systemctl.log\n`, {mode: 0o755});
		fs.writeFileSync(path.join(t, 'config.yaml'), 'notify:\n  motd: true\n');
		const env = {
			PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`,
			HOME: t,
			RAMPART_HOME: path.join(t, 'state'),
			RAMPART_CONFIG: path.join(t, 'config.yaml'),
			RAMPART_SYSTEM_CONFIG: path.join(t, 'no-system.yaml'),
		};
		const run = spawnSync('unshare', ['-m', '--propagation', 'private', 'bash', '-c', script(t)], {env, encoding: 'utf8', cwd: t});
		expect(run.status, run.stderr).toBe(0);
		const read = (name: string) => fs.readFileSync(path.join(t, name), 'utf8');

		expect(read('dry.txt')).toContain('Schedule: systemd timers (system-wide, /etc/systemd/system)');
		expect(read('dry.txt')).toContain('would write /etc/systemd/system/rampart-notify-due.service\n');
		const units = fs.readdirSync(path.join(t, 'units')).filter(name => name.startsWith('rampart-'));
		expect(units.sort()).toEqual([
			'rampart-audit-firewall-audit.service',
			'rampart-audit-firewall-audit.timer',
			'rampart-audit-web-permissions-audit.service',
			'rampart-audit-web-permissions-audit.timer',
			'rampart-notify-due.service',
			'rampart-notify-due.timer',
		]);
		const verify = spawnSync('systemd-analyze', ['verify', '--man=no', ...units.map(u => path.join(t, 'units', u))], {encoding: 'utf8'});
		expect({status: verify.status, output: verify.stdout + verify.stderr}).toEqual({status: 0, output: ''});

		expect(read('after-install.txt').split('\n').filter(Boolean)).toEqual(['nginx.service', ...units.sort()]);
		const timers = 'rampart-notify-due.timer rampart-audit-firewall-audit.timer rampart-audit-web-permissions-audit.timer';
		// Two installs, then the remove: its timers stopped before their files go.
		expect(read('systemctl.log')).toBe(
			`${`daemon-reload\nenable ${timers}\nrestart ${timers}\n`.repeat(2)}disable --now rampart-audit-firewall-audit.timer rampart-audit-web-permissions-audit.timer rampart-notify-due.timer\ndaemon-reload\n`,
		);
		expect(JSON.parse(read('list.json'))).toMatchObject({
			backend: 'systemd',
			scope: 'system',
			jobs: [{name: 'rampart-audit-firewall-audit', when: 'Mon *-*-* 03:30:00'}, {}, {name: 'rampart-notify-due'}],
		});

		// Before the job ever ran the login stays quiet; after, it shows what is due (every periodic runbook: none was ever run).
		expect(read('motd-before.txt')).toBe('');
		expect(read('job.txt')).toMatch(/^\S+: \d+ runbooks due\n/);
		expect(read('motd.txt')).toMatch(/^Rampart: \S+: \d+ runbooks due\n {2}due {2}account-security: never run; every 90d/);

		expect(read('after-remove.txt')).toBe('nginx.service\n');
		expect(read('motd-dir.txt')).toBe('10-uname\n');
		expect(read('remove.txt')).toContain('systemctl disable --now rampart-audit-firewall-audit.timer');
	});
});
