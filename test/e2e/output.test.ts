// Command output in a real terminal: what a command prints can neither take
// over the screen nor fall behind what the journal says.

import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {CLI, KEYS, spawnRampart, tempDir, type Screen} from './pty.js';
import {journalPath, listRuns, readJournal} from '../../source/journal/index.js';

/** Progress drawn with carriage returns, then every kind of sequence a command could use to take over a terminal. */
const HOSTILE = String.raw`printf 'progress  20%%\rprogress  60%%\rprogress 100%%\n'
printf '\e[2J\e[H\e]0;owned-title\a\e]52;c;b3duZWQ=\a\e[?1049h\e[5A\e[31mred\e[0m and plain\n'
printf 'downloading 42 files\r\e[2Kfetched\n'`;

const runbook = (title: string, steps: Array<[string, string]>) =>
	`---\ntitle: ${title}\n---\n\n# ${title}\n\n` + steps.map(([name, code]) => `## ${name}\n\n\`\`\`sh\n${code}\n\`\`\`\n`).join('\n');

const screens: Screen[] = [];
afterEach(() => {
	for (const s of screens.splice(0)) s.kill();
});

const setup = (file: string, text: string) => {
	const root = tempDir();
	const books = path.join(root, 'books');
	fs.mkdirSync(books);
	fs.writeFileSync(path.join(books, file), text);
	const home = path.join(root, 'state');
	return {home, env: {HOME: root, RAMPART_HOME: home, RAMPART_RUNBOOKS: books}};
};

const start = (args: string[], env: Record<string, string>) => {
	const screen = spawnRampart(args, env, {cols: 100, rows: 30});
	screens.push(screen);
	return screen;
};

const eventsOf = (home: string) => readJournal(journalPath(home, listRuns(home)[0]!)).events;

/**
 * What only the command's output could have written to the terminal (the
 * step's code is on screen too, but with its escapes as typed, `\e`, never
 * as ESC bytes). The TUI itself uses the alternate screen once.
 */
const expectNoTakeover = (raw: string, ownAlternateScreens: number) => {
	expect(raw).not.toContain('\u001B]0;');
	expect(raw).not.toContain('\u001B]52;');
	expect(raw.split('\u001B[?1049h')).toHaveLength(ownAlternateScreens + 1);
	expect(raw).not.toContain('\u001B[5A');
};

beforeAll(() => {
	if (!fs.existsSync(CLI)) throw new Error('build first: npm run build');
});

describe('output in a real terminal', () => {
	it('the TUI shows progress as its last state and keeps its screen whatever the command prints', async () => {
		const {env} = setup('hostile-output.md', runbook('Hostile output', [['Print', HOSTILE]]));
		const s = start(['run', 'hostile-output', '--approve'], env);
		await s.waitFor('review');
		s.write(KEYS.enter);
		await s.waitFor('1. Print');
		s.write(KEYS.enter);
		await s.waitFor('Run this step now?');
		s.write(KEYS.enter);
		const frame = await s.waitFor('“Print” done');
		// (The step's code is on screen too, with its printf: the output is told by its lines.)
		expect(frame).toMatch(/^\s*progress 100%\s*$/m);
		expect(frame).not.toMatch(/^\s*progress {2}20%/m);
		expect(frame).toMatch(/^\s*red and plain\s*$/m);
		expect(frame).toMatch(/^\s*fetched\s*$/m);
		// The frame around the output pane is intact: the title on the first row, the hints at the bottom.
		expect(frame.split('\n')[0]).toContain('rampart Hostile output');
		expectNoTakeover(s.raw(), 1);
		s.write('f');
		await s.waitFor('summary');
		s.write(KEYS.enter);
		expect(await s.exited).toBe(0);
	});

	it('headless on a terminal: the step on screen is the running one, and Ctrl-C stops that step', async () => {
		const {home, env} = setup(
			'flood.md',
			runbook('Flood', [
				['One', 'seq 200000'],
				['Two', 'seq 200000\nsleep 60'],
				['Three', 'echo three'],
			]),
		);
		const s = start(['run', 'flood', '--yes', '--approve'], env);
		// When step one has ended in the journal, the screen says so within a redraw or two.
		const journalSays = async (what: (events: ReturnType<typeof eventsOf>) => boolean) => {
			for (;;) {
				if (fs.existsSync(home) && listRuns(home).length > 0 && what(eventsOf(home))) return;
				await new Promise(resolve => setTimeout(resolve, 20));
			}
		};
		await journalSays(events => events.some(e => e.type === 'step-finished' && e.step === 'one'));
		await s.waitFor(/✔ One/, 3000);
		// Two's output has come and gone; it now sleeps: the screen shows it running, and its last lines.
		await s.waitFor(screen => /^\s*(› )?200000\s*$/m.test(screen) && /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏❯] Two/.test(screen), 20_000);
		s.write(KEYS.ctrlC);
		expect(await s.exited).toBe(130);
		const events = eventsOf(home);
		expect(events.find(e => e.type === 'step-finished' && e.step === 'one')).toMatchObject({status: 'done'});
		expect(events.find(e => e.type === 'step-finished' && e.step === 'two')).toMatchObject({status: 'cancelled'});
		expect(events.some(e => e.type === 'step-started' && e.step === 'three')).toBe(false);
	});

	it('headless on a terminal shows the last state of progress and nothing of the rest', async () => {
		const {env} = setup('hostile-output.md', runbook('Hostile output', [['Print', `${HOSTILE}\nsleep 60`]]));
		const s = start(['run', 'hostile-output', '--yes', '--approve'], env);
		// The running step's tail, while it sleeps.
		const screen = await s.waitFor(/fetched/);
		expect(screen).toMatch(/progress 100%\s*$/m);
		expect(screen).not.toContain('20%');
		expect(screen).toMatch(/red and plain\s*$/m);
		expectNoTakeover(s.raw(), 0);
		s.write(KEYS.ctrlC);
		expect(await s.exited).toBe(130);
	});

	it('headless on a terminal: a 2 MB line is drawn cut to the screen, and a failed step keeps its last lines', async () => {
		const {env} = setup('long-line.md', runbook('Long line', [['One', String.raw`head -c 2000000 /dev/zero | tr '\0' x; echo; echo "disk full on /srv" >&2; exit 3`]]));
		const s = start(['run', 'long-line', '--yes', '--approve'], env);
		expect(await s.exited).toBe(1);
		const screen = s.text();
		expect(screen).toMatch(/✖ One/);
		expect(screen).toContain('disk full on /srv');
		expect(screen).toMatch(/x{50}/);
	});
});
