// The .deb and the single executable, the way an operator gets them: the
// package built (npm run package:deb's script), installed with apt-get (so
// its dependencies resolve), then used with no Node.js reachable (hidden in a
// mount namespace, where /var/lib is also a fresh tmpfs so root's records
// land in a /var/lib/rampart of the test's own): --version, list, a check-only
// run of a bundled runbook, doctor, the man page, bash completion. Then
// apt-get purge leaves none of the package's files. Last, the CLI tests run
// against the executable instead of `node dist/rampart.js`.
//
// It installs a package on the host: only as root, only when no rampart
// package is installed already, and it purges it again even when it fails.

import {spawnSync} from 'node:child_process';
import {existsSync, lstatSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {repoRoot} from './helpers/services.js';

const have = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`], {stdio: 'ignore'}).status === 0;
const installed = () => spawnSync('dpkg-query', ['-W', '-f=${Status}', 'rampart'], {encoding: 'utf8'}).stdout.includes('install ok installed');

const unavailable = ((): string | undefined => {
	if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'installing a package needs root on Linux';
	for (const command of ['apt-get', 'dpkg-deb', 'dpkg-shlibdeps', 'strip', 'unshare', 'man']) {
		if (!have(command)) return `needs ${command} (see .ci/apt-packages.txt)`;
	}
	if (!existsSync('/usr/share/bash-completion/bash_completion')) return 'needs bash-completion (see .ci/apt-packages.txt)';
	// Purging someone's own rampart afterwards would not leave the host as found.
	if (installed()) return 'a rampart package is installed here already';
	return undefined;
})();

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {version: string}).version;
const apt = (...args: string[]) =>
	spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', '-y', ...args], {encoding: 'utf8', env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'}});

describe.skipIf(unavailable !== undefined)(`the .deb and the single executable${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
	let home: string;
	let packaged: string[] = [];

	/** `script` in bash as root, with node hidden and a fresh /var/lib, HOME and the working directory a temp dir. */
	const withoutNode = (script: string) =>
		spawnSync(
			'unshare',
			[
				'-m',
				'--propagation',
				'private',
				'bash',
				'-c',
				`set -e; mount --bind /dev/null "$(command -v node)"; mount -t tmpfs -o mode=755 tmpfs /var/lib; cd "$HOME"; set +e; ${script}`,
			],
			{encoding: 'utf8', env: {PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: home, LANG: 'C.UTF-8', CI: '1'}},
		);

	beforeAll(() => {
		home = mkdtempSync(join(tmpdir(), 'rampart-package-'));
		const built = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'package-deb.mjs')], {cwd: repoRoot, encoding: 'utf8'});
		expect(built.status, built.stderr).toBe(0);
		const deb = built.stdout.trim().split('\n').at(-1)!;
		expect(deb).toMatch(new RegExp(`rampart_${version}_(amd64|arm64)\\.deb$`));
		const install = apt('install', '--no-install-recommends', deb);
		expect(install.status, install.stdout + install.stderr).toBe(0);
		packaged = spawnSync('dpkg', ['-L', 'rampart'], {encoding: 'utf8'}).stdout.trim().split('\n');
		// Building (bundle, executable, xz of 90 MB) and installing take minutes on a busy machine.
	}, 900_000);

	afterAll(() => {
		if (installed()) apt('purge', 'rampart');
		rmSync(home, {recursive: true, force: true});
	});

	it('runs with no node on the machine: --version, list, doctor', () => {
		const result = withoutNode('node --version && echo NODE-FOUND; rampart --version; rampart list; rampart doctor; echo "doctor=$?"');
		expect(result.stdout).not.toContain('NODE-FOUND');
		expect(result.stdout).toContain(`${version}\n`);
		for (const id of ['firewall', 'firewall-audit', 'web-permissions-audit', 'account-security']) expect(result.stdout).toMatch(new RegExp(`^${id} `, 'm'));
		expect(result.stdout).toMatch(/^ {2}OK +bash /m);
		expect(result.stdout).toMatch(/state directory +\/var\/lib\/rampart/);
		expect(result.stdout).toContain('doctor=0');
	});

	it("runs a bundled runbook's checks headless, trusted as shipped, and records the run in /var/lib/rampart", () => {
		// On a host the firewall runbook never ran on, the audit's checks find nothing recorded: exit 1, with findings.
		const result = withoutNode(
			'rampart run firewall-audit --check; echo "run=$?"; stat -c "%U %a" /var/lib/rampart; ls /var/lib/rampart/runs; rampart journal verify; echo "verify=$?"',
		);
		expect(result.stdout + result.stderr).toContain('No confirmed firewall rules are recorded');
		expect(result.stdout).toContain('run=1');
		expect(result.stdout).toContain('root 700');
		expect(result.stdout).toMatch(/-firewall-audit-[0-9a-f]+\.jsonl/);
		expect(result.stdout).toContain('verify=0');
	});

	it('man rampart shows the page made from the commands, doctor and completion among them', () => {
		const result = withoutNode('MANPAGER=cat MANWIDTH=100 man rampart');
		expect(result.status, result.stderr).toBe(0);
		expect(result.stdout).toMatch(/^RAMPART\(1\)/);
		for (const text of ['rampart run [options] <runbook>', 'rampart doctor [options]', 'EXIT STATUS', '/var/lib/rampart']) expect(result.stdout).toContain(text);
	});

	it('bash loads the completion as it does on Tab, and it completes runbook ids', () => {
		const result = withoutNode(
			'source /usr/share/bash-completion/bash_completion; _completion_loader rampart; complete -p rampart; COMP_WORDS=(rampart run fire); COMP_CWORD=2; _rampart rampart fire run; printf "offer %s\\n" "${COMPREPLY[@]}"',
		);
		expect(result.stdout).toContain('complete -F _rampart rampart');
		expect(result.stdout.match(/^offer .*/gm)?.sort()).toEqual(['offer firewall', 'offer firewall-audit']);
	});

	it('the CLI tests pass against the executable', () => {
		const result = spawnSync('npx', ['vitest', 'run', 'test/cli'], {
			cwd: repoRoot,
			encoding: 'utf8',
			// Its cache in the test's own directory: some CLI tests keep the caller's HOME.
			env: {...process.env, RAMPART_TEST_BIN: join(repoRoot, 'dist', `rampart-linux-${process.arch}`), XDG_CACHE_HOME: join(home, 'cache')},
			timeout: 840_000,
		});
		expect(result.status, result.stdout.slice(-4000) + result.stderr.slice(-2000)).toBe(0);
		// Under load the whole CLI suite takes minutes.
	}, 900_000);

	it('apt-get purge leaves none of its files: not /usr/share/rampart, not /etc/rampart', () => {
		expect(packaged).toContain('/usr/bin/rampart');
		const purge = apt('purge', 'rampart');
		expect(purge.status, purge.stdout + purge.stderr).toBe(0);
		const left = packaged.filter(path => existsSync(path) && !lstatSync(path).isDirectory());
		expect(left).toEqual([]);
		expect(existsSync('/usr/share/rampart')).toBe(false);
		expect(existsSync('/etc/rampart')).toBe(false);
	});
});
