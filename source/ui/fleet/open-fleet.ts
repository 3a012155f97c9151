// Reaches a fleet's hosts before the fleet view draws its first frame: ssh
// may ask for a key's passphrase on the terminal, which it can only do while
// Ink does not own it (so hosts are reached one at a time, batch off). Each
// reached host gets its own run record under one fleet record; a host that
// cannot be reached stays in the view as "not reached", with the reason.

import {beginFleet} from '../../engine/begin-fleet.js';
import type {RunContext} from '../../engine/open-run.js';
import type {RunSession} from '../../engine/run-session.js';
import type {Runbook} from '../../runbook/model.js';
import {writeFleetRecord} from '../../journal/fleet-record.js';
import {openHostSession} from '../../remote/host-session.js';
import {controlDirectory, type SshConnection} from '../../remote/ssh-connection.js';
import type {FleetHost} from '../../remote/targets.js';
import type {TuiStart} from '../services.js';

export type FleetStart = Extract<TuiStart, {screen: 'fleet'}>;

/** One row of the fleet view: a host, with its run, or with why nothing runs there. */
export interface FleetMember {
	host: FleetHost;
	session?: RunSession;
	/** Why the host was not reached (OpenSSH's words, or its requirements). */
	problem?: string;
}

export interface FleetHandle {
	fleetId: string;
	runbook: Runbook;
	forks: number;
	members: FleetMember[];
	/** Closes every session and connection and removes the control directory; the fleet record names the hosts not reached. Once. */
	release: () => Promise<void>;
	/** The same without waiting, for a process that exits now (the masters end when its pipes close). */
	releaseNow: () => void;
}

export const openFleet = async (run: RunContext, start: FleetStart, say: (line: string) => void): Promise<FleetHandle> => {
	const {ready, hosts} = start;
	const runbook = ready.runbook;
	const {record, forHost} = beginFleet(run, ready, hosts, 'run');
	const control = controlDirectory();
	const connections: SshConnection[] = [];
	const members: FleetMember[] = [];
	for (const [index, host] of hosts.entries()) {
		say(`connecting to ${host.name} (${index + 1} of ${hosts.length})…`);
		try {
			const opened = await openHostSession(
				run,
				host,
				async () => forHost,
				{fleetId: record.fleetId, mode: 'run', maxLogBytes: start.maxLogBytes, controlDir: control.path, socketName: `h${index}`, batch: false},
				run.env,
			);
			connections.push(opened.connection);
			members.push({host, session: opened.session});
		} catch (error) {
			const problem = (error as Error).message;
			say(`${host.name}: not reached: ${problem.split('\n')[0]}`);
			members.push({host, problem});
		}
	}
	record.unreached = Object.fromEntries(members.filter(m => m.problem !== undefined).map(m => [m.host.name, m.problem!]));
	writeFleetRecord(run.stateDir(), record);
	let released = false;
	const releaseNow = () => {
		if (released) return;
		released = true;
		for (const member of members) member.session?.close();
		control.remove();
	};
	return {
		fleetId: record.fleetId,
		runbook,
		forks: start.forks,
		members,
		release: async () => {
			if (released) return;
			for (const member of members) member.session?.close();
			await Promise.all(connections.map(c => c.close()));
			releaseNow();
		},
		releaseNow,
	};
};
