// A private MariaDB server for the backup system tests: its own datadir and
// socket in a temp directory, no TCP (--skip-networking), no systemd, no
// configuration files read (--no-defaults). It never touches the host's
// MariaDB, if there is one.

import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface PrivateMariadb {
	socket: string;
	/** Runs SQL through the socket as root and returns stdout (batch mode, no column names). */
	sql(statements: string, database?: string): string;
	stop(): Promise<void>;
}

const which = (command: string): string | undefined => {
	const found = spawnSync('sh', ['-c', `command -v ${command}`], {encoding: 'utf8'});
	return found.status === 0 ? found.stdout.trim() : undefined;
};

/** True when the MariaDB server and client this helper needs are installed. */
export const mariadbAvailable = (): boolean =>
	['mariadbd', 'mariadb-install-db', 'mariadb', 'mariadb-admin'].every(c => which(c) !== undefined) && spawnSync('id', ['mysql']).status === 0;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Initialises a datadir under `base` (which must be traversable by the mysql
 * user) and starts mariadbd on it. Resolves once the server answers a ping.
 */
export const startMariadb = async (base: string): Promise<PrivateMariadb> => {
	const datadir = path.join(base, 'data');
	const socket = path.join(datadir, 'mysql.sock');
	fs.mkdirSync(datadir, {recursive: true});
	fs.chmodSync(base, 0o755);
	spawnSync('chown', ['mysql:mysql', datadir]);
	const init = spawnSync('mariadb-install-db', ['--no-defaults', '--user=mysql', `--datadir=${datadir}`, '--skip-test-db', '--auth-root-authentication-method=socket'], {
		encoding: 'utf8',
	});
	if (init.status !== 0) throw new Error(`mariadb-install-db failed (${init.status}):\n${init.stdout}\n${init.stderr}`);

	const log = fs.openSync(path.join(base, 'mariadbd.log'), 'a');
	const server: ChildProcess = spawn(
		'mariadbd',
		[
			'--no-defaults',
			'--user=mysql',
			`--datadir=${datadir}`,
			`--socket=${socket}`,
			'--skip-networking',
			`--pid-file=${path.join(datadir, 'mariadbd.pid')}`,
			'--innodb-buffer-pool-size=32M',
		],
		{stdio: ['ignore', log, log], detached: true},
	);
	fs.closeSync(log);
	let exited = false;
	server.on('exit', () => {
		exited = true;
	});

	const client = (args: string[], input?: string) =>
		spawnSync('mariadb', ['--no-defaults', `--socket=${socket}`, '--user=root', '--batch', '--skip-column-names', ...args], {encoding: 'utf8', input});

	const deadline = Date.now() + 60_000;
	for (;;) {
		if (exited) throw new Error(`mariadbd exited at start-up:\n${fs.readFileSync(path.join(base, 'mariadbd.log'), 'utf8')}`);
		if (fs.existsSync(socket) && client(['-e', 'SELECT 1']).status === 0) break;
		if (Date.now() > deadline) {
			server.kill('SIGKILL');
			throw new Error(`mariadbd did not answer within 60 s:\n${fs.readFileSync(path.join(base, 'mariadbd.log'), 'utf8')}`);
		}
		await sleep(200);
	}

	return {
		socket,
		sql(statements, database) {
			const result = client(database ? [database] : [], statements);
			if (result.status !== 0) throw new Error(`SQL failed: ${result.stderr}\n${statements}`);
			return result.stdout;
		},
		async stop() {
			if (exited) return;
			spawnSync('mariadb-admin', ['--no-defaults', `--socket=${socket}`, '--user=root', 'shutdown'], {timeout: 30_000});
			const until = Date.now() + 30_000;
			while (!exited && Date.now() < until) await sleep(100);
			if (!exited && server.pid !== undefined) {
				try {
					process.kill(-server.pid, 'SIGKILL');
				} catch {
					// Already gone.
				}
				while (!exited) await sleep(50);
			}
		},
	};
};
