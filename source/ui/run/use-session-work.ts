// Session calls that take a while (a step, a check, a rollback): one at a
// time, the screen live meanwhile, the terminal handed to an interactive
// block for as long as it runs, and a clock for the running command.

import {useEffect, useRef, useState} from 'react';
import {EngineError, type RunSession} from '../../engine/run-session.js';
import type {CodeBlock} from '../../runbook/model.js';
import type {TerminalControl} from './terminal-control.js';
import type {Message} from './use-run-state.js';

export interface SessionWork {
	busy: boolean;
	/** Milliseconds the current command has run, while one runs. */
	elapsedMs?: number;
	/** An interactive block has the terminal. */
	suspended: boolean;
	/** Read in key handlers: several keys can arrive before React renders. */
	isBusy: () => boolean;
	/**
	 * Runs `work`; a step whose blocks of these roles are interactive gets
	 * the real terminal first. An engine refusal becomes the message.
	 */
	perform: (stepId: string, roles: ReadonlyArray<CodeBlock['role']>, work: () => Promise<void>) => Promise<void>;
}

export const useSessionWork = (session: RunSession, terminal: TerminalControl | undefined, say: (message: Message) => void, after: () => void): SessionWork => {
	const busyRef = useRef(false);
	const [busySince, setBusySince] = useState<number | undefined>(undefined);
	const [now, setNow] = useState(Date.now());
	const [suspended, setSuspended] = useState(false);
	const busy = busySince !== undefined;

	// The clock of the running command: once a second is enough for a clock.
	useEffect(() => {
		if (!busy || suspended) return;
		const timer = setInterval(() => setNow(Date.now()), 1000);
		return () => clearInterval(timer);
	}, [busy, suspended]);

	/**
	 * The engine spawns the blocks, so the terminal must be handed over before
	 * the call starts, not when an interactive block has started.
	 */
	const withTerminal = async (stepId: string, roles: ReadonlyArray<CodeBlock['role']>, work: () => Promise<void>) => {
		const step = session.runbook.steps.find(s => s.id === stepId);
		if (!terminal || !step?.blocks.some(b => b.runnable && b.interactive && roles.includes(b.role))) return work();
		terminal.suspend(step.title);
		setSuspended(true);
		try {
			await work();
		} finally {
			terminal.resume();
			setSuspended(false);
		}
	};

	const perform: SessionWork['perform'] = async (stepId, roles, work) => {
		if (busyRef.current) {
			say({tone: 'warning', text: 'A command is still running: wait for it, or Ctrl-C to stop it.'});
			return;
		}
		busyRef.current = true;
		setBusySince(Date.now());
		setNow(Date.now());
		try {
			await withTerminal(stepId, roles, work);
		} catch (error) {
			say({tone: 'danger', text: error instanceof EngineError ? error.message : `unexpected error: ${(error as Error).message}`});
		} finally {
			busyRef.current = false;
			setBusySince(undefined);
		}
		after();
	};

	return {busy, elapsedMs: busySince === undefined ? undefined : Math.max(0, now - busySince), suspended, isBusy: () => busyRef.current, perform};
};
