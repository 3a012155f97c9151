// Borg repositories laid out as the bundled `backups` runbook writes them,
// for the restore runbooks' system tests: one archive files-<UTC time> of a
// site, one archive db-<database>-<UTC time> per dump, made with the real
// borg (repokey-blake2) in a local repository. Archives are dated with
// `borg create --timestamp`, so a test can have backups from hours ago.
//
// borg.env is the file the restore drill reads (BACKUP_CONFIG): the
// repository, the passphrase command and borg's base directory, all inside
// the test's own directory, so nothing is written to root's home.

import {spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** True when borg 1.x is installed. */
export const borgAvailable = (): boolean => {
	const version = spawnSync('borg', ['--version'], {encoding: 'utf8'});
	return version.status === 0 && /^borg 1\./.test(version.stdout);
};

/** `2026-11-24T03:00:00.000Z` → `2026-11-24T03:00:00Z`, the time in the backup job's archive names. */
export const stampOf = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The date `hours` before now, whole seconds. */
export const hoursAgo = (hours: number): Date => new Date(Math.floor((Date.now() - hours * 3_600_000) / 1000) * 1000);

export interface Repository {
	/** The repository's directory (BORG_REPO). */
	dir: string;
	/** borg.env as the backups runbook writes it: give it as BACKUP_CONFIG. */
	config: string;
	/** A 0600 file holding the passphrase: give it as --input PASSPHRASE=@file. */
	passphraseFile: string;
	passphrase: string;
	/** The environment borg needs to use this repository. */
	env: NodeJS.ProcessEnv;
}

const borg = (repo: Repository, args: string[], options: {cwd?: string; input?: string | Buffer} = {}): string => {
	const result = spawnSync('borg', args, {cwd: options.cwd, input: options.input, env: repo.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024});
	if (result.status !== 0) throw new Error(`borg ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
	return result.stdout;
};

/** Makes an encrypted repository (repokey-blake2) with its borg.env under `base/name`. */
export const makeRepository = (base: string, name: string): Repository => {
	const home = path.join(base, name);
	fs.mkdirSync(home, {recursive: true, mode: 0o700});
	const passphrase = `test passphrase ${randomBytes(12).toString('hex')}`;
	const passphraseFile = path.join(home, 'passphrase');
	fs.writeFileSync(passphraseFile, passphrase, {mode: 0o600});
	const dir = path.join(home, 'repo');
	const borgBase = path.join(home, 'borg-base');
	const config = path.join(home, 'borg.env');
	fs.writeFileSync(
		config,
		[
			'# as the backups runbook writes it, for a local repository',
			`BORG_REPO='${dir}'`,
			`BORG_PASSCOMMAND='cat ${passphraseFile}'`,
			`BORG_BASE_DIR='${borgBase}'`,
			"BORG_RELOCATED_REPO_ACCESS_IS_OK='no'",
			"BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK='no'",
			'',
		].join('\n'),
		{mode: 0o600},
	);
	const repo: Repository = {
		dir,
		config,
		passphraseFile,
		passphrase,
		env: {PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', TZ: 'UTC', BORG_REPO: dir, BORG_PASSPHRASE: passphrase, BORG_BASE_DIR: borgBase},
	};
	borg(repo, ['init', '--encryption=repokey-blake2']);
	return repo;
};

export interface BackupSpec {
	/** Site files: relative path → content. */
	files: Record<string, string>;
	/** A dump of database `site` (no CREATE DATABASE / USE), or none. */
	sql?: string;
}

const segments = (repo: Repository): string[] => {
	const data = path.join(repo.dir, 'data');
	return fs.readdirSync(data).flatMap(dir => fs.readdirSync(path.join(data, dir)).map(file => path.join(data, dir, file)));
};

export interface Backup {
	files: string;
	db?: string;
	/** The segment files this backup's writes added to the repository. */
	segments: string[];
}

/**
 * Adds one backup, dated `taken`: files-<time> with the site's files (paths
 * relative to the site root) and a random 256 KiB blob.bin, so that most of
 * the backup's data is that file; db-site-<time> with the dump, if any.
 */
export const addBackup = (repo: Repository, taken: Date, spec: BackupSpec): Backup => {
	const site = fs.mkdtempSync(path.join(path.dirname(repo.dir), 'site-'));
	const before = new Set(segments(repo));
	try {
		for (const [relative, content] of Object.entries({...spec.files})) {
			const file = path.join(site, relative);
			fs.mkdirSync(path.dirname(file), {recursive: true});
			fs.writeFileSync(file, content);
		}
		fs.writeFileSync(path.join(site, 'blob.bin'), randomBytes(256 * 1024));
		const timestamp = stampOf(taken).replace(/Z$/, '');
		const files = `files-${stampOf(taken)}`;
		borg(repo, ['create', '--timestamp', timestamp, `::${files}`, '.'], {cwd: site});
		let db: string | undefined;
		if (spec.sql !== undefined) {
			db = `db-site-${stampOf(taken)}`;
			borg(repo, ['create', '--timestamp', timestamp, '--stdin-name', 'site.sql', '--stdin-mode', '0600', `::${db}`, '-'], {input: spec.sql});
		}
		return {files, db, segments: segments(repo).filter(s => !before.has(s))};
	} finally {
		fs.rmSync(site, {recursive: true, force: true});
	}
};

/** Flips a byte in the middle of the largest segment a backup wrote: its blob.bin, so borg check and extract fail. */
export const corrupt = (backup: Backup): void => {
	const largest = backup.segments.map(file => ({file, size: fs.statSync(file).size})).sort((a, b) => b.size - a.size)[0];
	if (!largest || largest.size < 128 * 1024) throw new Error(`no segment large enough to corrupt among ${backup.segments.join(', ')}`);
	const bytes = fs.readFileSync(largest.file);
	const middle = Math.floor(bytes.length / 2);
	bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
	fs.writeFileSync(largest.file, bytes);
};

/** A small WordPress-like site: a marker file, an upload, and optionally a webshell in uploads. */
export const siteFiles = (marker: string, webshell = false): Record<string, string> => ({
	'index.php': `<?php // site as of ${marker}\n`,
	'wp-config.php': `<?php define('DB_NAME', 'site'); // ${marker}\n`,
	'wp-content/uploads/2026/11/photo.jpg': `not really a jpeg ${marker}\n`,
	...(webshell ? {'wp-content/uploads/2026/11/cache.php': '<?php system($_GET["c"]);\n'} : {}),
});

/** A dump as `mariadb-dump site` writes it (no CREATE DATABASE, no USE), with WordPress-like admin tables. */
export const siteDump = (marker: string, admins: string[], extra = ''): string => {
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
		extra,
		'-- Dump completed on 2026-11-24  3:00:00',
		'',
	].join('\n');
};
