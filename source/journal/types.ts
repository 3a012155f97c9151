// The narrow interface between the engine and the records on disk. The engine
// only ever appends events and writes step logs through these.

import type {LogRef, RunEvent} from '../engine/events.js';

export interface StepLog {
	/** Path relative to the state directory. */
	readonly relativePath: string;
	/** Append already-masked text (whole lines, with their newlines). */
	write(text: string): void;
	/** Flush, fsync and close; returns the log's size and SHA-256. */
	finish(): LogRef;
}

export interface RunJournal {
	readonly runId: string;
	/** Absolute path of the JSON-lines file. */
	readonly path: string;
	/**
	 * Append one event as a JSON line carrying the SHA-256 of the previous
	 * line, then fsync. Returns only once the event is durable.
	 */
	append(event: RunEvent): void;
	/** A new log for one attempt of one step (or its check or rollback). */
	openLog(step: string, label: string): StepLog;
	close(): void;
}

/** One line of a journal file as stored. */
export type JournalLine = RunEvent & {
	seq: number;
	/** SHA-256 (hex) of the previous line's exact bytes; 64 zeros for the first. */
	prev: string;
};

export interface ActiveRunHolder {
	pid: number;
	host: string;
	/** ISO 8601. */
	since: string;
	runId: string;
}
