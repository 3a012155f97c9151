// Reading a journal back and checking that it is what was written: the hash
// chain, the sequence numbers, the run id, and the step logs it points at.
//
// What the chain can and cannot show: a changed, removed, inserted or moved
// line breaks the chain at the line after it. Removing lines from the very end,
// or changing the last line, leaves nothing after it to disagree, so those are
// out of its reach.

import path from 'node:path';
import type {LogRef, RunEvent} from '../types/events.js';
import type {JournalLine} from './types.js';
import {CHAIN_START, hashFile, sha256Hex} from './chain.js';
import {JOURNAL_SUFFIX} from './layout.js';
import {compareRuns, journalBirth, journalIds} from './run-order.js';
import {isErrno, readRecordFile, StateDirError} from './state-dir.js';

export type VerifyProblemKind = 'bad-json' | 'broken-chain' | 'bad-seq' | 'torn-tail' | 'empty' | 'run-id-mismatch' | 'log-missing' | 'log-changed' | 'unreadable';

export interface VerifyProblem {
	/** 1-based line of the journal file the problem was found at. */
	line: number;
	kind: VerifyProblemKind;
	/** Plain words, starting with `line N:`. */
	message: string;
}

export interface ReadJournalResult {
	/** The events of every readable line, in file order, with their seq and prev. */
	events: JournalLine[];
	/** Problems with the lines themselves (logs are checked by verifyJournal). */
	problems: VerifyProblem[];
	/** Complete (newline-terminated) lines in the file. */
	lines: number;
}

export interface VerifyResult {
	/**
	 * True when nothing was changed: a 'torn-tail' alone (a crash while writing
	 * the last line, which was never acknowledged) still counts as ok, and is
	 * listed in `problems` so it can be shown.
	 */
	ok: boolean;
	lines: number;
	problems: VerifyProblem[];
}

/** The run id a journal belongs to, from its file name. */
export function runIdOfJournal(journalFile: string): string {
	return path.basename(journalFile, JOURNAL_SUFFIX);
}

export function readJournal(journalFile: string): ReadJournalResult {
	const {entries, problems, lines} = scanJournal(journalFile);
	return {events: entries.map(entry => entry.event), problems, lines};
}

interface ScanResult {
	entries: Array<{line: number; event: JournalLine}>;
	problems: VerifyProblem[];
	lines: number;
}

function scanJournal(journalFile: string): ScanResult {
	const content = readRecordFile(journalFile);
	const expectedRunId = runIdOfJournal(journalFile);
	const entries: ScanResult['entries'] = [];
	const problems: VerifyProblem[] = [];
	let previousHash = CHAIN_START;
	let lastSeq = 0;
	let lastSeqLine = 0;
	let line = 0;
	let start = 0;

	for (let newline = content.indexOf(0x0a); newline !== -1; newline = content.indexOf(0x0a, start)) {
		line++;
		const raw = content.subarray(start, newline);
		start = newline + 1;
		const expectedPrev = previousHash;
		previousHash = sha256Hex(raw);

		const entry = parseEntry(raw);
		if (typeof entry === 'string') {
			problems.push({line, kind: 'bad-json', message: `line ${line}: ${entry}`});
			continue;
		}

		if (entry.prev !== expectedPrev) {
			problems.push({line, kind: 'broken-chain', message: chainMessage(line, entry.prev)});
		}

		if (typeof entry.seq !== 'number' || !Number.isSafeInteger(entry.seq)) {
			problems.push({line, kind: 'bad-seq', message: `line ${line}: it has no sequence number`});
		} else {
			// Gaps are measured from the last numbered line, so one removal is one problem.
			const expected = lastSeq + (line - lastSeqLine);
			if (entry.seq !== expected) {
				problems.push({line, kind: 'bad-seq', message: seqMessage(line, entry.seq, expected)});
			}

			lastSeq = entry.seq;
			lastSeqLine = line;
		}

		if (entry.runId !== expectedRunId) {
			problems.push({
				line,
				kind: 'run-id-mismatch',
				message: `line ${line}: it belongs to run ${JSON.stringify(entry.runId)}, not to this run (${expectedRunId})`,
			});
		}

		entries.push({line, event: entry as unknown as JournalLine});
	}

	if (start < content.length) {
		const bytes = content.length - start;
		problems.push({
			line: line + 1,
			kind: 'torn-tail',
			message: `line ${line + 1}: it is incomplete (${bytes} bytes and no newline): the run stopped while writing it, so it was never recorded; resuming the run removes it`,
		});
	}

	return {entries, problems, lines: line};
}

/**
 * Check a journal and the step logs it refers to. Logs are looked up relative
 * to the state directory, which by default is the journal's `runs/` parent.
 */
export function verifyJournal(journalFile: string, stateDir: string = path.dirname(path.dirname(path.resolve(journalFile)))): VerifyResult {
	const {entries, problems, lines} = scanJournal(journalFile);
	for (const {line, event} of entries) {
		const log = logOf(event);
		if (log !== undefined) {
			const problem = checkLog(stateDir, log, line);
			if (problem) {
				problems.push(problem);
			}
		}
	}

	if (lines === 0) {
		// Not a run that did nothing: a run always starts with run-started.
		problems.push({
			line: 1,
			kind: 'empty',
			message: "line 1: the journal holds no complete event: the run's start was never written (a full disk, or Rampart stopped while creating it)",
		});
	}
	problems.sort((a, b) => a.line - b.line);
	return {ok: problems.every(problem => problem.kind === 'torn-tail') && lines > 0, lines, problems};
}

/** Ids of the runs that have a journal, oldest first. */
export function listRuns(stateDir: string): string[] {
	return journalIds(stateDir)
		.map(runId => ({runId, born: journalBirth(stateDir, runId)}))
		.sort(compareRuns)
		.map(run => run.runId);
}

type Entry = Record<string, unknown>;

/** The parsed object, or why it is not a journal entry. */
function parseEntry(raw: Buffer): Entry | string {
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw.toString('utf8'));
	} catch {
		return raw.length === 0 ? 'it is empty' : 'it is not valid JSON: it was changed, or damaged on disk';
	}

	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || typeof (parsed as Entry)['type'] !== 'string') {
		return 'it is JSON but not a journal event';
	}

	return parsed as Entry;
}

function chainMessage(line: number, prev: unknown): string {
	if (typeof prev !== 'string') {
		return `line ${line}: it has no hash of the line before it`;
	}

	if (line === 1) {
		return 'line 1: it does not start the chain: lines were removed from the start of the journal, or line 1 was changed';
	}

	return `line ${line}: the hash of line ${line - 1} does not match: line ${line - 1} was changed or removed, or a line was inserted before line ${line}`;
}

function seqMessage(line: number, seq: number, expected: number): string {
	const head = `line ${line}: its sequence number is ${seq} where ${expected} was expected`;
	if (seq > expected) {
		const missing = seq - expected;
		return `${head}: ${missing === 1 ? 'a line is' : `${missing} lines are`} missing before it, or lines were moved`;
	}

	return `${head}: lines were moved or repeated`;
}

/** The step log an event points at, for the event types that carry one. */
function logOf(event: RunEvent): LogRef | undefined {
	switch (event.type) {
		case 'step-finished':
		case 'check-finished':
		case 'step-rolled-back': {
			return event.log;
		}

		default: {
			return undefined;
		}
	}
}

function checkLog(stateDir: string, log: LogRef, line: number): VerifyProblem | undefined {
	if (typeof log !== 'object' || log === null) {
		return {line, kind: 'log-missing', message: `line ${line}: its log reference is not a path and hash`};
	}

	const shown = typeof log.path === 'string' ? log.path : JSON.stringify(log.path);
	if (typeof log.path !== 'string' || log.path === '' || path.isAbsolute(log.path)) {
		return {line, kind: 'log-missing', message: `line ${line}: its log path ${shown} is not a path inside the state directory`};
	}

	const file = path.resolve(stateDir, log.path);
	const inside = path.relative(stateDir, file);
	if (inside.startsWith('..') || path.isAbsolute(inside)) {
		return {line, kind: 'log-missing', message: `line ${line}: its log ${shown} points outside the state directory`};
	}

	let actual: {sha256: string; bytes: number};
	try {
		actual = hashFile(file);
	} catch (error) {
		if (isErrno(error, 'ENOENT') || isErrno(error, 'EISDIR') || isErrno(error, 'ENOTDIR')) {
			return {line, kind: 'log-missing', message: `line ${line}: its log ${shown} is missing`};
		}

		// A link, or not a file (or, as root, another user's): not what was recorded.
		if (error instanceof StateDirError) {
			return {line, kind: 'log-changed', message: `line ${line}: its log ${shown} is not the file that was recorded: ${error.message}`};
		}

		throw error;
	}

	if (actual.sha256 !== log.sha256 || actual.bytes !== log.bytes) {
		const sizes = actual.bytes === log.bytes ? `same size, ${log.bytes} bytes` : `${actual.bytes} bytes, recorded ${log.bytes}`;
		return {line, kind: 'log-changed', message: `line ${line}: its log ${shown} was changed after it was recorded (${sizes}, different SHA-256)`};
	}

	return undefined;
}
