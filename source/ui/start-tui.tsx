// The TUI's entry point: wires the engine into the screens, owns the
// terminal for the TUI's lifetime and gives it back on every path.
//
// Exit codes (see README): 0 the run completed, or the operator left from a
// screen where nothing had started; 1 the run ended failed, stopped or rolled
// back; 2 the runbook or run could not be opened; 130 the operator left in
// the middle of a run (it stays resumable), or a signal ended Rampart.

import {render} from 'ink';
import {EXIT} from '../types/exit-codes.js';
import type {RunSession} from '../engine/run-session.js';
import {App} from './app.js';
import {engineServices} from './engine-services.js';
import {chooseTheme, ThemeContext} from './theme.js';
import {createTerminal} from './terminal.js';
import {tuiSigning} from './tui-signing.js';
import type {TuiContext, TuiResult, TuiStart} from './services.js';
import type {FleetHandle} from './fleet/open-fleet.js';

export interface StartTuiOptions {
	ctx: TuiContext;
	initial: TuiStart;
}

export const startTui = async ({ctx, initial}: StartTuiOptions): Promise<number> => {
	const {stdin, stdout} = process;
	const terminal = createTerminal({stdin, stdout});
	const sessions = new Set<RunSession>();
	// Said after the TUI has given the terminal back: what signing each run's record did.
	const signing = await tuiSigning(ctx);
	const services = engineServices(ctx, sessions, signing.prepare);
	const theme = chooseTheme(ctx.env, stdout);
	// Read before the first frame, so that frame is the whole home screen: Ink
	// draws the next one only after its render throttle (~33 ms).
	const start: TuiStart = initial.screen === 'home' ? {...initial, rows: await services.listRunbooks()} : initial;
	// A fleet's hosts are reached before Ink owns the terminal: ssh may ask for a passphrase.
	let fleet: FleetHandle | undefined;
	if (initial.screen === 'fleet') {
		const {openFleet} = await import('./fleet/open-fleet.js');
		fleet = await openFleet(ctx, initial, line => process.stderr.write(`rampart: ${line}\n`));
		for (const member of fleet.members) if (member.session) sessions.add(member.session);
	}

	/** Stops whatever runs and releases the run (it stays resumable). */
	const closeSessions = () => {
		for (const session of sessions) session.close();
	};
	const onExit = () => {
		fleet?.releaseNow();
		terminal.restore();
	};
	const onFatal = (error: unknown) => {
		closeSessions();
		terminal.restore();
		process.stderr.write(`rampart: unexpected error: ${error instanceof Error ? (ctx.debug ? error.stack : error.message) : String(error)}\n`);
		process.exit(EXIT.failed);
	};
	const onSignal = (signal: NodeJS.Signals) => {
		closeSessions();
		terminal.restore();
		process.stderr.write(`rampart: ${signal}: stopped; the run can be resumed with: rampart resume\n`);
		process.exit(EXIT.interrupted);
	};
	// In raw mode Ctrl-C is a key; SIGINT arrives only while an interactive
	// block has the terminal, and then it is the block's to handle.
	const ignoreInterrupt = () => {};
	// Every hook is removed again on the way out, whatever way that is.
	const hooks: Array<[string, (arg: unknown) => void]> = [
		['exit', onExit],
		['uncaughtException', onFatal],
		['unhandledRejection', onFatal],
		['SIGINT', ignoreInterrupt],
		['SIGTERM', signal => onSignal(signal as NodeJS.Signals)],
		['SIGHUP', signal => onSignal(signal as NodeJS.Signals)],
	];
	for (const [event, hook] of hooks) process.on(event, hook);
	// A shrinking or growing window can leave parts of the old frame behind.
	const onResize = () => terminal.clear();
	stdout.on('resize', onResize);

	// While an interactive block has the terminal, nothing Ink draws may reach
	// it: Ink writes through this gate, which is shut until the block ends.
	let gated = false;
	const inkStdout = Object.create(stdout, {
		write: {
			value: (chunk: string | Uint8Array, ...rest: unknown[]) => {
				if (!gated) return (stdout.write as (...args: unknown[]) => boolean)(chunk, ...rest);
				const callback = rest.find(r => typeof r === 'function') as (() => void) | undefined;
				callback?.();
				return true;
			},
		},
	}) as NodeJS.WriteStream;
	const control = {
		suspend: (what: string) => {
			gated = true;
			terminal.suspend(what);
		},
		resume: () => {
			terminal.resume();
			gated = false;
		},
	};

	// Every write reaches the terminal before the next thing happens: an
	// interactive block must not start printing before the normal screen is
	// back, and a queued frame must not land on the normal screen after.
	(stdout as unknown as {_handle?: {setBlocking?: (blocking: boolean) => void}})._handle?.setBlocking?.(true);

	let result: TuiResult = {code: EXIT.ok, lines: []};
	terminal.enter();
	try {
		let finish: (value: TuiResult) => void = () => {};
		const done = new Promise<TuiResult>(resolve => (finish = resolve));
		const instance = render(
			<ThemeContext.Provider value={theme}>
				<App services={services} initial={start} terminal={control} onExit={finish} fleet={fleet} />
			</ThemeContext.Provider>,
			{exitOnCtrlC: false, patchConsole: true, stdin, stdout: inkStdout},
		);
		result = await Promise.race([done, instance.waitUntilExit().then(() => result)]);
		instance.unmount();
		await instance.waitUntilExit().catch(() => undefined);
	} finally {
		closeSessions();
		await fleet?.release();
		stdout.off('resize', onResize);
		terminal.restore();
		for (const [event, hook] of hooks) process.off(event, hook);
	}
	for (const line of [...result.lines, ...signing.said]) process.stderr.write(`${line}\n`);
	return result.code;
};
