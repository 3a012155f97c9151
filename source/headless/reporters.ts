// --json: one JSON event per line on stdout, and nothing else there, for
// other tools. (People get listr2: listr-reporter.ts.)

import type {Reporter} from './headless-run.js';

type Write = (line: string) => void;

export const jsonReporter = (out: Write): Reporter => ({
	event: event => out(JSON.stringify(event)),
	stepStarting: () => {},
});
