import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import type {LogRef} from '../../source/types/events.js';
import {createRunJournal, reopenRunJournal} from '../../source/journal/run-journal.js';
import {verifyJournal} from '../../source/journal/read-journal.js';
import {note, tempStateDir} from './helpers.js';

const RUN = '20261124T201500Z-nginx-c3d4';

function sha256(data: Buffer | string): string {
	return crypto.createHash('sha256').update(data).digest('hex');
}

function finished(step: string, log: LogRef) {
	return {type: 'step-finished', runId: RUN, time: new Date().toISOString(), step, attempt: 1, status: 'done', log} as const;
}

describe('step logs', () => {
	it('records size and SHA-256 of exactly what is on disk, across many small and large writes', () => {
		const stateDir = tempStateDir();
		const journal = createRunJournal(stateDir, RUN);
		const log = journal.openLog('install-nginx', 'run');
		let expected = '';
		for (let index = 0; index < 20_000; index++) {
			const line = `line ${index} é\n`;
			log.write(line);
			expected += line;
		}

		const big = 'z'.repeat(200_000) + '\n';
		log.write(big);
		expected += big;
		const ref = log.finish();
		journal.close();

		expect(ref.path).toBe(`logs/${RUN}/001-install-nginx-run.log`);
		expect(log.relativePath).toBe(path.join('logs', RUN, '001-install-nginx-run.log'));
		const onDisk = fs.readFileSync(path.join(stateDir, ref.path));
		expect(onDisk.toString('utf8')).toBe(expected);
		expect(ref.bytes).toBe(onDisk.length);
		expect(ref.sha256).toBe(sha256(onDisk));
		expect(ref.truncated).toBeUndefined();
		expect(log.finish()).toBe(ref);
		expect(() => log.write('late\n')).toThrow(/finished/);
	});

	it('an empty log is valid', () => {
		const stateDir = tempStateDir();
		const journal = createRunJournal(stateDir, RUN);
		const ref = journal.openLog('quiet', 'check').finish();
		expect(ref).toEqual({path: `logs/${RUN}/001-quiet-check.log`, bytes: 0, sha256: sha256('')});
	});

	it('numbers logs in order, and carries the numbering on after a reopen', () => {
		const stateDir = tempStateDir();
		const journal = createRunJournal(stateDir, RUN);
		const first = journal.openLog('a', 'run').finish();
		const second = journal.openLog('a', 'run').finish();
		const third = journal.openLog('b step/with odd*chars', 'rollback').finish();
		journal.close();
		const reopened = reopenRunJournal(stateDir, RUN);
		const fourth = reopened.openLog('a', 'run').finish();
		expect([first, second, third, fourth].map(ref => path.basename(ref.path))).toEqual([
			'001-a-run.log',
			'002-a-run.log',
			'003-b-step-with-odd-chars-rollback.log',
			'004-a-run.log',
		]);
	});

	it('verify checks the log each event points at: intact, changed, missing', () => {
		const stateDir = tempStateDir();
		const journal = createRunJournal(stateDir, RUN);
		journal.append(note(RUN, 'start'));
		const kept = journal.openLog('one', 'run');
		kept.write('hello\n');
		journal.append(finished('one', kept.finish()));
		const changed = journal.openLog('two', 'run');
		changed.write('original output\n');
		const changedRef = changed.finish();
		journal.append(finished('two', changedRef));
		const removed = journal.openLog('three', 'run');
		removed.write('bye\n');
		const removedRef = removed.finish();
		journal.append({type: 'step-rolled-back', runId: RUN, time: new Date().toISOString(), step: 'three', ok: true, log: removedRef});
		journal.append(note(RUN, 'end'));
		journal.close();

		expect(verifyJournal(journal.path)).toEqual({ok: true, lines: 5, problems: []});

		// Same size, one character different.
		fs.writeFileSync(path.join(stateDir, changedRef.path), 'original 0utput\n');
		fs.rmSync(path.join(stateDir, removedRef.path));
		const result = verifyJournal(journal.path);
		expect(result.ok).toBe(false);
		expect(result.problems).toEqual([
			{line: 3, kind: 'log-changed', message: `line 3: its log ${changedRef.path} was changed after it was recorded (same size, 16 bytes, different SHA-256)`},
			{line: 4, kind: 'log-missing', message: `line 4: its log ${removedRef.path} is missing`},
		]);
	});

	it('verify does not follow a log path out of the state directory', () => {
		const stateDir = tempStateDir();
		const journal = createRunJournal(stateDir, RUN);
		journal.append(finished('one', {path: '../../etc/hostname', sha256: sha256(''), bytes: 0}));
		journal.close();
		expect(verifyJournal(journal.path).problems).toEqual([
			expect.objectContaining({line: 1, kind: 'log-missing', message: expect.stringContaining('outside') as unknown as string}),
		]);
	});
});

describe('the log size limit', () => {
	it('keeps the first maxLogBytes of output, then one notice line, then nothing', () => {
		const stateDir = tempStateDir();
		const journal = createRunJournal(stateDir, RUN, {maxLogBytes: 100});
		const log = journal.openLog('flood', 'run');
		const line = 'abcdefghijklmnopqrstuvwxyz012\n'; // 30 bytes
		for (let index = 0; index < 10; index++) {
			log.write(line);
		}

		const ref = log.finish();
		const content = fs.readFileSync(path.join(stateDir, ref.path), 'utf8');
		// 3 whole lines (90 bytes) + 10 bytes of the 4th, a newline, then the notice.
		expect(content).toBe(line.repeat(3) + line.slice(0, 10) + '\n[rampart: log truncated at 100 bytes]\n');
		expect(content.match(/log truncated/g)).toHaveLength(1);
		expect(ref.truncated).toBe(true);
		expect(ref.bytes).toBe(Buffer.byteLength(content));
		expect(ref.sha256).toBe(sha256(content));
	});

	it('does not add a newline when the cut falls at the end of a line, nor truncate at exactly the limit', () => {
		const stateDir = tempStateDir();
		const journal = createRunJournal(stateDir, RUN, {maxLogBytes: 10});
		const exact = journal.openLog('exact', 'run');
		exact.write('123456789\n');
		expect(exact.finish().truncated).toBeUndefined();

		const over = journal.openLog('over', 'run');
		over.write('123456789\n');
		over.write('x');
		const ref = over.finish();
		expect(ref.truncated).toBe(true);
		expect(fs.readFileSync(path.join(stateDir, ref.path), 'utf8')).toBe('123456789\n[rampart: log truncated at 10 bytes]\n');
	});

	it('never cuts a character in half', () => {
		const stateDir = tempStateDir();
		const journal = createRunJournal(stateDir, RUN, {maxLogBytes: 4});
		const log = journal.openLog('utf8', 'run');
		log.write('aéé\n'); // a(1) é(2) é(2): a 4-byte cut would split the second é
		const ref = log.finish();
		expect(fs.readFileSync(path.join(stateDir, ref.path), 'utf8')).toBe('aé\n[rampart: log truncated at 4 bytes]\n');
	});
});
