// The fleet view: one runbook on several hosts, each with its own RunSession
// (already connected by start-tui). Every rule is each session's; this wires
// the pieces: use-fleet-sessions (live states and output), use-fleet-work
// (hosts at a time), use-fleet-actions (commands), use-fleet-input (keys) and
// fleet-view (the drawing).

import {helpLines, hintItems} from '../commands.js';
import {useRefReducer} from '../use-ref-reducer.js';
import {useTerminalSize} from '../use-terminal-size.js';
import {ASK_COMMANDS, CONFIRM_COMMANDS, TEXT_COMMANDS} from '../run/run-commands.js';
import {nextStepIndex} from '../../engine/state.js';
import type {TuiResult} from '../services.js';
import type {FleetHandle} from './open-fleet.js';
import {availableFleetCommands, FLEET_COMMANDS, fleetTableFor} from './fleet-commands.js';
import {fleetResult} from './fleet-messages.js';
import {FleetView} from './fleet-view.js';
import {useFleetActions} from './use-fleet-actions.js';
import {useFleetInput} from './use-fleet-input.js';
import {useFleetSessions} from './use-fleet-sessions.js';
import {fleetUiReducer, initialFleetUi, type FleetUiState} from './use-fleet-state.js';
import {useFleetWork} from './use-fleet-work.js';

/** Every key of the fleet view, mode by mode, for the `?` help. */
const HELP = [...helpLines(FLEET_COMMANDS), ...helpLines(CONFIRM_COMMANDS), ...helpLines(ASK_COMMANDS), ...helpLines(TEXT_COMMANDS)].filter(
	(line, i, all) => all.findIndex(other => other.keys === line.keys) === i,
);

const initial = (fleet: FleetHandle): FleetUiState => {
	const reached = fleet.members.filter(m => m.session);
	// The first step still open on a host: where a fresh fleet starts.
	const open = reached.map(m => nextStepIndex(m.session!.state)).filter((i): i is number => i !== undefined);
	return initialFleetUi(
		reached.map(m => m.host.name),
		open.length > 0 ? Math.min(...open) : 0,
	);
};

export const FleetScreen = ({fleet, onExit}: {fleet: FleetHandle; onExit: (result: TuiResult) => void}) => {
	const [ui, dispatch, get] = useRefReducer(fleetUiReducer, () => initial(fleet));
	const {columns, rows} = useTerminalSize();
	const follow = useFleetSessions(fleet.members);
	const work = useFleetWork(fleet.forks);
	const leave = () => onExit(fleetResult(fleet));
	const actions = useFleetActions({fleet, get, dispatch, work, tails: follow.tails, leave});
	const available = (state: FleetUiState, busy: (host: string) => boolean) => {
		const member = fleet.members[state.host];
		const step = fleet.runbook.steps[state.step]!;
		const chosen = fleet.members.filter(m => m.session && state.selected.has(m.host.name));
		return availableFleetCommands({
			session: member?.session,
			stepIndex: state.step,
			hasTasks: step.tasks.length > 0,
			acceptable: chosen.some(m => m.session!.needOf(step.id).kind === 'already-done'),
			busy: member !== undefined && busy(member.host.name),
			anyBusy: fleet.members.some(m => busy(m.host.name)),
		});
	};
	useFleetInput({...actions, get, dispatch, available: () => available(get(), host => work.isBusy(host))});

	const member = fleet.members[ui.host];
	const step = fleet.runbook.steps[ui.step]!;
	const hints =
		ui.mode.kind === 'browse'
			? hintItems(
					FLEET_COMMANDS,
					available(ui, host => work.busy.has(host)),
				)
			: hintItems(fleetTableFor(ui.mode));
	return (
		<FleetView
			runbook={fleet.runbook}
			members={fleet.members}
			ui={ui}
			busy={work.busy}
			tail={member ? (follow.tails.get(member.host.name)?.get(step.id) ?? []) : []}
			hints={hints}
			help={HELP}
			columns={columns}
			rows={rows}
		/>
	);
};
