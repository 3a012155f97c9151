// Runs the built binary in a real pseudo-terminal and reads the screen the
// way an operator sees it (xterm's parser, not raw bytes).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';
import {CLI, RAMPART} from '../engine/helpers.js';

const {Terminal} = xterm;

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export {CLI, RAMPART};

export interface Screen {
	/** The visible screen as text, one line per row. */
	text: () => string;
	/** Everything the program wrote, raw. */
	raw: () => string;
	write: (data: string) => void;
	waitFor: (what: string | RegExp | ((screen: string) => boolean), timeoutMs?: number) => Promise<string>;
	resize: (cols: number, rows: number) => void;
	exited: Promise<number>;
	kill: () => void;
}

export const KEYS = {enter: '\r', esc: '\u001B', up: '\u001B[A', down: '\u001B[B', ctrlC: '\u0003', backspace: '\u007F'};

export const spawnRampart = (args: string[], env: Record<string, string>, size = {cols: 80, rows: 24}): Screen => {
	const term = new Terminal({cols: size.cols, rows: size.rows, allowProposedApi: true});
	// A clean environment: no CI (Ink would stop redrawing), the test's dirs.
	const childEnv: Record<string, string> = {PATH: process.env['PATH'] ?? '/usr/bin:/bin', TERM: 'xterm-256color', LANG: 'C.UTF-8', ...env};
	const child = pty.spawn(RAMPART[0]!, [...RAMPART.slice(1), ...args], {
		name: 'xterm-256color',
		cols: size.cols,
		rows: size.rows,
		cwd: env['HOME'] ?? os.tmpdir(),
		env: childEnv,
	});
	let raw = '';
	let pending = 0;
	child.onData(data => {
		raw += data;
		pending++;
		term.write(data, () => pending--);
	});
	const exited = new Promise<number>(resolve => child.onExit(({exitCode}) => resolve(exitCode)));
	const text = () => {
		const buffer = term.buffer.active;
		const lines: string[] = [];
		for (let y = 0; y < term.rows; y++) lines.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
		return lines.join('\n');
	};
	return {
		text,
		raw: () => raw,
		write: data => child.write(data),
		kill: () => {
			try {
				child.kill('SIGKILL');
			} catch {
				// already gone
			}
		},
		exited,
		resize: (cols, rows) => {
			term.resize(cols, rows);
			child.resize(cols, rows);
		},
		waitFor: async (what, timeoutMs = 15_000) => {
			const deadline = Date.now() + timeoutMs;
			const test = (s: string) => (typeof what === 'function' ? what(s) : typeof what === 'string' ? s.includes(what) : what.test(s));
			for (;;) {
				if (pending === 0 && test(text())) return text();
				if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(what)}; screen:\n${text()}`);
				await new Promise(resolve => setTimeout(resolve, 20));
			}
		},
	};
};

export const tempDir = (prefix = 'rampart-e2e-'): string => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
