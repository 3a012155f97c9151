// The start of a fleet run, the same for the headless fleet and the TUI's
// fleet view: the runbook approved once for every host (not once per host),
// and the fleet's record written before any host is reached.

import type {Approval} from '../trust/approvals.js';
import {newRunId} from '../journal/run-id.js';
import {writeFleetRecord, type FleetHostSpec, type FleetRecord} from '../journal/fleet-record.js';
import {approveRun, type ReadyRun, type RunContext} from './open-run.js';

export interface BegunFleet {
	record: FleetRecord;
	/** What each host's run begins from (the approval is already recorded). */
	forHost: ReadyRun;
	approved?: Approval;
}

export const beginFleet = (run: RunContext, ready: ReadyRun, hosts: FleetHostSpec[], mode: 'run' | 'check'): BegunFleet => {
	const {runbook} = ready;
	const approved = ready.pendingApproval ? approveRun(run, runbook) : undefined;
	const secrets = new Set(runbook.meta.inputs.filter(i => i.type === 'secret').map(i => i.name));
	const record: FleetRecord = {
		version: 1,
		fleetId: newRunId(`fleet-${runbook.id}`),
		runbook: {id: runbook.id, path: runbook.path, title: runbook.meta.title},
		mode,
		startedAt: new Date().toISOString(),
		hosts,
		// Secrets are never recorded, here as in a run's record.
		inputs: Object.fromEntries(Object.entries(ready.inputs).filter(([name]) => !secrets.has(name))),
		unreached: {},
	};
	writeFleetRecord(run.stateDir(), record);
	return {record, forHost: {...ready, pendingApproval: undefined}, ...(approved ? {approved} : {})};
};
