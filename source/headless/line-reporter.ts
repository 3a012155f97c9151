// Headless output for pipes, CI and cron: the lines listr2's simple renderer
// would print (❯ a step starts, › its output, ✔ ↓ ✖ how it ended), written
// here directly, a piece of output at a time: listr2 formats every line on
// its own (about 0.3 µs each, a third of a million-line flood's cost) and
// writes each hand-over synchronously. Colours are never written: nobody
// watches a pipe.

import type {Step} from '../runbook/model.js';
import {stripStyles} from '../output/terminal-text.js';
import type {ListrReporter} from './listr-reporter.js';
import {narrate, type Outcome} from './narrate.js';

export const lineReporter = (
	steps: readonly Step[],
	/** Writes text as it is (it ends with its own newline). */
	write: (text: string) => void,
	say: (text: string) => void,
	/** Steps already settled before this session (on resume), by id, with their status. */
	settledBefore: ReadonlyMap<string, string> = new Map(),
): ListrReporter => {
	const titles = new Map(steps.map(step => [step.id, step.title]));
	const startedAt = new Map<string, number>();
	const settled = new Set<string>();
	const title = (id: string) => titles.get(id) ?? id;

	const start = (id: string) => {
		if (startedAt.has(id) || settled.has(id)) return;
		startedAt.set(id, Date.now());
		write(`❯ ${title(id)}\n`);
	};
	const settle = (id: string, outcome: Outcome) => {
		if (settled.has(id)) return;
		settled.add(id);
		if (outcome.kind === 'done') write(`✔ ${title(id)}${outcome.text ? ` (${outcome.text})` : ''}\n`);
		else if (outcome.kind === 'skip') write(`↓ ${title(id)} [SKIPPED: ${outcome.text}]\n`);
		else write(`✖ ${title(id)} [FAILED: ${outcome.text}]\n`);
	};
	for (const [id, status] of settledBefore) settle(id, {kind: 'skip', text: `${status} earlier in this run`});

	return {
		stepStarting: step => start(step.id),
		event: event => {
			const said = narrate(event, id => startedAt.get(id));
			if (said?.kind === 'warning') say(said.text);
			else if (said?.kind === 'settled') settle(said.step, said.outcome);
			else if (said?.kind === 'lines' && said.lines.length > 0) {
				start(said.step);
				// One write for the whole piece.
				write(`› ${stripStyles(said.lines.join('\n› '))}\n`);
			}
		},
		finish: async (unreached: string) => {
			for (const step of steps) {
				if (settled.has(step.id)) continue;
				settle(step.id, startedAt.has(step.id) ? {kind: 'fail', text: unreached} : {kind: 'skip', text: 'not reached'});
			}
		},
	};
};
