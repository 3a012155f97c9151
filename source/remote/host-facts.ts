// `requires:` checked on each host before anything runs there: who the
// blocks run as (after sudo, when asked), the OS, the commands on its PATH,
// as the host's agent answers (with builtins alone: no process, no block).

import type {Requires} from '../runbook/model.js';
import {checkRequirements} from '../engine/requirements.js';
import {FACTS_SEPARATOR} from './bootstrap.js';
import type {RemoteExecutor} from './remote-block.js';

/** What stands between the runbook and this host, in words; empty when it may run there. Throws when the host cannot be asked. */
export const hostProblems = async (executor: Pick<RemoteExecutor, 'facts'>, host: string, requires: Requires, become: boolean): Promise<string[]> => {
	const {result, stdout: out, stderr: err} = await executor.facts(requires.commands, 60_000);
	if (result.connectionLost !== undefined) throw new Error(`the connection to ${host} was lost: ${result.connectionLost}`);
	if (result.error !== undefined) throw new Error(result.error);
	if (result.exitCode !== 0)
		throw new Error(`could not ask ${host} what it has (exit ${result.exitCode ?? result.signal}): ${err.trim().split('\n').slice(-3).join(' ')}`);
	const [uid = '', osRelease = '', missingText = ''] = out.split(`${FACTS_SEPARATOR}\n`);
	const missing = new Set(
		missingText
			.split('\n')
			.filter(Boolean)
			.map(place => requires.commands[Number(place)]),
	);
	return checkRequirements(requires, {uid: Number(uid.trim()), osRelease: osRelease || undefined, path: '', has: c => !missing.has(c)}).map(problem =>
		problem.kind === 'root'
			? `this runbook needs root on ${host}: connect as root (ansible_user=root) or let Rampart use sudo -n there (--become, or ansible_become=true)${become ? '; sudo -n did not give root' : ''}`
			: problem.message.replace('this system', host),
	);
};
