// The fleet view's keys, by mode: the one key owner (the app's KeyRouter)
// hands each press here; the prompts' keys are the run screen's (promptKey),
// the rest resolve through FLEET_COMMANDS and the fleet's actions do them.

import {resolveCommand} from '../commands.js';
import {useKeypress} from '../use-keypress.js';
import {promptKey} from '../run/use-run-input.js';
import {FLEET_COMMANDS, type FleetCommand} from './fleet-commands.js';
import type {FleetActions} from './use-fleet-actions.js';
import type {FleetAction, FleetUiState} from './use-fleet-state.js';

export interface FleetInputHandlers extends FleetActions {
	get: () => FleetUiState;
	dispatch: (action: FleetAction) => void;
	available: () => ReadonlySet<FleetCommand>;
}

export const useFleetInput = (handlers: FleetInputHandlers) => {
	useKeypress(press => {
		const mode = handlers.get().mode;
		if (promptKey(press, mode, handlers) || mode.kind !== 'browse') return;
		const command = resolveCommand(FLEET_COMMANDS, press.name, handlers.available());
		if (command) handlers.command(command);
	});
};
