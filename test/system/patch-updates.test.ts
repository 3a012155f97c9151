// The bundled patch-updates runbook's WordPress step on a real WordPress
// (Debian's package) that the new-site runbook set up, with real nginx,
// PHP-FPM and MariaDB in a private lab (helpers/services.ts) and a stand-in
// wp-cli (helpers/fake-wp-cli.php): Debian has no wp-cli package, and the lab
// cannot reach wordpress.org. The stand-in runs WordPress's own upgrade code
// (wp_upgrade) for `core update-db`, as wp-cli does.
//
// The run goes through Rampart itself. The package steps before the
// WordPress step meet a stand-in apt-get that refuses (upgrading the host is
// not a test) and are skipped with a reason, as an operator would.

import {chmodSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {parseRunbookText} from '../../source/runbook/parse.js';
import {repoRoot, show, watchHost, webLabUnavailable, WebLab, type LabResult} from './helpers/services.js';
import {installWordPress, schemaState, wordpressUnavailable, type WordPressSite} from './helpers/wordpress.js';

const unavailable = webLabUnavailable() ?? wordpressUnavailable();
const runbook = join(repoRoot, 'runbooks/patch-updates.md');
const newSite = join(repoRoot, 'runbooks/new-site.md');

const press = {domain: 'press.example.org', user: 'presssite', db: 'press'};
const readWrite = 'DELETE, INSERT, LOCK TABLES, SELECT, SHOW VIEW, UPDATE';

describe.skipIf(unavailable !== undefined)(`patch-updates' WordPress step on a new-site site${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
	let lab: WebLab;
	let host: ReturnType<typeof watchHost>;
	let site: WordPressSite;

	const siteInputs = (access: string) => [
		'--input',
		`DOMAIN=${press.domain}`,
		'--input',
		`SITE_USER=${press.user}`,
		'--input',
		'OPERATOR=ops',
		'--input',
		`DB_NAME=${press.db}`,
		'--input',
		`DB_ACCESS=${access}`,
		'--input',
		'UPLOAD_DIR=wp-content/uploads',
		'--input',
		'TLS=none',
	];
	const runNewSite = (access: string, mode: '--yes' | '--check' = '--yes'): LabResult =>
		lab.rampart(['run', newSite, ...(mode === '--yes' ? ['--yes', '--ack'] : ['--check']), ...siteInputs(access)]);

	/** The site user's privileges on its database, sorted. */
	const grants = (): string => {
		const lines = lab.must(`mariadb -NB -e "SHOW GRANTS FOR '$1'@'localhost'"`, [press.user]);
		const db = lines.split('\n').find(line => line.includes(`ON \`${press.db}\`.*`)) ?? '';
		return (/^GRANT (.*) ON /.exec(db)?.[1] ?? '').split(', ').sort().join(', ');
	};

	/**
	 * patch-updates through Rampart up to and past the WordPress step: the
	 * package steps (1 to 4) fail on the stand-in apt-get and are skipped.
	 */
	const patchUpdates = (): LabResult => {
		let result = lab.rampart(['run', runbook, '--yes', '--ack', '--input', `WP_SITES=${press.user}:${site.docroot}`], 300_000);
		for (const step of [1, 2, 3, 4]) {
			expect(result.code, `step ${step} should stop on the stand-in apt-get: ${show(result)}`).toBe(1);
			expect(result.stdout + result.stderr).toContain('apt-get (test stand-in)');
			result = lab.rampart(['resume', '--skip', String(step), '--reason', 'the test does not change packages', '--yes', '--ack'], 300_000);
		}
		return result;
	};

	const handedOut = () => lab.must('find /var/lib/rampart/patch-updates -type f 2>/dev/null || true').trim();
	const codeOwnedBySiteUser = () => lab.must('find "$1" -path "$1/wp-content/uploads" -prune -o -user "$2" -print', [site.docroot, press.user]).trim();
	const alterAsSite = () => lab.sh('runuser -u "$1" -- mariadb "$2" -e "ALTER TABLE wp_options ADD rampart_probe INT"', [press.user, press.db]);

	beforeAll(() => {
		host = watchHost();
		lab = WebLab.start('patch-updates');
		lab.must('useradd --create-home --shell /bin/bash ops');
		lab.startServices();
		const made = runNewSite('read-write');
		if (made.code !== 0) throw new Error(`new-site failed:\n${show(made)}`);
		site = installWordPress(lab, press, access => {
			const result = runNewSite(access);
			if (result.code !== 0) throw new Error(`new-site (${access}) failed:\n${show(result)}`);
		});
		// apt-get refuses: the package steps must not touch the host's /usr.
		const aptGet = join(lab.root, 'bin/apt-get');
		writeFileSync(aptGet, '#!/bin/sh\necho "apt-get (test stand-in): this test does not install or upgrade packages" >&2\nexit 100\n');
		chmodSync(aptGet, 0o755);
	}, 600_000);

	afterAll(() => host?.closeAndCheck(lab));

	it('lints clean', () => {
		const result = lab.rampart(['lint', runbook]);
		expect(result.code, show(result)).toBe(0);
		expect(result.stdout + result.stderr).toContain('0 errors, 0 warnings');
	});

	it('starts from an old WordPress: a core update pending, an older schema, read-write rights only', () => {
		expect(schemaState(lab, site)).toEqual({dbVersion: site.old.dbVersion, index: false});
		expect(grants()).toBe(readWrite);
		expect(alterAsSite().stderr).toContain('ALTER command denied');
		// WordPress answers through nginx and PHP-FPM, reading wp-config.php from config/.
		const page = lab.sh('curl -sS --max-time 10 --resolve "$1:80:127.0.0.1" -o /dev/null -w "%{http_code}" "http://$1/wp-login.php"', [press.domain]);
		expect(page.stdout, show(page)).toBe('200');
		expect(lab.sh('runuser -u www-data -- cat "$1"', [`/srv/www/${press.domain}/config/wp-config.php`]).code).not.toBe(0);
	});

	it('updates the code and the schema with wp-cli as the site user, then takes both rights back', () => {
		const result = patchUpdates();
		expect(result.code, show(result)).toBe(0);
		const out = result.stdout + result.stderr;
		expect(out).toContain(`Granted CREATE, ALTER, INDEX, DROP on ${press.db} to ${press.user} for the database update.`);
		expect(out).toContain(`WordPress database upgraded successfully from db version ${site.old.dbVersion} to ${site.release.dbVersion}`);
		expect(out).toContain(`Revoked CREATE, ALTER, INDEX, DROP on ${press.db} from ${press.user}.`);

		// The schema: WordPress's upgrade added the index (ALTER) and the version.
		expect(schemaState(lab, site)).toEqual({dbVersion: site.release.dbVersion, index: true});
		// The rights: read-write again, ALTER refused.
		expect(grants()).toBe(readWrite);
		expect(alterAsSite().stderr).toContain('ALTER command denied');
		expect(handedOut()).toBe('');
		// The code: updated by the site user, the operator's again afterwards.
		expect(lab.must('grep -F "\\$wp_version = " "$1/wp-includes/version.php"', [site.docroot])).toContain(`'${site.release.version}'`);
		expect(codeOwnedBySiteUser()).toBe('');
		const calls = lab.must('cat /var/lib/fake-wp-cli/calls.log').trim().split('\n');
		expect(calls.length).toBeGreaterThan(10);
		expect(calls.filter(line => !line.startsWith(`${press.user} `))).toEqual([]);
		// The database was exported before, readable by root only.
		const dump = lab.must('ls /var/backups/rampart-wp/').trim().split('\n');
		expect(dump).toHaveLength(1);
		expect(lab.must('stat -c %a "$1"', [`/var/backups/rampart-wp/${dump[0]}`]).trim()).toBe('600');
		expect(lab.must('zcat "$1" | grep -c "CREATE TABLE \\`wp_posts\\`"', [`/var/backups/rampart-wp/${dump[0]}`]).trim()).toBe('1');
		// new-site finds the site as it left it: owners, modes, grants.
		const audit = runNewSite('read-write', '--check');
		expect(audit.code, show(audit)).toBe(0);
		// And nothing is pending for a second patch-updates run's check.
		expect(lab.sh('curl -sS --max-time 10 --resolve "$1:80:127.0.0.1" -o /dev/null -w "%{http_code}" "http://$1/wp-login.php"', [press.domain]).stdout).toBe('200');
	});

	it('revokes the schema rights when the database update fails', () => {
		// A schema update pending again, and wp core update-db failing.
		lab.must(
			`mariadb "$1" -e "ALTER TABLE wp_posts DROP INDEX type_status_date; UPDATE wp_options SET option_value = '$2' WHERE option_name = 'db_version'"
			touch /var/lib/fake-wp-cli/fail-core-update-db`,
			[press.db, String(site.old.dbVersion)],
		);
		const result = patchUpdates();
		expect(result.code, show(result)).toBe(1);
		const out = result.stdout + result.stderr;
		expect(out).toContain(`Granted CREATE, ALTER, INDEX, DROP on ${press.db} to ${press.user} for the database update.`);
		expect(out).toContain('core update-db failed (test');
		expect(out).toContain(`Revoked CREATE, ALTER, INDEX, DROP on ${press.db} from ${press.user}.`);
		expect(grants()).toBe(readWrite);
		expect(handedOut()).toBe('');
		expect(codeOwnedBySiteUser()).toBe('');
		expect(schemaState(lab, site).index).toBe(false);
	});

	it('notices in the verify a schema update that did not take (wp core update-db hides SQL errors)', () => {
		// What update-db leaves without ALTER: db_version raised, the index still missing.
		lab.must(`rm -f /var/lib/fake-wp-cli/fail-core-update-db; mariadb "$1" -e "UPDATE wp_options SET option_value = '$2' WHERE option_name = 'db_version'"`, [
			press.db,
			String(site.release.dbVersion),
		]);
		// The step's verify, run as the engine runs it: bash -Eeuo pipefail, inputs in the environment.
		const book = parseRunbookText(runbook, readFileSync(runbook, 'utf8')).runbook!;
		const step = book.steps.find(s => s.id === 'update-wordpress-sites')!;
		const verify = step.blocks.find(b => b.runnable && b.role === 'verify')!;
		const result = lab.run(['bash', '-Eeuo', 'pipefail', '-c', verify.code], {env: {WP_SITES: `${press.user}:${site.docroot}`, WP_CHECKSUM_SKIP: ''}});
		expect(result.code, show(result)).toBe(1);
		expect(result.stderr).toContain('type_status_date');
		expect(result.stderr).toContain('the schema update did not take');
	});

	it('revokes them in the rollback when a run was cut off with them handed out', () => {
		// As a run killed between GRANT and REVOKE leaves it: the record, the
		// grant, and code still handed to the site user.
		lab.must(
			`install -d -m 0700 /var/lib/rampart/patch-updates
			printf '%s|%s|%s\\n' "$1" "$2" "CREATE, ALTER, INDEX, DROP" >"/var/lib/rampart/patch-updates/$1.grants"
			mariadb -e "GRANT CREATE, ALTER, INDEX, DROP ON \\\`$2\\\`.* TO '$1'@'localhost'"
			printf '%s|%s|%s\\n' "$1" ops "$3" >"/var/lib/rampart/patch-updates/$1.window"
			chown "$1" "$3/index.php" "$3/wp-includes/version.php"`,
			[press.user, press.db, site.docroot],
		);
		expect(alterAsSite().code, 'the planted grant').toBe(0);
		lab.must('mariadb "$1" -e "ALTER TABLE wp_options DROP rampart_probe"', [press.db]);
		const rollback = lab.rampart(['rollback', '--yes']);
		expect(rollback.code, show(rollback)).toBe(0);
		expect(rollback.stdout + rollback.stderr).toContain(`Revoked CREATE, ALTER, INDEX, DROP on ${press.db} from ${press.user}.`);
		expect(grants()).toBe(readWrite);
		expect(alterAsSite().stderr).toContain('ALTER command denied');
		expect(handedOut()).toBe('');
		expect(codeOwnedBySiteUser()).toBe('');
	});
});
