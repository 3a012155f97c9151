// How a headless run speaks: plain lines for people and logs, or one JSON
// event per line (and nothing else on stdout) for other tools.

import type {EngineEvent} from '../engine/events.js';
import {formatDuration} from '../runbook/duration.js';
import type {Reporter} from './headless-run.js';

type Write = (line: string) => void;

export const jsonReporter = (out: Write): Reporter => ({
	event: event => out(JSON.stringify(event)),
	stepStarting: () => {},
	message: () => {},
});

export const plainReporter = (out: Write, err: Write): Reporter => {
	const started = new Map<string, number>();
	return {
		stepStarting: (step, position, total) => {
			started.set(step.id, Date.now());
			out(`\n[${position}/${total}] ${step.title}`);
		},
		message: text => err(text),
		event: event => {
			const took = (step: string) => formatDuration(Date.now() - (started.get(step) ?? Date.now()));
			switch (event.type) {
				case 'output':
					out(`      ${event.stream === 'stderr' ? '!' : '│'} ${event.text}`);
					break;
				case 'block-started':
					out(`    $ ${event.name ?? `block ${event.block + 1}`} (${event.role})`);
					break;
				case 'check-finished':
					out(event.passed ? '    ✓ check passed: already done' : '    · check did not pass: the step will run');
					break;
				case 'step-already-done':
					out(`    ✓ already done`);
					break;
				case 'task-ticked':
					out(`    ☑ ${event.text}`);
					break;
				case 'step-acknowledged':
					out('    ☑ acknowledged');
					break;
				case 'step-skipped':
					out(`    ↷ skipped: ${event.reason}`);
					break;
				case 'step-finished': {
					const mark = event.status === 'done' ? '✓ done' : event.status === 'timed-out' ? '✗ timed out' : event.status === 'cancelled' ? '✗ cancelled' : `✗ failed (exit ${event.exitCode ?? '?'})`;
					out(`    ${mark} in ${took(event.step)}`);
					break;
				}
				case 'step-rolled-back':
					out(event.ok ? `    ↺ rolled back ${event.step}` : `    ✗ rollback of ${event.step} failed`);
					break;
				case 'run-finished':
					out(`\nRun ${event.runId} ${event.outcome}${event.reason ? `: ${event.reason}` : ''}.`);
					break;
				default:
					break;
			}
		},
	};
};
