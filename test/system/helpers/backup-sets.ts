// Backup sets in the layout the restore runbooks read (see the introduction
// of runbooks/backup-restore-drill.md):
//   BACKUP_DIR/<YYYYMMDDTHHMMSSZ>/files.tar.gz, db.sql.gz, SHA256SUMS
// made with the real tar, gzip and sha256sum.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** `2026-11-24T03:00:00.000Z` → `20261124T030000Z`. */
export const stampOf = (date: Date): string =>
	date
		.toISOString()
		.replace(/\.\d{3}Z$/, 'Z')
		.replaceAll(/[-:]/g, '');

/** The date `hours` before now, whole seconds. */
export const hoursAgo = (hours: number): Date => new Date(Math.floor((Date.now() - hours * 3_600_000) / 1000) * 1000);

export interface BackupSetSpec {
	/** Site files: relative path → content. */
	files: Record<string, string>;
	/** A dump of one database (no CREATE DATABASE / USE), or none. */
	sql?: string;
	/** After SHA256SUMS is written, damage files.tar.gz so `sha256sum -c` fails. */
	corrupt?: boolean;
}

const run = (command: string, args: string[], options: {cwd?: string; input?: string | Buffer} = {}): Buffer => {
	const result = spawnSync(command, args, {cwd: options.cwd, input: options.input});
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr?.toString()}`);
	return result.stdout;
};

/** Writes one set and returns its directory. */
export const makeBackupSet = (backupDir: string, taken: Date, spec: BackupSetSpec): string => {
	const dir = path.join(backupDir, stampOf(taken));
	const site = path.join(backupDir, `.site-${stampOf(taken)}`);
	fs.mkdirSync(dir, {recursive: true});
	for (const [relative, content] of Object.entries(spec.files)) {
		const file = path.join(site, relative);
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, content);
	}
	run('tar', ['-C', site, '-czf', path.join(dir, 'files.tar.gz'), '.']);
	fs.rmSync(site, {recursive: true, force: true});
	const listed = ['files.tar.gz'];
	if (spec.sql !== undefined) {
		fs.writeFileSync(path.join(dir, 'db.sql.gz'), run('gzip', ['-c'], {input: spec.sql}));
		listed.push('db.sql.gz');
	}
	fs.writeFileSync(path.join(dir, 'SHA256SUMS'), run('sha256sum', listed, {cwd: dir}));
	if (spec.corrupt) {
		const archive = path.join(dir, 'files.tar.gz');
		const bytes = fs.readFileSync(archive);
		const middle = Math.floor(bytes.length / 2);
		bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
		fs.writeFileSync(archive, bytes);
	}
	return dir;
};

/** A small WordPress-like site: a marker file, an upload, and optionally a webshell in uploads. */
export const siteFiles = (marker: string, webshell = false): Record<string, string> => ({
	'index.php': `<?php // site as of ${marker}\n`,
	'wp-config.php': `<?php define('DB_NAME', 'site'); // ${marker}\n`,
	'wp-content/uploads/2026/11/photo.jpg': `not really a jpeg ${marker}\n`,
	...(webshell ? {'wp-content/uploads/2026/11/cache.php': '<?php system($_GET["c"]);\n'} : {}),
});

/** A dump as `mariadb-dump site` writes it (no CREATE DATABASE, no USE), with WordPress-like admin tables. */
export const siteDump = (marker: string, admins: string[]): string => {
	const users = admins.map((login, i) => `(${i + 1},'${login}')`).join(',');
	const meta = admins.map((_, i) => `(${i + 1},${i + 1},'wp_capabilities','a:1:{s:13:"administrator";b:1;}')`).join(',');
	return [
		'-- MariaDB dump (test fixture)',
		'/*!40101 SET NAMES utf8mb4 */;',
		'DROP TABLE IF EXISTS `posts`;',
		'CREATE TABLE `posts` (`id` int NOT NULL PRIMARY KEY, `title` varchar(200) NOT NULL) ENGINE=InnoDB;',
		`INSERT INTO \`posts\` VALUES (1,'hello'),(2,'${marker}');`,
		'DROP TABLE IF EXISTS `wp_users`;',
		'CREATE TABLE `wp_users` (`ID` bigint NOT NULL PRIMARY KEY, `user_login` varchar(60) NOT NULL) ENGINE=InnoDB;',
		`INSERT INTO \`wp_users\` VALUES ${users};`,
		'DROP TABLE IF EXISTS `wp_usermeta`;',
		'CREATE TABLE `wp_usermeta` (`umeta_id` bigint NOT NULL PRIMARY KEY, `user_id` bigint NOT NULL, `meta_key` varchar(255), `meta_value` longtext) ENGINE=InnoDB;',
		`INSERT INTO \`wp_usermeta\` VALUES ${meta};`,
		'',
	].join('\n');
};
