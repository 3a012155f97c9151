// `requires:` checked on each host before anything runs there: who the
// blocks run as (after sudo, when asked), the OS, the commands on its PATH.

import type {Requires} from '../runbook/model.js';
import {checkRequirements} from '../engine/requirements.js';
import type {BlockExecutor} from '../engine/execute-block.js';

const SEPARATOR = '--rampart-facts--';

// Builtins only: the probe costs the host no process beyond its shell.
const PROBE = `printf '%s\\n' "$EUID" '${SEPARATOR}'
if [[ -r /etc/os-release ]]; then while IFS= read -r l || [[ -n $l ]]; do printf '%s\\n' "$l"; done </etc/os-release; fi
printf '%s\\n' '${SEPARATOR}'
for c in $RAMPART_REQUIRED; do command -v -- "$c" >/dev/null 2>&1 || printf '%s\\n' "$c"; done`;

/** What stands between the runbook and this host, in words; empty when it may run there. Throws when the host cannot be asked. */
export const hostProblems = async (execute: BlockExecutor, host: string, requires: Requires, become: boolean): Promise<string[]> => {
	let out = '';
	let err = '';
	const result = await execute({
		code: PROBE,
		cwd: '',
		env: {RAMPART_REQUIRED: requires.commands.join(' ')},
		interactive: false,
		timeoutMs: 60_000,
		onOutput: (stream, text) => {
			if (stream === 'stdout') out += text;
			else err += text;
		},
	});
	if (result.connectionLost !== undefined) throw new Error(`the connection to ${host} was lost: ${result.connectionLost}`);
	if (result.error !== undefined) throw new Error(result.error);
	if (result.exitCode !== 0)
		throw new Error(`could not ask ${host} what it has (exit ${result.exitCode ?? result.signal}): ${err.trim().split('\n').slice(-3).join(' ')}`);
	const [uid = '', osRelease = '', missingText = ''] = out.split(`${SEPARATOR}\n`);
	const missing = new Set(missingText.split('\n').filter(Boolean));
	return checkRequirements(requires, {uid: Number(uid.trim()), osRelease: osRelease || undefined, path: '', has: c => !missing.has(c)}).map(problem =>
		problem.kind === 'root'
			? `this runbook needs root on ${host}: connect as root (ansible_user=root) or let Rampart use sudo -n there (--become, or ansible_become=true)${become ? '; sudo -n did not give root' : ''}`
			: problem.message.replace('this system', host),
	);
};
