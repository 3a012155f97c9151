// The full-log view in the run screen: a step that printed thousands of
// lines, progress with carriage returns, an error in the middle and lines
// longer than the screen; paged, searched, wrapped and scrolled sideways
// with the keys its table names, the screen around it intact.

import {describe, expect, it} from 'vitest';
import {stripStyles} from '../../source/output/terminal-text.js';
import {colourTheme} from '../../source/ui/theme.js';
import {frontMatter, KEY, lab, renderApp, sh} from './helpers.js';

const RIGHT = '\u001B[C';

const LOGS =
	frontMatter('Logs') +
	`## Print a log

${sh(
	[
		'for i in $(seq 1 1500); do echo "line $i"; done',
		'echo "E: Unable to locate package nope"',
		'for i in $(seq 1501 3000); do echo "line $i"; done',
		"printf 'progress 10%%\\rprogress 50%%\\rprogress 100%%\\n'",
		"printf 'long-start-%0300d-long-end\\n' 0",
		// A line taller than the screen when wrapped: 40 numbered marks.
		"printf 'tall-start'; for i in $(seq 1 40); do printf -- '-mark%02d-%s' $i aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; done; printf 'tall-end\\n'",
		'echo "the end"',
	].join('\n'),
)}`;

/** The numbers of the `line N` rows on screen. */
const numbers = (frame: string): number[] => [...frame.matchAll(/(?:^|\s)line (\d+)\s*$/gm)].map(m => Number(m[1]));
/** The numbers of the wrapped tall line's marks on screen. */
const marks = (frame: string): number[] => [...frame.matchAll(/mark(\d\d)/g)].map(m => Number(m[1]));

const openLog = async () => {
	const app = renderApp(lab({logs: LOGS}), {screen: 'run', runbookRef: 'logs', givenInputs: {}});
	await app.waitFor('review');
	await app.press(KEY.enter);
	await app.waitFor('1. Print a log');
	await app.press(KEY.enter, KEY.enter);
	await app.waitFor('“Print a log” done', 20_000);
	await app.press('l');
	await app.waitFor('── full log');
	return app;
};

describe('the full log', () => {
	it('opens at its end, as a terminal shows it, with the screen around it intact', async () => {
		const app = await openLog();
		const frame = app.frame();
		expect(frame).toContain('the end');
		expect(frame).toContain('progress 100%');
		expect(frame).not.toContain('progress 50%');
		expect(frame).toMatch(/── full log · lines \d+–\d+ of \d+ · wrap off/);
		// The title, the step list and the hints are where they were.
		expect(frame.split('\n')[0]).toMatch(/rampart Logs/);
		expect(frame).toMatch(/✓ 1\. Print a log/);
		expect(frame).toMatch(/\/ search {2}n next {2}e error/);
		expect(frame.split('\n').length).toBeLessThanOrEqual(24);
		await app.press(KEY.esc);
		await app.waitFor(f => !f.includes('── full log'));
	});

	it('keeps the colours a command printed, and nothing else it printed reaches the screen', async () => {
		const hostile = String.raw`printf '\e[2J\e[H\e]0;owned\a\e]52;c;b3duZWQ=\a\e[?1049h\e[5A\e[31mred\e[0m and plain\n'
printf 'downloading 42 files\r\e[2Kfetched\n'`;
		const app = renderApp(lab({hostile: frontMatter('Hostile') + '## Print\n\n' + sh(hostile)}), {screen: 'run', runbookRef: 'hostile', givenInputs: {}}, colourTheme);
		await app.waitFor('review');
		await app.press(KEY.enter);
		await app.waitFor('1. Print');
		await app.press(KEY.enter, KEY.enter);
		await app.waitFor(/“Print” done in/);
		await app.press(KEY.up, 'l');
		const raw = await app.waitFor(f => stripStyles(f).includes('── full log'));
		const frame = stripStyles(raw);
		expect(frame).toMatch(/^\s*red and plain\s*$/m);
		expect(frame).toMatch(/^\s*fetched\s*$/m);
		expect(frame.split('\n')[0]).toContain('Hostile');
		expect(frame).not.toContain('\u001B');
		expect(raw).toContain('\u001B[31mred\u001B[');
		for (const leak of ['\u001B]', '\u001B[2J', '\u001B[?1049h', '\u0007']) expect(raw).not.toContain(leak);
	});

	it('g and G go to the first and last lines', async () => {
		const app = await openLog();
		await app.press('g');
		const top = await app.waitFor(/── full log · lines 1–/);
		expect(numbers(top)).toContain(1);
		expect(numbers(top)).not.toContain(3000);
		await app.press('G');
		const end = await app.waitFor('the end');
		expect(numbers(end)).not.toContain(1);
	});

	it('/ searches from the top line shown; n and N go to the next and previous match', async () => {
		const app = await openLog();
		await app.press('g', '/');
		await app.waitFor('search the log');
		// Keys type while searching: the l here does not scroll.
		await app.press('line 25', KEY.enter);
		const first = await app.waitFor('“line 25”');
		expect(numbers(first)).toContain(25);
		expect(numbers(first)).not.toContain(1);
		await app.press('n');
		const next = await app.waitFor(f => numbers(f).includes(250));
		expect(numbers(next)).not.toContain(25);
		await app.press('N');
		await app.waitFor(f => numbers(f).includes(25) && !numbers(f).includes(250));
		await app.press('N');
		await app.waitFor('no more matches');
		await app.press('/', 'no such text', KEY.enter);
		await app.waitFor('“no such text” not found');
	});

	it('e jumps to the first line that looks like an error, then to the next', async () => {
		const app = await openLog();
		await app.press('g', 'e');
		const frame = await app.waitFor('E: Unable to locate package nope');
		expect(numbers(frame)).toContain(1500);
		expect(numbers(frame)).not.toContain(1);
		await app.press('e');
		await app.waitFor('no more error lines');
	});

	it('w wraps a long line; unwrapped, → scrolls sideways to its end', async () => {
		const app = await openLog();
		expect(app.frame()).toContain('long-start-000');
		expect(app.frame()).not.toContain('-long-end');
		// Wrapping keeps the top line; the long line's end is a few rows down.
		await app.press('w');
		await app.waitFor('· wrap on');
		for (let i = 0; i < 10 && !app.frame().includes('-long-end'); i++) await app.press('j');
		const wrapped = await app.waitFor('-long-end');
		expect(wrapped).toContain('long-start-000');
		await app.press('w');
		await app.waitFor('· wrap off');
		for (let i = 0; i < 12 && !app.frame().includes('-long-end'); i++) await app.press(RIGHT);
		const right = await app.waitFor('-long-end');
		expect(right).toMatch(/from column \d+/);
		await app.press('h', 'h', 'h', 'h', 'h', 'h', 'h', 'h', 'h', 'h', 'h', 'h');
		await app.waitFor(f => f.includes('long-start-000') && !f.includes('from column'));
	});

	it('a wrapped line taller than the screen scrolls row by row', async () => {
		const app = await openLog();
		await app.press('w', 'G');
		const end = await app.waitFor('tall-end');
		expect(end).toMatch(/lines \d+–\d+ of \d+ \(from row \d+\)/);
		expect(Math.max(...marks(end))).toBe(40);
		expect(end).toContain('# rampart: exit 0');
		const before = Math.min(...marks(end));
		await app.press('k');
		const up = await app.waitFor(f => Math.min(...marks(f)) < before);
		// One row up: the last row left the screen, one more row of the tall line came in.
		expect(before - Math.min(...marks(up))).toBeLessThanOrEqual(2);
		expect(up).not.toContain('# rampart: exit 0');
		await app.press('j');
		await app.waitFor(f => Math.min(...marks(f)) === before && f.includes('# rampart: exit 0'));
	});

	it('? lists the log keys from its table; any key goes back to the log', async () => {
		const app = await openLog();
		await app.press('?');
		const help = await app.waitFor('Keys: full log');
		expect(help).toContain('Wrap long lines');
		expect(help).toContain('Next line like an error');
		await app.press('x');
		await app.waitFor(f => f.includes('── full log') && !f.includes('Keys: full log'));
	});
});
