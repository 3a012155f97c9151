// The one place that knows where things live under the state directory:
//   runs/<runId>.jsonl         one journal per run
//   logs/<runId>/<n>-<step>-<label>.log
//   locks/<runbookId>.lock     held while a run of that runbook is active
//   locks/.index.lock          held while the completion index is updated
//   index.json                 last completion per runbook (JSON, replaced whole)

import path from 'node:path';

export const JOURNAL_SUFFIX = '.jsonl';

/** The directories directly in the state directory, by name (for ensurePrivateDir). */
export const RUNS = 'runs';
export const LOGS = 'logs';
export const LOCKS = 'locks';

export function runsDir(stateDir: string): string {
	return path.join(stateDir, RUNS);
}

export function journalPath(stateDir: string, runId: string): string {
	return path.join(runsDir(stateDir), assertFileSafe(runId, 'run id') + JOURNAL_SUFFIX);
}

export function logsDir(stateDir: string, runId: string): string {
	return path.join(stateDir, LOGS, assertFileSafe(runId, 'run id'));
}

export function locksDir(stateDir: string): string {
	return path.join(stateDir, LOCKS);
}

/** Never a runbook's lock: escapeFileName spells a leading dot `%2E`. */
export function indexLockPath(stateDir: string): string {
	return path.join(locksDir(stateDir), '.index.lock');
}

export function lockPath(stateDir: string, runbookId: string): string {
	return path.join(locksDir(stateDir), escapeFileName(runbookId) + '.lock');
}

/**
 * What a runbook's lock, completion and due date are kept under: the runbook
 * id for a run here, `id@host` for a run on another host (each host is due
 * on its own, and runs on two hosts do not hold each other up).
 */
export const recordKey = (runbookId: string, host?: string): string => (host === undefined ? runbookId : `${runbookId}@${host}`);

export const INDEX_NAME = 'index';

/**
 * Replace anything but letters, digits, `.`, `_` and `-` with `-`: for parts
 * of names that only need to be readable, not reversible.
 */
export function slugForFileName(text: string, fallback: string): string {
	const slug = text
		.replaceAll(/[^\w.-]+/g, '-')
		.replaceAll(/-{2,}/g, '-')
		.replace(/^[-.]+/, '')
		.replace(/-+$/, '')
		.slice(0, 64);
	return slug === '' ? fallback : slug;
}

/**
 * A reversible file-safe spelling of a runbook id, so two ids never share a
 * lock file: `%XX` for each byte outside `[A-Za-z0-9_-]` and for a leading dot.
 */
export function escapeFileName(text: string): string {
	if (text === '') {
		throw new Error('a runbook id must not be empty');
	}

	return [...Buffer.from(text, 'utf8')]
		.map((byte, index) => {
			const char = String.fromCodePoint(byte);
			const safe = /[\w-]/.test(char) || (char === '.' && index > 0);
			return safe ? char : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
		})
		.join('');
}

function assertFileSafe(name: string, what: string): string {
	if (!/^[\w-][\w.-]*$/.test(name)) {
		throw new Error(`invalid ${what} ${JSON.stringify(name)}: only letters, digits, '.', '_' and '-' are allowed`);
	}

	return name;
}
