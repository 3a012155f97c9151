// A private "web server" for system tests: nginx, PHP-FPM and MariaDB from
// the machine's own Debian packages, started without systemd inside a mount
// and network namespace of their own.
//
// Inside the lab, /etc, /var and /usr/share/pam-configs are overlays on the
// host's (writes go to an upper layer on a tmpfs of the lab's own), /srv,
// /run and /home are empty tmpfs, and the network has only its own
// loopback. So users the runbooks create, the
// configuration they write and the ports the services open never reach the
// host. A stand-in `systemctl` (web-systemctl.sh) is first on PATH.
//
// The lab lives as long as one idle process (the holder) stays in the
// namespaces; commands join them with nsenter. close() kills every process
// in the lab's mount namespace (and only those), which also unmounts it.

import {spawnSync} from 'node:child_process';
import {chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync} from 'node:fs';
import {createHash} from 'node:crypto';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {expect} from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
export const rampartBin = join(repoRoot, 'dist/rampart.js');

export interface LabResult {
	code: number;
	stdout: string;
	stderr: string;
}

const have = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`], {stdio: 'ignore'}).status === 0;

/** Why the web lab cannot run here, or undefined when it can. */
export const webLabUnavailable = (): string | undefined => {
	if (process.platform !== 'linux') return 'the web system tests need Linux';
	if (process.getuid?.() !== 0) return 'the web system tests need root (namespaces, users, services)';
	for (const command of ['unshare', 'nsenter', 'nginx', 'mariadbd', 'mariadb', 'curl', 'ss', 'runuser']) {
		if (!have(command)) return `the web system tests need ${command} (see .ci/apt-packages.txt)`;
	}
	if (phpVersions().length === 0) return 'the web system tests need PHP-FPM (see .ci/apt-packages.txt)';
	return undefined;
};

/** PHP versions with an FPM configuration, as in /etc/php/8.2/fpm. */
export const phpVersions = (): string[] => {
	try {
		return readdirSync('/etc/php').filter(v => existsSync(`/etc/php/${v}/fpm/pool.d`));
	} catch {
		return [];
	}
};

// The overlays' upper layers live on a tmpfs mounted only inside the lab, so
// they work where /tmp is itself an overlay (containers) and vanish with it.
const SETUP = String.raw`
root=$1
mount -t tmpfs -o mode=0700,size=4g lab "$root/layers"
mkdir "$root/layers/etc-upper" "$root/layers/etc-work" "$root/layers/var-upper" "$root/layers/var-work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$root/layers/etc-upper,workdir=$root/layers/etc-work" /etc
mount -t overlay overlay -o "lowerdir=/var,upperdir=$root/layers/var-upper,workdir=$root/layers/var-work" /var
# pam-auth-update reads its profiles here (new-site's umask step writes one).
mkdir "$root/layers/pam-upper" "$root/layers/pam-work"
mount -t overlay overlay -o "lowerdir=/usr/share/pam-configs,upperdir=$root/layers/pam-upper,workdir=$root/layers/pam-work" /usr/share/pam-configs
for dir in /srv /run /home; do
	mount -t tmpfs -o mode=0755 lab "$dir"
done
install -d -m 1777 /run/lock
install -d -m 0755 /run/php
# sshd -t needs its privilege separation directory (systemd makes it on a server).
install -d -m 0755 /run/sshd
ip link set lo up
sleep infinity </dev/null >/dev/null 2>&1 &
echo "$!" >"$root/holder.pid"
`;

export class WebLab {
	readonly root: string;
	readonly stateDir: string;
	readonly php: string;
	private holder = 0;
	private mountNs = '';

	private constructor(root: string, php: string) {
		this.root = root;
		this.stateDir = join(root, 'state');
		this.php = php;
	}

	/** Creates the namespaces and checks that the private mounts are in place. */
	static start(label: string): WebLab {
		const versions = phpVersions();
		const lab = new WebLab(mkdtempSync(join(tmpdir(), `rampart-${label}-`)), versions.sort().at(-1)!);
		try {
			lab.setUp();
		} catch (error) {
			lab.close();
			throw error;
		}
		return lab;
	}

	private setUp(): void {
		for (const dir of ['layers', 'bin', 'state', 'work']) mkdirSync(join(this.root, dir), {recursive: true});
		chmodSync(this.stateDir, 0o700);
		const systemctl = join(this.root, 'bin/systemctl');
		copyFileSync(join(here, 'web-systemctl.sh'), systemctl);
		chmodSync(systemctl, 0o755);
		const setup = spawnSync('unshare', ['--mount', '--net', '--propagation', 'private', '--', 'bash', '-Eeuo', 'pipefail', '-c', SETUP, 'lab-setup', this.root], {
			encoding: 'utf8',
			timeout: 30_000,
		});
		if (setup.status !== 0) throw new Error(`lab setup failed (${setup.status}): ${setup.stderr}`);
		this.holder = Number(readFileSync(join(this.root, 'holder.pid'), 'utf8').trim());
		this.mountNs = readlinkSync(`/proc/${this.holder}/ns/mnt`);
		if (this.mountNs === readlinkSync('/proc/self/ns/mnt')) throw new Error('the lab holder is in the host mount namespace');
		// Never run anything that writes /etc unless /etc really is the overlay.
		const mounts = this.run(['findmnt', '-n', '-o', 'TARGET,FSTYPE', '--list']);
		for (const [target, type] of [
			['/etc', 'overlay'],
			['/var', 'overlay'],
			['/usr/share/pam-configs', 'overlay'],
			['/srv', 'tmpfs'],
			['/run', 'tmpfs'],
			['/home', 'tmpfs'],
		]) {
			if (!mounts.stdout.split('\n').some(line => line.trim().split(/\s+/).join(' ') === `${target} ${type}`)) {
				throw new Error(`the lab's ${target} is not a private ${type}:\n${mounts.stdout}`);
			}
		}
	}

	/** The environment commands get inside the lab: the stand-in systemctl first on PATH. */
	env(extra: Record<string, string> = {}): Record<string, string> {
		return {
			PATH: `${join(this.root, 'bin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
			HOME: '/root',
			LANG: 'C.UTF-8',
			TERM: 'dumb',
			NO_COLOR: '1',
			RAMPART_HOME: this.stateDir,
			...extra,
		};
	}

	/** Runs a command inside the lab's namespaces. */
	run(argv: string[], options: {input?: string; env?: Record<string, string>; timeoutMs?: number} = {}): LabResult {
		if (!this.holder) throw new Error('the lab is not running');
		const result = spawnSync('nsenter', ['--target', String(this.holder), '--mount', '--net', '--', ...argv], {
			cwd: join(this.root, 'work'),
			env: this.env(options.env),
			input: options.input,
			encoding: 'utf8',
			timeout: options.timeoutMs ?? 120_000,
			maxBuffer: 64 * 1024 * 1024,
		});
		if (result.error) throw result.error;
		return {code: result.status ?? 128, stdout: result.stdout, stderr: result.stderr};
	}

	/** Runs a bash script inside the lab (arguments as $1...). */
	sh(script: string, args: string[] = [], options: {input?: string; timeoutMs?: number} = {}): LabResult {
		return this.run(['bash', '-Eeuo', 'pipefail', '-c', script, 'lab', ...args], options);
	}

	/** As sh(), and throws with the output when the script fails. */
	must(script: string, args: string[] = [], options: {input?: string; timeoutMs?: number} = {}): string {
		const result = this.sh(script, args, options);
		if (result.code !== 0) throw new Error(`lab command failed (${result.code}): ${script}\n${result.stdout}\n${result.stderr}`);
		return result.stdout;
	}

	/** Runs the built CLI inside the lab. */
	rampart(args: string[], timeoutMs = 180_000): LabResult {
		return this.run([process.execPath, rampartBin, ...args], {timeoutMs});
	}

	/** Starts MariaDB, PHP-FPM and nginx the way the stand-in systemctl does. */
	startServices(): void {
		this.must(`systemctl start mariadb && systemctl start "php$1-fpm" && systemctl start nginx`, [this.php], {timeoutMs: 120_000});
	}

	/** Kills every process in the lab's mount namespace and removes its files. */
	close(): void {
		if (this.mountNs) {
			for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
				const deadline = Date.now() + 5_000;
				let left = this.members();
				for (const pid of left) {
					try {
						process.kill(pid, signal);
					} catch {
						// already gone
					}
				}
				while (left.length > 0 && Date.now() < deadline) {
					spawnSync('sleep', ['0.1']);
					left = this.members();
				}
				if (left.length === 0) break;
			}
			if (this.members().length > 0) throw new Error(`lab processes left running: ${this.members().join(' ')}`);
		}
		this.holder = 0;
		rmSync(this.root, {recursive: true, force: true});
	}

	/** Processes in the lab's mount namespace. */
	private members(): number[] {
		const pids: number[] = [];
		for (const name of readdirSync('/proc')) {
			if (!/^\d+$/.test(name)) continue;
			try {
				if (readlinkSync(`/proc/${name}/ns/mnt`) === this.mountNs) pids.push(Number(name));
			} catch {
				// exited, or a kernel thread
			}
		}
		return pids;
	}
}

const sha = (path: string): string => {
	try {
		return createHash('sha256').update(readFileSync(path)).digest('hex');
	} catch {
		return 'missing';
	}
};

export interface HostState {
	/** Hashes of the accounts files and of a listing of the web configuration, /srv and /home. */
	files: string;
	/** nginx, PHP-FPM and MariaDB processes in the host's own mount namespace. */
	services: Array<{pid: number; comm: string; startedAt: number}>;
}

const bootTime = (): number => {
	const line = readFileSync('/proc/stat', 'utf8')
		.split('\n')
		.find(l => l.startsWith('btime '));
	return Number(line?.split(' ')[1] ?? 0) * 1000;
};

/** When a process started (ms since the epoch), from /proc/PID/stat. */
const startedAt = (pid: number): number => {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const ticks = Number(fields[19]); // field 22 of the whole line: starttime
	return bootTime() + (ticks * 1000) / 100;
};

/**
 * What a web test must leave as it found it on the host: the accounts, the
 * nginx/PHP/MariaDB configuration, /srv and /home, and the web services
 * running in the host's own mount namespace (the labs have their own).
 */
export const hostState = (): HostState => {
	const lines: string[] = [];
	for (const file of ['/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow']) lines.push(`${file} ${sha(file)}`);
	const listing = spawnSync(
		'sh',
		[
			'-c',
			'find /etc/nginx /etc/php /etc/mysql /etc/profile.d /etc/pam.d /etc/ssh /usr/share/pam-configs /srv /home /run/php /run/mysqld -printf "%p %m %U %G %s %T@ %l\\n" 2>/dev/null | sort || true',
		],
		{encoding: 'utf8'},
	).stdout;
	lines.push(`tree ${createHash('sha256').update(listing).digest('hex')} (${listing.split('\n').length} entries)`);
	const hostNs = readlinkSync('/proc/self/ns/mnt');
	const services: HostState['services'] = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const comm = readFileSync(`/proc/${name}/comm`, 'utf8').trim();
			if (!/^(nginx|php-fpm[\d.]*|mariadbd|mysqld|mysqld_safe|mariadbd-safe)$/.test(comm)) continue;
			if (readlinkSync(`/proc/${name}/ns/mnt`) !== hostNs) continue;
			services.push({pid: Number(name), comm, startedAt: startedAt(Number(name))});
		} catch {
			// exited meanwhile
		}
	}
	return {files: lines.join('\n'), services: services.sort((a, b) => a.pid - b.pid)};
};

/** Processes anywhere on the machine whose environment names this directory (a lab's root). */
export const processesOf = (root: string): number[] => {
	const pids: number[] = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
		try {
			if (readFileSync(`/proc/${name}/environ`, 'latin1').includes(`=${root}/`)) pids.push(Number(name));
		} catch {
			// exited, or not readable
		}
	}
	return pids;
};

/**
 * What changed on the host between two states: any file change, and any web
 * service that was running a minute before the test began and is gone. (A
 * younger one belongs to another test running on the same machine, which may
 * stop it.) Processes a lab left behind are found with processesOf().
 */
export const hostChanges = (before: HostState, after: HostState, testStart: number): string[] => {
	const changes: string[] = [];
	if (after.files !== before.files) changes.push(`files changed:\n${before.files}\n->\n${after.files}`);
	const key = (s: HostState['services'][number]) => `${s.pid} ${s.comm} ${s.startedAt}`;
	const has = new Set(after.services.map(key));
	for (const s of before.services) if (!has.has(key(s)) && s.startedAt < testStart - 60_000) changes.push(`gone from the host: ${key(s)}`);
	return changes;
};

/** A lab command's result, for an assertion message. */
export const show = (result: LabResult): string => `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;

/**
 * Takes the host's state when a web test begins; closeAndCheck() closes the
 * test's lab and asserts that neither its processes nor any change to the
 * host were left behind.
 */
export const watchHost = () => {
	const testStart = Date.now();
	const before = hostState();
	return {
		closeAndCheck(lab: WebLab | undefined): void {
			const root = lab?.root;
			try {
				lab?.close();
			} finally {
				if (root) expect(processesOf(root), 'processes the lab left behind').toEqual([]);
				expect(hostChanges(before, hostState(), testStart)).toEqual([]);
			}
		},
	};
};
