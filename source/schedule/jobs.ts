// What the schedule runs: the daily "what is due" notice, and each periodic
// runbook that only looks (every shell block a check or a verify), run with
// --check on its period. A runbook that changes things, or needs an input
// nobody is there to give, is not run unattended: it is listed as skipped,
// with the reason.

import fs from 'node:fs';
import type {Discovery} from '../runbook/discover.js';
import type {Runbook} from '../runbook/model.js';
import {parseRunbookBytes} from '../runbook/parse.js';
import {periodFor, PERIODS, type JobTime, type Period} from './calendar.js';

export interface Job {
	/** Unit base name and cron tag: rampart-notify-due, rampart-audit-firewall-audit. */
	name: string;
	description: string;
	/** Arguments after the rampart command. */
	args: string[];
	period: Period;
	time: JobTime;
	needsRoot: boolean;
}

export interface SkippedRunbook {
	id: string;
	reason: string;
}

const SAFE_ID = /^[a-z0-9][a-z0-9-]{0,80}$/;

/** The daily job: in the morning, when people read it. */
export const DUE_JOB: Job = {
	name: 'rampart-notify-due',
	description: 'Rampart: notify about runbooks due or overdue',
	args: ['notify', '--due', '--quiet'],
	period: PERIODS[0]!,
	time: {hour: 8, minute: 0},
	needsRoot: false,
};

/** Why a periodic runbook cannot run unattended with --check; undefined when it can. */
export const uncheckableReason = (runbook: Runbook): string | undefined => {
	const blocks = runbook.steps.flatMap(s => s.blocks.filter(b => b.runnable));
	if (blocks.length === 0) return 'it has no shell blocks to check with';
	const doing = blocks.filter(b => b.role !== 'check' && b.role !== 'verify');
	if (doing.length > 0) return `it changes things (${doing.length} ${doing[0]!.role} block${doing.length === 1 ? '' : 's'}): run it yourself when it is due`;
	if (runbook.steps.some(s => s.tasks.length > 0)) return 'it has manual items to tick';
	const asked = runbook.meta.inputs.filter(i => !i.optional && i.default === undefined && i.defaultFrom === undefined);
	if (asked.length > 0) return `input${asked.length === 1 ? '' : 's'} without a default: ${asked.map(i => i.name).join(', ')}`;
	return undefined;
};

const readRunbook = (path: string): Runbook | undefined => {
	try {
		return parseRunbookBytes(path, fs.readFileSync(path)).runbook;
	} catch {
		return undefined;
	}
};

/** The jobs for this host: the due notice, then one audit per check-only periodic runbook (as `root` allows). */
export const scheduleJobs = (discovery: Discovery, {root}: {root: boolean}): {jobs: Job[]; skipped: SkippedRunbook[]} => {
	const jobs: Job[] = [DUE_JOB];
	const skipped: SkippedRunbook[] = [];
	for (const entry of discovery.entries) {
		const runbook = readRunbook(entry.path);
		if (!runbook?.meta.every) continue;
		const reason = !SAFE_ID.test(entry.id)
			? 'its id is not lowercase letters, digits and dashes, as a unit name needs'
			: (uncheckableReason(runbook) ?? (runbook.meta.requires.root && !root ? 'it needs root: install the schedule as root' : undefined));
		if (reason) {
			skipped.push({id: entry.id, reason});
			continue;
		}
		// Audits at night, a quarter of an hour apart, so they do not all start at once.
		const slot = jobs.length - 1;
		jobs.push({
			name: `rampart-audit-${entry.id}`,
			description: `Rampart: ${runbook.meta.title} (--check, ${runbook.meta.every.text})`,
			args: ['notify', '--audit', entry.id, '--quiet'],
			period: periodFor(runbook.meta.every),
			time: {hour: (3 + Math.floor((30 + 15 * slot) / 60)) % 24, minute: (30 + 15 * slot) % 60},
			needsRoot: runbook.meta.requires.root,
		});
	}
	return {jobs, skipped};
};
