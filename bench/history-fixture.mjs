// A state directory with a long history, as a server would have after years
// of use: a few runbooks of 10 steps, each step printing output, run for real
// once each (completed, and one stopped after a failure), then copied into
// `count` earlier runs spread over the past. Each copy gets its own run id,
// times and log directory, and every line is re-chained (seq kept, `prev` the
// SHA-256 of the line before), so `rampart journal verify` accepts them all:
// the files are what the journal writer makes, byte for byte in shape.

import {createHash} from 'node:crypto';
import {copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {rampartSync} from './lib.mjs';

const STEPS = 10;
const HOURS = 60 * 60 * 1000;

/** One step: a check that fails (so the run block runs) and a run block that prints about 30 lines. */
const step = (id, i, fails) =>
	[
		`## Part ${i} of ${id}`,
		'',
		`Brings part ${i} into shape and shows what it found.`,
		'',
		'```sh',
		`for n in $(seq 1 30); do echo "${id} part ${i}: item $n checked, size $((n * 37)) bytes, state ok"; done`,
		...(fails ? ['echo "part failed: the service did not come back" >&2', 'exit 1'] : []),
		'```',
		'',
	].join('\n');

const runbook = (id, title, every, failAt) =>
	[
		'---',
		`title: ${title}`,
		`summary: ${STEPS} parts of ${title.toLowerCase()}, each with its output.`,
		...(every ? [`every: ${every}`] : []),
		'---',
		'',
		`# ${title}`,
		'',
		...Array.from({length: STEPS}, (_, i) => step(id, i + 1, i + 1 === failAt)),
	].join('\n');

/** The runbooks of the history: three that complete, one that fails at step 6. */
export const HISTORY_RUNBOOKS = [
	{id: 'nightly-check', title: 'Nightly check', every: '7d'},
	{id: 'patch-cycle', title: 'Patch cycle', every: '30d'},
	{id: 'site-audit', title: 'Site audit'},
	{id: 'flaky-migration', title: 'Flaky migration', failAt: 6},
];

export const writeHistoryRunbooks = dir => {
	for (const r of HISTORY_RUNBOOKS) writeFileSync(join(dir, `${r.id}.md`), runbook(r.id, r.title, r.every, r.failAt));
};

const newRuns = (runsDir, before) => readdirSync(runsDir).filter(name => !before.has(name));

/** Runs each runbook once for real; returns the journals made, as templates. */
const realRuns = (runbooksDir, env) => {
	const runsDir = join(env.RAMPART_HOME, 'runs');
	const templates = [];
	for (const r of HISTORY_RUNBOOKS) {
		const file = join(runbooksDir, `${r.id}.md`);
		rampartSync(['approve', file, '--yes'], env);
		const before = new Set(safeList(runsDir));
		try {
			rampartSync(['run', file, '--yes'], env);
		} catch (error) {
			if (!r.failAt) throw error;
		}
		const [name] = newRuns(runsDir, before);
		const runId = name.slice(0, -'.jsonl'.length);
		// A failed run stays resumable; most are ended for good in the end.
		if (r.failAt) rampartSync(['stop', runId, '--reason', 'fixed by hand instead'], env);
		templates.push({runbook: r.id, runId, lines: readFileSync(join(runsDir, name), 'utf8').split('\n').filter(Boolean)});
	}
	return templates;
};

const safeList = dir => {
	try {
		return readdirSync(dir);
	} catch {
		return [];
	}
};

const stampOf = date =>
	date
		.toISOString()
		.replaceAll(/[-:]/g, '')
		.replace(/\.\d+Z$/, 'Z');

/** A copy of `template` as run `runId`, started at `start`, chained anew; its logs copied. */
const copyRun = (home, template, runId, start) => {
	const first = JSON.parse(template.lines[0]);
	const shift = start.getTime() - Date.parse(first.time);
	let prev = '0'.repeat(64);
	const out = [];
	for (const text of template.lines) {
		const event = JSON.parse(text);
		event.prev = prev;
		event.runId = runId;
		event.time = new Date(Date.parse(event.time) + shift).toISOString();
		if (event.log?.path) event.log.path = event.log.path.replace(`logs/${template.runId}/`, `logs/${runId}/`);
		const line = JSON.stringify(event);
		prev = createHash('sha256').update(line).digest('hex');
		out.push(line);
	}
	const logs = join(home, 'logs', runId);
	mkdirSync(logs, {mode: 0o700});
	for (const name of safeList(join(home, 'logs', template.runId))) copyFileSync(join(home, 'logs', template.runId, name), join(logs, name));
	writeFileSync(join(home, 'runs', `${runId}.jsonl`), out.join('\n') + '\n', {mode: 0o600});
};

/**
 * Makes `count` past runs in the state directory of `env` (RAMPART_HOME),
 * from runbooks written to `runbooksDir`: one every 6 hours back from now,
 * one in ten of the failing runbook (stopped), the rest spread over the
 * others. The real runs stay the newest. Returns the number of journals.
 */
export const makeHistory = (runbooksDir, env, count) => {
	writeHistoryRunbooks(runbooksDir);
	const templates = realRuns(runbooksDir, env);
	const home = env.RAMPART_HOME;
	const completing = templates.filter(t => !HISTORY_RUNBOOKS.find(r => r.id === t.runbook).failAt);
	const failing = templates.find(t => HISTORY_RUNBOOKS.find(r => r.id === t.runbook).failAt);
	const now = Date.now();
	for (let i = 0; i < count - templates.length; i++) {
		const start = new Date(now - (i + 1) * 6 * HOURS);
		const template = i % 10 === 9 ? failing : completing[i % completing.length];
		copyRun(home, template, `${stampOf(start)}-${template.runbook}-${(i % 0x10000).toString(16).padStart(4, '0')}`, start);
	}
	return readdirSync(join(home, 'runs')).length;
};
