// Session calls that take a while, on several hosts: at most `forks` hosts
// at a time, one call per host at a time, the view live meanwhile. A host's
// failure (an engine refusal, a lost connection) is that host's: the others
// go on, and each host's answer comes back to the caller.

import pMap from 'p-map';
import {useRef, useState} from 'react';
import {EngineError} from '../../engine/run-session.js';

export interface HostAnswer {
	host: string;
	/** Why the call did not go through, in the engine's words. */
	error?: string;
}

export interface FleetWork {
	/** Hosts a call runs on now. */
	busy: ReadonlySet<string>;
	/** Read in key handlers: several keys can arrive before React renders. */
	isBusy: (host?: string) => boolean;
	/** The hosts busy now, read at once (not as last drawn). */
	running: () => string[];
	/** Runs `work` on each host not busy already, `forks` at a time; resolves with every host's answer. */
	perform: (hosts: readonly string[], work: (host: string) => Promise<void>) => Promise<HostAnswer[]>;
}

/** At most `limit` of `work` at a time, in the order of the list. */
export const useFleetWork = (forks: number): FleetWork => {
	const busyRef = useRef(new Set<string>());
	const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
	const update = () => setBusy(new Set(busyRef.current));

	const perform: FleetWork['perform'] = async (hosts, work) => {
		const free = hosts.filter(h => !busyRef.current.has(h));
		const answers: HostAnswer[] = [];
		for (const host of free) busyRef.current.add(host);
		update();
		await pMap(
			free,
			async host => {
				try {
					await work(host);
					answers.push({host});
				} catch (error) {
					answers.push({host, error: error instanceof EngineError ? error.message : `unexpected error: ${(error as Error).message}`});
				} finally {
					busyRef.current.delete(host);
					update();
				}
			},
			{concurrency: forks},
		);
		return hosts.filter(h => free.includes(h)).map(h => answers.find(a => a.host === h)!);
	};

	return {busy, isBusy: host => (host === undefined ? busyRef.current.size > 0 : busyRef.current.has(host)), running: () => [...busyRef.current], perform};
};
