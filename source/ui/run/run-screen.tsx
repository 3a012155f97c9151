// The run screen: follows one RunSession and turns the operator's keys into
// session calls. Every rule (what may run, when a step counts as done, where
// a step goes next) is the session's; this wires the pieces together:
// use-step-driver (steps), use-run-actions (every other command),
// use-run-input (keys, by mode) and run-view (the drawing).

import {useCallback, useRef} from 'react';
import type {RunSession} from '../../engine/run-session.js';
import type {RunEvent} from '../../types/events.js';
import {nextStepIndex, type RunState} from '../../engine/state.js';
import {helpLines, hintItems} from '../commands.js';
import {useRefReducer} from '../use-ref-reducer.js';
import {useTerminalSize} from '../use-terminal-size.js';
import {RunView} from './run-view.js';
import {ASK_COMMANDS, availableRunCommands, CONFIRM_COMMANDS, enterLabel, LOG_COMMANDS, RUN_COMMANDS, tableFor, TEXT_COMMANDS} from './run-commands.js';
import {openStepLog} from './open-step-log.js';
import {logScreen, openLogView} from './log-keys.js';
import {initialRunUi, runUiReducer, type Message} from './use-run-state.js';
import {useRunInput} from './use-run-input.js';
import {useThrottledSession} from './use-throttled-session.js';
import {useSessionWork} from './use-session-work.js';
import {useStepDriver} from './use-step-driver.js';
import {useRunActions} from './use-run-actions.js';
import type {TerminalControl} from './terminal-control.js';

export type {TerminalControl};

export interface RunScreenProps {
	session: RunSession;
	terminal?: TerminalControl;
	/** The run has finished (completed, needs attention, stopped, failed or rolled back). */
	onFinished: (state: RunState) => void;
	/** The operator left mid-run; the session is closed and resumable. */
	onLeave: () => void;
}

/** Every key of the run screen, mode by mode, for the `?` help. The full log has keys of its own, and its own `?`. */
const HELP = [...helpLines(RUN_COMMANDS), ...helpLines(CONFIRM_COMMANDS), ...helpLines(ASK_COMMANDS), ...helpLines(TEXT_COMMANDS)].filter(
	(line, i, all) => all.findIndex(other => other.keys === line.keys) === i,
);
const LOG_HELP = helpLines(LOG_COMMANDS);

export const RunScreen = ({session, terminal, onFinished, onLeave}: RunScreenProps) => {
	const [ui, dispatch, getUi] = useRefReducer(runUiReducer, () => initialRunUi(nextStepIndex(session.state) ?? 0));
	const leaving = useRef(false);
	const {columns, rows} = useTerminalSize();
	const steps = session.runbook.steps;

	// The step whose commands run is the one in view.
	const onEvent = useCallback(
		(event: RunEvent) => {
			if (event.type !== 'step-started' && event.type !== 'block-started') return;
			const index = steps.findIndex(s => s.id === event.step);
			if (index !== -1) dispatch({type: 'select', index});
		},
		[steps, dispatch],
	);
	const view = useThrottledSession(session, onEvent);

	const say = (message: Message | undefined) => dispatch({type: 'message', message});
	const leave = () => {
		session.close();
		onLeave();
	};
	/** Ends the run if every step is settled (the engine says how), then shows the summary. */
	const finish = () => {
		if (!session.state.outcome) {
			try {
				session.finish();
			} catch (error) {
				say({tone: 'danger', text: (error as Error).message});
				return;
			}
		}
		onFinished(session.state);
	};
	const work = useSessionWork(session, terminal, say, () => {
		if (leaving.current) leave();
		else if (session.state.outcome) onFinished(session.state);
	});
	const driver = useStepDriver(session, work, view.tails, dispatch, say, finish);
	const openLog = (stepId: string) => {
		const doc = openStepLog(session.stateDir, session.state.steps.find(s => s.id === stepId)?.logs ?? []);
		dispatch({type: 'mode', mode: {kind: 'log', step: stepId, doc, view: openLogView(logScreen(doc, columns, rows))}});
	};
	const actions = useRunActions({
		session,
		get: getUi,
		dispatch,
		say,
		work,
		driver,
		openLog,
		pageRows: () => rows,
		finish,
		leave,
		leaveAfterStop: () => (leaving.current = true),
	});
	const available = () => availableRunCommands(session, session.state, getUi().selected, work.isBusy());
	useRunInput({...actions, get: getUi, dispatch, available, logScreen: mode => logScreen(mode.doc, columns, rows), suspended: work.suspended});

	const state = view.state;
	const selected = steps[ui.selected];
	const now = availableRunCommands(session, state, ui.selected, work.busy);
	const moveOn = enterLabel(state, ui.selected);
	const hints =
		ui.mode.kind === 'browse' ? hintItems(RUN_COMMANDS, now).map(h => (h.keys === 'Enter' && moveOn ? {...h, label: moveOn} : h)) : hintItems(tableFor(ui.mode));
	return (
		<RunView
			runbook={session.runbook}
			state={state}
			ui={ui}
			busy={work.busy}
			elapsedMs={work.elapsedMs}
			tail={selected ? view.tails.get(selected.id) : []}
			hints={hints}
			help={ui.mode.kind === 'log' ? LOG_HELP : HELP}
			confirmations={ui.mode.kind === 'confirm' ? ui.mode.words : []}
			columns={columns}
			rows={rows}
		/>
	);
};
