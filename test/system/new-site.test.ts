// The bundled new-site runbook on real nginx, PHP-FPM and MariaDB, inside a
// private lab (see helpers/services.ts): nothing it does reaches the host.

import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {parseRunbookText} from '../../source/runbook/parse.js';
import {repoRoot, show, watchHost, webLabUnavailable, WebLab, type LabResult} from './helpers/services.js';

const unavailable = webLabUnavailable();
const runbook = join(repoRoot, 'runbooks/new-site.md');

/** The JSON events of a headless run, by type. */
const events = (result: LabResult): Array<{type: string; step?: string; role?: string}> =>
	result.stdout
		.split('\n')
		.filter(line => line.startsWith('{'))
		.map(line => JSON.parse(line) as {type: string; step?: string; role?: string});

const ro = {domain: 'reader.example.org', user: 'readersite', db: 'reader_db'};
const rw = {domain: 'writer.example.org', user: 'writersite', db: 'writer_db'};

const inputs = (site: typeof ro, access: string) => [
	'--input',
	`DOMAIN=${site.domain}`,
	'--input',
	`SITE_USER=${site.user}`,
	'--input',
	'OPERATOR=ops',
	'--input',
	`DB_NAME=${site.db}`,
	'--input',
	`DB_ACCESS=${access}`,
	'--input',
	'TLS=none',
];

/** A PHP page written the way the operator would: as ops, in a login shell (umask 027). */
const asOperator = (lab: WebLab, path: string, content: string) => lab.must('su --login --shell /bin/bash --command \'cat >"$0"\' ops "$1"', [path], {input: content});

/** GET http://domain/path through the lab's nginx: the body (trimmed) and the status. */
const get = (lab: WebLab, domain: string, path: string): {body: string; code: string; raw: string} => {
	const result = lab.sh('curl -sS --max-time 10 --resolve "$1:80:127.0.0.1" -w "\\n%{http_code}" "http://$1$2"', [domain, path]);
	const cut = result.stdout.lastIndexOf('\n');
	return {body: result.stdout.slice(0, cut).trim(), code: result.stdout.slice(cut + 1), raw: show(result)};
};

describe.skipIf(unavailable !== undefined)(`new-site on real nginx, PHP-FPM and MariaDB${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
	let lab: WebLab;
	let host: ReturnType<typeof watchHost>;

	beforeAll(() => {
		host = watchHost();
		lab = WebLab.start('new-site');
		lab.must('useradd --create-home --shell /bin/bash ops');
		lab.startServices();
	});

	afterAll(() => host?.closeAndCheck(lab));

	it('lints clean', () => {
		const result = lab.rampart(['lint', runbook]);
		expect(result.code, show(result)).toBe(0);
		expect(result.stdout + result.stderr).toContain('0 errors, 0 warnings');
	});

	it('sets up a read-only site from scratch', () => {
		const result = lab.rampart(['run', runbook, '--yes', '--ack', ...inputs(ro, 'read-only')]);
		expect(result.code, show(result)).toBe(0);
	});

	it('serves PHP through the pool, as the site user', () => {
		const docroot = `/srv/www/${ro.domain}/public`;
		asOperator(lab, `${docroot}/whoami.php`, '<?php echo posix_getpwuid(posix_geteuid())["name"], "\\n";');
		// The operator's umask and the setgid directory give 0640 and the site's group.
		expect(lab.must('stat -c "%U %G %a" "$1"', [`${docroot}/whoami.php`]).trim()).toBe(`ops ${ro.user} 640`);
		const page = get(lab, ro.domain, '/whoami.php');
		expect([page.body, page.code], page.raw).toEqual([ro.user, '200']);
	});

	it('keeps the document root read-only for PHP and nginx; only uploads is writable', () => {
		const docroot = `/srv/www/${ro.domain}/public`;
		asOperator(
			lab,
			`${docroot}/write.php`,
			`<?php
foreach (['root' => __DIR__ . '/hacked.txt', 'uploads' => __DIR__ . '/uploads/ok.txt'] as $where => $file) {
	echo $where, '=', @file_put_contents($file, 'x') === false ? 'denied' : 'written', "\\n";
}`,
		);
		const page = get(lab, ro.domain, '/write.php');
		expect([page.body, page.code], page.raw).toEqual(['root=denied\nuploads=written', '200']);
		for (const user of [ro.user, 'www-data']) {
			const touch = lab.sh('runuser -u "$1" -- touch "$2/hacked-by-$1"', [user, docroot]);
			expect(touch.code, `${user} could write the document root`).not.toBe(0);
		}
		expect(lab.sh('test -e "$1/hacked.txt"', [docroot]).code).not.toBe(0);
	});

	it('never runs PHP from the upload directory, and refuses dotfiles', () => {
		const uploads = `/srv/www/${ro.domain}/public/uploads`;
		lab.must('runuser -u "$1" -- sh -c \'printf "%s" "<?php echo 6*7;" >"$0"\' "$2/shell.php"', [ro.user, uploads]);
		const page = get(lab, ro.domain, '/uploads/shell.php');
		expect(page.code, page.raw).toBe('403');
		expect(page.body).not.toContain('42');
		asOperator(lab, `/srv/www/${ro.domain}/public/.env`, 'SECRET=1\n');
		expect(get(lab, ro.domain, '/.env').code).toBe('403');
	});

	it('lets only nginx open the pool socket; nothing listens on 9000', () => {
		const sock = `/run/php/php${lab.php}-fpm-${ro.user}.sock`;
		// curl as another user cannot even connect (exit 7); as www-data it gets an answer from FPM.
		const other = lab.sh('runuser -u nobody -- curl -sS --max-time 5 --unix-socket "$1" http://x/', [sock]);
		expect(other.code, show(other)).toBe(7);
		expect(other.stderr).toMatch(/Permission denied|Couldn't connect|Failed to connect/i);
		const listeners = lab.must('ss -Hltn');
		expect(listeners).not.toMatch(/:9000\s/);
		expect(listeners).not.toMatch(/(0\.0\.0\.0|\*|\[::\]):3306\s/);
		// The stock www pool is gone.
		expect(lab.must('ps -eo args=')).not.toMatch(/php-fpm: pool www$/m);
	});

	it('gives the read-only database user SELECT and not INSERT', () => {
		lab.must(`mariadb -e "CREATE TABLE ${ro.db}.pages (id INT PRIMARY KEY, title VARCHAR(50)); INSERT INTO ${ro.db}.pages VALUES (1, 'Home')"`);
		asOperator(
			lab,
			`/srv/www/${ro.domain}/public/db.php`,
			`<?php
mysqli_report(MYSQLI_REPORT_OFF);
$db = new mysqli('localhost', '${ro.user}', '', '${ro.db}');
if ($db->connect_errno) { echo 'connect: ', $db->connect_error, "\\n"; exit; }
$row = $db->query('SELECT title FROM pages WHERE id = 1')->fetch_row();
echo 'select=', $row[0], "\\n";
echo 'insert=', $db->query("INSERT INTO pages VALUES (2, 'Evil')") ? 'ok' : $db->errno, "\\n";
echo 'drop=', $db->query('DROP TABLE pages') ? 'ok' : $db->errno, "\\n";`,
		);
		const page = get(lab, ro.domain, '/db.php');
		// 1142: command denied to user.
		expect([page.body, page.code], page.raw).toEqual(['select=Home\ninsert=1142\ndrop=1142', '200']);
		const grants = lab.must("mariadb -NB -e \"SHOW GRANTS FOR '$1'@'localhost'\"", [ro.user]);
		expect(grants).toContain(`GRANT SELECT, LOCK TABLES, SHOW VIEW ON \`${ro.db}\`.* TO \`${ro.user}\`@\`localhost\``);
		expect(grants.trim().split('\n')).toHaveLength(2);
	});

	it('skips every step on a second run, and passes --check', () => {
		const again = lab.rampart(['run', runbook, '--yes', '--ack', '--json', ...inputs(ro, 'read-only')]);
		expect(again.code, show(again)).toBe(0);
		const list = events(again);
		expect(list.filter(e => e.type === 'step-already-done').length, show(again)).toBe(8);
		expect(list.filter(e => e.type === 'block-started' && e.role !== 'check')).toEqual([]);
		const audit = lab.rampart(['run', runbook, '--check', ...inputs(ro, 'read-only')]);
		expect(audit.code, show(audit)).toBe(0);
	});

	it('sets up a second, read-write site next to it', () => {
		const result = lab.rampart(['run', runbook, '--yes', '--ack', ...inputs(rw, 'read-write')]);
		expect(result.code, show(result)).toBe(0);
		lab.must(`mariadb -e "CREATE TABLE ${rw.db}.notes (id INT PRIMARY KEY)"`);
		const out = lab.must('runuser -u "$1" -- mariadb -NB --database="$2" -e "INSERT INTO notes VALUES (1); SELECT COUNT(*) FROM notes"', [rw.user, rw.db]);
		expect(out.trim()).toBe('1');
		const alter = lab.sh('runuser -u "$1" -- mariadb --database="$2" -e "ALTER TABLE notes ADD x INT"', [rw.user, rw.db]);
		expect(alter.code).not.toBe(0);
		expect(alter.stderr).toContain('ALTER command denied');
		// Each site's PHP runs as its own user.
		asOperator(lab, `/srv/www/${rw.domain}/public/whoami.php`, '<?php echo posix_getpwuid(posix_geteuid())["name"], "\\n";');
		expect(get(lab, rw.domain, '/whoami.php').body).toBe(rw.user);
		expect(get(lab, ro.domain, '/whoami.php').body).toBe(ro.user);
		// The first site's PHP cannot read the second site's files.
		const peek = lab.sh('runuser -u "$1" -- cat "$2"', [ro.user, `/srv/www/${rw.domain}/public/whoami.php`]);
		expect(peek.code).not.toBe(0);
	});

	it('notices drift with --check and puts it right on the next run', () => {
		lab.must('chmod g+w "$1"', [`/srv/www/${ro.domain}/public`]);
		lab.must(`mariadb -e "GRANT INSERT ON ${ro.db}.* TO '${ro.user}'@'localhost'"`);
		const audit = lab.rampart(['run', runbook, '--check', ...inputs(ro, 'read-only')]);
		expect(audit.code, show(audit)).toBe(1);
		expect(audit.stderr + audit.stdout).toContain('Create the site');
		expect(audit.stderr + audit.stdout).toContain('Create the database and its user');
		const fix = lab.rampart(['run', runbook, '--yes', '--ack', ...inputs(ro, 'read-only')]);
		expect(fix.code, show(fix)).toBe(0);
		const again = lab.rampart(['run', runbook, '--check', ...inputs(ro, 'read-only')]);
		expect(again.code, show(again)).toBe(0);
	});

	it('undoes a site with the rollback blocks, keeping content and data, and sets it up again', () => {
		// Headless runs offer no rollback, so the rollback blocks run here as the
		// engine runs them: bash -Eeuo pipefail, inputs as environment variables,
		// last step first, only the steps this site's run did (not the umask or
		// the www pool, which the first site's run did).
		const parsed = parseRunbookText(runbook, readFileSync(runbook, 'utf8'));
		const book = parsed.runbook!;
		const env: Record<string, string> = {};
		for (const spec of book.meta.inputs) env[spec.name] = spec.default === undefined ? '' : String(spec.default);
		const given = inputs(rw, 'read-write');
		for (let i = 1; i < given.length; i += 2) {
			const [name, ...value] = given[i]!.split('=');
			env[name!] = value.join('=');
		}
		const undo = [
			'create-the-nginx-server-block',
			'create-the-sites-php-fpm-pool',
			'create-the-database-and-its-user',
			'create-the-sites-directories',
			'create-the-sites-user-and-group',
		];
		for (const id of undo) {
			const step = book.steps.find(s => s.id === id);
			expect(step, `no step ${id} in ${book.steps.map(s => s.id).join(', ')}`).toBeDefined();
			for (const block of step!.blocks.filter(b => b.runnable && b.role === 'rollback')) {
				const result = lab.run(['bash', '-Eeuo', 'pipefail', '-c', block.code], {env});
				expect(result.code, `${id}: ${show(result)}`).toBe(0);
			}
		}
		expect(lab.sh('getent passwd "$1"', [rw.user]).code).not.toBe(0);
		expect(lab.sh('id -nG www-data').stdout).not.toContain(rw.user);
		expect(lab.sh('test -e "$1"', [`/etc/php/${lab.php}/fpm/pool.d/${rw.user}.conf`]).code).not.toBe(0);
		expect(lab.sh('test -e "$1"', [`/etc/nginx/sites-enabled/${rw.domain}.conf`]).code).not.toBe(0);
		expect(lab.must(`mariadb -NB -e "SELECT COUNT(*) FROM mysql.user WHERE user = '${rw.user}'"`).trim()).toBe('0');
		// The database has a table, and the document root a file someone put there: both kept.
		expect(lab.must(`mariadb -NB -e "SHOW DATABASES LIKE '${rw.db}'"`).trim()).toBe(rw.db);
		expect(lab.sh('test -f "$1"', [`/srv/www/${rw.domain}/public/whoami.php`]).code).toBe(0);
		expect(get(lab, rw.domain, '/whoami.php').body).not.toBe(rw.user);
		// The other site is untouched.
		expect(get(lab, ro.domain, '/whoami.php').body).toBe(ro.user);
		expect(lab.rampart(['run', runbook, '--check', ...inputs(rw, 'read-write')]).code).toBe(1);

		const again = lab.rampart(['run', runbook, '--yes', '--ack', ...inputs(rw, 'read-write')]);
		expect(again.code, show(again)).toBe(0);
		expect(get(lab, rw.domain, '/whoami.php').body).toBe(rw.user);
	});
});
