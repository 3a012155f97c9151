// One key table per screen: what a screen's hint bar, `?` help and messages
// say comes from its table, and the keys named there do what the table says.
// Each test reads the hints off the frame, finds every one in the table
// (a hint that is in no table fails), then presses the key the hint names.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it, vi} from 'vitest';
import {render} from 'ink-testing-library';
import type {ReactElement} from 'react';
import {helpLines, keysText, type CommandTable} from '../../source/ui/commands.js';
import {keyLabel} from '../../source/ui/keys.js';
import {plainTheme, ThemeContext} from '../../source/ui/theme.js';
import {anyKeyText, HELP_CLOSE_COMMANDS, PROBLEM_COMMANDS} from '../../source/ui/any-key.js';
import {SummaryView} from '../../source/ui/summary/summary-view.js';
import {SUMMARY_COMMANDS} from '../../source/ui/summary/summary-commands.js';
import {Choice} from '../../source/ui/components/choice.js';
import {CHOICE_COMMANDS} from '../../source/ui/components/choice-commands.js';
import {HelpView} from '../../source/ui/components/help-view.js';
import {ApproveView} from '../../source/ui/trust/approve-view.js';
import {APPROVE_COMMANDS} from '../../source/ui/trust/approve-commands.js';
import type {RunState} from '../../source/engine/state.js';
import {KEY, frontMatter, lab, renderApp, settle, waitFor} from './helpers.js';
import {DEMO} from './fixtures.js';

/** What the terminal sends for a key name of a table. */
const BYTES: Record<string, string> = {
	enter: '\r',
	esc: '\u001B',
	up: '\u001B[A',
	down: '\u001B[B',
	pgup: '\u001B[5~',
	pgdn: '\u001B[6~',
	home: '\u001B[H',
	end: '\u001B[F',
	space: ' ',
	'ctrl+c': '\u0003',
};
const bytes = (name: string): string => {
	if (BYTES[name]) return BYTES[name];
	if (Array.from(name).length === 1) return name;
	throw new Error(`no bytes for key ${name}`);
};

/** The hint bar: the frame's last line, hints two spaces apart. */
const hintBar = (frame: string): string[] => {
	const last = frame.trimEnd().split('\n').at(-1)!;
	return last.trim().split(/\s{2,}/);
};

/** The commands the hint bar shows, in order; every hint must be a shown (not hidden) command of the table. */
const hinted = <Id extends string>(frame: string, table: CommandTable<Id>): Id[] =>
	hintBar(frame).map(hint => {
		const spec = table.find(c => !c.hidden && `${keyLabel(c.keys[0]!)} ${c.label}` === hint);
		expect(spec, `hint "${hint}" is no command of the table`).toBeDefined();
		return spec!.id;
	});

/** The first key of a command: the one its hint names. */
const hintKey = <Id extends string>(table: CommandTable<Id>, id: Id): string => table.find(c => c.id === id)!.keys[0]!;
const keysOf = <Id extends string>(table: CommandTable<Id>, id: Id): string[] => table.find(c => c.id === id)!.keys;

/** A component on its own (it listens to stdin directly), with a plain theme. */
const show = (element: ReactElement) => {
	const app = render(<ThemeContext.Provider value={plainTheme}>{element}</ThemeContext.Provider>);
	const frame = () => app.lastFrame() ?? '';
	return {
		frame,
		press: async (...names: string[]) => {
			for (const name of names) {
				app.stdin.write(bytes(name));
				await settle();
			}
		},
		waitFor: (what: string | RegExp | ((frame: string) => boolean)) => waitFor(frame, what),
	};
};

const READ_ONLY = frontMatter('Speedy read') + '## Read this\n\nOnly read it.\n';

describe('summary keys (SUMMARY_COMMANDS)', () => {
	const state = {
		runId: 'r1',
		runbook: {id: 'speedy', path: '/x/speedy.md', sha256: '', title: 'Speedy read'},
		startedAt: '2026-01-01T00:00:00.000Z',
		updatedAt: '2026-01-01T00:00:01.000Z',
		finishedAt: '2026-01-01T00:00:01.000Z',
		outcome: 'completed',
		steps: [{id: 'read-this', title: 'Read this', status: 'done', ticks: [], notes: [], logs: []}],
		notes: [],
	} as unknown as RunState;

	it('hints only its commands; every key of close closes, h goes home only where there is a list', async () => {
		for (const name of keysOf(SUMMARY_COMMANDS, 'close')) {
			const onClose = vi.fn();
			const onHome = vi.fn();
			const s = show(<SummaryView state={state} journal="/j" columns={100} rows={24} onClose={onClose} onHome={onHome} />);
			const frame = await s.waitFor('Record:');
			expect(hinted(frame, SUMMARY_COMMANDS)).toEqual(['close', 'home']);
			await s.press(name);
			expect(onClose, name).toHaveBeenCalledOnce();
			expect(onHome).not.toHaveBeenCalled();
		}
		// Started on the run: no list to go back to, no `h` hint, `h` does nothing.
		const onClose = vi.fn();
		const s = show(<SummaryView state={state} journal="/j" columns={100} rows={24} onClose={onClose} />);
		const frame = await s.waitFor('Record:');
		expect(hinted(frame, SUMMARY_COMMANDS)).toEqual(['close']);
		await s.press(hintKey(SUMMARY_COMMANDS, 'home'));
		expect(onClose).not.toHaveBeenCalled();
	});

	it('from the runbook list, the hint "h runbook list" goes back to it and Enter leaves', async () => {
		const app = renderApp(lab({speedy: READ_ONLY}));
		await app.waitFor('Filter:');
		await app.press('speedy', KEY.enter);
		await app.waitFor('review');
		await app.press(KEY.enter);
		await app.waitFor('1. Read this');
		await app.press(KEY.enter);
		await app.waitFor('“Read this” done');
		await app.press(KEY.enter);
		const frame = await app.waitFor('· summary');
		expect(hinted(frame, SUMMARY_COMMANDS)).toEqual(['close', 'home']);
		await app.press(bytes(hintKey(SUMMARY_COMMANDS, 'home')));
		await app.waitFor('Filter:');
		expect(app.results).toEqual([]);

		await app.press('speedy', KEY.enter);
		await app.waitFor('review');
		await app.press(KEY.enter);
		await app.waitFor('1. Read this');
		await app.press(KEY.enter);
		await app.waitFor('“Read this” done');
		await app.press(KEY.enter);
		await app.waitFor('· summary');
		await app.press(bytes(hintKey(SUMMARY_COMMANDS, 'close')));
		await app.waitFor(() => app.results.length > 0);
		expect(app.results[0]!.code).toBe(0);
	});
});

describe('choice keys (CHOICE_COMMANDS)', () => {
	const items = [
		{value: 'resume', key: 'r', label: 'Resume it'},
		{value: 'over', key: 's', label: 'Start over'},
	] as const;
	const choice = () => {
		const onPick = vi.fn();
		const onBack = vi.fn();
		return {onPick, onBack, s: show(<Choice items={items} onPick={onPick} onBack={onBack} />)};
	};
	const selected = (frame: string): string | undefined => /› (\S)/.exec(frame)?.[1];

	it('hints only its commands, and the items do not take a key of the table', async () => {
		const {s} = choice();
		const frame = await s.waitFor('Start over');
		expect(hinted(frame, CHOICE_COMMANDS)).toEqual(['up', 'pick', 'back', 'help']);
		for (const item of items) expect(CHOICE_COMMANDS.some(c => c.keys.includes(item.key))).toBe(false);
	});

	it('every key of up and down moves; the pick key picks the selected item; an item key picks that item', async () => {
		for (const [up, down] of [
			['up', 'down'],
			['k', 'j'],
		] as const) {
			expect(keysOf(CHOICE_COMMANDS, 'up')).toContain(up);
			expect(keysOf(CHOICE_COMMANDS, 'down')).toContain(down);
			const {s, onPick} = choice();
			await s.waitFor('Start over');
			expect(selected(s.frame())).toBe('r');
			await s.press(down);
			expect(selected(s.frame())).toBe('s');
			await s.press(down);
			expect(selected(s.frame())).toBe('s');
			await s.press(hintKey(CHOICE_COMMANDS, 'pick'));
			expect(onPick).toHaveBeenLastCalledWith('over');
			await s.press(up);
			expect(selected(s.frame())).toBe('r');
			await s.press(hintKey(CHOICE_COMMANDS, 'pick'));
			expect(onPick).toHaveBeenLastCalledWith('resume');
		}
		const {s, onPick} = choice();
		await s.waitFor('Start over');
		await s.press('s');
		expect(onPick).toHaveBeenLastCalledWith('over');
		await s.press('r');
		expect(onPick).toHaveBeenLastCalledWith('resume');
	});

	it('every key of back goes back, nothing picked', async () => {
		const {s, onPick, onBack} = choice();
		await s.waitFor('Start over');
		for (const name of keysOf(CHOICE_COMMANDS, 'back')) await s.press(name);
		expect(onBack).toHaveBeenCalledTimes(keysOf(CHOICE_COMMANDS, 'back').length);
		expect(onPick).not.toHaveBeenCalled();
	});

	it('? shows every command and every item key; any key closes it without acting', async () => {
		const {s, onPick} = choice();
		await s.waitFor('Start over');
		await s.press(hintKey(CHOICE_COMMANDS, 'help'));
		const frame = await s.waitFor('Keys: choose');
		for (const line of helpLines(CHOICE_COMMANDS)) expect(frame).toContain(line.help);
		expect(frame).toContain(keysText(CHOICE_COMMANDS.find(c => c.id === 'up')!));
		for (const item of items) expect(frame).toMatch(new RegExp(`${item.key}\\s+${item.label}`));
		expect(frame).toContain(anyKeyText(HELP_CLOSE_COMMANDS));
		await s.press('r');
		await s.waitFor(f => !f.includes('Keys: choose'));
		expect(onPick).not.toHaveBeenCalled();
	});

	it('on the screen that offers an unfinished run, the hint "Esc back" goes back to the list', async () => {
		const l = lab({speedy: frontMatter('Speedy read') + '## One\n\nRead.\n\n## Two\n\nRead.\n'});
		const first = renderApp(l, {screen: 'run', runbookRef: 'speedy', givenInputs: {}});
		await first.waitFor('review');
		await first.press(KEY.enter);
		await first.waitFor('1. One');
		await first.press('q', 'y');
		await first.waitFor(() => first.results.length > 0);
		first.unmount();

		const app = renderApp(l);
		await app.waitFor('Filter:');
		await app.press('speedy', KEY.enter);
		const frame = await app.waitFor('A run of this runbook is unfinished');
		expect(hinted(frame, CHOICE_COMMANDS)).toEqual(['up', 'pick', 'back', 'help']);
		await app.press(bytes(hintKey(CHOICE_COMMANDS, 'back')));
		await app.waitFor('Filter:');
	});
});

describe('approve keys (APPROVE_COMMANDS)', () => {
	const LONG = Array.from({length: 60}, (_, i) => `line ${i + 1}`).join('\n');
	// 24 rows: a page of 18 lines, so the last first line is 43.
	const approve = (review = LONG) => {
		const onApprove = vi.fn();
		const onBack = vi.fn();
		const s = show(<ApproveView summary="Speedy read has not been approved" review={review} columns={100} rows={24} onApprove={onApprove} onBack={onBack} />);
		return {onApprove, onBack, s};
	};
	const range = (frame: string): string | undefined => /lines (\d+–\d+) of/.exec(frame)?.[1];

	it('the approve key approves only once the end has been on screen, and it is hinted only then', async () => {
		const {s, onApprove} = approve();
		let frame = await s.waitFor('has not been approved');
		expect(hinted(frame, APPROVE_COMMANDS)).toEqual(['up', 'back', 'help']);
		expect(frame).toContain('Read it to the end to approve it: lines 1–18 of 60 (↓/PgDn for more)');
		await s.press(hintKey(APPROVE_COMMANDS, 'approve'));
		expect(onApprove).not.toHaveBeenCalled();
		// One page short of the end is not the end.
		await s.press('pgdn', 'pgdn');
		expect(range(s.frame())).toBe('37–54');
		await s.press('a');
		expect(onApprove).not.toHaveBeenCalled();
		await s.press(hintKey(APPROVE_COMMANDS, 'bottom'));
		frame = s.frame();
		expect(range(frame)).toBe('43–60');
		expect(hinted(frame, APPROVE_COMMANDS)).toEqual(['approve', 'up', 'back', 'help']);
		// Seen once, it stays seen when scrolling back up.
		await s.press(hintKey(APPROVE_COMMANDS, 'top'));
		expect(range(s.frame())).toBe('1–18');
		expect(hinted(s.frame(), APPROVE_COMMANDS)).toContain('approve');
		await s.press(hintKey(APPROVE_COMMANDS, 'approve'));
		expect(onApprove).toHaveBeenCalledOnce();
	});

	it('a text that fits on one page can be approved at once', async () => {
		const {s, onApprove} = approve('title: Speedy read\n\none line\n');
		const frame = await s.waitFor('has not been approved');
		expect(hinted(frame, APPROVE_COMMANDS)).toEqual(['approve', 'up', 'back', 'help']);
		await s.press(hintKey(APPROVE_COMMANDS, 'approve'));
		expect(onApprove).toHaveBeenCalledOnce();
	});

	it('every scroll key moves by what its command says', async () => {
		const {s} = approve();
		await s.waitFor('has not been approved');
		await s.press('down');
		expect(range(s.frame())).toBe('2–19');
		await s.press('j');
		expect(range(s.frame())).toBe('3–20');
		await s.press('up');
		expect(range(s.frame())).toBe('2–19');
		await s.press('k');
		expect(range(s.frame())).toBe('1–18');
		await s.press('pgdn');
		expect(range(s.frame())).toBe('19–36');
		await s.press('space');
		expect(range(s.frame())).toBe('37–54');
		await s.press('pgup');
		expect(range(s.frame())).toBe('19–36');
		await s.press('end');
		expect(range(s.frame())).toBe('43–60');
		await s.press('home');
		expect(range(s.frame())).toBe('1–18');
		// Every key pressed above is a key of the scroll commands, and all of them were pressed.
		const scrollKeys = (['up', 'down', 'page-up', 'page-down', 'top', 'bottom'] as const).flatMap(id => keysOf(APPROVE_COMMANDS, id));
		expect(new Set(scrollKeys)).toEqual(new Set(['down', 'j', 'up', 'k', 'pgdn', 'space', 'pgup', 'end', 'home']));
	});

	it('every key of back goes back, nothing approved', async () => {
		const {s, onApprove, onBack} = approve('short\n');
		await s.waitFor('has not been approved');
		for (const name of keysOf(APPROVE_COMMANDS, 'back')) await s.press(name);
		expect(onBack).toHaveBeenCalledTimes(keysOf(APPROVE_COMMANDS, 'back').length);
		expect(onApprove).not.toHaveBeenCalled();
	});

	it('? shows every command; any key closes it without acting', async () => {
		const {s, onApprove} = approve('short\n');
		await s.waitFor('has not been approved');
		await s.press(hintKey(APPROVE_COMMANDS, 'help'));
		const frame = await s.waitFor('Keys: approve');
		for (const line of helpLines(APPROVE_COMMANDS)) expect(frame).toContain(line.help);
		expect(frame).toContain(anyKeyText(HELP_CLOSE_COMMANDS));
		await s.press('a');
		await s.waitFor(f => !f.includes('Keys: approve'));
		expect(onApprove).not.toHaveBeenCalled();
	});

	it('in the app: the approve key does nothing before the end, and approves after End', async () => {
		const app = renderApp(lab({demo: DEMO}, {}, {approved: false}));
		await app.waitFor('Filter:');
		await app.press('demo', KEY.enter);
		let frame = await app.waitFor('has not been approved');
		expect(hinted(frame, APPROVE_COMMANDS)).not.toContain('approve');
		await app.press(bytes(hintKey(APPROVE_COMMANDS, 'approve')));
		frame = await app.waitFor('has not been approved');
		expect(frame).toContain('Read it to the end to approve it: lines 1–');
		await app.press(bytes(hintKey(APPROVE_COMMANDS, 'bottom')));
		frame = await app.waitFor('Read it before you approve');
		expect(hinted(frame, APPROVE_COMMANDS)).toContain('approve');
		await app.press(bytes(hintKey(APPROVE_COMMANDS, 'approve')));
		await app.waitFor(f => f.includes('Domain of the site') && !f.includes('has not been approved'));
	});
});

describe('any-key screens (any-key.ts)', () => {
	it('the `?` help says how it closes, in the words of its table', () => {
		const s = show(<HelpView title="x" lines={[{keys: 'a', help: 'A thing'}]} />);
		expect(s.frame()).toContain(anyKeyText(HELP_CLOSE_COMMANDS));
		expect(anyKeyText(HELP_CLOSE_COMMANDS)).toBe('Press any key to close help.');
	});

	it('a problem says "Press any key to go back." from its table, and any key goes back', async () => {
		expect(anyKeyText(PROBLEM_COMMANDS)).toBe('Press any key to go back.');
		const l = lab({speedy: READ_ONLY});
		const app = renderApp(l);
		await app.waitFor('Filter:');
		await app.press('speedy');
		await app.waitFor('runbooks (1 of');
		// The file goes away after the list was read: opening it is a problem.
		fs.rmSync(path.join(l.books, 'speedy.md'));
		await app.press(KEY.enter);
		const frame = await app.waitFor(anyKeyText(PROBLEM_COMMANDS));
		expect(frame).toContain('✗');
		await app.press('x');
		await app.waitFor('Filter:');
	});
});
