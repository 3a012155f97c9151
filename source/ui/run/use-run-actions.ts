// What each run-screen command does: one session call (the engine decides
// whether it is allowed), then a message. Steps move on through the step
// driver; everything else is a single call here.

import {EngineError, type RunSession} from '../../engine/run-session.js';
import {SETTLED} from '../../engine/state.js';
import type {RunCommand} from './run-commands.js';
import {key} from './run-commands.js';
import type {SessionWork} from './use-session-work.js';
import type {StepDriver} from './use-step-driver.js';
import type {Message, RunAction, RunUiState} from './use-run-state.js';

export interface RunActions {
	command: (id: RunCommand) => void;
	/** Enter in a prompt (the go-ahead, a confirmation word, a reason, a note). */
	submit: () => void;
	answer: (yes: boolean) => void;
	/** Ctrl-C: stop the command, or ask before leaving. */
	interrupt: () => void;
}

export interface RunActionDeps {
	session: RunSession;
	get: () => RunUiState;
	dispatch: (action: RunAction) => void;
	say: (message: Message | undefined) => void;
	work: SessionWork;
	driver: StepDriver;
	openLog: (stepId: string) => void;
	pageRows: () => number;
	finish: () => void;
	leave: () => void;
	/** Leave once the running command has stopped. */
	leaveAfterStop: () => void;
}

export const useRunActions = (deps: RunActionDeps): RunActions => {
	const {session, get, dispatch, say, work, driver} = deps;
	const steps = session.runbook.steps;
	const selected = () => steps[get().selected]!;
	const stateOf = (id: string) => session.state.steps.find(s => s.id === id)!;
	const browse = () => dispatch({type: 'mode', mode: {kind: 'browse'}});

	/** Sync session calls: a refusal is the engine's message, shown as is. */
	const attempt = (call: () => void): boolean => {
		try {
			call();
			return true;
		} catch (error) {
			if (!(error instanceof EngineError)) throw error;
			say({tone: 'danger', text: error.message});
			return false;
		}
	};

	/** Enter: what it means depends on what the step needs now. */
	const enter = () => {
		const step = selected();
		if (SETTLED.has(stateOf(step.id).status)) {
			driver.moveOn(get().selected);
			return;
		}
		const need = session.needOf(step.id);
		if (need.kind === 'interrupted') dispatch({type: 'mode', mode: {kind: 'ask', question: 'rerun-interrupted', step: step.id}});
		else if (need.kind === 'ticks') say({tone: 'warning', text: `Not yet: ${session.blockers(step.id).join('; ')}. ${key('tick')} ticks the highlighted item.`});
		else driver.go(step.id, need.kind === 'already-done' ? {alreadyDone: 'run'} : {acknowledge: true});
	};

	const command = (id: RunCommand) => {
		const step = selected();
		switch (id) {
			case 'run':
			case 'retry':
				return enter();
			case 'check':
				say(undefined);
				return void work.perform(step.id, ['check'], async () => {
					const passed = await session.runCheck(step.id);
					const finding = stateOf(step.id).finding;
					say(
						passed
							? {tone: 'success', text: `The check passed: this looks already done. ${key('accept')} records it as already done; Enter runs it anyway.`}
							: {tone: finding ? 'warning' : 'info', text: finding ? `The check found: ${finding}` : 'The check did not pass: the step is needed. Enter runs it.'},
					);
				});
			case 'accept':
				if (attempt(() => session.markAlreadyDone(step.id))) {
					say({tone: 'success', text: `“${step.title}” recorded as already done.`});
					driver.selectNextAfter(step.id);
				}
				return;
			case 'tick': {
				const item = step.tasks.find(t => !stateOf(step.id).ticks.some(tick => tick.task === t.index));
				if (!item || !attempt(() => session.tick(step.id, item.index))) return;
				const left = session.blockers(step.id);
				say(left.length === 0 ? {tone: 'success', text: 'Every item is ticked. Enter completes the step.'} : {tone: 'info', text: `Ticked: ${item.text}`});
				return;
			}
			case 'skip':
			case 'note':
				return dispatch({type: 'mode', mode: {kind: 'text', purpose: id, step: step.id, value: ''}});
			case 'rollback':
				return dispatch({type: 'mode', mode: {kind: 'ask', question: 'rollback-step', step: step.id}});
			case 'rollback-run':
				return dispatch({type: 'mode', mode: {kind: 'ask', question: 'rollback-run'}});
			case 'log':
				return deps.openLog(step.id);
			case 'finish':
				if (session.allSettled) deps.finish();
				else dispatch({type: 'mode', mode: {kind: 'ask', question: 'finish-stopped'}});
				return;
			case 'prev':
			case 'next':
				return dispatch({type: 'move', by: id === 'prev' ? -1 : 1, count: steps.length});
			case 'page-up':
			case 'page-down':
				return dispatch({type: 'scroll', by: (id === 'page-up' ? -1 : 1) * Math.max(3, Math.floor(deps.pageRows() / 3))});
			case 'stop':
				return interrupt();
			case 'help':
				return dispatch({type: 'mode', mode: {kind: 'help'}});
			case 'quit':
				return dispatch({type: 'mode', mode: {kind: 'ask', question: 'quit'}});
		}
	};

	const submit = () => {
		const mode = get().mode;
		if (mode.kind === 'confirm') {
			if (mode.index + 1 < mode.words.length && (mode.index < 0 || mode.typed === mode.words[mode.index]!.word)) {
				dispatch({type: 'confirm-next'});
				return;
			}
			const word = mode.words[mode.index];
			if (word && mode.typed !== word.word) {
				say({tone: 'danger', text: `That is not “${word.word}”. Type it exactly, or Esc to cancel.`});
				dispatch({type: 'mode', mode: {...mode, typed: ''}});
				return;
			}
			driver.go(mode.step, {acknowledge: true, run: true, confirmations: Object.fromEntries(mode.words.map(w => [w.block, w.word]))});
			return;
		}
		if (mode.kind !== 'text') return;
		const title = steps.find(s => s.id === mode.step)?.title ?? mode.step;
		if (mode.purpose === 'skip') {
			if (!attempt(() => session.skip(mode.step, mode.value))) return;
			browse();
			say({tone: 'warning', text: `“${title}” skipped: ${mode.value.trim()}`});
			driver.selectNextAfter(mode.step);
		} else if (attempt(() => session.addNote(mode.step, mode.value))) {
			browse();
			say({tone: 'info', text: `Note recorded on “${title}”.`});
		}
	};

	const answer = (yes: boolean) => {
		const mode = get().mode;
		if (mode.kind !== 'ask') return;
		browse();
		if (!yes) return say(undefined);
		switch (mode.question) {
			case 'quit':
				if (!work.isBusy()) return deps.leave();
				deps.leaveAfterStop();
				session.cancel();
				return say({tone: 'warning', text: 'Stopping the command, then leaving…'});
			case 'rollback-step': {
				const id = mode.step ?? selected().id;
				return void work.perform(id, ['rollback'], async () => {
					const ok = await session.rollbackStep(id);
					say(ok ? {tone: 'success', text: 'Rolled back.'} : {tone: 'danger', text: `The rollback failed: ${key('log')} shows its log.`});
				});
			}
			case 'rollback-run':
				return void work.perform(selected().id, [], async () => {
					const ok = await session.rollbackRun();
					say(
						ok ? {tone: 'success', text: 'The run was rolled back.'} : {tone: 'danger', text: `A rollback failed; the rest were not run. ${key('log')} shows its log.`},
					);
				});
			case 'rerun-interrupted':
				return driver.go(mode.step ?? selected().id, {acknowledge: true, rerunInterrupted: true});
			case 'finish-stopped':
				if (attempt(() => session.finish('stopped', 'finished by the operator with steps still open'))) deps.finish();
				return;
		}
	};

	const interrupt = () => {
		if (work.isBusy()) {
			session.cancel();
			say({tone: 'warning', text: `Stopping the command and everything it started… (${key('quit')} asks to leave)`});
			return;
		}
		dispatch({type: 'mode', mode: {kind: 'ask', question: 'quit'}});
	};

	return {command, submit, answer, interrupt};
};
