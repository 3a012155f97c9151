// Moves a step on, on several hosts at once, through each host's one step
// driver (RunSession.proceed): Enter asks first when the step runs commands
// or asks for words (typed once for all hosts), then runs it on each host,
// `forks` at a time; how it went is said host by host.

import {useRef} from 'react';
import {EngineError, type RunSession, type StepAnswer} from '../../engine/run-session.js';
import {SETTLED} from '../../engine/state.js';
import {stepKind} from '../../engine/step-rules.js';
import type {OutputTails} from '../run/output-tail.js';
import type {Message} from '../run/use-run-state.js';
import type {FleetHandle} from './open-fleet.js';
import {key} from './fleet-commands.js';
import {describeHosts} from './fleet-messages.js';
import type {FleetAction, FleetUiState} from './use-fleet-state.js';
import type {FleetWork, HostAnswer} from './use-fleet-work.js';

export interface FleetDeps {
	fleet: FleetHandle;
	get: () => FleetUiState;
	dispatch: (action: FleetAction) => void;
	work: FleetWork;
	tails: ReadonlyMap<string, OutputTails>;
	leave: () => void;
}

export interface FleetSteps {
	sessionOf: (host: string) => RunSession;
	/** Enter (or r): the step under the cursor on these hosts. */
	enter: (hosts: string[]) => void;
	/** Runs the step on the hosts with the operator's answers (after the go-ahead). */
	go: (stepId: string, hosts: readonly string[], answer: StepAnswer) => void;
	/** A call that takes a while on each host; `then` gets every host's answer. */
	perform: (hosts: readonly string[], call: (host: string) => Promise<void>, then: (answers: HostAnswer[]) => void) => void;
	/** A sync session call on each host; the engine's refusals, each said with its host. */
	each: (hosts: readonly string[], call: (session: RunSession) => void) => string[];
	finishIfSettled: (session: RunSession) => void;
	/** Leave once the running commands have stopped. */
	leaveAfterStop: () => void;
}

export const useFleetSteps = ({fleet, get, dispatch, work, tails, leave}: FleetDeps): FleetSteps => {
	const steps = fleet.runbook.steps;
	const sessionOf = (host: string): RunSession => fleet.members.find(m => m.host.name === host)!.session!;
	const say = (message?: Message) => dispatch({type: 'message', message});
	const browse = () => dispatch({type: 'mode', mode: {kind: 'browse'}});
	const step = () => steps[get().step]!;
	const statusOn = (host: string, stepId: string) => sessionOf(host).state.steps.find(s => s.id === stepId)!.status;
	/** A run whose every step is settled ends; the engine says how. */
	const finishIfSettled = (session: RunSession) => {
		if (session.allSettled && !session.state.outcome) session.finish();
	};
	const leaving = useRef(false);
	const perform = (hosts: readonly string[], call: (host: string) => Promise<void>, then: (answers: HostAnswer[]) => void) =>
		void work.perform(hosts, call).then(answers => {
			then(answers);
			if (leaving.current && !work.isBusy()) leave();
		});
	/** Per host: a sync session call; a refusal is the engine's message, said with the host. */
	const each = (hosts: readonly string[], call: (session: RunSession) => void): string[] =>
		hosts.flatMap(host => {
			try {
				call(sessionOf(host));
				return [];
			} catch (error) {
				if (!(error instanceof EngineError)) throw error;
				return [`${host}: ${error.message}`];
			}
		});

	const go = (stepId: string, hosts: readonly string[], answer: StepAnswer) => {
		browse();
		say(undefined);
		const title = steps.find(s => s.id === stepId)!.title;
		const asksFirst = stepKind(steps.find(s => s.id === stepId)!) === 'commands';
		perform(
			hosts,
			async host => {
				const session = sessionOf(host);
				tails.get(host)?.clear(stepId);
				const need = session.needOf(stepId);
				let progress = await session.proceed(stepId, {...answer, ...(need.kind === 'already-done' ? {alreadyDone: 'run' as const} : {})});
				// Nothing left to ask: a manual or audit step runs what it has (verify) at once.
				if (!progress.ran && !progress.cancelled && progress.need.kind === 'run' && !asksFirst) progress = await session.proceed(stepId, {...answer, run: true});
				finishIfSettled(session);
			},
			answers => say(describeHosts(title, stepId, answers, sessionOf)),
		);
	};

	/** Enter (or r): the step on these hosts, asked first when it runs commands or asks for words. */
	const enter = (hosts: string[]) => {
		const {id, title} = step();
		const open = hosts.filter(h => !SETTLED.has(statusOn(h, id)) && !work.isBusy(h));
		if (open.length === 0) return say({tone: 'warning', text: `“${title}” is settled or running on ${hosts.length === 0 ? 'no host reached' : hosts.join(', ')}.`});
		const needs = open.map(host => ({host, need: sessionOf(host).needOf(id)}));
		const ticking = needs.filter(n => n.need.kind === 'ticks').map(n => n.host);
		if (ticking.length > 0) {
			return say({
				tone: 'warning',
				text: `Not yet on ${ticking.join(', ')}: items to tick (${key('tick')} on the host under the cursor, ${key('tick-all')} on all selected).`,
			});
		}
		const rerun = needs.filter(n => n.need.kind === 'interrupted').map(n => n.host);
		const words = sessionOf(open[0]!).confirmationsFor(id);
		if (stepKind(step()) === 'commands' || words.length > 0 || rerun.length > 0) {
			dispatch({type: 'mode', mode: {kind: 'confirm', step: id, hosts: open, words, index: -1, typed: '', rerun}});
		} else go(id, open, {acknowledge: true});
	};

	return {sessionOf, enter, go, perform, each, finishIfSettled, leaveAfterStop: () => (leaving.current = true)};
};
