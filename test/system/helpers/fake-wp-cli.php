#!/usr/bin/env php
<?php
// A stand-in for wp-cli in the patch-updates system test, where there is no
// network to wordpress.org and no wp-cli package. It answers the commands
// the runbook uses, on a real WordPress (Debian's package):
//
// - core update-db, eval, db export: as wp-cli does, on WordPress loaded
//   through the site's own wp-load.php (update-db runs WordPress's
//   wp_upgrade(), with SQL errors suppressed, as wp-cli does);
// - core update: copies the "release" in /var/lib/fake-wp-cli/release over
//   the site (wp-cli downloads it from wordpress.org);
// - core verify-checksums: md5 lists in /var/lib/fake-wp-cli/checksums
//   (wp-cli fetches them from api.wordpress.org);
// - plugin, theme and language updates and lists: nothing to do.
//
// Every call is logged with the user it ran as, and a file
// /var/lib/fake-wp-cli/fail-COMMAND (e.g. fail-core-update-db) makes that
// command fail.

const STATE = '/var/lib/fake-wp-cli';

$path = getcwd();
$flags = [];
$words = [];
foreach (array_slice($argv, 1) as $arg) {
	if (str_starts_with($arg, '--path=')) {
		$path = substr($arg, 7);
	} elseif (preg_match('/^--([a-z-]+)(?:=(.*))?$/', $arg, $m)) {
		$flags[$m[1]] = $m[2] ?? true;
	} else {
		$words[] = $arg;
	}
}
$path = rtrim($path, '/');
$command = implode(' ', array_slice($words, 0, 2));
$user = posix_getpwuid(posix_geteuid())['name'];
file_put_contents(STATE . '/calls.log', "$user " . implode(' ', array_slice($argv, 1)) . "\n", FILE_APPEND);

function fail(string $message): never {
	fwrite(STDERR, "Error: $message\n");
	exit(1);
}
function success(string $message): void {
	echo "Success: $message\n";
}
function version_of(string $dir): array {
	$wp_version = $wp_db_version = null;
	include $dir . '/wp-includes/version.php';
	return [$wp_version, $wp_db_version];
}
function load_wordpress(string $path): void {
	$_SERVER['HTTP_HOST'] ??= 'localhost';
	$_SERVER['SERVER_NAME'] ??= 'localhost';
	$_SERVER['REQUEST_URI'] ??= '/';
	$_SERVER['REQUEST_METHOD'] ??= 'GET';
	define('WP_CLI_STAND_IN', true);
	require $path . '/wp-load.php';
}

if (file_exists(STATE . '/fail-' . str_replace(' ', '-', $command))) {
	fail("$command failed (test: " . STATE . '/fail-' . str_replace(' ', '-', $command) . ')');
}

switch ($command) {
	case 'core version':
		echo version_of($path)[0], "\n";
		break;

	case 'core check-update':
		$pending = version_of($path)[0] !== version_of(STATE . '/release')[0];
		if (($flags['format'] ?? '') === 'count') {
			echo $pending ? 1 : 0, "\n";
		} else {
			echo $pending ? 'version ' . version_of(STATE . '/release')[0] . "\n" : "Success: WordPress is at the latest version.\n";
		}
		break;

	case 'core verify-checksums':
		$version = version_of($path)[0];
		$list = STATE . "/checksums/$version.md5";
		if (!is_readable($list)) fail("Couldn't get checksums from WordPress.org for $version.");
		$bad = 0;
		foreach (file($list, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
			[$sum, $file] = preg_split('/\s+\*?/', $line, 2);
			if (!is_file("$path/$file") || md5_file("$path/$file") !== $sum) {
				fwrite(STDERR, "Warning: File doesn't verify against checksum: $file\n");
				$bad++;
			}
		}
		if ($bad) fail("WordPress installation doesn't verify against checksums.");
		success('WordPress installation verifies against checksums.');
		break;

	case 'plugin verify-checksums':
		$plugins = glob("$path/wp-content/plugins/*", GLOB_ONLYDIR);
		success(sprintf('Verified %d of %d plugins (stand-in: nothing to compare with).', count($plugins), count($plugins)));
		break;

	case 'plugin list':
	case 'theme list':
		echo ($flags['format'] ?? '') === 'count' ? "0\n" : '';
		break;

	case 'plugin update':
	case 'theme update':
		success(ucfirst($words[0]) . ' already updated.');
		break;

	case 'language core':
	case 'language plugin':
	case 'language theme':
		success('Translations are up to date.');
		break;

	case 'core update':
		$release = STATE . '/release';
		[$from] = version_of($path);
		[$to] = version_of($release);
		if ($from === $to) {
			success('WordPress is up to date.');
			break;
		}
		echo "Updating to version $to (en_US)...\n";
		$files = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($release, FilesystemIterator::SKIP_DOTS), RecursiveIteratorIterator::SELF_FIRST);
		foreach ($files as $file) {
			$relative = substr($file->getPathname(), strlen($release) + 1);
			// wp-content is the site's; wp-config.php too.
			if (str_starts_with($relative, 'wp-content') || str_starts_with($relative, 'wp-config')) continue;
			$target = "$path/$relative";
			if ($file->isDir()) {
				if (!is_dir($target) && !@mkdir($target)) fail("Could not create directory $target.");
			} elseif (!@copy($file->getPathname(), $target)) {
				fail("Could not copy file $target.");
			}
		}
		success('WordPress updated successfully.');
		break;

	case 'core update-db':
		load_wordpress($path);
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		global $wpdb, $wp_db_version;
		$current = (int) __get_option('db_version');
		if ($current === (int) $wp_db_version) {
			success("WordPress database already at latest db version $wp_db_version.");
		} elseif (isset($flags['dry-run'])) {
			success("WordPress database will be upgraded from db version $current to $wp_db_version.");
		} else {
			$wpdb->suppress_errors();
			wp_upgrade();
			success("WordPress database upgraded successfully from db version $current to $wp_db_version.");
		}
		break;

	case 'db export':
		load_wordpress($path);
		$dump = 'mariadb-dump --single-transaction --user=' . escapeshellarg(DB_USER) . ' ' . escapeshellarg(DB_NAME);
		passthru($dump, $status);
		exit($status);

	default:
		if (($words[0] ?? '') === 'eval') {
			load_wordpress($path);
			eval($words[1] ?? '');
			break;
		}
		fail("the stand-in does not know: wp $command");
}
