// The bundled web-permissions-audit runbook against a real site (set up by
// the new-site runbook) in a private lab: it passes on the clean site, names
// each planted mistake with --check exit 1, and passes again once they are
// fixed.

import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {join} from 'node:path';
import {repoRoot, show, watchHost, webLabUnavailable, WebLab} from './helpers/services.js';

const unavailable = webLabUnavailable();
const audit = join(repoRoot, 'runbooks/web-permissions-audit.md');
const newSite = join(repoRoot, 'runbooks/new-site.md');

const domain = 'blog.example.org';
const siteUser = 'blogsite';
const docroot = `/srv/www/${domain}/public`;

describe.skipIf(unavailable !== undefined)(`web-permissions-audit on a real site${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
	let lab: WebLab;
	let host: ReturnType<typeof watchHost>;
	let pools: string;

	const runAudit = () => lab.rampart(['run', audit, '--check']);

	beforeAll(() => {
		host = watchHost();
		lab = WebLab.start('web-audit');
		pools = `/etc/php/${lab.php}/fpm/pool.d`;
		lab.must('useradd --create-home --shell /bin/bash ops');
		lab.startServices();
		const site = lab.rampart([
			'run',
			newSite,
			'--yes',
			'--ack',
			'--input',
			`DOMAIN=${domain}`,
			'--input',
			`SITE_USER=${siteUser}`,
			'--input',
			'OPERATOR=ops',
			'--input',
			'DB_NAME=blog',
			'--input',
			'DB_ACCESS=read-write',
			'--input',
			'TLS=none',
		]);
		if (site.code !== 0) throw new Error(`new-site failed:\n${show(site)}`);
	});

	afterAll(() => host?.closeAndCheck(lab));

	it('lints clean', () => {
		const result = lab.rampart(['lint', audit]);
		expect(result.code, show(result)).toBe(0);
		expect(result.stdout + result.stderr).toContain('0 errors, 0 warnings');
	});

	it('passes on a site set up by new-site', () => {
		const result = runAudit();
		expect(result.code, show(result)).toBe(0);
		expect(result.stdout).toContain('Only allowed ports listen on public addresses.');
		expect(result.stdout).toContain(`Pool ${siteUser} (${pools}/${siteUser}.conf) runs as ${siteUser}.`);
	});

	it('names each planted mistake and exits 1', () => {
		// PHP-FPM's stock pool back, as www-data, on 0.0.0.0:9000.
		lab.must(
			`mv "$1/www.conf.disabled" "$1/www.conf"
			sed -i -e 's|^listen = .*|listen = 0.0.0.0:9000|' "$1/www.conf"
			systemctl reload "php$2-fpm"
			for _ in $(seq 1 40); do ss -Hltn | grep -q ':9000 ' && exit 0; sleep 0.25; done
			echo "PHP-FPM did not start listening on 9000" >&2; exit 1`,
			[pools, lab.php],
		);
		// A world-readable wp-config.php, a web shell in uploads, a code file the site's group can write.
		lab.must('install -o ops -g "$2" -m 0644 /dev/null "$1/wp-config.php"', [docroot, siteUser]);
		lab.must('runuser -u "$2" -- sh -c \'printf "%s" "<?php system(\\$_GET[0]);" >"$0"\' "$1/uploads/shell.php"', [docroot, siteUser]);
		lab.must('runuser -u "$2" -- sh -c \'printf "%s" "GIF89a<?php echo 1;" >"$0"\' "$1/uploads/cat.gif"', [docroot, siteUser]);
		lab.must('chmod g+w "$1/index.html"', [docroot]);

		const result = runAudit();
		expect(result.code, show(result)).toBe(1);
		const out = result.stdout + result.stderr;
		expect(out).toMatch(/PROBLEM: tcp 0\.0\.0\.0:9000 listens on a public address: .*php-fpm/);
		expect(out).toContain('PROBLEM: pool www in');
		expect(out).toContain('listens on TCP 0.0.0.0:9000, not a unix socket');
		expect(out).toContain('runs as www-data, the nginx user');
		expect(out).toContain(`${docroot}/wp-config.php`);
		expect(out).toContain(`${docroot}/uploads/shell.php`);
		expect(out).toContain(`${docroot}/uploads/cat.gif`);
		// The group-writable index.html, and nothing else, for both web users.
		for (const user of [siteUser, 'www-data']) {
			expect(out).toMatch(new RegExp(`PROBLEM: ${user} can write outside upload directories in /srv/www \\(1\\):[\\s›]+${docroot}/index.html\\n`));
		}
		// Every step is reported unsatisfied.
		for (const step of [
			'nginx and PHP-FPM run as their own users',
			'Each PHP-FPM pool has its own user and a unix socket',
			'Nothing in the web roots is writable by the web users except uploads',
			'No PHP in upload directories',
			'No world-readable secrets',
			'Nothing else listens on public addresses',
		]) {
			expect(result.stderr).toContain(step);
		}
	});

	it('passes again once they are fixed', () => {
		lab.must(
			`mv "$1/www.conf" "$1/www.conf.disabled"
			systemctl reload "php$2-fpm"
			for _ in $(seq 1 40); do ss -Hltn | grep -q ':9000 ' || exit 0; sleep 0.25; done
			echo "PHP-FPM still listens on 9000" >&2; exit 1`,
			[pools, lab.php],
		);
		lab.must('chmod 0640 "$1/wp-config.php" && rm -f "$1/uploads/shell.php" "$1/uploads/cat.gif" && chmod g-w "$1/index.html"', [docroot]);
		const result = runAudit();
		expect(result.code, show(result)).toBe(0);
	});
});
