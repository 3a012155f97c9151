// The screens and how the operator moves between them: home → (approve) →
// (resume or start over) → inputs → review → run → summary. Which screen
// comes next is the run controller's answer (flow/use-run-flow.ts); each
// screen owns its keys.

import {Box, Text} from 'ink';
import {lazy, Suspense, useEffect, useMemo, useState} from 'react';
import {describeLeftRunning, type RunState} from '../engine/state.js';
import type {RunbookRow} from '../engine/runbook-list.js';
import {EXIT} from '../types/exit-codes.js';
import {useRefReducer} from './use-ref-reducer.js';
import {useTerminalSize} from './use-terminal-size.js';
import {useTheme} from './theme.js';
import {anyKeyText, PROBLEM_COMMANDS} from './any-key.js';
import {useKeypress, useKeyRouterInput} from './use-keypress.js';
import {KeyRouter, KeyRouterContext} from './key-router.js';
import {homeReducer, initialHome} from './home/use-home-state.js';
import {useHome} from './home/use-home.js';
import {HomeView} from './home/home-view.js';
import type {TerminalControl} from './run/terminal-control.js';
import {SummaryView} from './summary/summary-view.js';
import {ApproveView} from './trust/approve-view.js';
import {ChooseView} from './flow/choose-view.js';
import {useRunFlow, type Screen} from './flow/use-run-flow.js';
import type {TuiResult, TuiServices, TuiStart} from './services.js';
import type {FleetHandle} from './fleet/open-fleet.js';

// The form and the run screen bring the input rules, the engine's session and
// Markdown rendering: loaded when first shown (with "Loading…" meanwhile), so
// the home screen draws without them.
const FormScreen = lazy(() => import('./form/form-screen.js').then(m => ({default: m.FormScreen})));
const RunScreen = lazy(() => import('./run/run-screen.js').then(m => ({default: m.RunScreen})));
const FleetScreen = lazy(() => import('./fleet/fleet-screen.js').then(m => ({default: m.FleetScreen})));
const loading = <Text>Loading…</Text>;

export interface AppProps {
	services: TuiServices;
	initial: TuiStart;
	terminal?: TerminalControl;
	onExit: (result: TuiResult) => void;
	/** A fleet run, its hosts already reached (start-tui): the fleet view is the only screen. */
	fleet?: FleetHandle;
}

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
			{props.fleet ? (
				<Suspense fallback={loading}>
					<FleetScreen fleet={props.fleet} onExit={props.onExit} />
				</Suspense>
			) : (
				<Screens {...props} terminal={terminal} router={router} />
			)}
		</KeyRouterContext.Provider>
	);
};

/** The first screen: the home screen once its rows are read (nothing is shown until then). */
const firstScreen = (initial: TuiStart): Screen =>
	initial.screen !== 'home' ? {name: 'loading', text: 'Loading…'} : initial.rows ? {name: 'home', rows: initial.rows} : {name: 'loading', text: ''};

const Screens = ({services, initial, terminal, onExit, router}: AppProps & {router: KeyRouter}) => {
	const flow = useRunFlow(services, firstScreen(initial), () => router.hold());
	const screen = flow.screen;
	// Started on a run (rampart run X on a terminal): leaving it leaves Rampart.
	const direct = initial.screen !== 'home';

	useEffect(() => {
		if (initial.screen === 'home' && !initial.rows) void flow.showHome();
		if (initial.screen === 'run') void flow.openRunbook(initial.runbookRef, initial.givenInputs, initial.approve, initial.sources);
		if (initial.screen === 'resume') void flow.resumeRun(initial.runId, initial.approve);
		// Only once, for the screen Rampart was started on.
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, []);

	const quit = (code: number = EXIT.ok, lines: string[] = []) => onExit({code, lines});
	const home = (notice?: string) => (direct ? quit(EXIT.ok) : void flow.showHome(notice));

	switch (screen.name) {
		case 'home':
			return <Home rows={screen.rows} notice={screen.notice} onOpen={ref => void flow.openRunbook(ref)} onQuit={() => quit()} />;
		case 'loading':
			return screen.text ? <Text>{screen.text}</Text> : null;
		case 'problem':
			return <Problem text={screen.text} onBack={() => (direct ? quit(screen.code, [`rampart: ${screen.text}`]) : home())} />;
		case 'approve':
			return (
				<Approve
					summary={screen.summary}
					review={screen.review}
					onApprove={flow.approve}
					onBack={() => (direct ? quit(EXIT.usage, [`rampart: ${screen.runbook.path} was not approved; nothing was run`]) : home())}
				/>
			);
		case 'choose':
			return <ChooseView runbook={screen.runbook} run={screen.run} onResume={flow.resumeUnfinished} onStartOver={flow.startOver} onBack={() => home()} />;
		case 'form':
			return (
				<Suspense fallback={loading}>
					<FormScreen
						key={screen.runbook.id}
						runbook={screen.runbook}
						given={screen.given}
						resume={screen.resume}
						problem={screen.problem}
						env={services.env}
						onStart={flow.submitInputs}
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
						onFinished={flow.finished}
						onLeave={() =>
							quit(EXIT.interrupted, [
								`rampart: run ${screen.session.runId} left unfinished; ${describeLeftRunning(screen.session.state)}`,
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
				<Summary
					state={state}
					journal={journal}
					nextDue={services.nextDue(state.runbook.id)}
					onClose={() => quit(code, lines)}
					onHome={direct ? undefined : () => home()}
				/>
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
	// PROBLEM_COMMANDS: any key goes back.
	useKeypress(() => onBack());
	return (
		<Box flexDirection="column">
			<Text color={theme.danger} wrap="wrap">
				✗ {text}
			</Text>
			<Text color={theme.muted}>{anyKeyText(PROBLEM_COMMANDS)}</Text>
		</Box>
	);
};

const Approve = (props: {summary: string; review: string; onApprove: () => void; onBack: () => void}) => {
	const {columns, rows} = useTerminalSize();
	return <ApproveView {...props} columns={columns} rows={rows} />;
};
