import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import type {ActiveRunHolder} from '../../source/journal/types.js';
import {acquireRunLock, readRunLock, RunAlreadyActiveError} from '../../source/journal/lock.js';
import {lockPath} from '../../source/journal/layout.js';
import {childScript, deadPid, tempStateDir} from './helpers.js';

function writeHolder(stateDir: string, runbookId: string, holder: ActiveRunHolder): string {
	const file = lockPath(stateDir, runbookId);
	fs.mkdirSync(path.dirname(file), {recursive: true});
	fs.writeFileSync(file, JSON.stringify(holder));
	return file;
}

function holderIn(file: string): ActiveRunHolder {
	return JSON.parse(fs.readFileSync(file, 'utf8')) as ActiveRunHolder;
}

describe('the run lock', () => {
	it('writes who holds it, and a second acquire says who and since when', () => {
		const stateDir = tempStateDir();
		const lock = acquireRunLock(stateDir, 'firewall', 'run-1');
		expect(lock.path).toBe(path.join(stateDir, 'locks', 'firewall.lock'));
		const holder = holderIn(lock.path);
		expect(holder).toEqual({pid: process.pid, host: os.hostname(), since: lock.holder.since, runId: 'run-1'});
		expect(readRunLock(stateDir, 'firewall')).toEqual({...holder, alive: true});

		let caught: unknown;
		try {
			acquireRunLock(stateDir, 'firewall', 'run-2');
		} catch (error) {
			caught = error;
		}

		expect(caught).toBeInstanceOf(RunAlreadyActiveError);
		expect((caught as Error).message).toContain(`already running (pid ${process.pid} on host ${os.hostname()} since ${holder.since})`);
		expect((caught as RunAlreadyActiveError).holder).toEqual(holder);
		expect(holderIn(lock.path).runId).toBe('run-1');

		lock.release();
		expect(fs.existsSync(lock.path)).toBe(false);
		expect(readRunLock(stateDir, 'firewall')).toBeUndefined();
		acquireRunLock(stateDir, 'firewall', 'run-2').release();
	});

	it('keeps runbooks apart, even ones whose ids differ only in unsafe characters', () => {
		const stateDir = tempStateDir();
		const slash = acquireRunLock(stateDir, 'a/b', 'run-1');
		const dash = acquireRunLock(stateDir, 'a-b', 'run-2');
		const dot = acquireRunLock(stateDir, '.hidden', 'run-3');
		expect(new Set([slash.path, dash.path, dot.path]).size).toBe(3);
		for (const lock of [slash, dash, dot]) {
			expect(path.dirname(lock.path)).toBe(path.join(stateDir, 'locks'));
			expect(path.basename(lock.path).startsWith('.')).toBe(false);
		}
	});

	it('release leaves a lock that is no longer ours', () => {
		const stateDir = tempStateDir();
		const lock = acquireRunLock(stateDir, 'firewall', 'run-1');
		fs.writeFileSync(lock.path, JSON.stringify({...lock.holder, runId: 'someone-else'}));
		lock.release();
		expect(holderIn(lock.path).runId).toBe('someone-else');
	});

	it('takes over a lock whose process is gone', async () => {
		const stateDir = tempStateDir();
		const pid = await deadPid();
		const file = writeHolder(stateDir, 'firewall', {pid, host: os.hostname(), since: '2026-01-01T00:00:00.000Z', runId: 'crashed'});
		expect(readRunLock(stateDir, 'firewall')).toMatchObject({pid, alive: false});

		const lock = acquireRunLock(stateDir, 'firewall', 'run-new');
		expect(holderIn(file)).toMatchObject({pid: process.pid, runId: 'run-new'});
		// Nothing left behind by the takeover.
		expect(fs.readdirSync(path.dirname(file))).toEqual(['firewall.lock']);
		lock.release();
	});

	it('does not take over a lock held on another host, whatever its pid', async () => {
		const stateDir = tempStateDir();
		const pid = await deadPid();
		writeHolder(stateDir, 'firewall', {pid, host: `not-${os.hostname()}`, since: '2026-01-01T00:00:00.000Z', runId: 'remote'});
		expect(readRunLock(stateDir, 'firewall')).toMatchObject({alive: true});
		expect(() => acquireRunLock(stateDir, 'firewall', 'run-new')).toThrow(`already running (pid ${pid} on host not-${os.hostname()} since 2026-01-01T00:00:00.000Z)`);
	});

	it('takes over an unreadable lock file once it is a few seconds old', () => {
		const stateDir = tempStateDir();
		const file = lockPath(stateDir, 'firewall');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, '{"pid": 12');
		const old = new Date(Date.now() - 60_000);
		fs.utimesSync(file, old, old);
		expect(readRunLock(stateDir, 'firewall')).toBeUndefined();
		acquireRunLock(stateDir, 'firewall', 'run-new');
		expect(holderIn(file).runId).toBe('run-new');
	});

	it('waits out a fresh unreadable lock file (its writer may be mid-write), then takes it over', () => {
		const stateDir = tempStateDir();
		const file = lockPath(stateDir, 'firewall');
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, '');
		const started = Date.now();
		acquireRunLock(stateDir, 'firewall', 'run-new');
		expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
		expect(holderIn(file).runId).toBe('run-new');
	});
});

describe('racing for a stale lock', () => {
	it('exactly one of two processes wins, every time', async () => {
		const script = childScript();
		for (let round = 0; round < 8; round++) {
			const stateDir = tempStateDir();
			const file = writeHolder(stateDir, 'firewall', {pid: await deadPid(), host: os.hostname(), since: '2026-01-01T00:00:00.000Z', runId: 'crashed'});
			const goAt = Date.now() + 400;
			const children = ['racer-a', 'racer-b'].map(runId => {
				const child = spawn(process.execPath, [script, 'lock', stateDir, 'firewall', runId, String(goAt)], {stdio: ['pipe', 'pipe', 'inherit']});
				const said = new Promise<string>((resolve, reject) => {
					let out = '';
					child.stdout.setEncoding('utf8');
					child.stdout.on('data', (chunk: string) => {
						out += chunk;
						if (out.includes('\n')) {
							resolve(out.trim());
						}
					});
					child.on('error', reject);
					child.on('exit', code => reject(new Error(`racer exited early with ${code}`)));
				});
				return {runId, child, said};
			});

			// Both answer while both are still alive, so a winner cannot have gone stale yet.
			const answers = await Promise.all(children.map(async racer => ({runId: racer.runId, said: await racer.said})));
			for (const {child} of children) {
				child.removeAllListeners('exit');
				child.stdin.end();
			}

			await Promise.all(children.map(async ({child}) => new Promise(resolve => child.on('exit', resolve))));

			const winners = answers.filter(answer => answer.said === 'won');
			const losers = answers.filter(answer => answer.said.startsWith('lost '));
			expect(winners, JSON.stringify(answers)).toHaveLength(1);
			expect(losers).toHaveLength(1);
			expect(losers[0]!.said).toContain('already running (pid ');
			expect(holderIn(file).runId).toBe(winners[0]!.runId);
			expect(fs.readdirSync(path.dirname(file))).toEqual(['firewall.lock']);
		}
	});
});
