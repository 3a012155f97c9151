// What the fleet view says after a step ran on some hosts, and what it leaves
// behind for the shell when the operator leaves. Pure: the sessions' states in,
// words out, with the keys from the command table.

import type {RunSession} from '../../engine/run-session.js';
import {EXIT} from '../../types/exit-codes.js';
import {STATUS} from '../run/status-marks.js';
import {AGAIN} from '../run/run-commands.js';
import type {Message} from '../run/use-run-state.js';
import type {TuiResult} from '../services.js';
import type {FleetHandle} from './open-fleet.js';
import {key} from './fleet-commands.js';
import type {HostAnswer} from './use-fleet-work.js';

/** How a step ended on each host it ran on: hosts grouped by how it ended, then what can be done. */
export const describeHosts = (title: string, stepId: string, answers: readonly HostAnswer[], sessionOf: (host: string) => RunSession): Message => {
	const groups = new Map<string, string[]>();
	const add = (what: string, host: string) => groups.set(what, [...(groups.get(what) ?? []), host]);
	let failed = false;
	let checkPassed = false;
	for (const answer of answers) {
		const state = sessionOf(answer.host).state.steps.find(s => s.id === stepId)!;
		if (answer.error !== undefined) {
			failed = true;
			add(answer.error.split('\n')[0]!, answer.host);
		} else if (state.status === 'pending' && state.checkPassed) {
			checkPassed = true;
			add('check passed', answer.host);
		} else {
			failed ||= AGAIN.has(state.status);
			const why = state.status === 'failed' ? (state.error ?? (state.exitCode === null || state.exitCode === undefined ? '' : `exit ${state.exitCode}`)) : '';
			add(`${STATUS[state.status].word}${why ? ` (${why})` : ''}`, answer.host);
		}
	}
	const said = [...groups].map(([what, hosts]) => `${what}: ${hosts.join(', ')}`).join('; ');
	const next = [
		...(failed ? [`${key('retry')} retries, ${key('skip')} skips, ${key('rollback')} rolls back the host under the cursor`] : []),
		...(checkPassed ? [`${key('accept')} records it as already done, Enter runs it anyway`] : []),
	];
	return {tone: failed ? 'danger' : checkPassed ? 'warning' : 'success', text: `“${title}” — ${said}.${next.length > 0 ? ` ${next.join('; ')}.` : ''}`};
};

/**
 * What leaving says, host by host, and the exit code: 0 every host's run
 * completed; 130 a reached host's run is unfinished (resumable); 1 otherwise
 * (a run failed, stopped or rolled back, or a host was not reached).
 */
export const fleetResult = (fleet: FleetHandle): TuiResult => {
	const width = Math.max(...fleet.members.map(m => m.host.name.length));
	const rows = fleet.members.map(m => {
		const outcome = m.session ? (m.session.state.outcome ?? 'unfinished') : 'not reached';
		const detail = m.problem ? `: ${m.problem.split('\n')[0]}` : m.session ? ` run ${m.session.runId}` : '';
		return {outcome, line: `  ${m.host.name.padEnd(width)}  ${outcome}${detail}`};
	});
	const unfinished = rows.some(r => r.outcome === 'unfinished');
	const code = unfinished ? EXIT.interrupted : rows.every(r => r.outcome === 'completed') ? EXIT.ok : EXIT.failed;
	const again = rows.some(r => r.outcome === 'unfinished' || r.outcome === 'not reached');
	return {
		code,
		lines: [
			`rampart: fleet run ${fleet.fleetId} of "${fleet.runbook.meta.title}":`,
			...rows.map(r => r.line),
			...(again ? [`Resume the hosts that did not finish with: rampart resume ${fleet.fleetId}`] : []),
		],
	};
};
