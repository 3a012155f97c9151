// The summary's one owner of key presses.

import {useKeypress} from '../use-keypress.js';
import {resolveCommand} from '../commands.js';
import {SUMMARY_COMMANDS, summaryCommands} from './summary-commands.js';

export const useSummary = (onClose: () => void, onHome: (() => void) | undefined) => {
	useKeypress(({name}) => {
		switch (resolveCommand(SUMMARY_COMMANDS, name, summaryCommands(onHome !== undefined))) {
			case 'close':
				return onClose();
			case 'home':
				return onHome?.();
		}
	});
};
