// A fleet run without a terminal: each host's run is driven exactly as a
// single run is (runHeadless), and this decides only the order and the blast
// radius: a canary alone first (the rest stop if it fails), then batches of
// --serial hosts, at most --forks at a time. A host that fails, or whose
// connection goes, does not touch the others.

import pMap from 'p-map';
import type {RunSession} from '../engine/run-session.js';
import {runHeadless, type HeadlessOptions, type HeadlessResult, type Reporter} from './headless-run.js';

export interface FleetPlan {
	/** Hosts at a time (default 5). */
	forks: number;
	/** Hosts per batch; each batch ends before the next starts (default: all in one). */
	serial?: number;
	/** The first N hosts run alone first; if any of them does not complete, no other host starts. */
	canary: number;
}

export type HostOutcomeKind = HeadlessResult['kind'] | 'unreached' | 'lost' | 'not-started';

export interface HostOutcome {
	host: string;
	kind: HostOutcomeKind;
	message?: string;
	runId?: string;
}

export interface FleetMember {
	host: string;
	/** Connects and opens the host's run; throws with the reason nothing ran there. */
	start: () => Promise<RunSession>;
}

export interface FleetHooks {
	reporterFor: (host: string, session: RunSession) => Reporter;
	/** Called with each session while it runs (to stop it on Ctrl-C), and with undefined once it ended. */
	running?: (host: string, session: RunSession | undefined) => void;
	interrupted: () => boolean;
}

/** The batches the plan makes of the hosts, in order. */
export const fleetBatches = <T>(hosts: readonly T[], plan: Pick<FleetPlan, 'serial' | 'canary'>): Array<{hosts: T[]; canary: boolean}> => {
	const batches: Array<{hosts: T[]; canary: boolean}> = [];
	const canary = Math.min(plan.canary, hosts.length);
	if (canary > 0) batches.push({hosts: hosts.slice(0, canary), canary: true});
	const size = plan.serial && plan.serial > 0 ? plan.serial : Math.max(1, hosts.length - canary);
	for (let i = canary; i < hosts.length; i += size) batches.push({hosts: hosts.slice(i, i + size), canary: false});
	return batches;
};

/** A host whose run was carried out to the end (with findings or without). */
export const SUCCESS: ReadonlySet<HostOutcomeKind> = new Set(['completed', 'attention']);

const runMember = async (member: FleetMember, options: HeadlessOptions, hooks: FleetHooks): Promise<HostOutcome> => {
	let session: RunSession;
	try {
		session = await member.start();
	} catch (error) {
		return {host: member.host, kind: 'unreached', message: (error as Error).message};
	}
	hooks.running?.(member.host, session);
	try {
		const result = await runHeadless(session, options, hooks.reporterFor(member.host, session), hooks.interrupted);
		session.close();
		const message = 'message' in result ? result.message : undefined;
		if (session.lost !== undefined) return {host: member.host, kind: 'lost', runId: session.runId, message};
		return {host: member.host, kind: result.kind, runId: session.runId, ...(message ? {message} : {})};
	} finally {
		hooks.running?.(member.host, undefined);
	}
};

export const runFleet = async (members: readonly FleetMember[], plan: FleetPlan, options: HeadlessOptions, hooks: FleetHooks): Promise<HostOutcome[]> => {
	const outcomes = new Map<string, HostOutcome>();
	let stopReason: string | undefined;
	for (const batch of fleetBatches(members, plan)) {
		if (stopReason !== undefined || hooks.interrupted()) break;
		// In the list's order, at most --forks at a time.
		await pMap(
			batch.hosts,
			async member => {
				if (hooks.interrupted()) return;
				outcomes.set(member.host, await runMember(member, options, hooks));
			},
			{concurrency: plan.forks},
		);
		const failed = batch.hosts.filter(m => !SUCCESS.has(outcomes.get(m.host)?.kind ?? 'not-started'));
		if (batch.canary && failed.length > 0) stopReason = `the canary ${failed.map(m => m.host).join(', ')} did not complete`;
	}
	return members.map(
		m => outcomes.get(m.host) ?? {host: m.host, kind: 'not-started', message: hooks.interrupted() ? 'interrupted before it started' : (stopReason ?? 'not started')},
	);
};
