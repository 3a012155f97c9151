// --json: one JSON event per line on stdout, and nothing else there, for
// other tools. (People get listr2: listr-reporter.ts.)

import type {EngineEvent} from '../types/events.js';
import {stripStyles} from '../output/terminal-text.js';
import type {Reporter} from './headless-run.js';

type Write = (line: string) => void;

/** An event as --json writes it: output as plain text (colours are for screens). */
export const jsonEvent = (event: EngineEvent): string => JSON.stringify(event.type === 'output' ? {...event, lines: event.lines.map(stripStyles)} : event);

export const jsonReporter = (out: Write): Reporter => ({
	event: event => out(jsonEvent(event)),
	stepStarting: () => {},
});
