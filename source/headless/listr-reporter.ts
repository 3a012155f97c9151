// Headless output through listr2: each step is a task with its output beneath
// it. The headless policy drives the run; this only mirrors its events into
// tasks, so listr2 never decides anything.
//
// Output reaches listr2 a piece at a time, never a line at a time: to a pipe
// (the simple renderer) each piece the command wrote is one write; on a
// terminal (the default renderer) only the last TAIL_LINES lines of the
// running step are kept and handed over at most every REDRAW_MS, and listr2
// redraws on that clock. A step's start and end are shown at once (listr2
// redraws on every change of a task's state), with its output flushed first,
// so the screen is never behind the journal by more than one redraw.

import {Listr, type ListrTaskWrapper} from 'listr2';
import type {EngineEvent} from '../types/events.js';
import type {Step} from '../runbook/model.js';
import {formatDuration} from '../runbook/duration.js';
import {stripStyles} from '../output/terminal-text.js';
import type {Reporter} from './headless-run.js';

export type ListrRendererName = 'default' | 'simple' | 'verbose';

/** Lines of the running step shown on a terminal; the full log is on disk. */
export const TAIL_LINES = 10;
/** How often the terminal's tail is handed to listr2 (which redraws at 10 a second). */
export const REDRAW_MS = 100;

type Outcome = {kind: 'done'; text?: string} | {kind: 'skip'; text: string} | {kind: 'fail'; text: string};

interface Deferred<T> {
	promise: Promise<T>;
	resolve: (value: T) => void;
}

const deferred = <T>(): Deferred<T> => {
	let resolve!: (value: T) => void;
	const promise = new Promise<T>(r => (resolve = r));
	return {promise, resolve};
};

// ListrTaskWrapper's generics are listr2's own business; only output/skip/title are used.
type Task = ListrTaskWrapper<unknown, never, never>;

interface Slot {
	started: Deferred<void>;
	finished: Deferred<Outcome>;
	isStarted: boolean;
	isFinished: boolean;
	/** Output arrived since the last hand-over to listr2. */
	dirty: boolean;
	task?: Task;
	/** Output not yet handed to listr2: everything (simple renderer) or the tail (default renderer). */
	pending: string[];
	startedAt: number;
}

export interface ListrReporter extends Reporter {
	/** Settles every step not reached and waits for the renderer to finish. */
	finish(unreached: string): Promise<void>;
}

export const listrReporter = (
	steps: readonly Step[],
	renderer: ListrRendererName,
	say: (text: string) => void,
	/** Steps already settled before this session (on resume), by id, with their status. */
	settledBefore: ReadonlyMap<string, string> = new Map(),
	/** Keep the output's colours (a terminal that shows them). */
	colour = false,
): ListrReporter => {
	const live = renderer === 'default';
	const slots = new Map<string, Slot>(
		steps.map(step => [
			step.id,
			{started: deferred<void>(), finished: deferred<Outcome>(), isStarted: false, isFinished: false, dirty: false, pending: [], startedAt: 0},
		]),
	);
	const slot = (id: string) => slots.get(id);

	const handOver = (s: Slot) => {
		s.dirty = false;
		if (!s.task || s.pending.length === 0) return;
		s.task.output = s.pending.join('\n');
		// On a terminal the tail stays: each hand-over replaces the one before.
		if (!live) s.pending = [];
	};
	let timer: NodeJS.Timeout | undefined;
	const redraw = () => {
		timer = undefined;
		for (const s of slots.values()) if (s.dirty) handOver(s);
	};
	const write = (id: string, lines: readonly string[]) => {
		const s = slot(id);
		if (!s) return;
		const shown = colour ? lines : lines.map(stripStyles);
		if (!live) {
			for (const line of shown) s.pending.push(line);
			if (s.task) handOver(s);
			return;
		}
		const from = Math.max(0, shown.length - TAIL_LINES);
		for (let i = from; i < shown.length; i++) s.pending.push(shown[i]!);
		if (s.pending.length > TAIL_LINES) s.pending.splice(0, s.pending.length - TAIL_LINES);
		s.dirty = true;
		timer ??= setTimeout(redraw, REDRAW_MS);
	};
	const settle = (id: string, outcome: Outcome) => {
		const s = slot(id);
		if (!s || s.isFinished) return;
		// Its last lines first, then its end: shown together.
		if (s.dirty) handOver(s);
		s.isFinished = true;
		if (!s.isStarted) {
			s.isStarted = true;
			s.started.resolve();
		}
		s.finished.resolve(outcome);
	};

	const list = new Listr(
		steps.map(step => ({
			title: step.title,
			task: async (_: unknown, task: Task) => {
				const s = slots.get(step.id)!;
				await s.started.promise;
				s.task = task;
				handOver(s);
				const outcome = await s.finished.promise;
				if (outcome.kind === 'skip') task.skip(outcome.text);
				else if (outcome.kind === 'fail') throw new Error(outcome.text);
				else if (outcome.text) task.title = `${step.title} (${outcome.text})`;
			},
		})),
		{
			concurrent: false,
			// Every task settles: a failure is shown and the rest are marked not reached.
			exitOnError: false,
			// Rampart traps SIGINT itself to stop the block's process group and exit 130;
			// listr2's own handler would exit(127) at once and leave the block running.
			registerSignalListeners: false,
			renderer,
			// On a terminal the output bar holds one entry (listr2's default), which is the step's
			// tail; lines are cut to the terminal's width rather than wrapped, so one costs one row.
			rendererOptions: {collapseErrors: false, formatOutput: 'truncate'},
		} as never,
	);
	const running = list.run().catch(() => undefined);
	for (const [id, status] of settledBefore) settle(id, {kind: 'skip', text: `${status} earlier in this run`});

	return {
		stepStarting: step => {
			const s = slot(step.id);
			if (!s || s.isStarted) return;
			s.isStarted = true;
			s.startedAt = Date.now();
			s.started.resolve();
		},
		event: (event: EngineEvent) => {
			switch (event.type) {
				case 'output':
					write(event.step, event.lines);
					break;
				case 'block-started':
					write(event.step, [`$ ${event.name ?? `block ${event.block + 1}`} (${event.role})`]);
					break;
				case 'check-finished':
					if (!event.passed) write(event.step, ['check did not pass: the step will run']);
					break;
				case 'task-ticked':
					write(event.step, [`☑ ${event.text}`]);
					break;
				case 'step-acknowledged':
					write(event.step, ['☑ acknowledged']);
					break;
				case 'step-already-done':
					settle(event.step, {kind: 'done', text: 'already done: its check passed'});
					break;
				case 'step-skipped':
					settle(event.step, {kind: 'skip', text: `skipped: ${event.reason}`});
					break;
				case 'step-finished': {
					const took = formatDuration(Date.now() - (slot(event.step)?.startedAt || Date.now()));
					if (event.status === 'done') settle(event.step, {kind: 'done', text: took});
					else {
						const why = event.status === 'timed-out' ? 'timed out' : event.status === 'cancelled' ? 'cancelled' : (event.error ?? `exit ${event.exitCode ?? '?'}`);
						settle(event.step, {kind: 'fail', text: `${event.status}: ${why}`});
					}
					break;
				}
				case 'warning':
					// Not a step's output: it must be seen even when the step's lines scroll by.
					say(`rampart: warning: ${event.message}`);
					break;
				case 'run-finished':
					break;
				default:
					break;
			}
		},
		finish: async (unreached: string) => {
			if (timer) clearTimeout(timer);
			redraw();
			for (const [id, s] of slots) {
				if (s.isFinished) continue;
				settle(id, s.isStarted ? {kind: 'fail', text: unreached} : {kind: 'skip', text: 'not reached'});
			}
			await running;
		},
	};
};
