// The narrow interface between the engine and the records on disk. The engine
// only ever appends events and writes step logs through these.

import type {LogRef, RunEvent} from '../types/events.js';

export interface StepLog {
	/** Path relative to the state directory. */
	readonly relativePath: string;
	/** Append already-masked output, as the command wrote it. */
	write(text: string): void;
	/** Append Rampart's own line, `# rampart: TEXT`, on a line of its own (after output that did not end one). */
	note(text: string): void;
	/**
	 * Make the file's name durable (fsync its directory) on a background
	 * thread. finish() does it itself if this was not done; starting it
	 * early, before a block is spawned, takes the fsync off the step's path.
	 */
	persistName(): Promise<void>;
	/** Flush and fsync on a background thread: a finish() after it (with nothing written between) has nothing left to fsync. */
	flushDurably(): Promise<void>;
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
	 *
	 * With `{sync: false}` the line is written (it survives the process being
	 * killed) but made durable against power loss only by the next synced
	 * append, or close(): one fsync then covers both. The caller must only
	 * do this when a synced append follows before anything the event stands
	 * for can have an effect.
	 */
	append(event: RunEvent, options?: {sync?: boolean}): void;
	/**
	 * fsync what was appended with `{sync: false}` on a background thread;
	 * resolves once it is durable. The caller waits for it before acting on
	 * the event, as append() itself would have made it.
	 */
	syncInBackground(): Promise<void>;
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
