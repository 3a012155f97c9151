// `rampart run … --host/--inventory` and the resume of a fleet run: the same
// runbook on several hosts over SSH, headless. The runbook is opened once
// here (found, lint-clean, trusted, approved, inputs checked); each host is
// then reached, asked for its `requires`, and given its own run record under
// the fleet's id. The order and blast radius are headless/fleet-run.ts's.

import {beginFleet} from '../../engine/begin-fleet.js';
import type {RunSession} from '../../engine/run-session.js';
import {openRun, type ReadyRun, type RunContext} from '../../engine/open-run.js';
import {listRuns} from '../../journal/read-journal.js';
import {readRunHead} from '../../journal/read-records.js';
import {readFleetRecord, writeFleetRecord, type FleetRecord} from '../../journal/fleet-record.js';
import {runFleet, SUCCESS, type FleetMember, type FleetPlan, type HostOutcome} from '../../headless/fleet-run.js';
import {lineReporter} from '../../headless/line-reporter.js';
import {jsonReporter} from '../../headless/reporters.js';
import {controlDirectory, type SshConnection} from '../../remote/ssh-connection.js';
import {openHostSession} from '../../remote/host-session.js';
import {resolveTargets, type FleetHost, type TargetFlags} from '../../remote/targets.js';
import {InventoryError} from '../../remote/inventory.js';
import {CliError, usageError} from '../errors.js';
import {EXIT} from '../exit-codes.js';
import type {CliContext} from '../context.js';
import {gatherInputs} from '../prepare-run.js';
import {maxLogBytes} from '../log-limit.js';
import {readyRun, sessionSigning} from '../open-run.js';
import type {ResumeOptions, RunOptions} from './run.js';

export interface FleetOptions {
	forks?: string;
	serial?: string;
	canary?: string;
	/** --sign-key: each host's record is signed when its session ends, as a single run's is. */
	signKey?: string;
}

const count = (value: string | undefined, flag: string, fallback: number, min: number): number => {
	if (value === undefined) return fallback;
	if (!/^\d+$/.test(value) || Number(value) < min) throw usageError(`${flag} takes a whole number of hosts${min > 0 ? `, at least ${min}` : ''}, not "${value}"`);
	return Number(value);
};

export const fleetPlan = (options: FleetOptions): FleetPlan => {
	const serial = count(options.serial, '--serial', 0, 1);
	return {forks: count(options.forks, '--forks', 5, 1), ...(options.serial !== undefined ? {serial} : {}), canary: count(options.canary, '--canary', 0, 0)};
};

/** Each host's lines, prefixed with its name: hosts that run at once stay apart. */
const prefixed = (host: string, width: number, send: (text: string) => void) => {
	const prefix = `${host.padEnd(width)} │ `;
	return (text: string) => {
		const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
		send(`${lines.map(line => prefix + line).join('\n')}\n`);
	};
};

interface FleetRun {
	record: FleetRecord;
	/** Per host: how its session is begun once it is connected (a new run, or a resume of its run). */
	readyFor: (host: FleetHost) => Promise<ReadyRun>;
	mode: 'run' | 'check';
}

/** Connects to each host in turn of the plan, runs it, and says how each ended. */
const driveFleet = async (ctx: CliContext, fleet: FleetRun, hosts: FleetHost[], options: RunOptions & FleetOptions): Promise<number> => {
	const plan = fleetPlan(options);
	const run: RunContext = {env: ctx.env, cwd: ctx.cwd, stateDir: ctx.stateDir};
	const sign = await sessionSigning(ctx, options.signKey);
	const control = controlDirectory();
	const connections: SshConnection[] = [];
	const sessions = new Map<string, RunSession>();
	let interrupted = false;
	const onSignal = () => {
		interrupted = true;
		for (const session of sessions.values()) session.cancel();
	};
	const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
	for (const signal of signals) process.on(signal, onSignal);
	const width = Math.min(24, Math.max(...hosts.map(h => h.name.length)));
	const members: FleetMember[] = hosts.map((host, index) => ({
		host: host.name,
		start: async () => {
			const {session, connection} = await openHostSession(
				run,
				host,
				() => fleet.readyFor(host),
				{
					fleetId: fleet.record.fleetId,
					mode: fleet.mode,
					maxLogBytes: maxLogBytes(options.maxLogBytes, ctx.env),
					controlDir: control.path,
					socketName: `h${index}`,
					batch: true,
				},
				ctx.env,
			);
			connections.push(connection);
			sign(session);
			if (!options.json) ctx.err(`rampart: ${host.name}: run ${session.runId} (host key ${connection.facts.hostKey ?? 'not reported'})`);
			return session;
		},
	}));
	let outcomes: HostOutcome[];
	try {
		outcomes = await runFleet(
			members,
			plan,
			{yes: options.yes === true, ack: options.ack === true, check: fleet.mode === 'check', rerunInterrupted: options.rerunInterrupted === true},
			{
				reporterFor: (host, session) => {
					if (options.json) return jsonReporter(ctx.out);
					const settledBefore = new Map(session.state.steps.filter(s => s.status !== 'pending' && s.status !== 'running').map(s => [s.id, s.status]));
					return lineReporter(
						session.runbook.steps,
						prefixed(host, width, ctx.write),
						prefixed(host, width, text => ctx.err(text.replace(/\n$/, ''))),
						settledBefore,
					);
				},
				running: (host, session) => {
					if (session) sessions.set(host, session);
					else sessions.delete(host);
				},
				interrupted: () => interrupted,
			},
		);
	} finally {
		for (const signal of signals) process.off(signal, onSignal);
		for (const session of sessions.values()) session.close();
		await Promise.all(connections.map(c => c.close()));
		control.remove();
	}
	fleet.record.unreached = Object.fromEntries(outcomes.filter(o => o.kind === 'unreached').map(o => [o.host, o.message ?? '']));
	writeFleetRecord(ctx.stateDir(), fleet.record);
	await ctx.stdoutFlushed?.();
	report(ctx, fleet.record, outcomes, options.json === true);
	if (interrupted) return EXIT.interrupted;
	return outcomes.every(o => o.kind === 'completed') ? EXIT.ok : EXIT.failed;
};

const report = (ctx: CliContext, record: FleetRecord, outcomes: HostOutcome[], json: boolean) => {
	if (json) {
		ctx.out(JSON.stringify({type: 'fleet-finished', fleet: record.fleetId, hosts: outcomes}));
		return;
	}
	// A run with findings was carried out: it counts as completed, and says it needs attention.
	const done = outcomes.filter(o => SUCCESS.has(o.kind)).length;
	const attention = outcomes.filter(o => o.kind === 'attention').length;
	const width = Math.max(...outcomes.map(o => o.host.length));
	const lines = outcomes.map(o => {
		const head = `  ${o.host.padEnd(width)}  ${o.kind.padEnd(11)}${o.runId ? ` run ${o.runId}` : ''}`;
		const detail = o.kind === 'completed' || !o.message ? [] : o.message.split('\n').map(line => `      ${line}`);
		return [head, ...detail].join('\n');
	});
	const unfinished = outcomes.some(o => !SUCCESS.has(o.kind));
	ctx.err(
		`rampart: fleet run ${record.fleetId} of "${record.runbook.title}": ${done} of ${outcomes.length} host${outcomes.length === 1 ? '' : 's'} completed${attention > 0 ? ` (${attention} with findings that need attention)` : ''}\n${lines.join('\n')}` +
			(unfinished ? `\nFix what is said above, then: rampart resume ${record.fleetId}` : ''),
	);
};

/** `rampart run RUNBOOK --host …/--inventory …`: a new fleet run. */
export const fleetRunCommand = async (ctx: CliContext, ref: string, hosts: FleetHost[], options: RunOptions & FleetOptions): Promise<number> => {
	if (!options.yes && !options.json && ctx.stdinIsTTY && !options.check) {
		ctx.err('rampart: a fleet run is headless: each step runs on every host without asking. Confirmations need --yes.');
	}
	fleetPlan(options); // flags checked before anything is connected
	const ready = await readyRun(ctx, {runbook: ref}, {...options, interactive: false, remote: true});
	const runbook = ready.runbook;
	const {record, forHost, approved} = beginFleet({env: ctx.env, cwd: ctx.cwd, stateDir: ctx.stateDir}, ready, hosts, options.check ? 'check' : 'run');
	if (approved) ctx.err(`rampart: approved ${runbook.path} (SHA-256 ${runbook.sha256}) as ${approved.approvedBy.user}`);
	if (!options.json) ctx.err(`rampart: fleet run ${record.fleetId} of "${runbook.meta.title}" on ${hosts.length} host${hosts.length === 1 ? '' : 's'}`);
	return driveFleet(ctx, {record, mode: record.mode, readyFor: async () => forHost}, hosts, options);
};

/**
 * Resumes a fleet run: each host whose run did not finish is resumed over a
 * new connection, and a host that was never reached starts its run now.
 * `only`: just this host (a resume of one host's run).
 */
export const fleetResumeCommand = async (ctx: CliContext, fleetId: string, options: ResumeOptions & FleetOptions, only?: string): Promise<number> => {
	const record = readFleetRecord(ctx.stateDir(), fleetId);
	if (!record) throw usageError(`there is no fleet run ${fleetId}`, 'See the runs with: rampart history');
	// Every run of the fleet, oldest first (the listing's index keeps only the latest completed run per host).
	const heads = listRuns(ctx.stateDir())
		.map(runId => readRunHead(ctx.stateDir(), runId))
		.filter(h => h?.fleet === fleetId)
		.map(h => h!);
	const latest = new Map(heads.map(h => [h.host ?? '', h]));
	const hosts = record.hosts.filter(h => (only === undefined || h.name === only) && !latest.get(h.name)?.outcome);
	if (hosts.length === 0)
		throw new CliError(`fleet run ${fleetId} has nothing left to resume: every host's run has finished`, EXIT.usage, `See them with: rampart history`);
	const {values: given, sources} = gatherInputs(ctx, options.input ?? [], options.inputs);
	const run: RunContext = {env: ctx.env, cwd: ctx.cwd, stateDir: ctx.stateDir};
	const readyFor = async (host: FleetHost): Promise<ReadyRun> => {
		const head = latest.get(host.name);
		const opening = head
			? await openRun(run, {resume: head.runId}, {given, sources, remote: true})
			: await openRun(run, {runbook: record.runbook.path}, {given: {...record.inputs, ...given}, sources, remote: true});
		if (opening.kind === 'ready') return opening;
		if (opening.kind === 'needs-approval') throw new Error(`${record.runbook.path} has changed and is not approved: rampart approve ${record.runbook.path}`);
		if (opening.kind === 'needs-inputs') throw new Error(`inputs missing or invalid: ${opening.problems.map(p => `${p.input}: ${p.message}`).join('; ')}`);
		throw new Error('message' in opening ? opening.message : `cannot resume (${opening.kind})`);
	};
	// Each host's opening is asked once: the requirements probe and the start share it.
	const cache = new Map<string, Promise<ReadyRun>>();
	const cached = (host: FleetHost) => {
		if (!cache.has(host.name)) cache.set(host.name, readyFor(host));
		return cache.get(host.name)!;
	};
	if (!options.json) ctx.err(`rampart: resuming fleet run ${fleetId} of "${record.runbook.title}" on ${hosts.map(h => h.name).join(', ')}`);
	return driveFleet(ctx, {record, mode: record.mode, readyFor: cached}, hosts, options);
};

/** `rampart run RUNBOOK` with --host or --inventory. */
export const fleetCommand = async (ctx: CliContext, ref: string, options: RunOptions & FleetOptions & TargetFlags & {dryRun?: boolean}): Promise<number> => {
	let hosts: FleetHost[] | undefined;
	try {
		hosts = await resolveTargets(options);
	} catch (error) {
		if (error instanceof InventoryError) throw usageError(error.message);
		throw error;
	}
	if (!hosts) throw usageError('no host given');
	if (options.dryRun) {
		const {planCommand} = await import('./plan.js');
		const code = await planCommand(ctx, ref, options);
		ctx.out(`\nHosts (${hosts.length}):`);
		for (const host of hosts) ctx.out(`  ${host.name}${host.destination !== host.name ? ` (${host.destination})` : ''}${host.become ? ', through sudo -n' : ''}`);
		return code;
	}
	return fleetRunCommand(ctx, ref, hosts, options);
};

/**
 * One host's unfinished run, reopened over a new connection to its host
 * (for `rollback` and `stop`): `close` ends the session and the connection.
 */
export const reopenHostRun = async (
	ctx: CliContext,
	runId: string,
	fleetId: string,
	host: string,
	options: RunOptions,
): Promise<{session: RunSession; close: () => Promise<void>}> => {
	const record = readFleetRecord(ctx.stateDir(), fleetId);
	const spec = record?.hosts.find(h => h.name === host);
	if (!record || !spec) throw new CliError(`the fleet record of run ${runId} (${fleetId}) is missing, so Rampart does not know how to reach ${host}`, EXIT.failed);
	const {values: given, sources} = gatherInputs(ctx, options.input ?? [], options.inputs);
	const run: RunContext = {env: ctx.env, cwd: ctx.cwd, stateDir: ctx.stateDir};
	const sign = await sessionSigning(ctx, (options as FleetOptions).signKey);
	const control = controlDirectory();
	try {
		const {session, connection} = await openHostSession(
			run,
			spec,
			async () => {
				const opening = await openRun(run, {resume: runId}, {given, sources, remote: true, approve: options.approve});
				if (opening.kind === 'ready') return opening;
				throw new Error('message' in opening ? opening.message : `run ${runId} cannot be reopened (${opening.kind}); see rampart resume ${runId}`);
			},
			{fleetId, mode: record.mode, maxLogBytes: maxLogBytes(options.maxLogBytes, ctx.env), controlDir: control.path, socketName: 'h0', batch: true},
			ctx.env,
		);
		sign(session);
		return {
			session,
			close: async () => {
				session.close();
				await connection.close();
				control.remove();
			},
		};
	} catch (error) {
		control.remove();
		throw new CliError(`${host}: ${(error as Error).message}`, EXIT.failed);
	}
};
