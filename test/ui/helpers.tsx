// Scaffolding for the TUI tests: runbooks written to temp directories, the
// real engine and journal behind the screens, and waiting for frames
// (polling lastFrame, never fixed sleeps).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach} from 'vitest';
import {render, cleanup} from 'ink-testing-library';
import {App} from '../../source/ui/app.js';
import {engineServices} from '../../source/ui/engine-services.js';
import {plainTheme, ThemeContext, type Theme} from '../../source/ui/theme.js';
import type {TuiResult, TuiStart} from '../../source/ui/services.js';
import type {CliContext} from '../../source/cli/context.js';
import type {RunSession} from '../../source/engine/run-session.js';
import {journalPath, listRuns, readJournal} from '../../source/journal/index.js';
import type {RunEvent} from '../../source/types/events.js';
import {parseRunbookBytes} from '../../source/runbook/parse.js';
import {approveRunbook} from '../../source/trust/gate.js';

const made: string[] = [];
const sessions = new Set<RunSession>();

afterEach(() => {
	cleanup();
	for (const session of sessions) session.close();
	sessions.clear();
	for (const dir of made.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

export const tempDir = (prefix = 'rampart-ui-'): string => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	made.push(dir);
	return dir;
};

export interface Lab {
	home: string;
	books: string;
	work: string;
	ctx: CliContext;
}

/** A state dir, a runbook dir with the given runbooks, and a CLI context on them. */
export const lab = (runbooks: Record<string, string>, env: NodeJS.ProcessEnv = {}, options: {approved?: boolean} = {}): Lab => {
	const root = tempDir();
	const home = path.join(root, 'home');
	const books = path.join(root, 'books');
	const work = path.join(root, 'work');
	for (const dir of [books, work]) fs.mkdirSync(dir, {recursive: true});
	for (const [id, text] of Object.entries(runbooks)) fs.writeFileSync(path.join(books, `${id}.md`), text);
	// Runbooks outside the bundle run only once approved; most tests are about something else.
	if (options.approved !== false) {
		for (const id of Object.keys(runbooks)) {
			const file = path.join(books, `${id}.md`);
			const parsed = parseRunbookBytes(file, fs.readFileSync(file));
			approveRunbook(parsed.runbook!, home, {user: 'tester', uid: process.getuid?.() ?? 0, host: 'test'});
		}
	}
	const fullEnv = {PATH: process.env['PATH'], HOME: root, RAMPART_HOME: home, RAMPART_RUNBOOKS: books, ...env};
	const ctx: CliContext = {
		env: fullEnv,
		cwd: work,
		out: () => {},
		write: () => {},
		err: () => {},
		stateDir: () => home,
		debug: false,
		stdinIsTTY: true,
		stdoutIsTTY: true,
	};
	return {home, books, work, ctx};
};

export const renderApp = (l: Lab, initial: TuiStart = {screen: 'home'}, theme: Theme = plainTheme) => {
	const results: TuiResult[] = [];
	const services = engineServices(l.ctx, sessions);
	const app = render(
		<ThemeContext.Provider value={theme}>
			<App services={services} initial={initial} onExit={result => results.push(result)} />
		</ThemeContext.Provider>,
	);
	const frame = () => app.lastFrame() ?? '';
	return {
		...app,
		results,
		frame,
		/** Writes keys, one write per entry (a string may hold several keys). */
		press: async (...keys: string[]) => {
			for (const key of keys) {
				app.stdin.write(key);
				await settle();
			}
		},
		waitFor: (what: string | RegExp | ((frame: string) => boolean), timeoutMs = 10_000) => waitFor(frame, what, timeoutMs),
	};
};

export const KEY = {
	enter: '\r',
	esc: '\u001B',
	up: '\u001B[A',
	down: '\u001B[B',
	backspace: '\u007F',
	ctrlC: '\u0003',
	pageDown: '\u001B[6~',
	space: ' ',
};

/**
 * Lets React finish what a key or a frame started: its render, then the
 * passive effects that (re)attach the new screen's input handler.
 */
export const settle = async () => {
	await new Promise(resolve => setImmediate(resolve));
	await new Promise(resolve => setTimeout(resolve, 0));
	await new Promise(resolve => setImmediate(resolve));
};

/** Polls the last frame until it shows what is expected. */
export const waitFor = async (frame: () => string, what: string | RegExp | ((frame: string) => boolean), timeoutMs = 10_000): Promise<string> => {
	const test = typeof what === 'function' ? what : typeof what === 'string' ? (f: string) => f.includes(what) : (f: string) => what.test(f);
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const current = frame();
		if (test(current)) {
			await settle();
			return current;
		}
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(what)}; last frame:\n${current}`);
		await new Promise(resolve => setTimeout(resolve, 10));
	}
};

export const until = async (check: () => boolean, timeoutMs = 10_000): Promise<void> => {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
		await new Promise(resolve => setTimeout(resolve, 10));
	}
};

/** Every recorded event of the one run in a state dir. */
export const journalEvents = (home: string): RunEvent[] => {
	const runs = listRuns(home);
	if (runs.length === 0) return [];
	return readJournal(journalPath(home, runs.at(-1)!)).events;
};

export const frontMatter = (title: string, extra = ''): string => `---\ntitle: ${title}\nsummary: Summary of ${title}.\n${extra}---\n\n# ${title}\n\n`;

export const sh = (code: string, attributes = ''): string => `\`\`\`sh${attributes ? ` {${attributes}}` : ''}\n${code}\n\`\`\`\n\n`;
