// The bundled web-permissions-audit runbook against a real site (set up by
// the new-site runbook) in a private lab: it passes on the clean site (with
// PHP that uses prepared statements), names each planted mistake (a secret
// nginx reads through its group, queries built from request data, ...) with
// --check exit 1, and passes again once they are fixed.

import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {join} from 'node:path';
import {repoRoot, show, watchHost, webLabUnavailable, WebLab} from './helpers/services.js';

const unavailable = webLabUnavailable();
const audit = join(repoRoot, 'runbooks/web-permissions-audit.md');
const newSite = join(repoRoot, 'runbooks/new-site.md');

const domain = 'blog.example.org';
const siteUser = 'blogsite';
const docroot = `/srv/www/${domain}/public`;
const plugin = `${docroot}/wp-content/plugins/shop`;

/** PHP that reaches the database only through prepared statements (and casts). */
const safePhp = `<?php
$stmt = $db->prepare('SELECT title FROM pages WHERE id = ? AND lang = ?');
$stmt->bind_param('is', $_GET['id'], $_GET['lang']);
$stmt->execute();
$pdo_stmt = $pdo->prepare('SELECT * FROM users WHERE name = :name');
$pdo_stmt->execute(['name' => $_POST['name']]);
$title = $wpdb->get_var($wpdb->prepare("SELECT post_title FROM {$wpdb->posts} WHERE ID = %d", $_GET['id']));
$page = (int) $_GET['page'];
$db->query("SELECT * FROM posts LIMIT 10 OFFSET $page");
echo "Hello " . htmlspecialchars($_GET['name']) . ", see you";
?>
<p>Don't "break" the lexer</p>
`;

/** The same kinds of query built from request data: each marked line must be found. */
const unsafePhp = `<?php
$id = $_GET['id'];
$db->query("SELECT * FROM posts WHERE id = $id"); // FIND interpolated
$res = mysqli_query($db, "SELECT * FROM users WHERE name = '" . $_POST['name'] . "'"); // FIND concatenated
$where = 'author = ' . $_COOKIE['author'];
$list = $wpdb->get_results("SELECT * FROM orders WHERE " . $where); // FIND through a variable
$sql = "SELECT * FROM items WHERE 1 = 1";
$sql .= " AND sku = '" . esc_sql($_REQUEST['sku']) . "'"; // FIND escaped, not prepared
$del = sprintf("DELETE FROM carts WHERE id = %s", $_POST['cart']); // FIND sprintf
$report = <<<SQL
SELECT * FROM logs
WHERE ip = '$id'
SQL; // FIND heredoc (reported on its first line)
`;

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
		lab.must('install -d -o ops -g "$2" -m 2750 "$1/wp-content" "$1/wp-content/plugins" "$3"', [docroot, `${siteUser}-web`, plugin]);
		lab.must('cat >"$1/safe.php" && chown ops:"$2" "$1/safe.php" && chmod 0640 "$1/safe.php"', [plugin, `${siteUser}-web`], {input: safePhp});
		const result = runAudit();
		expect(result.code, show(result)).toBe(0);
		expect(result.stdout).toContain('Only allowed ports listen on public addresses.');
		expect(result.stdout).toContain(`Pool ${siteUser} (${pools}/${siteUser}.conf) runs as ${siteUser}.`);
		expect(result.stdout).toContain('nginx (www-data) can read no secret file under /srv/www.');
		expect(result.stdout).toContain('No query built from request data was found');
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
		// A .env that only its group can read, but the group is the one nginx shares with PHP.
		lab.must('install -o ops -g "$2" -m 0640 /dev/null "$1/.env"', [docroot, `${siteUser}-web`]);
		lab.must('cat >"$1/unsafe.php" && chown ops:"$2" "$1/unsafe.php" && chmod 0640 "$1/unsafe.php"', [plugin, `${siteUser}-web`], {input: unsafePhp});

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
		expect(out).toContain('PROBLEM: secrets under /srv/www that nginx (www-data, groups: ');
		expect(out).toMatch(new RegExp(`-rw-r----- 1 ops ${siteUser}-web .*${docroot}/\\.env$`, 'm'));

		// Each planted query, on its own line, and nothing from the safe file.
		const lines = unsafePhp.split('\n');
		const wanted = lines.flatMap((line, i) => (line.includes('// FIND') ? [i + 1] : []));
		const heredoc = lines.findIndex(line => line.startsWith('$report')) + 1;
		// In the step's output (stdout); the closing summary on stderr quotes the first of them again.
		const reported = [...result.stdout.matchAll(new RegExp(`${plugin}/unsafe\\.php:(\\d+): `, 'g'))].map(m => Number(m[1]));
		expect(reported).toEqual(wanted.map(line => (line > heredoc ? heredoc : line)));
		expect(out).toContain(`PROBLEM: ${wanted.length} places build SQL from request data`);
		expect(out).not.toContain('/safe.php:');
		// The group-writable index.html, and nothing else, for both web users.
		for (const user of [siteUser, 'www-data']) {
			expect(out).toMatch(new RegExp(`PROBLEM: ${user} can write outside upload directories in /srv/www \\(1\\):[\\s›]+${docroot}/index.html\\n`));
		}
		// Every step is reported: a failed check by its title, a finding with what it found.
		for (const step of [
			'nginx and PHP-FPM run as their own users',
			'Each PHP-FPM pool has its own user and a unix socket',
			'Nothing in the web roots is writable by the web users except uploads',
			'No PHP in upload directories',
			'No secrets that others or nginx can read',
			'Nothing else listens on public addresses',
			'No SQL built from request data',
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
		lab.must('chgrp "$2" "$1/.env" && rm -f "$3/unsafe.php"', [docroot, siteUser, plugin]);
		const result = runAudit();
		expect(result.code, show(result)).toBe(0);
	});
});
