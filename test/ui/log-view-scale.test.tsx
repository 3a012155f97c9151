// The full-log view's keys and drawing on logs no step in a test could
// print quickly: 1,000,000 lines followed by a 20 MB line, one document of
// two files. Keys go through logKey, frames through LogView, as in the run
// screen.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {LogDocument} from '../../source/output/log-document.js';
import {logKey, openLogView, type LogScreen} from '../../source/ui/run/log-keys.js';
import type {LogViewState} from '../../source/ui/run/log-position.js';
import {LogView} from '../../source/ui/run/log-view.js';
import {plainTheme, ThemeContext} from '../../source/ui/theme.js';

let dir: string;
let screen: LogScreen;

beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-logview-'));
	const million = path.join(dir, '001-million.log');
	const fd = fs.openSync(million, 'w');
	for (let from = 1; from <= 1_000_000; from += 10_000) {
		let chunk = '';
		for (let i = from; i < from + 10_000; i++) chunk += i === 500_000 ? 'E: Sub-process /usr/bin/dpkg returned an error code (1)\n' : `line ${i}\n`;
		fs.writeSync(fd, chunk);
	}
	fs.closeSync(fd);
	const long = path.join(dir, '002-long.log');
	fs.writeFileSync(long, `${'0123456789'.repeat(2 * 1024 * 1024)}tail`);
	const doc = LogDocument.open([million, long].map(file => ({file, label: path.basename(file)})));
	screen = {doc, width: 80, height: 20};
});
afterAll(() => fs.rmSync(dir, {recursive: true, force: true}));

/** Keys pressed in turn, each answered by logKey; the frame of the view they leave. */
const drive = (view: LogViewState, ...keys: Array<{name: string; text?: string}>) => {
	let state = view;
	for (const key of keys) {
		const next = logKey(key, state, screen);
		if (next === 'back') throw new Error('left the log');
		state = next;
	}
	const app = render(
		<ThemeContext.Provider value={plainTheme}>
			<LogView doc={screen.doc} view={state} width={screen.width} height={screen.height + 1} />
		</ThemeContext.Provider>,
	);
	const frame = app.lastFrame() ?? '';
	app.unmount();
	return {state, frame};
};
const press = (name: string) => ({name, text: name.length === 1 ? name : undefined});
const type = (text: string) => Array.from(text, press);

describe('the full log of 1,000,000 lines and a 20 MB line', () => {
	it('opens at the end of the last line, and g goes to the first', () => {
		expect(screen.doc.lineCount).toBe(1_000_000 + 321);
		const {state, frame} = drive(openLogView(screen));
		expect(frame).toMatch(/lines 1000302–1000321 of 1000321/);
		expect(frame).toContain('tail');
		const top = drive(state, press('g')).frame;
		expect(top).toMatch(/lines 1–20 of 1000321/);
		expect(top).toContain('line 1\n');
	});

	it('searches to the last line and back, and finds the error in the middle', () => {
		const {state, frame} = drive(openLogView(screen), press('g'), press('/'), ...type('line 999999'), press('enter'));
		expect(frame).toContain('line 999999');
		expect(frame).toMatch(/lines 999996–/);
		expect(drive(state, press('n')).frame).toContain('no more matches');
		// Back through the whole million lines: nothing before it.
		expect(drive(state, press('N')).frame).toContain('no more matches');
		const back = drive(openLogView(screen), press('g'), press('/'), ...type('line 12'), press('enter'), press('n'), press('N'));
		expect(back.state.match).toBe(11);
		expect(back.frame).toContain('line 12\n');
		const error = drive(openLogView(screen), press('g'), press('e'));
		expect(error.frame).toContain('E: Sub-process /usr/bin/dpkg returned an error code (1)');
		expect(drive(error.state, press('e')).frame).toContain('no more error lines');
	});

	it('wraps the 20 MB line and scrolls through it row by row, or sideways', () => {
		const wrapped = drive(openLogView(screen), press('w'), press('G'));
		expect(wrapped.frame).toContain('wrap on');
		expect(wrapped.frame).toMatch(/\(from row \d+\)/);
		expect(wrapped.frame).toContain('tail');
		const up = drive(wrapped.state, press('k'), press('k'));
		expect(up.state.top.line).toBe(wrapped.state.top.line);
		expect(up.state.top.row).toBe(wrapped.state.top.row - 2);
		const sideways = drive(openLogView(screen), press('right'), press('right'));
		expect(sideways.frame).toContain('from column 81');
		expect(sideways.frame).toContain('0123456789');
	});
});
