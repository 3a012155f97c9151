// The bundled backups runbook on real services, and the restores from what
// it makes: three machines, each a lab of its own (helpers/backup-labs.ts):
//
//   server (10.203.16.1) ── backup host (10.203.16.2, 10.203.17.2) ── new server (10.203.17.1)
//
// The server has a site under /srv/www and a MariaDB database with planted
// markers; the backup host has a `borg` account and its own sshd; the new
// server stands in for the machine rebuilt after a compromise. Every runbook
// runs through the built CLI, headless, as an operator would run it.
//
// Proves, in order: the runbook refuses to go on until this server's key is
// authorized on the backup host, then sets up an encrypted repository there
// (through the line it printed: forced `borg serve --append-only
// --restrict-to-path`, `restrict`), backs up the files and the database,
// schedules the job and checks the archives, without the passphrase or the
// key in its record; a daily run finds everything in place; the repository
// holds none of the site in plain text and no dump is left on the server;
// the drill restores files and database from the backup host; dumps with a
// planted GRANT (plain, hidden in PREPARE, or a client shell command) are
// refused and create nothing; from the server, the repository cannot be
// deleted, overwritten or reached outside its path, and archive deletes and
// prunes remove no data; the backup host's roll-back (the runbook's own text)
// undoes what the server wrote after the compromise; restore-after-compromise
// on the new server restores the last good archives.
//
// Nothing reaches the host: the labs' /etc, /var, /srv, /run, /home, /root
// and /usr/local/sbin are private, their addresses exist only inside them,
// and the host's accounts, web and database configuration, services and
// network links are compared before and after.

import {spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {backupLabUnavailable, link, setUpBackupHost, startMachine, type BackupHost} from './helpers/backup-labs.js';
import {stampOf} from './helpers/backup-sets.js';
import {processesOf, repoRoot, show, watchHost, type LabResult, type WebLab} from './helpers/services.js';

const unavailable = backupLabUnavailable();
if (unavailable) console.warn(`backups system test skipped: ${unavailable}`);

const SERVER = '10.203.16.1';
const BACKUP_FOR_SERVER = '10.203.16.2';
const BACKUP_FOR_NEW = '10.203.17.2';
const NEW_SERVER = '10.203.17.1';
const REPO = '/srv/borg/web1';
const SITE = '/srv/www/example.org/public';

const nonce = randomBytes(8).toString('hex');
const FILE_MARKER = `rpbk-file-marker-${nonce}`;
const DB_MARKER = `rpbk-db-marker-${nonce}`;
const PASSPHRASE = `correct horse battery staple ${randomBytes(6).toString('hex')}`;

const hostLinks = (): string =>
	spawnSync('ip', ['-o', 'link', 'show'], {encoding: 'utf8'})
		.stdout.split('\n')
		.map(line => line.split(':')[1]?.trim() ?? '')
		.filter(name => name !== '')
		.sort()
		.join(' ');

const runIdOf = (result: LabResult): string | undefined => /rampart: run (\S+) of /.exec(result.stderr)?.[1];

const events = (result: LabResult): Array<{type: string; step?: string}> =>
	result.stdout
		.split('\n')
		.filter(line => line.startsWith('{'))
		.map(line => JSON.parse(line) as {type: string; step?: string});

/** The authorized_keys line a runbook printed for the backup host. */
const authorizedLine = (result: LabResult, comment: RegExp): string => {
	const line = new RegExp(`command="borg serve --append-only --restrict-to-path ${REPO}",restrict ssh-ed25519 [A-Za-z0-9+/=]+ ${comment.source}`).exec(
		result.stdout + result.stderr,
	)?.[0];
	expect(line, show(result)).toBeDefined();
	return line!;
};

describe.skipIf(unavailable !== undefined)(`backups, the drill and the incident restore on borg over SSH${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
	let host: ReturnType<typeof watchHost>;
	let linksBefore: string;
	let server: WebLab;
	let backupHost: WebLab;
	let newServer: WebLab;
	let backup: BackupHost;
	let setupRun: string | undefined;
	/** The first sign of the compromise: after the good backups, before anything planted. */
	let compromise: Date;

	const backupsInputs = () => [
		'--input',
		`BACKUP_HOST=${BACKUP_FOR_SERVER}`,
		'--input',
		`REPO_PATH=${REPO}`,
		'--input',
		`BACKUP_HOST_KEY=${backup.hostKey}`,
		'--input',
		'BACKUP_PATHS=/srv/www',
		'--input',
		'DATABASES=site',
	];

	/** borg on the server with the configuration the runbook wrote (root's, as the nightly job). */
	const serverBorg = (args: string[], options: {input?: string; env?: string} = {}): LabResult =>
		server.sh(`set -a; . /etc/borg-backup/borg.env; ${options.env ? `${options.env};` : ''} set +a; borg "$@"`, args, {input: options.input, timeoutMs: 300_000});

	const report = (lab: WebLab, runId: string | undefined): string => {
		expect(runId).toBeDefined();
		const result = lab.rampart(['report', runId!]);
		expect(result.code, show(result)).toBe(0);
		return result.stdout;
	};

	beforeAll(() => {
		host = watchHost();
		linksBefore = hostLinks();
		server = startMachine('backups-srv');
		backupHost = startMachine('backups-bak');
		newServer = startMachine('backups-new');
		link(server, 'veth-bak', SERVER, backupHost, 'veth-old', BACKUP_FOR_SERVER);
		link(newServer, 'veth-bak', NEW_SERVER, backupHost, 'veth-new', BACKUP_FOR_NEW);
		backup = setUpBackupHost(backupHost);

		for (const machine of [server, newServer]) {
			machine.must('systemctl start mariadb', [], {timeoutMs: 120_000});
			// The operator's copy of the passphrase, given to Rampart as --input PASSPHRASE=@/root/passphrase.
			machine.must('umask 077 && printf "%s" "$1" >/root/passphrase', [PASSPHRASE]);
		}
		server.must(
			String.raw`
mariadb -e "CREATE DATABASE site CHARACTER SET utf8mb4"
mariadb site -e "CREATE TABLE posts (id int PRIMARY KEY, title varchar(200)) ENGINE=InnoDB; INSERT INTO posts VALUES (1, 'hello'), (2, '$1')"
install -d -m 0755 "$3/wp-content/uploads/2026/12"
printf '<?php // %s\n' "$2" >"$3/index.php"
printf '<?php define("DB_NAME", "site"); // %s\n' "$2" >"$3/wp-config.php"
printf 'a photo %s\n' "$2" >"$3/wp-content/uploads/2026/12/photo.jpg"
`,
			[DB_MARKER, FILE_MARKER, SITE],
		);
	}, 300_000);

	afterAll(() => {
		const others = [newServer, backupHost].filter(Boolean);
		try {
			for (const lab of others) {
				const root = lab.root;
				lab.close();
				expect(processesOf(root), `processes the lab ${root} left behind`).toEqual([]);
			}
		} finally {
			host?.closeAndCheck(server);
			expect(hostLinks(), 'network links on the host').toBe(linksBefore);
		}
	}, 120_000);

	it('lints clean, with shellcheck', () => {
		const paths = ['backups', 'backup-restore-drill', 'restore-after-compromise'].map(id => join(repoRoot, 'runbooks', `${id}.md`));
		const result = server.rampart(['lint', ...paths]);
		expect(result.code, show(result)).toBe(0);
		expect(result.stdout + result.stderr).toContain('0 errors, 0 warnings');
	});

	it("sets up the repository on the backup host, but only once this server's key is authorized there", () => {
		const first = server.rampart(['run', 'backups', '--yes', '--ack', ...backupsInputs(), '--input', 'PASSPHRASE=@/root/passphrase'], 600_000);
		expect(first.code, show(first)).toBe(1);
		expect(first.stdout + first.stderr).toContain('the key is not authorized there');
		setupRun = runIdOf(first);

		// The administrator of the backup host adds the line exactly as printed.
		const line = authorizedLine(first, /borg-backup@\S+/);
		backupHost.must('printf "%s\\n" "$1" >>"$2"', [line, backup.authorizedKeys]);

		const resumed = server.rampart(['resume', '--yes', '--ack', '--input', 'PASSPHRASE=@/root/passphrase'], 900_000);
		expect(resumed.code, show(resumed)).toBe(0);

		// The repository is on the backup host, the account's, and encrypted with an authenticated mode.
		expect(backupHost.must('stat -c "%U %a" "$1"', [REPO]).trim()).toMatch(/^borg 7\d\d$/);
		const info = serverBorg(['info', '--json']);
		expect(info.code, show(info)).toBe(0);
		expect(JSON.parse(info.stdout).encryption.mode).toBe('repokey-blake2');
		const archives = serverBorg(['list', '--short']).stdout.trim().split('\n');
		expect(archives.filter(name => name.startsWith('files-'))).toHaveLength(1);
		expect(archives.filter(name => name.startsWith('db-site-'))).toHaveLength(1);

		// Key, passphrase and configuration only root can read; the exported key copied off and removed.
		expect(server.must('stat -c "%a %U" /etc/borg-backup /etc/borg-backup/passphrase /etc/borg-backup/ssh_key').trim().split('\n')).toEqual([
			'700 root',
			'600 root',
			'600 root',
		]);
		expect(server.sh('test -e /etc/borg-backup/offline').code).not.toBe(0);
		expect(server.must('sed -n 1p /etc/borg-backup/key-exported').trim()).toBe(
			server.must('set -a; . /etc/borg-backup/borg.env; set +a; borg key export "$BORG_REPO" | sha256sum | cut -d" " -f1').trim(),
		);

		// The daily schedule: the units are in place (and passed systemd-analyze verify), the timer enabled and started.
		expect(server.must('cat /etc/systemd/system/rampart-borg-backup.timer')).toContain('OnCalendar=*-*-* 03:15:00 UTC');
		expect(server.must('systemctl is-enabled rampart-borg-backup.timer; systemctl is-active rampart-borg-backup.timer').trim().split('\n')).toEqual([
			'enabled',
			'active',
		]);

		// What the record says, and what it must never hold: the passphrase, or the key.
		const record = report(server, setupRun);
		expect(record).toContain('A command sent over SSH was not run: the forced command is in place.');
		expect(record).toContain(`Paths outside ${REPO} are refused: --restrict-to-path is in place.`);
		expect(record).toContain('OK: db-site-');
		expect(resumed.stdout).toContain('OK: files-');
		expect(record).not.toContain(PASSPHRASE);
		const key = server.must('set -a; . /etc/borg-backup/borg.env; set +a; borg key export "$BORG_REPO"');
		for (const keyLine of key.split('\n').filter(l => l.length > 16)) expect(record).not.toContain(keyLine);
		const logs = server.sh('grep -rlF -e "$1" "$2" || true', [PASSPHRASE, server.stateDir]);
		expect(logs.stdout.trim(), 'state files holding the passphrase').toBe('');
	}, 1_200_000);

	it('a daily run finds the set-up and a recent backup in place and checks the newest archives, with no manual step or passphrase', () => {
		const daily = server.rampart(['run', 'backups', '--yes', '--json', ...backupsInputs()], 600_000);
		expect(daily.code, show(daily)).toBe(0);
		const alreadyDone = events(daily)
			.filter(e => e.type === 'step-already-done')
			.map(e => e.step);
		expect(alreadyDone).toEqual([
			'check-what-will-be-backed-up',
			'install-borg',
			'make-this-servers-backup-key-and-pin-the-backup-hosts-key',
			'write-the-backup-configuration',
			'let-this-server-append-to-its-repository-on-the-backup-host',
			'keep-the-passphrase-on-this-server-for-the-nightly-job',
			'create-the-repository',
			'export-the-key-for-offline-keeping',
			'keep-the-passphrase-and-the-key-offline',
			'install-the-backup-job',
			'schedule-the-backup-every-day',
			'back-up-now-unless-a-recent-backup-exists',
		]);
		expect(daily.stdout).toContain('a complete dump of site');
	}, 900_000);

	it('the repository holds none of the site or its database in plain text, and no dump is left on the server', () => {
		// The markers are in the site and the database, and in the archives once decrypted...
		const dump = serverBorg(['list', '--glob-archives', 'db-site-*', '--short']).stdout.trim();
		expect(serverBorg(['extract', '--stdout', `::${dump}`]).stdout).toContain(DB_MARKER);
		const files = serverBorg(['list', '--glob-archives', 'files-*', '--short']).stdout.trim();
		expect(serverBorg(['extract', '--stdout', `::${files}`, `${SITE.slice(1)}/index.php`]).stdout).toContain(FILE_MARKER);
		// ...and nowhere in the repository's files on the backup host.
		expect(Number(backupHost.must('find "$1/data" -type f | wc -l', [REPO]).trim())).toBeGreaterThan(0);
		const plain = backupHost.sh('grep -rlF --devices=skip -e "$1" -e "$2" -e "$3" -- "$4"', [FILE_MARKER, DB_MARKER, 'CREATE TABLE `posts`', REPO]);
		expect(plain.code, `plain text in the repository: ${plain.stdout}`).toBe(1);
		// No dump on the server's disk outside the database's own files.
		const leftover = server.sh('grep -rlF --devices=skip -e "$1" -- /root /var/tmp /run /etc/borg-backup /var/lib/borg-backup /srv', [DB_MARKER]);
		expect(leftover.code, `dumps left on the server: ${leftover.stdout}`).toBe(1);
	}, 300_000);

	it('the drill restores the newest archives from the backup host and verifies them', () => {
		const drill = server.rampart(['run', 'backup-restore-drill', '--yes', '--ack', '--input', 'DB_NAME=site', '--input', 'KEEP_SCRATCH=yes'], 600_000);
		expect(drill.code, show(drill)).toBe(0);
		expect(server.must('cat "$1"', [`/var/tmp/rampart-restore-drill/files${SITE}/index.php`])).toContain(FILE_MARKER);
		expect(server.must('mariadb --batch --skip-column-names site_drill -e "SELECT title FROM posts ORDER BY id"').trim().split('\n')).toEqual(['hello', DB_MARKER]);
		expect(server.must('mariadb --batch --skip-column-names -e "SELECT COUNT(*) FROM mysql.user WHERE user = \'rampart_restore\'"').trim()).toBe('0');
		const record = report(server, runIdOf(drill));
		expect(record).toContain('passes borg check');
		expect(record).toContain('with the same SHA-256');
		expect(record).toContain('tables of the dump are in site_drill');
	}, 900_000);

	describe('a tampered dump (the newest, as a compromised server could add one) restores without creating its grant', () => {
		const accounts = () => server.must('mariadb --batch --skip-column-names -e "SELECT user, host FROM mysql.user ORDER BY 1, 2"');
		let realDump: string;
		let before: string;

		/** Adds db-site-<now> holding the real dump with `planted` before its last line; returns the archive's name. */
		const plant = async (planted: string): Promise<string> => {
			await new Promise(resolve => setTimeout(resolve, 1100));
			const lines = realDump.trimEnd().split('\n');
			const tampered = [...lines.slice(0, -1), planted, lines.at(-1), ''].join('\n');
			const name = `db-site-${stampOf(new Date(Math.floor(Date.now() / 1000) * 1000))}`;
			const created = serverBorg(['create', '--stdin-name', 'site.sql', `::${name}`, '-'], {input: tampered});
			expect(created.code, show(created)).toBe(0);
			return name;
		};

		const drill = () => server.rampart(['run', 'backup-restore-drill', '--yes', '--ack', '--input', 'DB_NAME=site', '--input', 'KEEP_SCRATCH=yes'], 600_000);

		beforeAll(async () => {
			// Everything from here on happens after the first sign of the compromise.
			compromise = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);
			await new Promise(resolve => setTimeout(resolve, compromise.getTime() + 1000 - Date.now()));
			realDump = server.must('mariadb-dump --single-transaction site');
			before = accounts();
		}, 60_000);

		const noGrant = () => {
			expect(server.must("mariadb --batch --skip-column-names -e \"SELECT COUNT(*) FROM mysql.user WHERE user IN ('x', 'rampart_restore')\"").trim()).toBe('0');
			expect(accounts()).toBe(before);
		};

		it('a plain GRANT is found before loading, and nothing is loaded', async () => {
			const name = await plant("GRANT ALL ON *.* TO 'x'@'%' IDENTIFIED BY 'planted-password';");
			const result = drill();
			expect(result.code, show(result)).toBe(1);
			expect(result.stdout + result.stderr).toContain(`DRILL FAILED: the dump in ${name} has statements that change accounts or choose a database; it was not loaded`);
			expect(result.stdout + result.stderr).toMatch(/line \d+: GRANT/);
			noGrant();
		}, 900_000);

		it('a GRANT hidden from the scan is refused by the restore-only account (Access denied)', async () => {
			const name = await plant("SET @s = CONCAT('GR', 'ANT ALL ON *.* TO ''x''@''%'' IDENTIFIED BY ''planted-password''');\nPREPARE st FROM @s;\nEXECUTE st;");
			const result = drill();
			expect(result.code, show(result)).toBe(1);
			expect(result.stdout + result.stderr).toContain(`DRILL FAILED: loading ${name} into site_drill as rampart_restore (privileges on site_drill only) failed`);
			expect(result.stdout + result.stderr).toContain("Access denied for user 'rampart_restore'@'localhost'");
			noGrant();
		}, 900_000);

		it('a client shell command in the dump is refused by the sandbox, and nothing runs', async () => {
			await plant('\\! touch /root/rpbk-planted-shell-command');
			const result = drill();
			expect(result.code, show(result)).toBe(1);
			expect(result.stdout + result.stderr).toContain('Not allowed in the sandbox mode');
			expect(server.sh('test -e /root/rpbk-planted-shell-command').code).not.toBe(0);
			noGrant();
		}, 900_000);
	});

	it('from the server, the repository cannot be deleted, overwritten or reached outside its path; deletes and prunes remove no data', () => {
		const segments = () => backupHost.must('cd "$1" && find data config -type f -print0 | sort -z | xargs -0 sha256sum', [REPO]);
		const before = segments();
		const sshToBackup = (command: string) =>
			server.sh(
				'ssh -i /etc/borg-backup/ssh_key -o IdentitiesOnly=yes -o UserKnownHostsFile=/etc/borg-backup/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes "borg@$1" "$2" </dev/null',
				[BACKUP_FOR_SERVER, command],
			);

		// Deleting the whole repository is refused by borg serve --append-only.
		const destroy = serverBorg(['delete', '--force'], {env: 'BORG_DELETE_I_KNOW_WHAT_I_AM_DOING=YES'});
		expect(destroy.code, show(destroy)).not.toBe(0);
		expect(destroy.stderr).toContain('is in append-only mode');
		// A new repository over it is refused.
		const reinit = serverBorg(['init', '--encryption=none']);
		expect(reinit.code, show(reinit)).not.toBe(0);
		expect(reinit.stderr).toContain('A repository already exists');
		// The key runs nothing but borg serve, and only in its own repository.
		const shell = sshToBackup(`rm -rf ${REPO}; echo rpbk-shell-ran`);
		expect(shell.stdout).not.toContain('rpbk-shell-ran');
		const copy = server.sh(
			'scp -i /etc/borg-backup/ssh_key -o IdentitiesOnly=yes -o UserKnownHostsFile=/etc/borg-backup/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes /etc/hostname "borg@$1:$2/config"',
			[BACKUP_FOR_SERVER, REPO],
		);
		expect(copy.code, show(copy)).not.toBe(0);
		const elsewhere = server.sh('set -a; . /etc/borg-backup/borg.env; set +a; borg init --encryption=repokey-blake2 "ssh://borg@$1:22/srv/borg/another"', [
			BACKUP_FOR_SERVER,
		]);
		expect(elsewhere.code, show(elsewhere)).not.toBe(0);
		expect(elsewhere.stderr).toContain('Repository path not allowed');

		// Deleting archives, pruning and compacting "succeed" (borg 1.2 records them in append-only
		// mode; the archives disappear from the list) but remove and rewrite nothing on the backup host.
		for (const args of [['delete', '--glob-archives', 'files-*'], ['prune', '--keep-last', '1', '--glob-archives', 'db-site-*'], ['compact']]) {
			const result = serverBorg(args);
			expect(result.code, show(result)).toBe(0);
		}
		expect(serverBorg(['list', '--short']).stdout.trim().split('\n')).toHaveLength(1);
		const after = segments();
		const lines = (text: string) => text.trim().split('\n');
		for (const line of lines(before)) expect(lines(after), 'a repository file removed or rewritten').toContain(line);
		expect(lines(after).length).toBeGreaterThan(lines(before).length);
	}, 600_000);

	it("after the compromise, the backup host rolls back the server's writes and restore-after-compromise restores the last good archives on a new server", () => {
		const firstSign = stampOf(compromise);
		// The backup host's administrator: shut out the old server's key, then run the runbook's roll-back as written.
		backupHost.must('sed -i -e "/borg-backup@/d" "$1"', [backup.authorizedKeys]);
		const runbook = readFileSync(join(repoRoot, 'runbooks', 'restore-after-compromise.md'), 'utf8');
		const block = [...runbook.matchAll(/```text\n([\s\S]*?)```/g)].map(m => m[1]!).find(text => text.includes('first_sign='));
		expect(block).toBeDefined();
		const script = block!.replace(/^repo=.*$/m, `repo=${REPO}`).replace(/^first_sign=.*$/m, `first_sign=${firstSign}`);
		const rolledBack = backupHost.sh(script);
		expect(rolledBack.code, show(rolledBack)).toBe(0);
		expect(rolledBack.stdout).toMatch(/Rolled back to transaction \d+, the last write before the first sign; \d+ later writes undone\./);
		expect(backupHost.must('ls -d /srv/borg/web1.incident-*').trim()).not.toBe('');
		// The old server is shut out.
		expect(serverBorg(['list', '--short']).code).not.toBe(0);

		const inputs = [
			'--input',
			`COMPROMISE_FIRST_SEEN=${firstSign}`,
			'--input',
			'SYMPTOMS=planted GRANTs in the newest dumps; archives deleted',
			'--input',
			'EVIDENCE_DIR=/root/incident-evidence',
			'--input',
			`OPERATOR_IP=${NEW_SERVER}`,
			'--input',
			`REPOSITORY=ssh://borg@${BACKUP_FOR_NEW}:22${REPO}`,
			'--input',
			`BACKUP_HOST_KEY=${backup.hostKey}`,
			'--input',
			'DB_NAME=site',
			'--input',
			'PASSPHRASE=@/root/passphrase',
		];
		const first = newServer.rampart(['run', 'restore-after-compromise', '--yes', '--ack', ...inputs], 900_000);
		expect(first.code, show(first)).toBe(1);
		// The backup host's administrator authorizes the restore key, with the line printed.
		backupHost.must('printf "%s\\n" "$1" >>"$2"', [authorizedLine(first, /borg-restore@\S+/), backup.authorizedKeys]);
		const resumed = newServer.rampart(['resume', '--yes', '--ack', '--input', 'PASSPHRASE=@/root/passphrase'], 900_000);
		expect(resumed.code, show(resumed)).toBe(0);

		expect(newServer.must('cat "$1"', [`/srv/restore${SITE}/index.php`])).toContain(FILE_MARKER);
		expect(newServer.must('mariadb --batch --skip-column-names site_restore -e "SELECT title FROM posts ORDER BY id"').trim().split('\n')).toEqual(['hello', DB_MARKER]);
		expect(newServer.must("mariadb --batch --skip-column-names -e \"SELECT COUNT(*) FROM mysql.user WHERE user IN ('x', 'rampart_restore')\"").trim()).toBe('0');
		const timeline = report(newServer, runIdOf(first));
		// The archives the server deleted are back, the planted ones gone: the good ones are chosen.
		expect(timeline).toMatch(/Chosen: files-\S+, the newest files archive made before the first sign\./);
		expect(timeline).toMatch(/Chosen: db-site-\S+, the newest dump of site made before the first sign\./);
		expect(timeline).not.toContain('AFTER the first sign');
		expect(timeline).toContain('verified: every chunk read and authenticated');
		expect(timeline).not.toContain(PASSPHRASE);
	}, 1_800_000);
});
