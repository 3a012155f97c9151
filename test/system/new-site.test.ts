// The bundled new-site runbook on real nginx, PHP-FPM, MariaDB and sshd,
// inside a private lab (see helpers/services.ts): nothing it does reaches the
// host, and sshd listens only on the lab's own loopback.

import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {parseRunbookText} from '../../source/runbook/parse.js';
import {repoRoot, show, watchHost, webLabUnavailable, WebLab, type LabResult} from './helpers/services.js';
import {addTestCertificate, sshUnavailable, startLabSshd, type LabSsh} from './helpers/lab-tls-ssh.js';

const unavailable = webLabUnavailable() ?? sshUnavailable();
const runbook = join(repoRoot, 'runbooks/new-site.md');

/** The JSON events of a headless run, by type. */
const events = (result: LabResult): Array<{type: string; step?: string; role?: string}> =>
	result.stdout
		.split('\n')
		.filter(line => line.startsWith('{'))
		.map(line => JSON.parse(line) as {type: string; step?: string; role?: string});

const ro = {domain: 'reader.example.org', user: 'readersite', db: 'reader_db'};
const rw = {domain: 'writer.example.org', user: 'writersite', db: 'writer_db'};

const inputs = (site: typeof ro, access: string, tls = 'none') => [
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
	`TLS=${tls}`,
];

/** A file written the way the operator would: as ops, in a login shell (umask from PAM). */
const asOperator = (lab: WebLab, path: string, content: string) => lab.must('su --login --shell /bin/bash --command \'cat >"$0"\' ops "$1"', [path], {input: content});

/** GET a URL through the lab's nginx (the domain resolves to 127.0.0.1): the body (trimmed) and the status. */
const fetchUrl = (lab: WebLab, domain: string, url: string): {body: string; code: string; raw: string} => {
	const result = lab.sh('curl -sS --max-time 10 --resolve "$1:80:127.0.0.1" --resolve "$1:443:127.0.0.1" -w "\\n%{http_code} %{redirect_url}" "$2"', [domain, url]);
	const cut = result.stdout.lastIndexOf('\n');
	return {body: result.stdout.slice(0, cut).trim(), code: result.stdout.slice(cut + 1).trim(), raw: show(result)};
};
const get = (lab: WebLab, domain: string, path: string) => fetchUrl(lab, domain, `http://${domain}${path}`);

describe.skipIf(unavailable !== undefined)(`new-site on real nginx, PHP-FPM, MariaDB and sshd${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
	let lab: WebLab;
	let host: ReturnType<typeof watchHost>;
	let ssh: LabSsh;

	beforeAll(() => {
		host = watchHost();
		lab = WebLab.start('new-site');
		lab.must('useradd --create-home --shell /bin/bash ops');
		lab.startServices();
		// sshd on the lab's loopback, from the lab's own /etc/ssh: the runbook's
		// change to the sftp subsystem reaches it through "systemctl reload ssh".
		ssh = startLabSshd(lab, 'ops');
	});

	afterAll(() => host?.closeAndCheck(lab));

	it('lints clean', () => {
		const result = lab.rampart(['lint', runbook]);
		expect(result.code, show(result)).toBe(0);
		expect(result.stdout + result.stderr).toContain('0 errors, 0 warnings');
	});

	it('refuses to disable the stock www pool while an enabled site uses its socket, and goes on once it is gone', () => {
		// A legacy site that sends PHP to the www pool through Debian's php-fpm.sock link.
		lab.must(
			`ln -sfn "php$1-fpm.sock" /run/php/php-fpm.sock
			printf '%s\\n' 'server {' '    listen 8080;' '    server_name legacy.test;' '    location ~ \\.php$ {' '        include snippets/fastcgi-php.conf;' '        fastcgi_pass unix:/run/php/php-fpm.sock;' '    }' '}' >/etc/nginx/sites-enabled/legacy.conf
			nginx -t -q`,
			[lab.php],
		);
		const refused = lab.rampart(['run', runbook, '--yes', '--ack', ...inputs(ro, 'read-only')]);
		expect(refused.code, show(refused)).toBe(1);
		expect(refused.stderr + refused.stdout).toContain('/etc/nginx/sites-enabled/legacy.conf: unix:/run/php/php-fpm.sock');
		expect(refused.stderr + refused.stdout).toContain("nginx still sends PHP to the www pool's socket");
		expect(lab.sh('test -f "$1/www.conf"', [`/etc/php/${lab.php}/fpm/pool.d`]).code, 'www.conf was renamed anyway').toBe(0);

		lab.must('rm -f /etc/nginx/sites-enabled/legacy.conf /run/php/php-fpm.sock');
		const resumed = lab.rampart(['resume', '--yes', '--ack']);
		expect(resumed.code, show(resumed)).toBe(0);
		expect(lab.sh('test -f "$1/www.conf.disabled"', [`/etc/php/${lab.php}/fpm/pool.d`]).code).toBe(0);
	});

	it('serves PHP through the pool, as the site user, on a socket without the PHP version', () => {
		const docroot = `/srv/www/${ro.domain}/public`;
		asOperator(lab, `${docroot}/whoami.php`, '<?php echo posix_getpwuid(posix_geteuid())["name"], "\\n";');
		// The operator's umask (PAM) and the setgid directory give 0640 and the web group.
		expect(lab.must('stat -c "%U %G %a" "$1"', [`${docroot}/whoami.php`]).trim()).toBe(`ops ${ro.user}-web 640`);
		const page = get(lab, ro.domain, '/whoami.php');
		expect([page.body, page.code], page.raw).toEqual([ro.user, '200']);
		expect(lab.sh('test -S "$1"', [`/run/php/${ro.user}.sock`]).code).toBe(0);
		expect(lab.must('cat "$1"', [`/etc/nginx/snippets/site-${ro.domain}.conf`])).not.toMatch(/php\d/);
	});

	it('keeps the secrets from nginx: PHP reads wp-config.php and config/.env, nginx reads neither, nor the operator’s other files', () => {
		const siteDir = `/srv/www/${ro.domain}`;
		asOperator(lab, `${siteDir}/config/.env`, 'DB_PASSWORD=env-secret-42\n');
		asOperator(lab, `${siteDir}/public/wp-config.php`, "<?php\ndefine('AUTH_KEY', 'wp-secret-17');\n");
		asOperator(lab, `${siteDir}/Makefile`, 'deploy:\n\trsync -a public/ prod:/srv/\n');
		// config/ is PHP's by its group; the Makefile is the operator's alone.
		expect(lab.must('stat -c "%U %G %a" "$1"', [`${siteDir}/config/.env`]).trim()).toBe(`ops ${ro.user} 640`);
		expect(lab.must('stat -c "%a" "$1"', [`${siteDir}/Makefile`]).trim()).toBe('640');
		// A wp-config.php dropped into the document root gets the web group from
		// the setgid directory: the check names it, and the next run fixes it.
		const audit = lab.rampart(['run', runbook, '--check', ...inputs(ro, 'read-only')]);
		expect(audit.code, show(audit)).toBe(1);
		expect(audit.stderr + audit.stdout).toContain(`${siteDir}/public/wp-config.php`);
		const fix = lab.rampart(['run', runbook, '--yes', '--ack', ...inputs(ro, 'read-only')]);
		expect(fix.code, show(fix)).toBe(0);
		expect(lab.must('stat -c "%U %G %a" "$1"', [`${siteDir}/public/wp-config.php`]).trim()).toBe(`ops ${ro.user} 640`);

		for (const file of [`${siteDir}/public/wp-config.php`, `${siteDir}/config/.env`, `${siteDir}/Makefile`]) {
			const read = lab.sh('runuser -u www-data -- cat "$1"', [file]);
			expect(read.code, `www-data read ${file}: ${show(read)}`).not.toBe(0);
			expect(read.stderr).toContain('Permission denied');
		}
		expect(lab.sh('runuser -u www-data -- ls "$1"', [siteDir]).code, 'www-data could list the site directory').not.toBe(0);
		expect(lab.sh('runuser -u "$1" -- cat "$2"', [ro.user, `${siteDir}/Makefile`]).code, 'PHP could read the Makefile').not.toBe(0);
		// Static files are still nginx's to serve.
		expect(lab.sh('runuser -u www-data -- cat "$1"', [`${siteDir}/public/index.html`]).code).toBe(0);

		asOperator(
			lab,
			`${siteDir}/public/secrets.php`,
			`<?php
require __DIR__ . '/wp-config.php';
echo 'wp-config=', AUTH_KEY, "\\n";
echo 'env=', trim(file_get_contents(__DIR__ . '/../config/.env')), "\\n";
echo 'makefile=', @file_get_contents(__DIR__ . '/../Makefile') === false ? 'denied' : 'read', "\\n";`,
		);
		const page = get(lab, ro.domain, '/secrets.php');
		expect([page.body, page.code], page.raw).toEqual(['wp-config=wp-secret-17\nenv=DB_PASSWORD=env-secret-42\nmakefile=denied', '200']);
		// The secrets never come out as files.
		expect(get(lab, ro.domain, '/wp-config.php').body).not.toContain('wp-secret-17');
		expect(get(lab, ro.domain, '/../config/.env').body).not.toContain('env-secret-42');
	});

	it('gives the operator umask 027 in su sessions, ssh commands and sftp uploads', () => {
		for (const how of ['--login', '']) {
			const mask = lab.must(`su ${how} --shell /bin/sh --command umask ops`).trim();
			expect(mask, `su ${how}`).toBe('0027');
		}
		expect(lab.must('su --shell /bin/sh --command umask nobody').trim(), 'other users keep their umask').toBe('0022');
		// sshd was reloaded by the runbook: its sftp server masks with 0027, and
		// PAM gives commands over ssh the same umask.
		expect(ssh.command('umask').trim()).toBe('0027');
		const docroot = `/srv/www/${ro.domain}/public`;
		ssh.upload('<p>uploaded over sftp</p>\n', 0o644, `${docroot}/sftp.html`);
		expect(lab.must('stat -c "%U %G %a" "$1"', [`${docroot}/sftp.html`]).trim()).toBe(`ops ${ro.user}-web 640`);
		expect(get(lab, ro.domain, '/sftp.html').body).toBe('<p>uploaded over sftp</p>');
		const subsystem = lab.must('grep -E "^[[:space:]]*Subsystem[[:space:]]+sftp" /etc/ssh/sshd_config');
		expect(subsystem).toMatch(/ -u 0027$/m);
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
		// nginx serves what PHP wrote in uploads (the web group).
		expect(get(lab, ro.domain, '/uploads/ok.txt').body).toBe('x');
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
		lab.must('rm -f "$1/shell.php"', [uploads]);
		asOperator(lab, `/srv/www/${ro.domain}/public/.env`, 'SECRET=1\n');
		expect(get(lab, ro.domain, '/.env').code).toBe('403');
		lab.must('rm -f "$1"', [`/srv/www/${ro.domain}/public/.env`]);
	});

	it('lets only nginx open the pool socket; nothing listens on 9000', () => {
		const sock = `/run/php/${ro.user}.sock`;
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

	it('keeps the TLS server block certbot added when the nginx step runs again', () => {
		const conf = `/etc/nginx/sites-available/${ro.domain}.conf`;
		// What certbot --nginx --redirect does to the server block, with a
		// certificate from a test CA the lab's curl trusts.
		addTestCertificate(lab, ro.domain);
		lab.must(
			`sed -i -e '/^    listen 80;$/d' -e '/^    listen \\[::\\]:80;$/d' "$1"
			sed -i -e '$d' "$1"
			cat >>"$1" <<EOF

    listen [::]:443 ssl ipv6only=on; # managed by Certbot
    listen 443 ssl; # managed by Certbot
    ssl_certificate /etc/letsencrypt/live/$2/fullchain.pem; # managed by Certbot
    ssl_certificate_key /etc/letsencrypt/live/$2/privkey.pem; # managed by Certbot
}
server {
    if (\\$host = $2) {
        return 301 https://\\$host\\$request_uri;
    } # managed by Certbot

    listen 80;
    listen [::]:80;
    server_name $2;
    return 404; # managed by Certbot
}
EOF
			systemctl reload nginx`,
			[conf, ro.domain],
		);
		const before = lab.must('cat "$1"', [conf]);
		const https = () => fetchUrl(lab, ro.domain, `https://${ro.domain}/whoami.php`);
		expect([https().body, https().code], https().raw).toEqual([ro.user, '200']);

		// Drift in the site itself (the snippet), then the whole runbook again with TLS=certbot.
		lab.must('sed -i -e "s/server_tokens off;/server_tokens on;/" "$1"', [`/etc/nginx/snippets/site-${ro.domain}.conf`]);
		const again = lab.rampart(['run', runbook, '--yes', '--ack', '--json', ...inputs(ro, 'read-only', 'certbot')]);
		expect(again.code, show(again)).toBe(0);
		expect(again.stdout).toContain('has TLS and includes /etc/nginx/snippets/site-');
		expect(lab.must('cat "$1"', [conf]), 'the server block certbot changed').toBe(before);
		expect(lab.must('cat "$1"', [`/etc/nginx/snippets/site-${ro.domain}.conf`])).toContain('server_tokens off;');
		const page = https();
		expect([page.body, page.code], page.raw).toEqual([ro.user, '200']);
		expect(get(lab, ro.domain, '/whoami.php').code).toBe(`301 https://${ro.domain}/whoami.php`);
		const audit = lab.rampart(['run', runbook, '--check', ...inputs(ro, 'read-only', 'certbot')]);
		expect(audit.code, show(audit)).toBe(0);
	});

	it('sets up a second, read-write site next to it, and grants schema changes only while asked', () => {
		const result = lab.rampart(['run', runbook, '--yes', '--ack', ...inputs(rw, 'read-write')]);
		expect(result.code, show(result)).toBe(0);
		lab.must(`mariadb -e "CREATE TABLE ${rw.db}.notes (id INT PRIMARY KEY)"`);
		const out = lab.must('runuser -u "$1" -- mariadb -NB --database="$2" -e "INSERT INTO notes VALUES (1); SELECT COUNT(*) FROM notes"', [rw.user, rw.db]);
		expect(out.trim()).toBe('1');
		const alter = () => lab.sh('runuser -u "$1" -- mariadb --database="$2" -e "ALTER TABLE notes ADD x INT; ALTER TABLE notes DROP x"', [rw.user, rw.db]);
		expect(alter().stderr).toContain('ALTER command denied');
		// Nor any other database.
		expect(lab.sh('runuser -u "$1" -- mariadb -NB -e "SELECT COUNT(*) FROM $2.pages"', [rw.user, ro.db]).stderr).toContain('command denied');

		const upgrade = lab.rampart(['run', runbook, '--yes', '--ack', ...inputs(rw, 'schema-change')]);
		expect(upgrade.code, show(upgrade)).toBe(0);
		expect(alter().code, show(alter())).toBe(0);
		const back = lab.rampart(['run', runbook, '--yes', '--ack', ...inputs(rw, 'read-write')]);
		expect(back.code, show(back)).toBe(0);
		expect(alter().stderr).toContain('ALTER command denied');

		// Each site's PHP runs as its own user.
		asOperator(lab, `/srv/www/${rw.domain}/public/whoami.php`, '<?php echo posix_getpwuid(posix_geteuid())["name"], "\\n";');
		expect(get(lab, rw.domain, '/whoami.php').body).toBe(rw.user);
		expect(fetchUrl(lab, ro.domain, `https://${ro.domain}/whoami.php`).body).toBe(ro.user);
		// The first site's PHP cannot read the second site's files.
		const peek = lab.sh('runuser -u "$1" -- cat "$2"', [ro.user, `/srv/www/${rw.domain}/public/whoami.php`]);
		expect(peek.code).not.toBe(0);
	});

	it('notices drift with --check and puts it right on the next run', () => {
		lab.must('chmod g+w "$1"', [`/srv/www/${ro.domain}/public`]);
		lab.must(`mariadb -e "GRANT INSERT ON ${ro.db}.* TO '${ro.user}'@'localhost'"`);
		lab.must('gpasswd --add www-data "$1"', [ro.user]);
		const audit = lab.rampart(['run', runbook, '--check', ...inputs(ro, 'read-only', 'certbot')]);
		expect(audit.code, show(audit)).toBe(1);
		const out = audit.stderr + audit.stdout;
		expect(out).toContain('Create the site');
		expect(out).toContain('Create the database and its user');
		expect(out).toContain(`The group ${ro.user}, which only PHP may be in, has members: www-data.`);
		const fix = lab.rampart(['run', runbook, '--yes', '--ack', ...inputs(ro, 'read-only', 'certbot')]);
		expect(fix.code, show(fix)).toBe(0);
		const again = lab.rampart(['run', runbook, '--check', ...inputs(ro, 'read-only', 'certbot')]);
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
			'create-the-sites-user-and-groups',
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
		expect(lab.sh('getent group "$1-web"', [rw.user]).code).not.toBe(0);
		expect(lab.sh('id -nG www-data').stdout).not.toContain(rw.user);
		expect(lab.sh('test -e "$1"', [`/etc/php/${lab.php}/fpm/pool.d/${rw.user}.conf`]).code).not.toBe(0);
		expect(lab.sh('test -e "$1"', [`/etc/nginx/sites-enabled/${rw.domain}.conf`]).code).not.toBe(0);
		expect(lab.sh('test -e "$1"', [`/etc/nginx/snippets/site-${rw.domain}.conf`]).code).not.toBe(0);
		expect(lab.must(`mariadb -NB -e "SELECT COUNT(*) FROM mysql.user WHERE user = '${rw.user}'"`).trim()).toBe('0');
		// The database has a table, and the document root a file someone put there: both kept.
		expect(lab.must(`mariadb -NB -e "SHOW DATABASES LIKE '${rw.db}'"`).trim()).toBe(rw.db);
		expect(lab.sh('test -f "$1"', [`/srv/www/${rw.domain}/public/whoami.php`]).code).toBe(0);
		expect(get(lab, rw.domain, '/whoami.php').body).not.toBe(rw.user);
		// The other site is untouched.
		expect(fetchUrl(lab, ro.domain, `https://${ro.domain}/whoami.php`).body).toBe(ro.user);
		expect(lab.rampart(['run', runbook, '--check', ...inputs(rw, 'read-write')]).code).toBe(1);

		const again = lab.rampart(['run', runbook, '--yes', '--ack', ...inputs(rw, 'read-write')]);
		expect(again.code, show(again)).toBe(0);
		expect(get(lab, rw.domain, '/whoami.php').body).toBe(rw.user);
	});
});
