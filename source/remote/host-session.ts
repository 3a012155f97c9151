// One host of a fleet run: reach it, ask it for the runbook's `requires`,
// and begin (or resume) its own run record over that connection. Shared by
// the headless fleet and the TUI's fleet view.

import {beginRun, withHostInputs, type ReadyRun, type RunContext} from '../engine/open-run.js';
import type {RunSession} from '../engine/run-session.js';
import type {HostTarget} from '../types/events.js';
import {hostProblems} from './host-facts.js';
import {remoteExecutor} from './remote-block.js';
import {ConnectError, SshConnection} from './ssh-connection.js';
import type {FleetHost} from './targets.js';

export interface HostSessionOptions {
	fleetId: string;
	mode: 'run' | 'check';
	maxLogBytes?: number;
	/** The private directory for control sockets (see controlDirectory) and a name unique in it. */
	controlDir: string;
	socketName: string;
	/** Never ask for anything (headless); on a terminal ssh may ask for a passphrase. */
	batch: boolean;
}

/** A host's failure to connect, in the operator's terms, with OpenSSH's own words below. */
export const describeConnectError = (error: ConnectError): string => {
	const what = {
		unreachable: 'unreachable',
		'host-key': 'host key not accepted (unknown or changed): nothing was run there',
		auth: 'login refused',
		'ssh-missing': 'ssh is missing here',
		other: 'could not connect',
	}[error.kind];
	return `${what}:\n${error.message}`;
};

/** The host's SSH variables as a login there would have them: the firewall's lockout guard reads SSH_CLIENT. */
export const sshEnvironment = (sshConnection: string): Record<string, string> => {
	const [client, clientPort, , serverPort] = sshConnection.split(' ');
	return client && clientPort && serverPort ? {SSH_CONNECTION: sshConnection, SSH_CLIENT: `${client} ${clientPort} ${serverPort}`} : {};
};

/**
 * Connects, checks the host, and begins its run. Throws an Error whose
 * message says, in words, why nothing ran there; the connection is closed
 * then. On success the caller closes the connection once the session ends.
 */
export const openHostSession = async (
	run: RunContext,
	host: FleetHost,
	ready: () => Promise<ReadyRun>,
	options: HostSessionOptions,
	env: NodeJS.ProcessEnv = process.env,
): Promise<{session: RunSession; connection: SshConnection}> => {
	let connection: SshConnection;
	try {
		connection = await SshConnection.open(host, options.controlDir, options.socketName, options.batch, env);
	} catch (error) {
		throw error instanceof ConnectError ? new Error(describeConnectError(error)) : error;
	}
	try {
		const execute = remoteExecutor(connection);
		const targetEnv = sshEnvironment(connection.facts.sshConnection);
		const inputs = withHostInputs(await ready(), targetEnv);
		if ('problems' in inputs) throw new Error(`inputs for this host, nothing was run:\n${inputs.problems.map(p => `  ${p.input}: ${p.message}`).join('\n')}`);
		const opening = inputs.ready;
		const problems = await hostProblems(execute, host.name, opening.runbook.meta.requires, host.become);
		if (problems.length > 0) throw new Error(`requirements not met, nothing was run:\n${problems.map(p => `  ${p}`).join('\n')}`);
		const {facts} = connection;
		const target: HostTarget = {
			host: host.name,
			destination: host.destination,
			...(facts.address ? {address: facts.address} : {}),
			...(facts.clientAddress ? {clientAddress: facts.clientAddress} : {}),
			...(host.port !== undefined ? {port: host.port} : {}),
			...(host.user !== undefined ? {user: host.user} : {}),
			...(facts.hostKey ? {hostKey: facts.hostKey} : {}),
			...(host.become ? {become: true} : {}),
			fleet: options.fleetId,
		};
		const begun = beginRun(run, opening, {
			mode: options.mode,
			maxLogBytes: options.maxLogBytes,
			executor: execute,
			target,
			targetEnv,
		});
		if (begun.kind === 'problem') throw new Error(begun.message);
		return {session: begun.session, connection};
	} catch (error) {
		await connection.close();
		throw error;
	}
};
