// Headless output on a terminal, through listr2's live renderer: each step
// is a task with its output beneath it. The headless policy drives the run;
// this only mirrors its events into tasks, so listr2 never decides anything.
// (Pipes, CI and cron get plain lines: line-reporter.ts.)
//
// Output reaches listr2 as a bounded tail, never a line at a time: only the
// last TAIL_LINES lines of a step are kept and handed over at most every
// REDRAW_MS, and listr2 redraws on that clock. A step's start and end are
// shown at once (listr2 redraws on every change of a task's state), with its
// output handed over first, so the screen is never behind the journal by
// more than one redraw.

import {Listr, type ListrTaskWrapper} from 'listr2';
import type {EngineEvent} from '../types/events.js';
import type {Step} from '../runbook/model.js';
import {stripStyles} from '../output/terminal-text.js';
import type {Reporter} from './headless-run.js';
import {narrate, type Outcome} from './narrate.js';

/** Lines of the running step shown on a terminal; the full log is on disk. */
export const TAIL_LINES = 10;
/** How often the terminal's tail is handed to listr2 (which redraws at 10 a second). */
export const REDRAW_MS = 100;

/** The widest line handed to listr2, which cuts lines to the terminal's width itself. */
const MAX_WIDTH = 1000;

/** A line cut to MAX_WIDTH characters, without leaving half a colour sequence behind. */
const narrow = (line: string): string => {
	if (line.length <= MAX_WIDTH) return line;
	// eslint-disable-next-line no-control-regex -- a colour sequence cut in half is what is removed
	const cut = line.slice(0, MAX_WIDTH).replace(/\u001B\[[0-9;:]*$/, '');
	return cut.includes('\u001B') ? `${cut}\u001B[0m` : cut;
};

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
	task?: Task;
	/** The step's last lines. */
	tail: string[];
	/** Lines arrived since the last hand-over to listr2. */
	dirty: boolean;
	startedAt: number;
}

export interface ListrReporter extends Reporter {
	/** Settles every step not reached and waits for the renderer to finish. */
	finish(unreached: string): Promise<void>;
}

export const listrReporter = (
	steps: readonly Step[],
	say: (text: string) => void,
	/** Steps already settled before this session (on resume), by id, with their status. */
	settledBefore: ReadonlyMap<string, string> = new Map(),
	/** Keep the output's colours (a terminal that shows them). */
	colour = false,
): ListrReporter => {
	const slots = new Map<string, Slot>(
		steps.map(step => [step.id, {started: deferred<void>(), finished: deferred<Outcome>(), isStarted: false, isFinished: false, dirty: false, tail: [], startedAt: 0}]),
	);
	const slot = (id: string) => slots.get(id);

	const handOver = (s: Slot) => {
		s.dirty = false;
		// Each hand-over replaces the one before: listr2 keeps one output entry per task.
		if (s.task && s.tail.length > 0) s.task.output = s.tail.join('\n');
	};
	let timer: NodeJS.Timeout | undefined;
	const redraw = () => {
		timer = undefined;
		for (const s of slots.values()) if (s.dirty) handOver(s);
	};
	const write = (id: string, lines: readonly string[]) => {
		const s = slot(id);
		if (!s) return;
		// Of a flood, only the last lines can be seen: only they are kept, and only as wide as a screen
		// (listr2 measures every line it draws, on every redraw: a 64 KiB line cost seconds each time).
		for (let i = Math.max(0, lines.length - TAIL_LINES); i < lines.length; i++) s.tail.push(narrow(colour ? lines[i]! : stripStyles(lines[i]!)));
		if (s.tail.length > TAIL_LINES) s.tail.splice(0, s.tail.length - TAIL_LINES);
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
				// A failed step keeps its last lines on screen: they usually say why.
				else if (outcome.kind === 'fail') throw new Error([outcome.text, ...s.tail].join('\n'));
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
			renderer: 'default',
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
			const said = narrate(event, id => slot(id)?.startedAt);
			if (said?.kind === 'lines') write(said.step, said.lines);
			else if (said?.kind === 'settled') settle(said.step, said.outcome);
			else if (said?.kind === 'warning') say(said.text);
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
