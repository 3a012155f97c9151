// Follows every host's RunSession at once: a journaled event redraws at
// once (they are few); output goes into that host's bounded tail and is
// drawn at most every FRAME_MS, however many hosts print at a time.

import {useEffect, useRef, useState} from 'react';
import type {EngineEvent} from '../../types/events.js';
import {OutputTails} from '../run/output-tail.js';
import {FRAME_MS} from '../run/use-throttled-session.js';
import type {FleetMember} from './open-fleet.js';

export interface FleetFollow {
	/** Each host's live output, by step. */
	tails: ReadonlyMap<string, OutputTails>;
	/** Bumped at each redraw, so views that read the sessions' state and the tails draw again. */
	version: number;
}

export const useFleetSessions = (members: readonly FleetMember[]): FleetFollow => {
	const [version, setVersion] = useState(0);
	const tails = useRef(new Map(members.map(m => [m.host.name, new OutputTails()]))).current;
	const timer = useRef<NodeJS.Timeout | undefined>(undefined);

	useEffect(() => {
		const bump = () => setVersion(v => v + 1);
		const flush = () => {
			timer.current = undefined;
			bump();
		};
		const stops = members.flatMap(({host, session}) => {
			if (!session) return [];
			const tail = tails.get(host.name)!;
			return [
				session.subscribe((event: EngineEvent) => {
					if (event.type === 'output') {
						tail.pushLines(event.step, event.lines, event.stream);
						timer.current ??= setTimeout(flush, FRAME_MS);
						return;
					}
					if (event.type === 'block-started') tail.push(event.step, {text: `${event.role}${event.name ? `: ${event.name}` : ''}`, stream: 'meta'});
					bump();
				}),
			];
		});
		return () => {
			for (const stop of stops) stop();
			if (timer.current) clearTimeout(timer.current);
			timer.current = undefined;
		};
	}, [members, tails]);

	return {tails, version};
};
