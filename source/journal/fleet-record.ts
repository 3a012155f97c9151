// A fleet run: one runbook on several hosts over SSH. Each host's run has
// its own journal (hash-chained, resumable) that names the fleet; this
// small file says which hosts the fleet meant and how to reach them, so a
// resume reaches the same hosts without the inventory, and it records the
// hosts that were never reached (they have no journal to say so).

import fs from 'node:fs';
import path from 'node:path';
import {ensurePrivateDir, isErrno, readRecordFile, writeFileAtomically} from './state-dir.js';
import {slugForFileName} from './layout.js';

export const FLEETS = 'fleets';

/** How to reach one host, as --host or the inventory said (see remote/targets.ts). */
export interface FleetHostSpec {
	/** The name the operator knows it by (inventory name or --host): records are kept under it. */
	name: string;
	/** What `ssh` connects to: ansible_host, else the name (which ~/.ssh/config may map). */
	destination: string;
	port?: number;
	user?: string;
	identityFile?: string;
	/** ansible_ssh_common_args and ansible_ssh_extra_args, split as a shell would. */
	sshArgs: string[];
	/** Run blocks through `sudo -n` (ansible_become or --become). */
	become: boolean;
	becomeUser?: string;
}

export interface FleetRecord {
	version: 1;
	fleetId: string;
	runbook: {id: string; path: string; title: string};
	mode: 'run' | 'check';
	startedAt: string;
	hosts: FleetHostSpec[];
	/** Input values, secrets never (as in a run's record): a host reached only on resume gets them too. */
	inputs: Record<string, string>;
	/** Hosts nothing ran on, and why (unreachable, host key, requirements), latest attempt. */
	unreached: Record<string, string>;
}

export const fleetPath = (stateDir: string, fleetId: string): string => path.join(stateDir, FLEETS, `${fleetId}.json`);

/** Fleet ids read like run ids: `20261207T101500Z-fleet-firewall-a1b2`. */
export const isFleetId = (id: string): boolean => /^\d{8}T\d{6}Z-fleet-/.test(id) && slugForFileName(id, '') === id;

export const writeFleetRecord = (stateDir: string, record: FleetRecord): void => {
	ensurePrivateDir(stateDir, FLEETS);
	writeFileAtomically(fleetPath(stateDir, record.fleetId), `${JSON.stringify(record, null, '\t')}\n`);
};

export class FleetRecordError extends Error {
	override name = 'FleetRecordError';
}

/** The fleet's record, or undefined when there is no such fleet. */
export const readFleetRecord = (stateDir: string, fleetId: string): FleetRecord | undefined => {
	if (!isFleetId(fleetId)) return undefined;
	let text: string;
	try {
		text = readRecordFile(fleetPath(stateDir, fleetId)).toString('utf8');
	} catch (error) {
		if (isErrno(error, 'ENOENT')) return undefined;
		throw error;
	}
	try {
		const record = JSON.parse(text) as FleetRecord;
		if (record.version !== 1 || record.fleetId !== fleetId || !Array.isArray(record.hosts)) throw new Error('not a fleet record');
		return record;
	} catch (error) {
		throw new FleetRecordError(`the record of fleet run ${fleetId} cannot be read (${(error as Error).message}): ${fleetPath(stateDir, fleetId)}`);
	}
};

export const listFleets = (stateDir: string): string[] => {
	try {
		return fs
			.readdirSync(path.join(stateDir, FLEETS))
			.filter(name => name.endsWith('.json'))
			.map(name => name.slice(0, -'.json'.length))
			.filter(isFleetId)
			.sort();
	} catch {
		return [];
	}
};
