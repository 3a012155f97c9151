// A real WordPress (Debian's `wordpress` package) on a site the new-site
// runbook made, inside a web lab, with a stand-in wp-cli
// (fake-wp-cli.php): Debian has no wp-cli package and the lab has no way to
// wordpress.org. The site starts one release behind a local "release" (the
// package's WordPress), whose database version is one higher and whose
// schema has an index the site's tables lack, so that an update changes
// both the code and the schema.

import {chmodSync, copyFileSync, existsSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {show, type WebLab} from './services.js';

const here = dirname(fileURLToPath(import.meta.url));
export const wordpressSource = '/usr/share/wordpress';

/** Why the WordPress lab cannot run here (see .ci/apt-packages.txt), or undefined. */
export const wordpressUnavailable = (): string | undefined =>
	existsSync(`${wordpressSource}/wp-includes/version.php`)
		? undefined
		: `the test needs WordPress in ${wordpressSource} (Debian's wordpress package, see .ci/apt-packages.txt)`;

export interface WordPressSite {
	domain: string;
	user: string;
	db: string;
	docroot: string;
	/** The release the site is updated to, and its database version. */
	release: {version: string; dbVersion: number};
	/** The site's own version before the update, and its database version. */
	old: {version: string; dbVersion: number};
}

const wpConfig = (site: {db: string; user: string}) => `<?php
// The site's configuration, in config/ where only PHP (the site's group) reads it.
define('DB_NAME', '${site.db}');
define('DB_USER', '${site.user}');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$table_prefix = 'wp_';
define('WP_DEBUG', false);
define('AUTOMATIC_UPDATER_DISABLED', true);
if (!defined('ABSPATH')) {
	define('ABSPATH', dirname(__DIR__) . '/public/');
}
require_once ABSPATH . 'wp-settings.php';
`;

/**
 * Puts WordPress on a site new-site set up (with UPLOAD_DIR=wp-content/uploads):
 * the release in /var/lib/fake-wp-cli/release, the site one version behind,
 * installed into its database, with the stand-in wp-cli as `wp` on the lab's
 * PATH. `newSite(access)` runs the new-site runbook for the site with that
 * DB_ACCESS (schema-change for the install, read-write after it).
 */
export const installWordPress = (lab: WebLab, site: {domain: string; user: string; db: string}, newSite: (access: string) => void): WordPressSite => {
	const docroot = `/srv/www/${site.domain}/public`;
	// The stand-in wp-cli, where the site user can run it (the lab's root is 0700).
	chmodSync(lab.root, 0o711);
	copyFileSync(join(here, 'fake-wp-cli.php'), join(lab.root, 'bin/wp'));
	chmodSync(join(lab.root, 'bin/wp'), 0o755);
	const versions = lab.must(
		`state=/var/lib/fake-wp-cli
		install -d -m 0755 "$state" "$state/release" "$state/checksums"
		install -m 0666 /dev/null "$state/calls.log"
		cp -rL "$3/." "$state/release/"
		rm -f "$state/release/wp-config.php" "$state/release/.htaccess"
		# The site: the release, one database version behind and a test version number.
		cp -rL "$state/release/." "$1/"
		release_db=$(sed -n "s/^\\$wp_db_version = \\([0-9]*\\);/\\1/p" "$state/release/wp-includes/version.php")
		release_version=$(sed -n "s/^\\$wp_version = '\\(.*\\)';/\\1/p" "$state/release/wp-includes/version.php")
		old_db=$(( release_db - 1 ))
		sed -i -e "s/^\\$wp_version = .*/\\$wp_version = '$release_version-rampart-old';/" \\
			-e "s/^\\$wp_db_version = .*/\\$wp_db_version = $old_db;/" "$1/wp-includes/version.php"
		# Checksums of both, as wordpress.org would give them.
		(cd "$state/release" && find . -path ./wp-content -prune -o -type f -print | sed -e 's|^\\./||' | sort | xargs -d '\\n' md5sum) >"$state/checksums/$release_version.md5"
		(cd "$1" && find . -path ./wp-content -prune -o -type f ! -name 'wp-config*' -print | sed -e 's|^\\./||' | sort | xargs -d '\\n' md5sum) >"$state/checksums/$release_version-rampart-old.md5"
		# wp-config.php in config/, a one-line wp-config.php where WordPress looks.
		cat >"$2/config/wp-config.php"
		printf '%s\\n' '<?php' "require __DIR__ . '/../config/wp-config.php';" >"$1/wp-config.php"
		echo "$release_version $release_db $old_db"`,
		[docroot, `/srv/www/${site.domain}`, wordpressSource],
		{input: wpConfig(site), timeoutMs: 120_000},
	);
	const [version, releaseDb, oldDb] = versions.trim().split(' ');
	// Owners and modes as new-site wants them, with the right to create tables for the install.
	newSite('schema-change');
	const install = lab.sh(
		`cd "$1" && runuser -u "$2" -- php -d display_errors=stderr -d error_reporting=0 -r '
			$_SERVER["HTTP_HOST"] = $argv[1];
			define("WP_INSTALLING", true);
			require "wp-load.php";
			require_once ABSPATH . "wp-admin/includes/upgrade.php";
			$result = wp_install("Rampart test", "admin", "admin@example.org", true, "", "admin-password-for-the-test");
			echo "installed user ", $result["user_id"], "\\n";' "$3"`,
		[docroot, site.user, site.domain],
	);
	if (install.code !== 0 || !install.stdout.includes('installed user 1')) throw new Error(`wp_install failed: ${show(install)}`);
	newSite('read-write');
	// The old schema lacks an index the release's has: the update must add it (ALTER).
	lab.must(`mariadb "$1" -e "ALTER TABLE wp_posts DROP INDEX type_status_date"`, [site.db]);
	return {...site, docroot, release: {version: version!, dbVersion: Number(releaseDb)}, old: {version: `${version}-rampart-old`, dbVersion: Number(oldDb)}};
};

/** The site's db_version option and whether wp_posts has the release's index. */
export const schemaState = (lab: WebLab, site: WordPressSite): {dbVersion: number; index: boolean} => {
	const dbVersion = Number(lab.must(`mariadb -NB "$1" -e "SELECT option_value FROM wp_options WHERE option_name = 'db_version'"`, [site.db]).trim());
	const index = lab.must(`mariadb -NB "$1" -e "SHOW INDEX FROM wp_posts WHERE Key_name = 'type_status_date'"`, [site.db]).trim() !== '';
	return {dbVersion, index};
};
