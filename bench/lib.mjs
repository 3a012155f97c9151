// Shared helpers for the benchmarks: timing child processes, reading their
// memory from /proc, driving the TUI in a real pseudo-terminal, and medians.
// Every figure is measured beside its reference in the same run, interleaved,
// so that a noisy machine moves both alike and the ratio stays meaningful.

import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const rampart = process.env.BENCH_RAMPART ?? join(root, 'dist', 'rampart.js');
export const node = process.execPath;

export const median = values => {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export const ms = value => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
export const mb = kb => `${(kb / 1024).toFixed(1)} MB`;
export const ratio = value => `${value.toFixed(2)}×`;

export const scratch = name => mkdtempSync(join(tmpdir(), `rampart-bench-${name}-`));
export const cleanup = dir => rmSync(dir, {recursive: true, force: true});

/** `which`, without a shell. */
export const hasCommand = command => spawnSync('sh', ['-c', `command -v ${command}`], {stdio: 'ignore'}).status === 0;

/** A benchmark's own environment: its own state directory and runbook directory only. */
export const benchEnv = (home, runbooks) => ({
	...process.env,
	RAMPART_HOME: home,
	RAMPART_RUNBOOKS: runbooks ?? '',
	NO_COLOR: undefined,
	TERM: 'xterm-256color',
});

const procStatus = (pid, field) => {
	try {
		const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
		return match ? Number(match[1]) : undefined;
	} catch {
		return undefined;
	}
};
export const peakRssKb = pid => procStatus(pid, 'VmHWM');
export const rssKb = pid => procStatus(pid, 'VmRSS');

/**
 * Runs a command to the end and returns its wall time and peak RSS. The peak
 * is VmHWM polled every 10 ms (the last reading is at most 10 ms before
 * exit; the high-water mark never goes down, so only an allocation in those
 * last 10 ms could be missed).
 */
export const timed = (command, args, {env = process.env, cwd = root, stdout = 'ignore', exitCodes = [0]} = {}) =>
	new Promise((resolve, reject) => {
		const start = performance.now();
		const child = spawn(command, args, {env, cwd, stdio: ['ignore', stdout, 'pipe']});
		let stderr = '';
		child.stderr.on('data', chunk => {
			stderr += chunk;
		});
		let peak = 0;
		const poll = setInterval(() => {
			peak = Math.max(peak, peakRssKb(child.pid) ?? 0);
		}, 10);
		child.on('error', reject);
		child.on('exit', code => {
			const wall = performance.now() - start;
			clearInterval(poll);
			if (!exitCodes.includes(code)) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
			else resolve({wall, peakKb: peak});
		});
	});

/** Loads the PTY and terminal emulator, or says why they cannot be used. */
export const loadPty = async () => {
	try {
		const pty = (await import('@lydell/node-pty')).default;
		const xterm = (await import('@xterm/headless')).default;
		// Check a PTY can actually be opened here (containers without /dev/pts).
		const probe = pty.spawn('/bin/true', [], {cols: 80, rows: 24});
		await new Promise(resolve => probe.onExit(resolve));
		return {pty, Terminal: xterm.Terminal};
	} catch (error) {
		return {missing: `no usable pseudo-terminal (${error.message.split('\n')[0]})`};
	}
};

/**
 * A process in a pseudo-terminal with a terminal emulator reading its output,
 * so "the screen shows X" means what a person would see.
 */
export class Screen {
	constructor({pty, Terminal}, command, args, {env, cwd = root, cols = 100, rows = 30} = {}) {
		this.term = new Terminal({cols, rows, allowProposedApi: true, scrollback: 0});
		this.start = performance.now();
		this.proc = pty.spawn(command, args, {name: 'xterm-256color', cols, rows, cwd, env});
		this.pid = this.proc.pid;
		this.waiters = [];
		this.exited = new Promise(resolve => this.proc.onExit(resolve));
		this.proc.onData(data => {
			// write() parses asynchronously: look at the screen once it has.
			this.term.write(data, () => this.check());
		});
	}

	text() {
		const buffer = this.term.buffer.active;
		const lines = [];
		for (let i = 0; i < this.term.rows; i++) lines.push(buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? '');
		return lines.join('\n');
	}

	check() {
		if (this.waiters.length === 0) return;
		const text = this.text();
		const now = performance.now();
		this.waiters = this.waiters.filter(waiter => {
			if (!waiter.test(text)) return true;
			clearTimeout(waiter.timer);
			waiter.resolve(now);
			return false;
		});
	}

	/** Resolves with the time (performance.now()) the screen first satisfies `test`. */
	until(test, timeoutMs = 15_000, label = String(test)) {
		const predicate = typeof test === 'string' ? text => text.includes(test) : test;
		return new Promise((resolve, reject) => {
			const waiter = {test: predicate, resolve};
			waiter.timer = setTimeout(() => {
				this.waiters = this.waiters.filter(w => w !== waiter);
				reject(new Error(`screen never showed ${label} within ${timeoutMs} ms; it shows:\n${this.text()}`));
			}, timeoutMs);
			this.waiters.push(waiter);
			this.check();
		});
	}

	write(keys) {
		this.proc.write(keys);
	}

	async kill() {
		try {
			this.proc.kill('SIGKILL');
		} catch {
			// Already gone.
		}
		await Promise.race([this.exited, new Promise(resolve => setTimeout(resolve, 2000))]);
		this.term.dispose();
	}
}

/** Runs a command in a PTY until it exits; returns the wall time. */
export const ptyWall = async (ptyLib, command, args, options) => {
	const screen = new Screen(ptyLib, command, args, options);
	await screen.exited;
	const wall = performance.now() - screen.start;
	screen.term.dispose();
	return wall;
};

/** Writes a runbook file from steps of shell code. */
export const runbookText = (title, steps) =>
	`---\ntitle: ${title}\n---\n\n# ${title}\n\n` + steps.map((code, i) => `## Step ${i + 1}\n\n\`\`\`sh\n${code}\n\`\`\`\n`).join('\n');

/** Runs rampart to the end (exit 0 required) and returns its output. */
export const rampartSync = (args, env) => {
	const result = spawnSync(node, [rampart, ...args], {env, encoding: 'utf8', maxBuffer: 1 << 30});
	if (result.status !== 0) throw new Error(`rampart ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
	return result.stdout;
};

const seconds = text => {
	const match = /^(\d+)m([\d.]+)s$/.exec(text);
	if (!match) throw new Error(`cannot read ${JSON.stringify(text)} from bash's times`);
	return Number(match[1]) * 60 + Number(match[2]);
};

/**
 * Runs a command to the end (through bash, whose `times` then reports the
 * user and system CPU time of everything it waited for: the command and all
 * its descendants) and returns its wall time and CPU time, both in ms. The
 * command's output goes to /dev/null.
 */
export const timedWithCpu = (command, args, {env = process.env, cwd = root, exitCodes = [0]} = {}) =>
	new Promise((resolve, reject) => {
		const start = performance.now();
		const script = '"$@" > /dev/null 2>&1; status=$?; times; exit $status';
		const child = spawn('bash', ['-c', script, 'bash', command, ...args], {env, cwd, stdio: ['ignore', 'pipe', 'ignore']});
		let out = '';
		child.stdout.on('data', chunk => {
			out += chunk;
		});
		child.on('error', reject);
		child.on('close', code => {
			const wall = performance.now() - start;
			if (!exitCodes.includes(code)) return reject(new Error(`${command} ${args.join(' ')} exited ${code}`));
			// The second line of `times`: user and system time of the shell's children.
			const [user, system] = (out.trim().split('\n')[1] ?? '').split(/\s+/);
			resolve({wall, cpu: (seconds(user) + seconds(system)) * 1000});
		});
	});
