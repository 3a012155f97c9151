import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {createRunJournal, JournalCorruptError, reopenRunJournal} from '../../source/journal/run-journal.js';
import {readJournal, verifyJournal} from '../../source/journal/read-journal.js';
import {journalPath} from '../../source/journal/layout.js';
import {fileLines, note, stepStarted, tempStateDir, writeLines} from './helpers.js';

const RUN = '20261124T201500Z-firewall-a1b2';
const ZEROS = '0'.repeat(64);

function sha256(text: string): string {
	return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A state dir holding a journal of `count` notes (`note 1` ...). */
function journalOf(count: number): {stateDir: string; file: string} {
	const stateDir = tempStateDir();
	const journal = createRunJournal(stateDir, RUN);
	for (let index = 1; index <= count; index++) {
		journal.append(note(RUN, `note ${index}`));
	}

	journal.close();
	return {stateDir, file: journal.path};
}

describe('the hash chain as written', () => {
	it('writes one JSON line per event with seq from 1 and prev the hash of the previous line', () => {
		const {stateDir, file} = journalOf(3);
		expect(file).toBe(path.join(stateDir, 'runs', `${RUN}.jsonl`));
		expect(journalPath(stateDir, RUN)).toBe(file);
		const lines = fileLines(file);
		expect(lines).toHaveLength(3);
		const parsed = lines.map(line => JSON.parse(line) as Record<string, unknown>);
		expect(parsed.map(line => line['seq'])).toEqual([1, 2, 3]);
		expect(parsed[0]!['prev']).toBe(ZEROS);
		expect(parsed[1]!['prev']).toBe(sha256(lines[0]!));
		expect(parsed[2]!['prev']).toBe(sha256(lines[1]!));
		expect(parsed[2]).toMatchObject({type: 'note-added', runId: RUN, text: 'note 3'});
		// seq and prev come first, so a line reads as position, link, then event.
		expect(Object.keys(parsed[0]!).slice(0, 3)).toEqual(['seq', 'prev', 'type']);
	});

	it('verifies clean and reads back the events', () => {
		const {file} = journalOf(5);
		expect(verifyJournal(file)).toEqual({ok: true, lines: 5, problems: []});
		const {events, problems} = readJournal(file);
		expect(problems).toEqual([]);
		expect(events.map(event => event.type === 'note-added' && event.text)).toEqual(['note 1', 'note 2', 'note 3', 'note 4', 'note 5']);
		expect(events.map(event => event.seq)).toEqual([1, 2, 3, 4, 5]);
	});

	it('keeps characters JSON escapes, including newlines in text, on one line', () => {
		const stateDir = tempStateDir();
		const journal = createRunJournal(stateDir, RUN);
		journal.append(note(RUN, 'two\nlines \u2028 é ✓'));
		journal.append(note(RUN, 'after'));
		journal.close();
		expect(fileLines(journal.path)).toHaveLength(2);
		expect(verifyJournal(journal.path).ok).toBe(true);
		const first = readJournal(journal.path).events[0];
		expect(first?.type === 'note-added' && first.text).toBe('two\nlines \u2028 é ✓');
	});

	it('ignores a seq or prev smuggled in with the event', () => {
		const stateDir = tempStateDir();
		const journal = createRunJournal(stateDir, RUN);
		journal.append(note(RUN, 'one'));
		journal.append({...note(RUN, 'two'), seq: 99, prev: 'f'.repeat(64)} as never);
		journal.close();
		expect(verifyJournal(journal.path)).toMatchObject({ok: true, problems: []});
	});

	it('refuses to create a journal that exists', () => {
		const {stateDir} = journalOf(1);
		expect(() => createRunJournal(stateDir, RUN)).toThrow(/EEXIST/);
	});

	it('refuses an event of another run, and appends after close', () => {
		const stateDir = tempStateDir();
		const journal = createRunJournal(stateDir, RUN);
		expect(() => journal.append(note('20261124T201500Z-other-ffff', 'x'))).toThrow(/another|of run/);
		journal.close();
		expect(() => journal.append(note(RUN, 'x'))).toThrow(/closed/);
	});

	it('refuses run ids that are not file-safe', () => {
		expect(() => createRunJournal(tempStateDir(), '../escape')).toThrow(/invalid run id/);
	});
});

describe('tampering is found at the right line', () => {
	it('one changed character in a middle line breaks the chain at the next line', () => {
		const {file} = journalOf(6);
		const lines = fileLines(file);
		lines[2] = lines[2]!.replace('note 3', 'note 8');
		writeLines(file, lines);
		const result = verifyJournal(file);
		expect(result.ok).toBe(false);
		expect(result.problems).toEqual([
			{
				line: 4,
				kind: 'broken-chain',
				message: expect.stringContaining('line 4: the hash of line 3 does not match: line 3 was changed or removed') as unknown as string,
			},
		]);
	});

	it('a changed character that breaks the JSON is named as such', () => {
		const {file} = journalOf(6);
		const lines = fileLines(file);
		lines[2] = lines[2]!.replace('{', '[');
		writeLines(file, lines);
		const {problems} = verifyJournal(file);
		expect(problems.map(problem => [problem.line, problem.kind])).toEqual([
			[3, 'bad-json'],
			[4, 'broken-chain'],
		]);
	});

	it('a deleted line is found where it was', () => {
		const {file} = journalOf(6);
		const lines = fileLines(file);
		lines.splice(2, 1);
		writeLines(file, lines);
		const {ok, problems} = verifyJournal(file);
		expect(ok).toBe(false);
		expect(problems.map(problem => [problem.line, problem.kind])).toEqual([
			[3, 'broken-chain'],
			[3, 'bad-seq'],
		]);
		expect(problems[1]!.message).toBe('line 3: its sequence number is 4 where 3 was expected: a line is missing before it, or lines were moved');
	});

	it('two swapped lines are found at the first of them', () => {
		const {file} = journalOf(6);
		const lines = fileLines(file);
		[lines[2], lines[3]] = [lines[3]!, lines[2]!];
		writeLines(file, lines);
		const {ok, problems} = verifyJournal(file);
		expect(ok).toBe(false);
		expect(problems[0]).toMatchObject({line: 3});
		expect(Math.min(...problems.map(problem => problem.line))).toBe(3);
		expect(problems.filter(problem => problem.kind === 'broken-chain').map(problem => problem.line)).toEqual([3, 4, 5]);
	});

	it('removing the first line is found at line 1', () => {
		const {file} = journalOf(3);
		writeLines(file, fileLines(file).slice(1));
		const {problems} = verifyJournal(file);
		expect(problems[0]).toMatchObject({line: 1, kind: 'broken-chain'});
		expect(problems.some(problem => problem.line === 1 && problem.kind === 'bad-seq')).toBe(true);
	});

	it('a line from another run is named', () => {
		const {file} = journalOf(2);
		const lines = fileLines(file);
		const last = JSON.parse(lines[1]!) as Record<string, unknown>;
		last['runId'] = '20261124T201500Z-other-ffff';
		lines[1] = JSON.stringify(last);
		writeLines(file, lines);
		expect(verifyJournal(file).problems).toEqual([expect.objectContaining({line: 2, kind: 'run-id-mismatch'})]);
	});
});

describe('a torn tail (crash in the middle of a write)', () => {
	it('is reported as torn, not as tampering, and reopen cuts it and continues the chain', () => {
		const {stateDir, file} = journalOf(6);
		const whole = fs.readFileSync(file);
		const partial = JSON.stringify({seq: 7, prev: 'ab', ...note(RUN, 'never acknowledged')}).slice(0, 40);
		fs.appendFileSync(file, partial);

		const torn = verifyJournal(file);
		expect(torn.ok).toBe(true);
		expect(torn.lines).toBe(6);
		expect(torn.problems).toEqual([expect.objectContaining({line: 7, kind: 'torn-tail'})]);
		expect(torn.problems[0]!.message).toMatch(/^line 7: it is incomplete \(40 bytes and no newline\)/);
		expect(readJournal(file).events).toHaveLength(6);

		const journal = reopenRunJournal(stateDir, RUN);
		expect(journal.removedTornBytes).toBe(40);
		expect(journal.nextSeq).toBe(7);
		expect(fs.readFileSync(file).equals(whole)).toBe(true);
		journal.append(stepStarted(RUN, 'after-resume'));
		journal.close();

		expect(verifyJournal(file)).toEqual({ok: true, lines: 7, problems: []});
		const lines = fileLines(file);
		expect(JSON.parse(lines[6]!)).toMatchObject({seq: 7, prev: sha256(lines[5]!), step: 'after-resume'});
	});

	it('a complete line that lost only its newline is still torn (its append never returned)', () => {
		const {stateDir, file} = journalOf(2);
		const lines = fileLines(file);
		fs.writeFileSync(file, lines[0] + '\n' + lines[1]);
		expect(verifyJournal(file).problems).toEqual([expect.objectContaining({line: 2, kind: 'torn-tail'})]);
		const journal = reopenRunJournal(stateDir, RUN);
		expect(journal.nextSeq).toBe(2);
		journal.append(note(RUN, 'again'));
		journal.close();
		expect(verifyJournal(file)).toMatchObject({ok: true, lines: 2, problems: []});
	});
});

describe('reopen', () => {
	it('continues seq and chain of a whole file', () => {
		const {stateDir, file} = journalOf(2);
		const journal = reopenRunJournal(stateDir, RUN);
		expect(journal.removedTornBytes).toBe(0);
		expect(journal.nextSeq).toBe(3);
		journal.append(note(RUN, 'resumed'));
		journal.close();
		expect(verifyJournal(file)).toEqual({ok: true, lines: 3, problems: []});
	});

	it('starts the chain when the run crashed before its first event', () => {
		const stateDir = tempStateDir();
		createRunJournal(stateDir, RUN).close();
		const journal = reopenRunJournal(stateDir, RUN);
		expect(journal.nextSeq).toBe(1);
		journal.append(note(RUN, 'first'));
		journal.close();
		expect(JSON.parse(fileLines(journal.path)[0]!)).toMatchObject({seq: 1, prev: ZEROS});
	});

	it('refuses a journal whose last line cannot be read', () => {
		const {stateDir, file} = journalOf(2);
		fs.appendFileSync(file, 'garbage\n');
		expect(() => reopenRunJournal(stateDir, RUN)).toThrow(JournalCorruptError);
	});

	it('fails for a run that has no journal', () => {
		expect(() => reopenRunJournal(tempStateDir(), RUN)).toThrow(/ENOENT/);
	});
});

describe('verify on a journal with nothing complete in it', () => {
	it('reports an empty journal and one with only a torn line as such, never as ok with 0 events', () => {
		const dir = tempStateDir();
		{
			const runs = path.join(dir, 'runs');
			fs.mkdirSync(runs, {recursive: true});
			const empty = path.join(runs, '20260101T000000Z-x-0000.jsonl');
			fs.writeFileSync(empty, '');
			expect(verifyJournal(empty)).toMatchObject({ok: false, lines: 0, problems: [{kind: 'empty'}]});
			const torn = path.join(runs, '20260101T000000Z-y-0000.jsonl');
			fs.writeFileSync(torn, '{"type":"run-sta');
			const result = verifyJournal(torn);
			expect(result.ok).toBe(false);
			expect(result.problems.map(p => p.kind).sort()).toEqual(['empty', 'torn-tail']);
		}
	});
});
