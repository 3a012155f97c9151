// Follows a RunSession: journaled events update the run's state at once
// (they are few), output lines are buffered in a ref and flushed at most
// every FRAME_MS, so a command printing 100 000 lines a second costs about
// 30 renders a second.

import {useEffect, useRef, useState} from 'react';
import type {RunSession} from '../../engine/run-session.js';
import type {EngineEvent, RunEvent} from '../../types/events.js';
import type {RunState} from '../../engine/state.js';
import {OutputTails} from './output-tail.js';

export const FRAME_MS = 33;

export interface SessionView {
	state: RunState;
	tails: OutputTails;
	/** Bumped at each flush of output, so views that read `tails` re-render. */
	outputVersion: number;
}

export const useThrottledSession = (session: RunSession, onEvent?: (event: RunEvent) => void): SessionView => {
	const [state, setState] = useState(session.state);
	const [outputVersion, setOutputVersion] = useState(0);
	const tails = useRef(new OutputTails()).current;
	const timer = useRef<NodeJS.Timeout | undefined>(undefined);
	const onEventRef = useRef(onEvent);
	onEventRef.current = onEvent;

	useEffect(() => {
		const flush = () => {
			timer.current = undefined;
			setOutputVersion(v => v + 1);
		};
		const listener = (event: EngineEvent) => {
			if (event.type === 'output') {
				tails.pushLines(event.step, event.lines, event.stream);
				timer.current ??= setTimeout(flush, FRAME_MS);
				return;
			}
			if (event.type === 'block-started') {
				tails.push(event.step, {text: `${event.role}${event.name ? `: ${event.name}` : ''}`, stream: 'meta'});
			}
			setState(session.state);
			onEventRef.current?.(event);
		};
		const unsubscribe = session.subscribe(listener);
		setState(session.state);
		return () => {
			unsubscribe();
			if (timer.current) clearTimeout(timer.current);
			timer.current = undefined;
		};
	}, [session, tails]);

	return {state, tails, outputVersion};
};
