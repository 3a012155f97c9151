// The restore parts of the bundled runbooks, on real data: borg repositories
// laid out as the backups runbook writes them (local, repokey-blake2, with
// archives dated hours ago), a private MariaDB server (own datadir and
// socket, no networking, no systemd), and the built CLI run headless exactly
// as an operator would run it. (test/system/backups.test.ts runs the backups
// runbook itself against a backup host over SSH.)
//
// Proves: backup-restore-drill restores the newest archives (by borg's own
// time) of files and database and verifies them, skips that work on a second
// run and then removes the scratch copy, and fails clearly on a damaged
// repository; restore-after-compromise restores the newest archives OLDER
// than the compromise (not the newest), verifies the restored site, refuses a
// damaged archive, and never records the passphrase; credentials-rotation
// replaces a database password and proves the old one fails.
//
// Everything the runbooks write goes to temp directories given as inputs.
// The incident runbook's evidence step only reads the host (ps, ss, logs,
// dpkg --verify) and writes into the temp EVIDENCE_DIR; its containment step
// writes an nft ruleset file there and never applies it.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {mariadbAvailable, startMariadb, type PrivateMariadb} from './helpers/backup-mariadb.js';
import {addBackup, borgAvailable, corrupt, hoursAgo, makeRepository, siteDump, siteFiles, stampOf, type Repository} from './helpers/backup-sets.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist', 'rampart.js');

const isRootOnLinux = process.platform === 'linux' && process.getuid?.() === 0;
const canRun = isRootOnLinux && mariadbAvailable() && borgAvailable();
const skipReason = !isRootOnLinux
	? 'backup restore system tests need root on Linux (they start MariaDB as the mysql user and restore owners)'
	: 'backup restore system tests need mariadb-server and borgbackup installed (see .ci/apt-packages.txt)';
if (!canRun) console.warn(`skipped: ${skipReason}`);

interface CliResult {
	status: number | null;
	stdout: string;
	stderr: string;
	runId: string | undefined;
}

describe.skipIf(!canRun)('backup restore runbooks on real backups and a private MariaDB', () => {
	let base: string;
	let db: PrivateMariadb | undefined;
	let env: Record<string, string>;

	const rampart = (args: string[], timeout = 150_000): CliResult => {
		const result = spawnSync(process.execPath, [CLI, ...args], {cwd: path.join(base, 'cwd'), env, encoding: 'utf8', timeout});
		const runId = /rampart: run (\S+) of /.exec(result.stderr)?.[1];
		return {status: result.status, stdout: result.stdout, stderr: result.stderr, runId};
	};

	const report = (runId: string | undefined): string => {
		expect(runId).toBeDefined();
		const result = rampart(['report', runId!]);
		expect(result.status, result.stderr).toBe(0);
		return result.stdout;
	};

	const show = (r: CliResult) => `exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

	// The backups every scenario starts from: one a day old, one 6 h old, one 1 h old.
	const older = hoursAgo(30);
	const beforeCompromise = hoursAgo(6);
	const compromise = hoursAgo(3);
	const newest = hoursAgo(1);
	const files = (taken: Date) => `files-${stampOf(taken)}`;
	const dump = (taken: Date) => `db-site-${stampOf(taken)}`;

	beforeAll(async () => {
		base = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-backup-'));
		// mariadbd runs as the mysql user: it must be able to pass through.
		fs.chmodSync(base, 0o711);
		fs.mkdirSync(path.join(base, 'cwd'));
		fs.mkdirSync(path.join(base, 'home'));
		env = {
			PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
			LANG: 'C.UTF-8',
			HOME: path.join(base, 'home'),
			RAMPART_HOME: path.join(base, 'state'),
		};
		db = await startMariadb(path.join(base, 'mariadb'));
	});

	afterAll(async () => {
		try {
			await db?.stop();
		} finally {
			if (base) fs.rmSync(base, {recursive: true, force: true});
		}
	});

	const backups = (name: string, corruptNewest = false, corruptBeforeCompromise = false): Repository => {
		const repo = makeRepository(base, name);
		addBackup(repo, older, {files: siteFiles('older'), sql: siteDump('older', ['alice'])});
		const before = addBackup(repo, beforeCompromise, {files: siteFiles('before-compromise'), sql: siteDump('before-compromise', ['alice'])});
		// Taken after the compromise: carries a webshell and an extra administrator.
		const last = addBackup(repo, newest, {files: siteFiles('newest', true), sql: siteDump('newest', ['alice', 'eviladmin'])});
		if (corruptBeforeCompromise) corrupt(before);
		if (corruptNewest) corrupt(last);
		return repo;
	};

	describe('backup-restore-drill', () => {
		it('restores the newest archives (files and database), verifies them, then skips the done work and removes the copy', () => {
			const repo = makeRepository(base, 'drill');
			// Made in this order, but dated the other way round: the drill goes by borg's time, not by order or name.
			addBackup(repo, newest, {files: siteFiles('newest'), sql: siteDump('newest', ['alice'])});
			addBackup(repo, older, {files: siteFiles('older'), sql: siteDump('older', ['alice'])});
			const scratch = path.join(base, 'drill-scratch');
			const inputs = ['--input', `BACKUP_CONFIG=${repo.config}`, '--input', `SCRATCH_DIR=${scratch}`, '--input', 'DB_NAME=site', '--input', `DB_SOCKET=${db!.socket}`];

			const first = rampart(['run', 'backup-restore-drill', '--yes', '--ack', ...inputs, '--input', 'KEEP_SCRATCH=yes']);
			expect(first.status, show(first)).toBe(0);
			expect(fs.readFileSync(path.join(scratch, 'files', 'index.php'), 'utf8')).toContain('site as of newest');
			expect(fs.readFileSync(path.join(scratch, 'files-restored-from'), 'utf8').trim()).toBe(files(newest));
			expect(db!.sql('SELECT title FROM posts ORDER BY id', 'site_drill').trim().split('\n')).toEqual(['hello', 'newest']);
			expect(fs.statSync(scratch).mode & 0o777).toBe(0o700);
			// The restore account existed only while the dump loaded.
			expect(db!.sql("SELECT COUNT(*) FROM mysql.user WHERE user = 'rampart_restore'").trim()).toBe('0');
			const firstReport = report(first.runId);
			expect(firstReport).toContain(`the newest is ${files(newest)}`);
			expect(firstReport).toContain('passes borg check');
			expect(firstReport).toContain('tables of the dump are in site_drill');
			expect(firstReport).toContain('with the same SHA-256');
			expect(firstReport).not.toContain(repo.passphrase);

			// Same newest backup: the restore steps' checks pass, and the copy is removed.
			const second = rampart(['run', 'backup-restore-drill', '--yes', '--ack', ...inputs, '--input', 'KEEP_SCRATCH=no']);
			expect(second.status, show(second)).toBe(0);
			expect(report(second.runId)).toContain(`${files(newest)} is already restored in ${scratch}/files`);
			expect(fs.existsSync(scratch)).toBe(false);
			expect(db!.sql("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'site_drill'").trim()).toBe('0');
		});

		it('fails with a clear message when the newest backup is damaged, and restores nothing', () => {
			const repo = backups('drill-corrupt', true);
			const scratch = path.join(base, 'drill-corrupt-scratch');
			const result = rampart([
				'run',
				'backup-restore-drill',
				'--yes',
				'--ack',
				'--input',
				`BACKUP_CONFIG=${repo.config}`,
				'--input',
				`SCRATCH_DIR=${scratch}`,
				'--input',
				'DB_NAME=site',
				'--input',
				`DB_SOCKET=${db!.socket}`,
			]);
			expect(result.status, show(result)).toBe(1);
			expect(result.stdout + result.stderr).toContain(`DRILL FAILED: the newest backup in ${repo.dir} cannot be trusted: borg check found the repository damaged`);
			expect(fs.existsSync(scratch)).toBe(false);
		});
	});

	describe('restore-after-compromise', () => {
		// Whole seconds, no milliseconds: as an operator would type it.
		const compromiseIso = compromise.toISOString().replace(/\.\d{3}Z$/, 'Z');
		const evidence = () => path.join(base, 'evidence');
		const incident = (repo: Repository, scratch: string): CliResult =>
			rampart([
				'run',
				'restore-after-compromise',
				'--yes',
				'--ack',
				'--input',
				`COMPROMISE_FIRST_SEEN=${compromiseIso}`,
				'--input',
				'SYMPTOMS=webshell in wp-content/uploads; unknown administrator "eviladmin"',
				'--input',
				`EVIDENCE_DIR=${evidence()}`,
				'--input',
				'OPERATOR_IP=192.0.2.10, 2001:db8::10',
				'--input',
				`REPOSITORY=${repo.dir}`,
				'--input',
				`PASSPHRASE=@${repo.passphraseFile}`,
				'--input',
				`RESTORE_ACCESS_DIR=${path.join(base, 'restore-access')}`,
				'--input',
				`SCRATCH_DIR=${scratch}`,
				'--input',
				'DB_NAME=site',
				'--input',
				`DB_SOCKET=${db!.socket}`,
				'--input',
				'KNOWN_ADMINS=alice',
			]);

		it('restores the newest backup older than the compromise (not the newest) and verifies the site', () => {
			const repo = backups('incident-backups');
			const scratch = path.join(base, 'incident-restore');
			const result = incident(repo, scratch);
			expect(result.status, show(result)).toBe(0);

			// The files and the database are those of the backup taken before the compromise.
			expect(fs.readFileSync(path.join(scratch, 'index.php'), 'utf8')).toContain('site as of before-compromise');
			expect(fs.existsSync(path.join(scratch, 'wp-content/uploads/2026/11/cache.php'))).toBe(false);
			expect(db!.sql('SELECT title FROM posts ORDER BY id', 'site_restore').trim().split('\n')).toEqual(['hello', 'before-compromise']);
			expect(db!.sql('SELECT user_login FROM wp_users', 'site_restore').trim()).toBe('alice');

			const timeline = report(result.runId);
			expect(timeline).toContain(`${files(newest)}  AFTER the first sign: not used`);
			expect(timeline).toContain(`${files(beforeCompromise)}  before the first sign`);
			expect(timeline).toContain(`Chosen: ${files(beforeCompromise)}, the newest files archive made before the first sign.`);
			expect(timeline).toContain(`Chosen: ${dump(beforeCompromise)}, the newest dump of site made before the first sign.`);
			expect(timeline).toContain(`Integrity of ${files(beforeCompromise)} and ${dump(beforeCompromise)} verified`);
			expect(timeline).toContain('as rampart_restore; rampart_restore is dropped again');
			// The passphrase, a secret input, is nowhere in the record.
			expect(timeline).not.toContain(repo.passphrase);
			expect(db!.sql("SELECT COUNT(*) FROM mysql.user WHERE user = 'rampart_restore'").trim()).toBe('0');
			expect(timeline).toContain('Only known administrators.');

			// Evidence and containment acted only on the temp EVIDENCE_DIR.
			const sums = fs.readFileSync(path.join(evidence(), 'SHA256SUMS'), 'utf8');
			for (const name of ['00-declaration.txt', '02-processes.txt', '17-dpkg-verify.txt', '22-var-log.tar.gz']) expect(sums).toContain(name);
			expect(spawnSync('sha256sum', ['--quiet', '-c', 'SHA256SUMS'], {cwd: evidence()}).status).toBe(0);
			for (const archive of ['15-etc.tar.gz', '22-var-log.tar.gz']) {
				const listed = spawnSync('tar', ['-tzf', path.join(evidence(), archive)], {encoding: 'utf8', maxBuffer: 64 * 1024 * 1024});
				expect(listed.status, `${archive}: ${listed.stderr}`).toBe(0);
			}
			expect(spawnSync('tar', ['-tzf', path.join(evidence(), '15-etc.tar.gz'), 'etc/passwd']).status).toBe(0);
			const ruleset = fs.readFileSync(path.join(evidence(), 'containment.nft'), 'utf8');
			expect(ruleset).toContain('elements = { 192.0.2.10/32 }');
			expect(ruleset).toContain('elements = { 2001:db8::10/128 }');
			expect(fs.statSync(evidence()).mode & 0o777).toBe(0o700);
			// With nft installed, the ruleset's syntax was checked (nft -c), never applied.
			if (spawnSync('sh', ['-c', 'command -v nft']).status === 0) expect(timeline).toContain('(checked, not applied)');
		});

		it('refuses a damaged archive and restores nothing', () => {
			// The newest backup before the compromise is damaged in the repository (a byte of its data flipped).
			const repo = backups('incident-corrupt', false, true);
			const scratch = path.join(base, 'incident-corrupt-restore');
			db!.sql('DROP DATABASE IF EXISTS site_restore');
			const result = incident(repo, scratch);
			expect(result.status, show(result)).toBe(1);
			expect(result.stdout + result.stderr).toContain(`REFUSED: archive ${files(beforeCompromise)} failed borg check --verify-data`);
			expect(fs.existsSync(scratch)).toBe(false);
			expect(db!.sql("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'site_restore'").trim()).toBe('0');
			// The evidence from the first incident run was kept and recognised as complete, not collected again.
			expect(report(result.runId)).toContain('Evidence in');
		});
	});

	describe('credentials-rotation (the database password, on the same private MariaDB)', () => {
		it('sets a new password, proves it works and the old one is refused, and leaves no password file behind', () => {
			db!.sql("CREATE USER 'appuser'@'localhost' IDENTIFIED BY 'old-password-1'; GRANT SELECT ON *.* TO 'appuser'@'localhost'");
			const secrets = path.join(base, 'rotation-secrets');
			const login = (password: string) =>
				spawnSync('mariadb', ['--no-defaults', `--socket=${db!.socket}`, '--user=appuser', '--batch', '-e', 'SELECT 1'], {
					env: {...env, MYSQL_PWD: password},
					encoding: 'utf8',
				});
			expect(login('old-password-1').status).toBe(0);

			const result = spawnSync(
				process.execPath,
				[CLI, 'run', 'credentials-rotation', '--yes', '--ack', '--input', 'DB_USER=appuser', '--input', `DB_SOCKET=${db!.socket}`, '--input', `SECRETS_DIR=${secrets}`],
				{cwd: path.join(base, 'cwd'), env: {...env, OLD_DB_PASSWORD: 'old-password-1'}, encoding: 'utf8', timeout: 120_000},
			);
			const run: CliResult = {status: result.status, stdout: result.stdout, stderr: result.stderr, runId: /rampart: run (\S+) of /.exec(result.stderr)?.[1]};
			expect(run.status, show(run)).toBe(0);
			const record = report(run.runId);
			expect(record).toContain('appuser logs in with the new password.');
			expect(record).toContain('The old password of appuser is refused.');
			// The old secret given as a secret input never reaches the record.
			expect(record).not.toContain('old-password-1');
			expect(login('old-password-1').status).not.toBe(0);
			expect(fs.readdirSync(secrets)).toEqual([]);
		});
	});
});
