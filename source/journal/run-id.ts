// Run ids sort by start time (UTC, to the second) and are safe as file names.

import crypto from 'node:crypto';
import {slugForFileName} from './layout.js';

/** E.g. `20261124T201500Z-firewall-a1b2`. */
export function newRunId(runbookId: string, date: Date = new Date()): string {
	const stamp = date
		.toISOString()
		.replaceAll(/[-:]/g, '')
		.replace(/\.\d+Z$/, 'Z');
	const random = crypto.randomBytes(2).toString('hex');
	return `${stamp}-${slugForFileName(runbookId, 'run')}-${random}`;
}

/** The start time encoded in a run id, or undefined when it has none. */
export function runIdTime(runId: string): Date | undefined {
	const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(runId);
	if (!match) {
		return undefined;
	}

	const [, year, month, day, hour, minute, second] = match;
	return new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
}
