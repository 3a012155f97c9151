// Listing runbooks is the first thing Rampart shows; reading every runbook's
// front matter each time costs more than the rest of start-up (the YAML
// parser's first calls are slow). The headers are kept here, keyed by each
// file's size, mtime and inode, and used only for display: a run always reads
// and checks the runbook itself.

import {statSync} from 'node:fs';
import {join} from 'node:path';
import type {RunbookHeader} from '../runbook/header.js';
import {ensurePrivateDir, readRecordFile, writeFileAtomically} from '../journal/state-dir.js';

interface Entry {
	size: number;
	mtimeMs: number;
	ino: number;
	header: RunbookHeader;
}

const CACHE_FILE = 'header-cache.json';

export type ReadHeader = (path: string) => RunbookHeader;

export interface HeaderCache {
	/** Paths whose cached header is missing or stale. */
	stale(paths: readonly string[]): string[];
	get(path: string, read: ReadHeader): RunbookHeader;
	/** Writes the cache back if anything changed (best effort: a failure only costs speed). */
	save(): void;
}

export const openHeaderCache = (stateDir: string): HeaderCache => {
	const file = join(stateDir, CACHE_FILE);
	let entries: Record<string, Entry> = {};
	try {
		// Like every record, read without following a link.
		entries = JSON.parse(readRecordFile(file).toString('utf8')) as Record<string, Entry>;
	} catch {
		entries = {};
	}
	let changed = false;
	const used = new Set<string>();
	const fresh = (path: string, stats: {size: number; mtimeMs: number; ino: number}) => {
		const hit = entries[path];
		return hit !== undefined && hit.size === stats.size && hit.mtimeMs === stats.mtimeMs && hit.ino === stats.ino ? hit : undefined;
	};
	const statOf = (path: string) => {
		try {
			return statSync(path);
		} catch {
			return undefined;
		}
	};
	return {
		stale: paths =>
			paths.filter(path => {
				const stats = statOf(path);
				return !stats || !fresh(path, stats);
			}),
		get: (path, read) => {
			used.add(path);
			const stats = statOf(path);
			if (!stats) return read(path);
			const hit = fresh(path, stats);
			if (hit) return hit.header;
			const header = read(path);
			entries[path] = {size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino, header};
			changed = true;
			return header;
		},
		save: () => {
			for (const path of Object.keys(entries)) {
				if (!used.has(path)) {
					delete entries[path];
					changed = true;
				}
			}
			if (!changed) return;
			try {
				ensurePrivateDir(stateDir);
				// A new file renamed over the old: never written through a link. Not fsynced: a cache.
				writeFileAtomically(file, JSON.stringify(entries), {durable: false});
			} catch {
				// A read-only or full state directory only makes the next listing slower.
			}
		},
	};
};
