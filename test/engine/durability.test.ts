// Group commit: a step's start and a block's end share the fsync of the event
// that always follows them. What must hold is that no block runs before its
// start is on disk, and no step ends before its end (and its log) are.

import fs from 'node:fs';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {createRunJournal} from '../../source/journal/run-journal.js';
import {journalPath} from '../../source/journal/index.js';
import {note, tempStateDir} from '../journal/helpers.js';
import {fixture, frontMatter, sh, startSession} from './helpers.js';

type Op = {op: 'write'; fd: number; type?: string} | {op: 'fsync'; fd: number} | {op: 'dir-fsync'};

/** Records every write and fsync the engine makes, in order. */
const recordDiskOps = () => {
	const ops: Op[] = [];
	const dirFds = new Set<number>();
	const {openSync, writeSync, fsyncSync, fsync} = fs;
	vi.spyOn(fs, 'openSync').mockImplementation(((file: fs.PathLike, ...rest: unknown[]) => {
		const fd = (openSync as (...args: unknown[]) => number)(file, ...rest);
		if (fs.statSync(file).isDirectory()) dirFds.add(fd);
		return fd;
	}) as typeof fs.openSync);
	vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: unknown, ...rest: unknown[]) => {
		const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
		ops.push({op: 'write', fd, type: /"type":"([a-z-]+)"/.exec(text)?.[1]});
		return (writeSync as (...args: unknown[]) => number)(fd, data, ...rest);
	}) as typeof fs.writeSync);
	const done = (fd: number) => {
		ops.push(dirFds.has(fd) ? {op: 'dir-fsync'} : {op: 'fsync', fd});
		dirFds.delete(fd);
	};
	vi.spyOn(fs, 'fsyncSync').mockImplementation((fd: number) => {
		fsyncSync(fd);
		done(fd);
	});
	// Recorded when it has completed: that is when the data is durable.
	vi.spyOn(fs, 'fsync').mockImplementation(((fd: number, callback: (error: Error | null) => void) =>
		fsync(fd, error => {
			if (!error) done(fd);
			callback(error);
		})) as typeof fs.fsync);
	return ops;
};

afterEach(() => {
	vi.restoreAllMocks();
});

describe('journal durability with group commit', () => {
	it('fsyncs the journal once before each block may run and once when the step ends, with the log on disk first', async () => {
		const f = fixture(`${frontMatter('Two blocks')}# Two blocks\n\n## First\n\n${sh('true')}## Work\n\n${sh('echo one')}${sh('echo two')}`);
		const session = startSession(f);
		await session.runStep('first');
		const ops = recordDiskOps();
		await session.runStep('work');

		const journalWrites = ops.filter((o): o is Extract<Op, {op: 'write'}> => o.op === 'write' && o.type !== undefined);
		const journalFd = journalWrites[0]!.fd;
		const onJournal = ops.filter(o => o.op !== 'dir-fsync' && o.fd === journalFd).map(o => (o.op === 'fsync' ? 'fsync' : (o as {type: string}).type));
		expect(onJournal).toEqual(['step-started', 'block-started', 'fsync', 'block-finished', 'block-started', 'fsync', 'block-finished', 'step-finished', 'fsync']);
		// The log's name is durable before the block may run, and its content before the step's end that points at it.
		expect(ops.slice(0, 4).map(o => o.op)).toEqual(['write', 'dir-fsync', 'write', 'fsync']);
		const logFsync = ops.findIndex(o => o.op === 'fsync' && o.fd !== journalFd);
		const dirFsync = ops.findIndex(o => o.op === 'dir-fsync');
		const stepFinished = ops.findIndex(o => o.op === 'write' && o.type === 'step-finished');
		expect(logFsync).toBeGreaterThan(-1);
		expect(dirFsync).toBeGreaterThan(-1);
		expect(logFsync).toBeLessThan(stepFinished);
		expect(dirFsync).toBeLessThan(stepFinished);
	});

	it('tells nobody that a step or a check ended before the record of it is on disk, and tells events in the order recorded', async () => {
		const f = fixture(`${frontMatter('Ends')}# Ends\n\n## Work\n\n${sh('test -f done', 'role=check')}${sh('echo one; touch done')}`);
		const session = startSession(f);
		const ops = recordDiskOps();
		const heard: string[] = [];
		session.subscribe(event => {
			if (event.type === 'output') return;
			heard.push(event.type);
			ops.push({op: 'write', fd: -1, type: `told ${event.type}`});
		});
		await session.runCheck('work');
		await session.runStep('work');
		const fdOf = (o: Op) => (o.op === 'dir-fsync' ? undefined : o.fd);
		const journalFd = fdOf(ops.find(o => o.op === 'write' && o.type === 'step-started')!);
		const seen = ops.filter(o => fdOf(o) === journalFd || fdOf(o) === -1).map(o => (o.op === 'fsync' ? 'fsync' : (o as {type: string}).type));
		for (const ended of ['check-finished', 'step-finished']) {
			const written = seen.indexOf(ended);
			const told = seen.indexOf(`told ${ended}`);
			expect(seen.indexOf('fsync', written)).toBeGreaterThan(written);
			expect(seen.indexOf('fsync', written)).toBeLessThan(told);
		}
		expect(heard).toEqual(seen.filter(s => !s.startsWith('told ') && s !== 'fsync'));
	});

	it("does not hold up another run while one run's step end waits for a slow disk", async () => {
		const slow = fixture(`${frontMatter('Slow disk')}# Slow disk\n\n## Work\n\n${sh('true')}`);
		const quick = fixture(`${frontMatter('Quick disk')}# Quick disk\n\n## Work\n\n${sh('true')}${sh('true')}${sh('true')}`);
		const a = startSession(slow);
		const b = startSession(quick);
		const slowJournal = fs.realpathSync(journalPath(slow.stateDir, a.runId));
		const isSlow = (fd: number) => {
			try {
				return fs.readlinkSync(`/proc/self/fd/${fd}`) === slowJournal;
			} catch {
				return false;
			}
		};
		const {fsyncSync, fsync, writeSync} = fs;
		const DELAY = 2000;
		// The slow run's journal takes 2 s per fsync, on this thread or on another.
		vi.spyOn(fs, 'fsyncSync').mockImplementation((fd: number) => {
			if (isSlow(fd)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, DELAY);
			fsyncSync(fd);
		});
		vi.spyOn(fs, 'fsync').mockImplementation(((fd: number, callback: (error: Error | null) => void) =>
			isSlow(fd) ? setTimeout(() => fsync(fd, callback), DELAY) : fsync(fd, callback)) as typeof fs.fsync);
		const ended: string[] = [];
		let quickRun: Promise<unknown> | undefined;
		// The quick run starts as the slow run's step end is written.
		vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: unknown, ...rest: unknown[]) => {
			const written = (writeSync as (...args: unknown[]) => number)(fd, data, ...rest);
			if (isSlow(fd) && String(data).includes('"step-finished"')) quickRun ??= b.runStep('work').then(() => ended.push('quick'));
			return written;
		}) as typeof fs.writeSync);
		await a.runStep('work').then(() => ended.push('slow'));
		await quickRun;
		expect(ended).toEqual(['quick', 'slow']);
		expect(b.state.steps[0]?.status).toBe('done');
	});

	it('writes an event left for the next fsync at once, and fsyncs it on close if nothing followed', () => {
		const stateDir = tempStateDir();
		const journal = createRunJournal(stateDir, '20261124T201500Z-book-a1b2');
		journal.append(note('20261124T201500Z-book-a1b2', 'synced'));
		const ops = recordDiskOps();
		journal.append(note('20261124T201500Z-book-a1b2', 'left for the next'), {sync: false});
		// Written at once: a kill -9 now loses nothing.
		expect(fs.readFileSync(journal.path, 'utf8')).toContain('left for the next');
		expect(ops.map(o => o.op)).toEqual(['write']);
		journal.close();
		expect(ops.map(o => o.op)).toEqual(['write', 'fsync']);
	});
});
