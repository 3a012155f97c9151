// The run screen: follows one RunSession and turns the operator's commands
// into session calls. Every rule (what may run, when a step counts as done)
// is the session's; this file only asks it and reports what it said.

import {readFileSync} from 'node:fs';
import path from 'node:path';
import {useCallback, useEffect, useRef, useState} from 'react';
import {EngineError, stepKind, type Confirmation, type RunSession} from '../../engine/run-session.js';
import type {RunEvent} from '../../types/events.js';
import {nextStepIndex, SETTLED, type RunState, type StepState} from '../../engine/state.js';
import {helpLines, hintItems} from '../commands.js';
import {useRefReducer} from '../use-ref-reducer.js';
import {useTerminalSize} from '../use-terminal-size.js';
import {RunView} from './run-view.js';
import {availableRunCommands, hasRole, RUN_COMMANDS, type RunCommand} from './run-commands.js';
import {initialRunUi, runUiReducer, type Message, type Question, type RunMode} from './use-run-state.js';
import {useRunInput} from './use-run-input.js';
import {useThrottledSession} from './use-throttled-session.js';
import {stepDuration} from './status-marks.js';
import {formatDuration} from '../../runbook/duration.js';

/** Hands the terminal to an interactive block and takes it back. */
export interface TerminalControl {
	/** `what` is shown on the normal screen while the terminal is handed over. */
	suspend: (what: string) => void;
	resume: () => void;
}

export interface RunScreenProps {
	session: RunSession;
	terminal?: TerminalControl;
	/** The run has finished (completed, stopped, failed or rolled back). */
	onFinished: (state: RunState) => void;
	/** The operator left mid-run; the session is closed and resumable. */
	onLeave: () => void;
}

const describeResult = (title: string, s: StepState, allSettled: boolean, canRollBack: boolean): Message => {
	const took = stepDuration(s.startedAt, s.endedAt);
	const inTime = took === undefined ? '' : ` in ${formatDuration(took)}`;
	switch (s.status) {
		case 'done':
		case 'already-done':
			return {
				tone: 'success',
				text: `“${title}” ${s.status === 'done' ? 'done' : 'is already done'}${inTime}. ${allSettled ? 'Every step is settled: Enter finishes the run.' : 'Enter goes to the next step.'}`,
			};
		case 'cancelled':
			return {tone: 'warning', text: `“${title}” was stopped; nothing it started is left running. r runs it again.`};
		case 'timed-out':
			return {tone: 'danger', text: `“${title}” timed out. r runs it again, s skips it${canRollBack ? ', u rolls it back' : ''}, l shows the log.`};
		default: {
			const why = s.error ?? (s.exitCode === null || s.exitCode === undefined ? 'stopped by a signal' : `exit ${s.exitCode}`);
			return {tone: 'danger', text: `“${title}” failed (${why}). r runs it again, s skips it${canRollBack ? ', u rolls it back' : ''}, l shows the log.`};
		}
	}
};

/** The hint bar follows the open prompt; in browse mode it comes from the command table. */
const hintsFor = (mode: RunMode['kind'], browse: Array<{keys: string; label: string}>, settled: boolean, allSettled: boolean) => {
	switch (mode) {
		case 'confirm':
			return [{keys: 'Enter', label: 'go on'}, {keys: 'Esc', label: 'cancel'}];
		case 'text':
			return [{keys: 'Enter', label: 'save'}, {keys: 'Esc', label: 'cancel'}];
		case 'ask':
			return [{keys: 'y', label: 'yes'}, {keys: 'n', label: 'no'}];
		case 'log':
			return [{keys: '↑↓', label: 'scroll'}, {keys: 'PgUp/PgDn', label: 'page'}, {keys: 'Esc', label: 'back'}];
		case 'help':
			return [{keys: 'any key', label: 'close help'}];
		case 'browse':
			return [
				...browse.map(h => (h.keys === 'Enter' && settled ? {keys: 'Enter', label: allSettled ? 'finish' : 'next step'} : h)),
				{keys: '↑↓', label: 'steps'},
			];
	}
};

export const RunScreen = ({session, terminal, onFinished, onLeave}: RunScreenProps) => {
	const [ui, dispatch, getUi] = useRefReducer(runUiReducer, () => initialRunUi(nextStepIndex(session.state) ?? 0));
	const [busy, setBusyState] = useState(false);
	const busyRef = useRef(false);
	const [busySince, setBusySince] = useState<number | undefined>(undefined);
	const [now, setNow] = useState(Date.now());
	const [suspended, setSuspended] = useState(false);
	const leaving = useRef(false);
	const {columns, rows} = useTerminalSize();
	const steps = session.runbook.steps;

	const onEvent = useCallback(
		(event: RunEvent) => {
			if (event.type === 'step-started' || event.type === 'block-started') {
				const index = steps.findIndex(s => s.id === event.step);
				if (index !== -1) dispatch({type: 'select', index});
			}
		},
		[steps, dispatch],
	);
	const view = useThrottledSession(session, onEvent);
	const state = view.state;

	// The clock of the running command: once a second is enough for a clock.
	useEffect(() => {
		if (!busy || suspended) return;
		const timer = setInterval(() => setNow(Date.now()), 1000);
		return () => clearInterval(timer);
	}, [busy, suspended]);

	const say = (message: Message | undefined) => dispatch({type: 'message', message});
	const selectedStep = () => steps[getUi().selected]!;
	const stateOf = (id: string) => session.state.steps.find(s => s.id === id)!;
	const toNextOpen = () => {
		const next = nextStepIndex(session.state);
		if (next !== undefined) dispatch({type: 'select', index: next});
	};
	const leave = () => {
		session.close();
		onLeave();
	};
	const finished = () => {
		if (session.state.outcome) onFinished(session.state);
	};

	/** Runs one session call that may take a while; the screen stays live meanwhile. */
	const perform = async (work: () => Promise<void>) => {
		if (busyRef.current) {
			say({tone: 'warning', text: 'A command is still running: wait for it, or Ctrl-C to stop it.'});
			return;
		}
		busyRef.current = true;
		setBusyState(true);
		setBusySince(Date.now());
		setNow(Date.now());
		try {
			await work();
		} catch (error) {
			say({tone: 'danger', text: error instanceof EngineError ? error.message : `unexpected error: ${(error as Error).message}`});
		} finally {
			busyRef.current = false;
			setBusyState(false);
			setBusySince(undefined);
		}
		if (leaving.current) leave();
		else finished();
	};

	/**
	 * A step with an interactive block gets the real terminal for as long as
	 * it runs: the block is spawned by the engine, so the terminal must be
	 * handed over before the step starts, not when the block has started.
	 */
	const withTerminal = async <T,>(stepId: string, roles: readonly string[], work: () => Promise<T>): Promise<T> => {
		const step = steps.find(s => s.id === stepId);
		const needs = Boolean(terminal && step?.blocks.some(b => b.runnable && b.interactive && roles.includes(b.role)));
		if (!needs) return work();
		terminal!.suspend(step!.title);
		setSuspended(true);
		try {
			return await work();
		} finally {
			terminal!.resume();
			setSuspended(false);
		}
	};

	/** Sync session calls: a refusal is the engine's message, shown as is. */
	const attempt = (work: () => void): boolean => {
		try {
			work();
			return true;
		} catch (error) {
			if (!(error instanceof EngineError)) throw error;
			say({tone: 'danger', text: error.message});
			return false;
		}
	};

	const execute = (stepId: string, confirmations: Record<number, string> = {}) => {
		const step = steps.find(s => s.id === stepId)!;
		dispatch({type: 'mode', mode: {kind: 'browse'}});
		say(undefined);
		void perform(async () => {
			view.tails.clear(stepId);
			const result = await withTerminal(stepId, ['run', 'verify'], () => session.runStep(stepId, {confirmations}));
			// The selection stays on the step, so its output stays in view.
			say(describeResult(step.title, result, session.allSettled, hasRole(session, stepId, 'rollback')));
		});
	};

	/** Enter on a settled step moves on: to the next open step, or to the end of the run. */
	const advance = () => {
		const next = nextStepIndex(session.state);
		if (next !== undefined) {
			dispatch({type: 'select', index: next});
			say(undefined);
		} else if (attempt(() => session.finish())) finished();
	};

	const startStep = (again = false) => {
		const step = selectedStep();
		if (!again && SETTLED.has(stateOf(step.id).status)) {
			advance();
			return;
		}
		const kind = stepKind(step);
		if (kind === 'acknowledge' && !stateOf(step.id).acknowledged && !attempt(() => session.acknowledge(step.id))) return;
		const blockers = session.blockers(step.id);
		if (blockers.length > 0) {
			say({tone: 'warning', text: `Not yet: ${blockers.join('; ')}. Space ticks the highlighted item.`});
			return;
		}
		const words = session.confirmationsFor(step.id);
		if (kind === 'commands' || words.length > 0) {
			dispatch({type: 'mode', mode: {kind: 'confirm', step: step.id, words, index: -1, typed: ''}});
			return;
		}
		execute(step.id);
	};

	const command = (id: RunCommand) => {
		const step = selectedStep();
		switch (id) {
			case 'run':
				startStep();
				return;
			case 'retry':
				startStep(true);
				return;
			case 'check':
				say(undefined);
				void perform(async () => {
					view.tails.clear(step.id);
					const passed = await withTerminal(step.id, ['check'], () => session.runCheck(step.id));
					say(
						passed
							? {tone: 'success', text: 'The check passed: this looks already done. d records it as already done; Enter runs it anyway.'}
							: {tone: 'info', text: 'The check did not pass: the step is needed. Enter runs it.'},
					);
				});
				return;
			case 'accept':
				if (attempt(() => session.markAlreadyDone(step.id))) {
					say({tone: 'success', text: `“${step.title}” recorded as already done.`});
					toNextOpen();
				}
				return;
			case 'tick': {
				const s = stateOf(step.id);
				const item = step.tasks.find(t => !s.ticks.some(tick => tick.task === t.index));
				if (!item) return;
				if (!attempt(() => session.tick(step.id, item.index))) return;
				const left = session.blockers(step.id);
				say(
					left.length === 0
						? {tone: 'success', text: 'Every item is ticked. Enter completes the step.'}
						: {tone: 'info', text: `Ticked: ${item.text}`},
				);
				return;
			}
			case 'skip':
				dispatch({type: 'mode', mode: {kind: 'text', purpose: 'skip', step: step.id, value: ''}});
				return;
			case 'note':
				dispatch({type: 'mode', mode: {kind: 'text', purpose: 'note', step: step.id, value: ''}});
				return;
			case 'rollback':
				dispatch({type: 'mode', mode: {kind: 'ask', question: 'rollback-step', step: step.id}});
				return;
			case 'rollback-run':
				dispatch({type: 'mode', mode: {kind: 'ask', question: 'rollback-run'}});
				return;
			case 'log':
				openLog(step.id);
				return;
			case 'finish':
				if (session.allSettled) {
					if (attempt(() => session.finish())) finished();
				} else dispatch({type: 'mode', mode: {kind: 'ask', question: 'finish-stopped'}});
				return;
			case 'prev':
				dispatch({type: 'move', by: -1, count: steps.length});
				return;
			case 'next':
				dispatch({type: 'move', by: 1, count: steps.length});
				return;
			case 'page-up':
				dispatch({type: 'scroll', by: -Math.max(3, Math.floor(rows / 3))});
				return;
			case 'page-down':
				dispatch({type: 'scroll', by: Math.max(3, Math.floor(rows / 3))});
				return;
			case 'stop':
				interrupt();
				return;
			case 'help':
				dispatch({type: 'mode', mode: {kind: 'help'}});
				return;
			case 'quit':
				dispatch({type: 'mode', mode: {kind: 'ask', question: 'quit'}});
				return;
		}
	};

	const openLog = (stepId: string) => {
		const refs = stateOf(stepId).logs;
		const lines: string[] = [];
		for (const ref of refs) {
			try {
				lines.push(...readFileSync(path.join(session.stateDir, ref.path), 'utf8').replace(/\n$/, '').split('\n'));
			} catch (error) {
				lines.push(`# rampart: cannot read ${ref.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
			}
		}
		const page = logPage();
		dispatch({type: 'mode', mode: {kind: 'log', step: stepId, lines, offset: Math.max(0, lines.length - page)}});
	};
	const logPage = () => Math.max(1, rows - 1 - 5 - 3);

	const submit = () => {
		const mode = getUi().mode;
		if (mode.kind === 'confirm') {
			if (mode.index < 0) {
				if (mode.words.length === 0) execute(mode.step);
				else dispatch({type: 'confirm-next'});
				return;
			}
			const word = mode.words[mode.index]!;
			if (mode.typed !== word.word) {
				say({tone: 'danger', text: `That is not “${word.word}”. Type it exactly, or Esc to cancel.`});
				dispatch({type: 'mode', mode: {...mode, typed: ''}});
				return;
			}
			if (mode.index + 1 < mode.words.length) {
				dispatch({type: 'confirm-next'});
				return;
			}
			execute(mode.step, Object.fromEntries(mode.words.map((w: Confirmation) => [w.block, w.word])));
			return;
		}
		if (mode.kind === 'text') {
			const title = steps.find(s => s.id === mode.step)?.title ?? mode.step;
			if (mode.purpose === 'skip') {
				if (attempt(() => session.skip(mode.step, mode.value))) {
					dispatch({type: 'mode', mode: {kind: 'browse'}});
					say({tone: 'warning', text: `“${title}” skipped: ${mode.value.trim()}`});
					toNextOpen();
				}
			} else if (attempt(() => session.addNote(mode.step, mode.value))) {
				dispatch({type: 'mode', mode: {kind: 'browse'}});
				say({tone: 'info', text: 'Note recorded.'});
			}
		}
	};

	const answer = (yes: boolean) => {
		const mode = getUi().mode;
		if (mode.kind !== 'ask') return;
		dispatch({type: 'mode', mode: {kind: 'browse'}});
		if (!yes) {
			say(undefined);
			return;
		}
		const question: Question = mode.question;
		switch (question) {
			case 'quit':
				if (busyRef.current) {
					leaving.current = true;
					session.cancel();
					say({tone: 'warning', text: 'Stopping the command, then leaving…'});
				} else leave();
				return;
			case 'rollback-step': {
				const id = mode.step ?? selectedStep().id;
				void perform(async () => {
					view.tails.clear(id);
					const ok = await withTerminal(id, ['rollback'], () => session.rollbackStep(id));
					say(ok ? {tone: 'success', text: 'Rolled back.'} : {tone: 'danger', text: 'The rollback failed: l shows its log.'});
				});
				return;
			}
			case 'rollback-run':
				void perform(async () => {
					const ok = await session.rollbackRun();
					say(ok ? {tone: 'success', text: 'The run was rolled back.'} : {tone: 'danger', text: 'A rollback failed; the rest were not run. l shows its log.'});
				});
				return;
			case 'finish-stopped':
				if (attempt(() => session.finish('stopped', 'finished by the operator with steps still open'))) finished();
				return;
		}
	};

	const interrupt = () => {
		if (busyRef.current) {
			session.cancel();
			say({tone: 'warning', text: 'Stopping the command and everything it started… (q asks to leave)'});
			return;
		}
		dispatch({type: 'mode', mode: {kind: 'ask', question: 'quit'}});
	};

	const available = () => availableRunCommands(session, session.state, getUi().selected, busyRef.current);
	useRunInput({get: getUi, dispatch, available, command, submit, answer, interrupt, logPage, suspended});

	const selected = steps[ui.selected];
	const canRun = availableRunCommands(session, state, ui.selected, busy);
	return (
		<RunView
			runbook={session.runbook}
			state={state}
			ui={ui}
			busy={busy}
			elapsedMs={busySince === undefined ? undefined : Math.max(0, now - busySince)}
			tail={selected ? view.tails.get(selected.id) : []}
			hints={hintsFor(ui.mode.kind, hintItems(RUN_COMMANDS, canRun), selected ? SETTLED.has(state.steps[ui.selected]!.status) : false, state.steps.every(s => SETTLED.has(s.status)))}
			help={helpLines(RUN_COMMANDS)}
			confirmations={ui.mode.kind === 'confirm' ? ui.mode.words : []}
			columns={columns}
			rows={rows}
		/>
	);
};
