// One multiplexed OpenSSH connection per host: the operator's own `ssh`,
// with their ~/.ssh/config, keys, agent, jump hosts and known_hosts. Host
// keys are checked as their config says; Rampart never turns that off. The
// master runs in the foreground as Rampart's child, its control socket in a
// private 0700 directory. Its own session is the host's Rampart agent
// (bootstrap.ts), which runs every block there: one login shell per host. It
// ends with Rampart: the agent reads the pipe from Rampart, which closes when
// Rampart exits, however it exits.

import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {agentCommand} from './bootstrap.js';
import type {FleetHost} from './targets.js';

export type ConnectFailure = 'unreachable' | 'host-key' | 'auth' | 'ssh-missing' | 'other';

export class ConnectError extends Error {
	override name = 'ConnectError';
	constructor(
		readonly host: string,
		readonly kind: ConnectFailure,
		message: string,
	) {
		super(message);
	}
}

/** Where the connection ended up, as the two ends see it. */
export interface ConnectionFacts {
	/** `SSH_CONNECTION` on the host: the operator's address and port, then the host's. */
	sshConnection: string;
	/** The host's address as it answered. */
	address: string;
	/** The operator's address as the host sees it (what a firewall there must let in). */
	clientAddress: string;
	/** The host key the connection was checked against: `ssh-ed25519 SHA256:…`. */
	hostKey?: string;
}

/** A private directory for the control sockets of one Rampart process. */
export const controlDirectory = (): {path: string; remove: () => void} => {
	// mkdtemp makes it 0700: nobody else can reach a socket in it.
	const path = mkdtempSync(join(tmpdir(), 'rampart-ssh-'));
	return {path, remove: () => rmSync(path, {recursive: true, force: true})};
};

/** Options every ssh command for this host gets. */
const hostOptions = (host: FleetHost, batch: boolean): string[] => [
	...(host.port !== undefined ? ['-p', String(host.port)] : []),
	...(host.user !== undefined ? ['-l', host.user] : []),
	...(host.identityFile !== undefined ? ['-i', host.identityFile] : []),
	...(batch ? ['-o', 'BatchMode=yes'] : []),
	...host.sshArgs,
];

const READY = 'rampart-ready ';

/** What failed, from OpenSSH's own words (its message is quoted to the operator as it is). */
const classify = (said: string): ConnectFailure => {
	if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|host key for .* has changed|No \S+ host key is known/i.test(said)) return 'host-key';
	if (/Permission denied|Too many authentication failures|no matching host key type/i.test(said)) return 'auth';
	if (/Connection refused|Connection timed out|No route to host|Could not resolve hostname|Network is unreachable|Connection closed by|Connection reset/i.test(said))
		return 'unreachable';
	return 'other';
};

/** OpenSSH's message without its debug lines and banner rules. */
const openSshWords = (stderr: string): string =>
	stderr
		.split(/\r?\n/)
		.filter(line => line.trim() !== '' && !/^debug\d:|^OpenSSH_|^@+$|^Authenticated to|^Transferred:|^Bytes per second/.test(line))
		.slice(0, 14)
		.join('\n');

export class SshConnection {
	private lostReason: string | undefined;
	private readonly lostWaiters = new Set<() => void>();

	private agentTaken = false;

	private constructor(
		readonly host: FleetHost,
		readonly controlPath: string,
		private readonly master: ChildProcess,
		readonly facts: ConnectionFacts,
	) {
		master.on('exit', () => {
			this.lostReason ??= 'the connection closed';
			for (const wake of this.lostWaiters) wake();
		});
	}

	/**
	 * Connects, or fails with OpenSSH's own words: an unknown or changed host
	 * key refuses the host, as `ssh` would. `batch`: never ask for anything
	 * (no terminal); otherwise a passphrase may be asked on the terminal.
	 */
	static async open(host: FleetHost, dir: string, name: string, batch: boolean, env: NodeJS.ProcessEnv = process.env): Promise<SshConnection> {
		if (host.destination.startsWith('-')) throw new ConnectError(host.name, 'other', `${host.name}: the address ${host.destination} is not a host name`);
		const controlPath = join(dir, name);
		// ssh's own messages (and the host key it checked, from -v) go to a file in the
		// private directory, so its stderr carries only what the host's agent says.
		const log = `${controlPath}.log`;
		const args = [
			'-v',
			'-E',
			log,
			...hostOptions(host, batch),
			'-o',
			'ControlMaster=yes',
			'-o',
			'ControlPersist=no',
			'-S',
			controlPath,
			// A dead link is noticed in about 45 s, not at the next TCP timeout.
			'-o',
			'ServerAliveInterval=15',
			'-T',
			'--',
			host.destination,
			`printf '${READY}%s\\n' "$SSH_CONNECTION"; ${agentCommand(host.become, host.becomeUser)}`,
		];
		// Headless, the master leaves the terminal's process group (a Ctrl-C is Rampart's to
		// pass on as a stop); on a terminal it stays in it, so ssh can ask for a passphrase.
		const master = spawn('ssh', args, {env, stdio: 'pipe', detached: batch});
		const said = () => {
			try {
				return readFileSync(log, 'utf8');
			} catch {
				return '';
			}
		};
		let stdout = '';
		master.stdin?.on('error', () => {});
		const ready = await new Promise<ConnectionFacts | ConnectError>(resolve => {
			master.on('error', error => {
				const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
				resolve(
					new ConnectError(
						host.name,
						missing ? 'ssh-missing' : 'other',
						missing ? 'ssh was not found on PATH: install the OpenSSH client (apt-get install openssh-client)' : error.message,
					),
				);
			});
			const onData = (chunk: Buffer) => {
				stdout += chunk.toString('latin1');
				const at = stdout.indexOf(READY);
				const end = at === -1 ? -1 : stdout.indexOf('\n', at);
				if (end === -1) return;
				// What follows the line is the agent's: it waits for the agent's reader.
				master.stdout?.off('data', onData);
				master.stdout?.pause();
				const rest = Buffer.from(stdout.slice(end + 1), 'latin1');
				if (rest.length > 0) master.stdout?.unshift(rest);
				const sshConnection = stdout.slice(at + READY.length, end).trim();
				const [clientAddress = '', , address = ''] = sshConnection.split(' ');
				const key = /Server host key: (\S+) (\S+)/.exec(said());
				resolve({sshConnection, address, clientAddress, ...(key ? {hostKey: `${key[1]} ${key[2]}`} : {})});
			};
			master.stdout?.on('data', onData);
			// The agent's stderr (sudo refusing, the login shell's words) is kept for its reader.
			master.stderr?.pause();
			master.on('exit', code => {
				const written = said();
				resolve(new ConnectError(host.name, classify(written), openSshWords(written) || `ssh exited with ${code}`));
			});
		});
		if (ready instanceof ConnectError) {
			master.kill('SIGKILL');
			throw ready;
		}
		return new SshConnection(host, controlPath, master, ready);
	}

	/**
	 * The host's agent: the master's own session, whose stdin, stdout and
	 * stderr are the agent's. Given once; undefined after (the agent does not
	 * outlive its connection).
	 */
	openAgent(): ChildProcess | undefined {
		if (this.agentTaken) return undefined;
		this.agentTaken = true;
		return this.master;
	}

	/** Why the connection is gone, or undefined while it is up. */
	get lost(): string | undefined {
		return this.lostReason;
	}

	/** Resolves true if the connection is (or within `ms` turns out) lost: a 255 from ssh may be either. */
	lostWithin(ms: number): Promise<boolean> {
		if (this.lostReason !== undefined) return Promise.resolve(true);
		return new Promise(resolve => {
			const wake = () => {
				clearTimeout(timer);
				this.lostWaiters.delete(wake);
				resolve(true);
			};
			const timer = setTimeout(() => {
				this.lostWaiters.delete(wake);
				resolve(false);
			}, ms);
			this.lostWaiters.add(wake);
		});
	}

	/** Ends the master (its stdin is the agent's: the agent leaves first, on its own) and so the connection; waits for it to go. */
	async close(): Promise<void> {
		if (this.master.exitCode !== null || this.master.signalCode !== null) return;
		this.lostReason ??= 'closed by Rampart';
		const gone = new Promise<void>(resolve => this.master.once('exit', () => resolve()));
		this.master.stdin?.end();
		const timer = setTimeout(() => this.master.kill('SIGTERM'), 3000);
		await gone;
		clearTimeout(timer);
	}
}
