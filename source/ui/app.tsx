// The screens and how the operator moves between them: home → (resume or
// start over) → inputs → review → run → summary. Each screen owns its keys.

import {Box, Text} from 'ink';
import {lazy, Suspense, useEffect, useMemo, useState} from 'react';
import type {Runbook} from '../runbook/model.js';
import type {RunSession} from '../engine/run-session.js';
import type {RunState} from '../engine/state.js';
import type {RunSummary} from '../engine/run-catalog.js';
import type {RunbookRow} from '../engine/runbook-list.js';
import {progressOf} from '../engine/run-catalog.js';
import {EXIT} from '../cli/exit-codes.js';
import {useRefReducer} from './use-ref-reducer.js';
import {useTerminalSize} from './use-terminal-size.js';
import {useTheme} from './theme.js';
import {useKeypress, useKeyRouterInput} from './use-keypress.js';
import {KeyRouter, KeyRouterContext} from './key-router.js';
import {homeReducer, initialHome} from './home/use-home-state.js';
import {useHome} from './home/use-home.js';
import {HomeView} from './home/home-view.js';
import type {TerminalControl} from './run/run-screen.js';
import {SummaryView} from './summary/summary-view.js';
import {Choice} from './components/choice.js';
import {ApproveView} from './trust/approve-view.js';
import type {TuiResult, TuiServices, TuiStart} from './services.js';

// The form and the run screen bring the input rules, the engine's session and
// Markdown rendering: loaded when first shown (with "Loading…" meanwhile), so
// the home screen draws without them.
const FormScreen = lazy(() => import('./form/form-screen.js').then(m => ({default: m.FormScreen})));
const RunScreen = lazy(() => import('./run/run-screen.js').then(m => ({default: m.RunScreen})));
const loading = <Text>Loading…</Text>;

type Screen =
	| {name: 'home'; rows: RunbookRow[]; notice?: string}
	| {name: 'loading'; text: string}
	| {name: 'approve'; runbook: Runbook; summary: string; review: string; then: () => void}
	| {name: 'choose'; runbook: Runbook; run: RunSummary}
	| {name: 'form'; runbook: Runbook; given: Record<string, string>; resume?: RunSummary}
	| {name: 'run'; session: RunSession}
	| {name: 'summary'; state: RunState}
	| {name: 'problem'; text: string; fatal: boolean};

export interface AppProps {
	services: TuiServices;
	initial: TuiStart;
	terminal?: TerminalControl;
	onExit: (result: TuiResult) => void;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const App = (props: AppProps) => {
	const router = useMemo(() => new KeyRouter(), []);
	const [suspended, setSuspended] = useState(false);
	useKeyRouterInput(router, !suspended);
	// While an interactive block has the terminal, Rampart reads no keys at all.
	const terminal = useMemo(
		() =>
			props.terminal && {
				suspend: (what: string) => {
					setSuspended(true);
					props.terminal!.suspend(what);
				},
				resume: () => {
					props.terminal!.resume();
					setSuspended(false);
				},
			},
		[props.terminal],
	);
	return (
		<KeyRouterContext.Provider value={router}>
			<Screens {...props} terminal={terminal} router={router} />
		</KeyRouterContext.Provider>
	);
};

const Screens = ({services, initial, terminal, onExit, router}: AppProps & {router: KeyRouter}) => {
	// The home screen is drawn once its rows are read: nothing is shown until then.
	const [screen, setScreenState] = useState<Screen>(() =>
		initial.screen !== 'home' ? {name: 'loading', text: 'Loading…'} : initial.rows ? {name: 'home', rows: initial.rows} : {name: 'loading', text: ''},
	);
	/** Keys typed from now on belong to the next screen. */
	const setScreen = (next: Screen) => {
		router.hold();
		setScreenState(next);
	};
	const fatal = initial.screen !== 'home';

	/** The runbooks as they are now: a run since they were last shown may have changed their state. */
	const showHome = async (notice?: string) => {
		setScreen({name: 'loading', text: ''});
		try {
			setScreen({name: 'home', rows: await services.listRunbooks(), notice});
		} catch (error) {
			setScreen({name: 'problem', text: message(error), fatal: true});
		}
	};

	/** Opens a runbook: an unfinished run is offered first, then the inputs. */
	const open = async (ref: string, given: Record<string, string> = {}) => {
		setScreen({name: 'loading', text: 'Loading…'});
		try {
			const runbook = await services.loadRunbook(ref);
			const problems = services.requirementProblems(runbook);
			if (problems.length > 0) {
				setScreen({name: 'problem', text: `${runbook.meta.title} cannot run here; nothing was run:\n${problems.join('\n')}`, fatal});
				return;
			}
			if (!trusted(runbook, () => afterTrust(runbook, given))) return;
			afterTrust(runbook, given);
		} catch (error) {
			setScreen({name: 'problem', text: message(error), fatal});
		}
	};

	/**
	 * The trust gate before any run starts or resumes: refused outright (as
	 * root, a file others could change), or shown for approval; true when the
	 * runbook may run now.
	 */
	const trusted = (runbook: Runbook, then: () => void): boolean => {
		const trust = services.assessTrust(runbook);
		if (trust.refused) {
			setScreen({name: 'problem', text: trust.refused.message, fatal});
			return false;
		}
		if (trust.mayRun) return true;
		setScreen({name: 'approve', runbook, summary: trust.summary, review: trust.review ?? runbook.source, then});
		return false;
	};

	const afterTrust = (runbook: Runbook, given: Record<string, string>) => {
		try {
			const run = services.unfinishedRun(runbook.id);
			if (run && !run.active) setScreen({name: 'choose', runbook, run});
			else if (run?.active) setScreen({name: 'problem', text: `A run of ${runbook.id} is going on in another Rampart process (${run.runId}).`, fatal});
			else setScreen({name: 'form', runbook, given});
		} catch (error) {
			setScreen({name: 'problem', text: message(error), fatal});
		}
	};

	const resume = async (runId?: string) => {
		try {
			const run = runId ? services.findRun(runId) : services.unfinishedRun();
			if (!run) {
				setScreen({name: 'problem', text: runId ? `There is no run ${runId}.` : 'There is no unfinished run to resume.', fatal: true});
				return;
			}
			if (run.state.outcome) {
				setScreen({name: 'problem', text: `Run ${run.runId} has already finished (${run.state.outcome}).`, fatal: true});
				return;
			}
			const runbook = await services.loadRunbook(run.state.runbook.path);
			if (trusted(runbook, () => continueRun(runbook, run))) continueRun(runbook, run);
		} catch (error) {
			setScreen({name: 'problem', text: message(error), fatal: true});
		}
	};

	/** Secrets were never recorded: ask for them again; everything else is the run's own. */
	const continueRun = (runbook: Runbook, run: RunSummary) => {
		const secrets = runbook.meta.inputs.filter(i => i.type === 'secret');
		if (secrets.length > 0) setScreen({name: 'form', runbook, given: {}, resume: run});
		else begin(runbook, run.state.inputs, run);
	};

	const begin = (runbook: Runbook, given: Record<string, string>, run?: RunSummary): string | undefined => {
		const {values, problems} = services.resolveInputs(runbook, given);
		if (problems.length > 0) return problems.map(p => `${p.input} ${p.message}`).join('\n');
		try {
			const session = run ? services.resume(runbook, run.runId, values) : services.start(runbook, values);
			setScreen({name: 'run', session});
		} catch (error) {
			setScreen({name: 'problem', text: message(error), fatal});
		}
		return undefined;
	};

	useEffect(() => {
		if (initial.screen === 'home' && !initial.rows) void showHome();
		if (initial.screen === 'run') void open(initial.runbookRef, initial.givenInputs);
		if (initial.screen === 'resume') void resume(initial.runId);
		// Only once, for the screen Rampart was started on.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, []);

	const quit = (code: number = EXIT.ok, lines: string[] = []) => onExit({code, lines});
	const home = (notice?: string) => (fatal ? quit(EXIT.ok) : void showHome(notice));

	switch (screen.name) {
		case 'home':
			return <Home rows={screen.rows} notice={screen.notice} onOpen={ref => void open(ref)} onQuit={() => quit()} />;
		case 'loading':
			return screen.text ? <Text>{screen.text}</Text> : null;
		case 'problem':
			return <Problem text={screen.text} onBack={() => (screen.fatal ? quit(EXIT.usage, [`rampart: ${screen.text}`]) : home())} />;
		case 'approve':
			return (
				<Approve
					summary={screen.summary}
					review={screen.review}
					onApprove={() => {
						try {
							services.approve(screen.runbook);
							screen.then();
						} catch (error) {
							setScreen({name: 'problem', text: message(error), fatal});
						}
					}}
					onBack={() => (fatal ? quit(EXIT.usage, [`rampart: ${screen.runbook.path} was not approved; nothing was run`]) : home())}
				/>
			);
		case 'choose': {
			const {step, of} = progressOf(screen.run.state);
			return (
				<Box flexDirection="column">
					<Text bold>{screen.runbook.meta.title}</Text>
					<Text>
						A run of this runbook is unfinished: step {step} of {of}, started {screen.run.state.startedAt.slice(0, 16).replace('T', ' ')} by {screen.run.state.operator.user}.
					</Text>
					<Text> </Text>
					<Choice
						items={[
							{value: 'resume', key: 'r', label: `Resume it (run ${screen.run.runId})`},
							{value: 'over', key: 's', label: 'Start over: end that run as stopped and start a new one'},
						]}
						onPick={value => {
							if (value === 'resume') continueRun(screen.runbook, screen.run);
							else {
								try {
									services.abandon(screen.runbook, screen.run);
									setScreen({name: 'form', runbook: screen.runbook, given: {}});
								} catch (error) {
									setScreen({name: 'problem', text: message(error), fatal});
								}
							}
						}}
						onBack={() => home()}
					/>
				</Box>
			);
		}
		case 'form':
			return (
				<Suspense fallback={loading}>
					<FormScreen
						key={screen.runbook.id}
						runbook={screen.runbook}
						given={screen.given}
						resume={screen.resume}
						env={services.env}
						onStart={values => begin(screen.runbook, screen.resume ? {...screen.resume.state.inputs, ...values} : values, screen.resume)}
						onBack={() => home()}
						onQuit={() => quit()}
					/>
				</Suspense>
			);
		case 'run':
			return (
				<Suspense fallback={loading}>
					<RunScreen
						session={screen.session}
						terminal={terminal}
						onFinished={state => setScreen({name: 'summary', state})}
						onLeave={() =>
							quit(EXIT.interrupted, [
								`rampart: run ${screen.session.runId} left unfinished; nothing is left running.`,
								`Resume it with: rampart resume ${screen.session.runId}`,
							])
						}
					/>
				</Suspense>
			);
		case 'summary': {
			const state = screen.state;
			const journal = services.journalPath(state.runId);
			const code = state.outcome === 'completed' ? EXIT.ok : EXIT.failed;
			const lines = [`rampart: run ${state.runId} of ${state.runbook.id}: ${state.outcome}. Record: ${journal}`];
			return (
				<Summary state={state} journal={journal} nextDue={services.nextDue(state.runbook.id)} onClose={() => quit(code, lines)} onHome={fatal ? undefined : () => home()} />
			);
		}
	}
};

const Home = ({rows: listed, notice, onOpen, onQuit}: {rows: RunbookRow[]; notice?: string; onOpen: (ref: string) => void; onQuit: () => void}) => {
	const [state, dispatch, get] = useRefReducer(homeReducer, () => initialHome(listed));
	const {columns, rows} = useTerminalSize();
	useHome(get, dispatch, row => onOpen(row.path), onQuit);
	return <HomeView state={state} columns={columns} rows={rows} notice={notice} />;
};

const Summary = (props: {state: RunState; journal: string; nextDue?: string; onClose: () => void; onHome?: () => void}) => {
	const {columns, rows} = useTerminalSize();
	return <SummaryView {...props} columns={columns} rows={rows} />;
};

const Problem = ({text, onBack}: {text: string; onBack: () => void}) => {
	const theme = useTheme();
	useKeypress(() => onBack());
	return (
		<Box flexDirection="column">
			<Text color={theme.danger} wrap="wrap">
				✗ {text}
			</Text>
			<Text color={theme.muted}>Press any key to go back.</Text>
		</Box>
	);
};

const Approve = (props: {summary: string; review: string; onApprove: () => void; onBack: () => void}) => {
	const {columns, rows} = useTerminalSize();
	return <ApproveView {...props} columns={columns} rows={rows} />;
};
