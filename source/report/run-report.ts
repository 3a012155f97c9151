// The audit or incident record of one run, as data: built only from the
// journal (folded the same way as everywhere else) and the step logs it
// points at. The Markdown, HTML and JSON reports all render this.

import {readLogLines} from '../journal/read-records.js';
import {LineRenderer} from '../output/terminal-text.js';
import {journalPath, readJournal, verifyJournal} from '../journal/index.js';
import type {HostTarget, LogRef, Operator, RunEvent} from '../types/events.js';
import {asSeenAfterCrash, foldRun, type StepState} from '../engine/state.js';
import {formatDuration} from '../runbook/duration.js';
import {checkRunSignatures, describeSigner, type RunSignatures} from '../trust/signing.js';

export const EXCERPT_LINES = 20;

export interface LogExcerpt extends LogRef {
	lines: string[];
	/** Lines before the excerpt that are only in the full log. */
	omitted: number;
	missing?: boolean;
}

export interface ReportStep extends Omit<StepState, 'logs'> {
	durationMs?: number;
	logs: LogExcerpt[];
}

export interface RunReport {
	runId: string;
	journal: string;
	runbook: {id: string; title: string; path: string; sha256: string; every?: string};
	operator: Operator;
	/** For a run over SSH: the host, as it was reached (address, host key), in words. */
	target?: string;
	rampartVersion: string;
	mode: 'run' | 'check';
	startedAt: string;
	finishedAt?: string;
	/** The run's outcome, or `in progress` / `interrupted`. */
	outcome: string;
	inputs: Record<string, string>;
	/** Names of secret inputs; their values are never recorded. */
	secrets: string[];
	steps: ReportStep[];
	notes: Array<{text: string; time: string}>;
	resumes: Array<{time: string; operator: Operator; changedSteps: string[]}>;
	timeline: Array<{time: string; text: string}>;
	integrity: {ok: boolean; problems: string[]};
	/** Who signed the record (see trust/signing.ts); `summary` is `unsigned` for a run never signed. */
	signing: RunSignatures & {summary: string};
}

const excerpt = (stateDir: string, log: LogRef): LogExcerpt => {
	const {lines, omitted, error} = readLogLines(stateDir, log, EXCERPT_LINES);
	// As a terminal would have shown them, without colours: a report is read in a browser or an editor.
	const renderer = new LineRenderer(false);
	return error ? {...log, lines: [], omitted: 0, missing: true} : {...log, lines: lines.map(line => renderer.line(line)), omitted};
};

const who = (o: Operator) => `${o.user}@${o.host}${o.sshClient ? ` from ${o.sshClient.split(' ')[0]}` : ''}`;

/** One line of plain words per journaled event. */
export const describeEvent = (event: RunEvent, titles: Map<string, string>): string => {
	const step = (id: string) => `"${titles.get(id) ?? id}"`;
	switch (event.type) {
		case 'run-started':
			return `Run started by ${who(event.operator)} (Rampart ${event.rampartVersion}, ${event.mode === 'check' ? 'check only' : 'run'})`;
		case 'run-resumed':
			return `Run resumed by ${who(event.operator)}${event.changedSteps.length ? `; changed steps: ${event.changedSteps.map(step).join(', ')}` : ''}`;
		case 'step-started':
			return `Step ${step(event.step)} started${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`;
		case 'block-started':
			return `  block ${event.block + 1} (${event.role})${event.name ? ` "${event.name}"` : ''} started`;
		case 'block-finished': {
			const how = event.timedOut ? 'timed out' : event.cancelled ? 'cancelled' : `exit ${event.exitCode ?? event.signal ?? '?'}`;
			return `  block ${event.block + 1} (${event.role}): ${how} after ${formatDuration(event.durationMs)}`;
		}
		case 'step-finished':
			return `Step ${step(event.step)} ${event.status === 'attention' ? 'needs attention' : event.status}${event.error ? `: ${event.error}` : ''}${event.findings?.length ? `: ${event.findings.join('; ')}` : ''}`;
		case 'check-finished':
			return `Check of ${step(event.step)} ${event.cancelled ? 'stopped' : event.passed ? 'passed' : 'did not pass'}${event.finding ? `; finding: ${event.finding}` : ''}`;
		case 'step-already-done':
			return `Step ${step(event.step)} marked already done (its check passed)`;
		case 'step-skipped':
			return `Step ${step(event.step)} skipped: ${event.reason}`;
		case 'task-ticked':
			return `Ticked in ${step(event.step)}: ${event.text}`;
		case 'step-acknowledged':
			return `Step ${step(event.step)} acknowledged`;
		case 'note-added':
			return `Note${event.step ? ` on ${step(event.step)}` : ''}: ${event.text}`;
		case 'rollback-started':
			return `Rollback started (${event.steps.length ? event.steps.map(step).join(', ') : 'nothing to undo'})`;
		case 'step-rolled-back':
			return `Step ${step(event.step)} ${event.ok ? 'rolled back' : 'rollback FAILED'}`;
		case 'run-finished':
			return `Run finished: ${event.outcome}${event.reason ? ` (${event.reason})` : ''}`;
		case 'warning':
			return `Warning${event.step ? ` before ${step(event.step)}` : ''}: ${event.message}`;
	}
};

/** `allowedSigners`: the file that names who may sign; without it a signature's key is shown, not its holder. */
export const buildRunReport = (stateDir: string, runId: string, options: {allowedSigners?: string; env?: NodeJS.ProcessEnv} = {}): RunReport => {
	const path = journalPath(stateDir, runId);
	const {events} = readJournal(path);
	const verification = verifyJournal(path, stateDir);
	const state = asSeenAfterCrash(foldRun(events));
	const signing = checkRunSignatures(stateDir, runId, options.allowedSigners, options.env ?? process.env);
	const titles = new Map(state.steps.map(s => [s.id, s.title]));
	const durations = new Map<string, number>();
	for (const s of state.steps) {
		if (s.startedAt && s.endedAt) durations.set(s.id, Date.parse(s.endedAt) - Date.parse(s.startedAt));
	}
	const interrupted = !state.outcome && state.steps.some(s => s.status === 'interrupted');
	return {
		runId,
		journal: path,
		runbook: state.runbook,
		operator: state.operator,
		...(state.target ? {target: describeTarget(state.target)} : {}),
		rampartVersion: state.rampartVersion,
		mode: state.mode,
		startedAt: state.startedAt,
		finishedAt: state.finishedAt,
		outcome: state.outcome ?? (interrupted ? 'interrupted' : 'in progress'),
		inputs: state.inputs,
		secrets: state.secrets,
		steps: state.steps.map(s => ({...s, durationMs: durations.get(s.id), logs: s.logs.map(log => excerpt(stateDir, log))})),
		notes: state.notes,
		resumes: state.resumes,
		timeline: events.filter(e => e.type !== 'block-started').map(e => ({time: e.time, text: describeEvent(e, titles)})),
		integrity: {ok: verification.ok, problems: verification.problems.map(p => p.message)},
		signing: {...signing, summary: describeSigner(signing)},
	};
};

/** `web1 (203.0.113.5:22 as root through sudo -n), host key ssh-ed25519 SHA256:…, fleet run …` */
export const describeTarget = (t: HostTarget): string =>
	`${t.host} (${t.address ?? t.destination}${t.port !== undefined ? `:${t.port}` : ''}${t.user ? ` as ${t.user}` : ''}${t.become ? ' through sudo -n' : ''}), host key ${t.hostKey ?? 'not reported'}${t.fleet ? `, fleet run ${t.fleet}` : ''}`;
