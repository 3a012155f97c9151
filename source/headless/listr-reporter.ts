// Headless output through listr2: each step is a task with its output beneath
// it. The headless policy drives the run; this only mirrors its events into
// tasks, so listr2 never decides anything.

import {Listr, type ListrTaskWrapper} from 'listr2';
import type {EngineEvent} from '../types/events.js';
import type {Step} from '../runbook/model.js';
import {formatDuration} from '../runbook/duration.js';
import type {Reporter} from './headless-run.js';

export type ListrRendererName = 'default' | 'simple' | 'verbose';

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
	task?: Task;
	/** Output that arrived before listr handed over the task. */
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
): ListrReporter => {
	const slots = new Map<string, Slot>(
		steps.map(step => [step.id, {started: deferred<void>(), finished: deferred<Outcome>(), isStarted: false, isFinished: false, pending: [], startedAt: 0}]),
	);
	const slot = (id: string) => slots.get(id);

	const write = (id: string, line: string) => {
		const s = slot(id);
		if (!s) return;
		if (s.task) s.task.output = line;
		else s.pending.push(line);
	};
	const settle = (id: string, outcome: Outcome) => {
		const s = slot(id);
		if (!s || s.isFinished) return;
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
				for (const line of s.pending.splice(0)) task.output = line;
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
			rendererOptions: {persistentOutput: true, outputBar: Infinity, collapseErrors: false},
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
					write(event.step, event.text);
					break;
				case 'block-started':
					write(event.step, `$ ${event.name ?? `block ${event.block + 1}`} (${event.role})`);
					break;
				case 'check-finished':
					if (!event.passed) write(event.step, 'check did not pass: the step will run');
					break;
				case 'task-ticked':
					write(event.step, `☑ ${event.text}`);
					break;
				case 'step-acknowledged':
					write(event.step, '☑ acknowledged');
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
			for (const [id, s] of slots) {
				if (s.isFinished) continue;
				settle(id, s.isStarted ? {kind: 'fail', text: unreached} : {kind: 'skip', text: 'not reached'});
			}
			await running;
		},
	};
};
