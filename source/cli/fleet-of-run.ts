// Which fleet a resume or a rollback means, if any: asked before anything
// else is loaded, so that a run on this machine (the usual case) never loads
// the SSH and fleet modules.

import {isFleetId} from '../journal/fleet-record.js';
import {readRunHead} from '../journal/read-records.js';
import {loadListingHeads, newestUnfinishedHead} from '../engine/run-catalog.js';
import type {CliContext} from './context.js';

/** A fleet id, one host's run of a fleet, or (no id) the newest unfinished run if it is a host's. */
export const fleetOfRun = (ctx: CliContext, runId: string | undefined): {fleetId: string; host?: string} | undefined => {
	if (runId !== undefined && isFleetId(runId)) return {fleetId: runId};
	const head = runId !== undefined ? readRunHead(ctx.stateDir(), runId) : newestUnfinishedHead(loadListingHeads(ctx.stateDir()));
	if (head?.fleet === undefined) return undefined;
	return runId !== undefined && head.host !== undefined ? {fleetId: head.fleet, host: head.host} : {fleetId: head.fleet};
};
