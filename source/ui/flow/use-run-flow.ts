// The way from a runbook (or an unfinished run) to a running session, as
// screens: each answer of the run controller becomes one screen, and each
// operator answer asks the controller again. The rules are the
// controller's (engine/open-run.ts); this maps them to screens.

import {useRef, useState} from 'react';
import type {Runbook} from '../../runbook/model.js';
import type {RunSession} from '../../engine/run-session.js';
import type {RunState} from '../../engine/state.js';
import type {RunSummary} from '../../engine/run-catalog.js';
import type {RunbookRow} from '../../engine/runbook-list.js';
import type {InputSource, Opening, OpenOptions, ReadyRun, RunTarget} from '../../engine/open-run.js';
import {EXIT} from '../../types/exit-codes.js';
import type {TuiServices} from '../services.js';

export type Screen =
	| {name: 'home'; rows: RunbookRow[]; notice?: string}
	| {name: 'loading'; text: string}
	| {name: 'approve'; runbook: Runbook; summary: string; review: string}
	| {name: 'choose'; runbook: Runbook; run: RunSummary}
	| {name: 'form'; runbook: Runbook; given: Record<string, string>; resume?: RunSummary; problem?: string}
	| {name: 'run'; session: RunSession}
	| {name: 'summary'; state: RunState}
	/** code: the exit code when the problem ends the TUI (it was started on this run). */
	| {name: 'problem'; text: string; code: number};

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export interface RunFlow {
	screen: Screen;
	showHome: (notice?: string) => Promise<void>;
	openRunbook: (ref: string, given?: Record<string, string>, approve?: boolean, sources?: Record<string, InputSource>) => Promise<void>;
	resumeRun: (runId: string | undefined, approve?: boolean) => Promise<void>;
	approve: () => void;
	resumeUnfinished: () => void;
	startOver: () => void;
	submitInputs: (values: Record<string, string>) => void;
	finished: (state: RunState) => void;
}

/** `hold` is called before every change of screen: keys typed meanwhile belong to the next one. */
export const useRunFlow = (services: TuiServices, initial: Screen, hold: () => void): RunFlow => {
	const [screen, setScreenState] = useState<Screen>(initial);
	const setScreen = (next: Screen) => {
		hold();
		setScreenState(next);
	};
	// What is being opened: asked again, with the operator's answer, after each screen.
	const pending = useRef<{target: RunTarget; options: OpenOptions}>({target: {resume: undefined}, options: {}});

	const begin = (ready: ReadyRun) => {
		const begun = services.begin(ready);
		if (begun.kind === 'started') setScreen({name: 'run', session: begun.session});
		else setScreen({name: 'problem', text: begun.hint ? `${begun.message}\n${begun.hint}` : begun.message, code: EXIT.failed});
	};

	const show = (opening: Opening, fromForm: boolean) => {
		switch (opening.kind) {
			case 'problem':
				setScreen({
					name: 'problem',
					text: opening.hint ? `${opening.message}\n${opening.hint}` : opening.message,
					code: opening.reason === 'active' ? EXIT.failed : EXIT.usage,
				});
				return;
			case 'refused':
				setScreen({name: 'problem', text: opening.message, code: EXIT.requirements});
				return;
			case 'requirements':
				setScreen({name: 'problem', text: `${opening.runbook.meta.title} cannot run here; nothing was run:\n${opening.problems.join('\n')}`, code: EXIT.requirements});
				return;
			case 'needs-approval':
				setScreen({name: 'approve', runbook: opening.runbook, summary: opening.trust.summary, review: opening.review});
				return;
			case 'unfinished':
				setScreen({name: 'choose', runbook: opening.runbook, run: opening.run});
				return;
			case 'needs-inputs':
				setScreen({
					name: 'form',
					runbook: opening.runbook,
					given: fromForm ? opening.given : (pending.current.options.given ?? {}),
					...(opening.resume ? {resume: opening.resume} : {}),
					...(fromForm ? {problem: opening.problems.map(p => `${p.input} ${p.message}`).join('\n')} : {}),
				});
				return;
			case 'ready':
				// A new run shows its inputs for review first; a resume asks only for
				// its secrets (never recorded), and goes straight on without any.
				if (!fromForm && (!opening.resume || opening.secretsNotGiven.length > 0)) {
					setScreen({name: 'form', runbook: opening.runbook, given: pending.current.options.given ?? {}, ...(opening.resume ? {resume: opening.resume} : {})});
				} else begin(opening);
				return;
		}
	};

	const ask = async (target: RunTarget, options: OpenOptions, fromForm = false) => {
		pending.current = {target, options};
		if (!fromForm) setScreen({name: 'loading', text: 'Loading…'});
		try {
			show(await services.open(target, options), fromForm);
		} catch (error) {
			setScreen({name: 'problem', text: message(error), code: EXIT.failed});
		}
	};
	const again = (change: OpenOptions = {}, fromForm = false) => void ask(pending.current.target, {...pending.current.options, ...change}, fromForm);

	return {
		screen,
		/** The runbooks as they are now: a run since they were last shown may have changed their state. */
		showHome: async notice => {
			setScreen({name: 'loading', text: ''});
			try {
				setScreen({name: 'home', rows: await services.listRunbooks(), notice});
			} catch (error) {
				setScreen({name: 'problem', text: message(error), code: EXIT.failed});
			}
		},
		openRunbook: (ref, given = {}, approve = false, sources = {}) => ask({runbook: ref}, {given, approve, sources}),
		resumeRun: (runId, approve = false) => ask({resume: runId}, {approve}),
		approve: () => {
			if (screen.name !== 'approve') return;
			try {
				services.approve(screen.runbook);
				again();
			} catch (error) {
				setScreen({name: 'problem', text: message(error), code: EXIT.failed});
			}
		},
		resumeUnfinished: () => {
			if (screen.name === 'choose') void ask({resume: screen.run.runId}, {approve: pending.current.options.approve});
		},
		startOver: () => {
			if (screen.name !== 'choose') return;
			try {
				services.abandon(screen.runbook, screen.run);
				again();
			} catch (error) {
				setScreen({name: 'problem', text: message(error), code: EXIT.failed});
			}
		},
		// A value the operator typed anew in the form no longer comes from where it was exposed.
		submitInputs: values => {
			const {given = {}, sources = {}} = pending.current.options;
			const kept = Object.fromEntries(Object.entries(sources).filter(([name]) => given[name] === values[name]));
			again({given: values, sources: kept}, true);
		},
		finished: state => setScreen({name: 'summary', state}),
	};
};
