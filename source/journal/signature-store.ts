// Where a run's signatures live and what they sign:
//   signatures/<runId>/<events>.msg   the signed text (for ssh-keygen alone)
//   signatures/<runId>/<events>.sig   its SSH signature (namespace "rampart")
// One pair per session end, named by how many events of the journal it covers,
// so a resume adds a pair and never replaces an earlier one.
//
// The text names the run, the number of events and the SHA-256 of the last
// one. As each line holds the hash of the one before, signing the last hash
// signs every line up to it; a verifier rebuilds the text from the journal
// and never trusts the stored .msg.

import fs from 'node:fs';
import path from 'node:path';
import {sha256Hex} from './chain.js';
import {JOURNAL_SUFFIX, journalPath} from './layout.js';
import {ensurePrivateDir, isErrno, readRecordFile, writeFileAtomically} from './state-dir.js';

export const SIGNATURES = 'signatures';
/** The SSH signature namespace: a signature made for anything else does not verify as Rampart's. */
export const SIGNATURE_NAMESPACE = 'rampart';
const HEADER = 'rampart journal signature v1';

/** A point in a run's chain: how many complete lines, and the SHA-256 of the last. */
export interface ChainPoint {
	runId: string;
	events: number;
	lastHash: string;
}

export interface StoredSignature {
	events: number;
	/** Absolute paths of the pair. */
	sig: string;
	msg: string;
}

/** Beside runs/ and logs/; the run id is checked as journalPath checks it. */
export const signaturesDir = (stateDir: string, runId: string): string => path.join(stateDir, SIGNATURES, path.basename(journalPath(stateDir, runId), JOURNAL_SUFFIX));

/** The exact text that is signed for a chain point. */
export const signedText = (point: ChainPoint): string => `${HEADER}\nrun ${point.runId}\nevents ${point.events}\nlast ${point.lastHash}\n`;

/** SHA-256 of each complete line (without its newline); a torn last line is not an event and has none. */
export const lineHashes = (stateDir: string, runId: string): string[] => {
	const content = readRecordFile(journalPath(stateDir, runId));
	const hashes: string[] = [];
	for (let start = 0, end = content.indexOf(0x0a); end !== -1; start = end + 1, end = content.indexOf(0x0a, start)) {
		hashes.push(sha256Hex(content.subarray(start, end)));
	}
	return hashes;
};

/** The chain point covering the first `events` lines of the journal as it is now (all of them by default). */
export const chainPoint = (stateDir: string, runId: string, hashes = lineHashes(stateDir, runId), events = hashes.length): ChainPoint | undefined =>
	events >= 1 && events <= hashes.length ? {runId, events, lastHash: hashes[events - 1]!} : undefined;

const baseName = (events: number) => String(events).padStart(6, '0');

/** Stores a signature beside the journal: 0600 files in a 0700 directory, each written whole and fsynced. */
export const storeSignature = (stateDir: string, point: ChainPoint, signature: string): StoredSignature => {
	const dir = ensurePrivateDir(stateDir, SIGNATURES, point.runId);
	const base = path.join(dir, baseName(point.events));
	// The text first: a .sig is only ever beside the text it signs.
	writeFileAtomically(`${base}.msg`, signedText(point));
	writeFileAtomically(`${base}.sig`, signature);
	return {events: point.events, sig: `${base}.sig`, msg: `${base}.msg`};
};

/** A run's signatures, fewest events first; none when it was never signed. */
export const listSignatures = (stateDir: string, runId: string): StoredSignature[] => {
	const dir = signaturesDir(stateDir, runId);
	let names: string[];
	try {
		names = fs.readdirSync(dir);
	} catch (error) {
		if (isErrno(error, 'ENOENT')) return [];
		throw error;
	}
	return names
		.map(name => /^(\d+)\.sig$/.exec(name))
		.filter(match => match !== null)
		.map(match => ({events: Number(match[1]), sig: path.join(dir, match[0]), msg: path.join(dir, `${match[1]}.msg`)}))
		.sort((a, b) => a.events - b.events);
};
