// What each fleet-view command does: session calls on the hosts it is for
// (each host's RunSession decides whether it is allowed, as in the run
// screen), then a message. Steps move on through RunSession.proceed, the one
// step driver; the confirmation words are typed once for all hosts.

import {EngineError} from '../../engine/run-session.js';
import {openTasks} from '../../engine/step-rules.js';
import type {Message} from '../run/use-run-state.js';
import {key, type FleetCommand} from './fleet-commands.js';
import {useFleetSteps, type FleetDeps} from './use-fleet-steps.js';

export interface FleetActions {
	command: (id: FleetCommand) => void;
	/** Enter in a prompt: the go-ahead, a confirmation word, a skip reason. */
	submit: () => void;
	answer: (yes: boolean) => void;
	/** Ctrl-C: stop what runs, or ask before leaving. */
	interrupt: () => void;
}

export const useFleetActions = ({fleet, get, dispatch, work, tails, leave}: FleetDeps): FleetActions => {
	const steps = fleet.runbook.steps;
	const reached = fleet.members.filter(m => m.session).map(m => m.host.name);
	const fleetSteps = useFleetSteps({fleet, get, dispatch, work, tails, leave});
	const {sessionOf, enter, go, perform, each, finishIfSettled} = fleetSteps;
	const say = (message?: Message) => dispatch({type: 'message', message});
	const browse = () => dispatch({type: 'mode', mode: {kind: 'browse'}});
	const step = () => steps[get().step]!;
	const cursorHost = (): string | undefined => {
		const member = fleet.members[get().host];
		return member?.session ? member.host.name : undefined;
	};
	/** The selected reached hosts, in the view's order; none selected: the host under the cursor. */
	const targets = (): string[] => {
		const chosen = reached.filter(h => get().selected.has(h));
		const cursor = cursorHost();
		return chosen.length > 0 ? chosen : cursor ? [cursor] : [];
	};
	const command = (id: FleetCommand) => {
		const {id: stepId, title} = step();
		const host = cursorHost();
		switch (id) {
			case 'run':
				return enter(targets());
			case 'retry':
				return host && enter([host]);
			case 'select':
				return host ? dispatch({type: 'toggle', host}) : say({tone: 'warning', text: 'This host was not reached: nothing can run there.'});
			case 'select-all':
				return dispatch({type: 'toggle-all', hosts: reached});
			case 'up':
			case 'down':
			case 'next-host':
			case 'previous-host':
				return dispatch({type: 'host', by: id === 'up' || id === 'previous-host' ? -1 : 1, count: fleet.members.length, wrap: id.endsWith('host')});
			case 'left':
			case 'right':
				return dispatch({type: 'step', by: id === 'left' ? -1 : 1, count: steps.length});
			case 'skip':
				return host && dispatch({type: 'mode', mode: {kind: 'text', purpose: 'skip', step: stepId, host, value: ''}});
			case 'rollback':
				return host && dispatch({type: 'mode', mode: {kind: 'ask', question: 'rollback', step: stepId, hosts: [host]}});
			case 'tick': {
				if (!host) return;
				const session = sessionOf(host);
				const item = openTasks(step(), session.state.steps[get().step]!)[0];
				const refused = item ? each([host], s => s.tick(stepId, item.index)) : [];
				return say(refused.length > 0 ? {tone: 'danger', text: refused[0]!} : item ? {tone: 'info', text: `${host}: ticked “${item.text}”.`} : undefined);
			}
			case 'tick-all':
				return dispatch({type: 'mode', mode: {kind: 'ask', question: 'tick-all', step: stepId, hosts: targets()}});
			case 'accept': {
				const hosts = targets().filter(h => sessionOf(h).needOf(stepId).kind === 'already-done');
				const refused = each(hosts, s => {
					s.markAlreadyDone(stepId);
					finishIfSettled(s);
				});
				return say(
					refused.length > 0 ? {tone: 'danger', text: refused.join('; ')} : {tone: 'success', text: `“${title}” recorded as already done on ${hosts.join(', ')}.`},
				);
			}
			case 'stop':
				return interrupt();
			case 'help':
				return dispatch({type: 'mode', mode: {kind: 'help'}});
			case 'quit':
				if (!work.isBusy() && fleet.members.every(m => !m.session || m.session.state.outcome)) return leave();
				return dispatch({type: 'mode', mode: {kind: 'ask', question: 'quit', hosts: work.running()}});
		}
	};

	const submit = () => {
		const mode = get().mode;
		if (mode.kind === 'confirm') {
			const word = mode.words[mode.index];
			if (mode.index + 1 < mode.words.length && (!word || mode.typed === word.word)) return dispatch({type: 'confirm-next'});
			if (word && mode.typed !== word.word) {
				say({tone: 'danger', text: `That is not “${word.word}”. Type it exactly, or Esc to cancel.`});
				return dispatch({type: 'mode', mode: {...mode, typed: ''}});
			}
			const confirmations = Object.fromEntries(mode.words.map(w => [w.block, w.word]));
			return go(mode.step, mode.hosts, {acknowledge: true, run: true, confirmations, rerunInterrupted: mode.rerun.length > 0});
		}
		if (mode.kind !== 'text') return;
		const refused = each([mode.host], s => {
			s.skip(mode.step, mode.value);
			finishIfSettled(s);
		});
		if (refused.length > 0) return say({tone: 'danger', text: refused[0]!});
		browse();
		say({tone: 'warning', text: `${mode.host}: “${steps.find(s => s.id === mode.step)!.title}” skipped: ${mode.value.trim()}`});
	};

	const answer = (yes: boolean) => {
		const mode = get().mode;
		if (mode.kind !== 'ask') return;
		browse();
		if (!yes) return say(undefined);
		const stepId = mode.step ?? step().id;
		switch (mode.question) {
			case 'quit':
				if (!work.isBusy()) return leave();
				fleetSteps.leaveAfterStop();
				for (const host of work.running()) sessionOf(host).cancel();
				return say({tone: 'warning', text: 'Stopping the commands, then leaving…'});
			case 'rollback':
				return perform(
					mode.hosts,
					async host => {
						if (!(await sessionOf(host).rollbackStep(stepId))) throw new EngineError('the rollback failed: its output is below');
					},
					answers =>
						say(
							answers.some(a => a.error)
								? {tone: 'danger', text: answers.map(a => `${a.host}: ${a.error ?? 'rolled back'}`).join('; ')}
								: {tone: 'success', text: `Rolled back on ${mode.hosts.join(', ')}.`},
						),
				);
			case 'tick-all': {
				const refused = each(mode.hosts, s => {
					for (const item of openTasks(
						steps.find(x => x.id === stepId)!,
						s.state.steps.find(x => x.id === stepId)!,
					))
						s.tick(stepId, item.index);
				});
				return say(
					refused.length > 0
						? {tone: 'danger', text: refused.join('; ')}
						: {tone: 'success', text: `Every item ticked on ${mode.hosts.join(', ')}. Enter completes the step.`},
				);
			}
		}
	};

	const interrupt = () => {
		if (!work.isBusy()) return dispatch({type: 'mode', mode: {kind: 'ask', question: 'quit', hosts: []}});
		for (const host of work.running()) sessionOf(host).cancel();
		say({tone: 'warning', text: `Stopping the commands on ${work.running().join(', ')}… (${key('quit')} asks to leave)`});
	};

	return {command, submit, answer, interrupt};
};
