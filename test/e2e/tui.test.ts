// The built binary in a real terminal: what a newcomer does on the first day.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {CLI, KEYS, RAMPART, spawnRampart, tempDir, type Screen} from './pty.js';
import {journalPath, listRuns, readJournal} from '../../source/journal/index.js';

const RUNBOOK = `---
title: Endtoend drill
summary: A runbook for the end-to-end test.
tags: [e2e]
inputs:
  DOMAIN:
    type: domain
    prompt: Domain of the site
  TOKEN:
    type: secret
    prompt: API token
    optional: true
---

# Endtoend drill

## Greet

Says **hello**.

\`\`\`sh
echo "hello from $DOMAIN"
\`\`\`

## Not today

\`\`\`sh
echo never
\`\`\`

## Tick things

- [ ] Backups are offline
- [ ] Recovery codes are stored

## Last words

Read and acknowledge.
`;

const INTERACTIVE = `---
title: Interactive drill
---

# Interactive drill

## Ask

\`\`\`sh {interactive}
read -r -p "Your name: " name
echo "got $name" > "$HOME/answer.txt"
\`\`\`
`;

const screens: Screen[] = [];
afterEach(() => {
	for (const s of screens.splice(0)) s.kill();
});

const start = (args: string[], env: Record<string, string>) => {
	const screen = spawnRampart(args, env);
	screens.push(screen);
	return screen;
};

const setup = () => {
	const root = tempDir();
	const books = path.join(root, 'books');
	fs.mkdirSync(books);
	fs.writeFileSync(path.join(books, 'e2e-drill.md'), RUNBOOK);
	fs.writeFileSync(path.join(books, 'interactive-drill.md'), INTERACTIVE);
	return {root, home: path.join(root, 'state'), env: {HOME: root, RAMPART_HOME: path.join(root, 'state'), RAMPART_RUNBOOKS: books}};
};

beforeAll(() => {
	if (!fs.existsSync(CLI)) throw new Error('build first: npm run build');
});

describe('TUI in a real terminal (80×24)', () => {
	it('filter, approve, inputs with an error, run, skip, tick, quit, resume, summary, record', async () => {
		const {home, env} = setup();
		const s = start([], env);
		await s.waitFor('Filter:');
		s.write('endtoend');
		await s.waitFor(/runbooks \(1 of \d+\)/);
		s.write(KEYS.enter);
		await s.waitFor('has not been approved');
		// Approval counts once the end of the text has been on screen: End, then a.
		s.write('\u001B[F');
		await s.waitFor('Read it before you approve');
		s.write('a');
		await s.waitFor('Domain of the site');
		s.write('not_a_domain\r');
		await s.waitFor('is not a domain name');
		s.write(KEYS.backspace.repeat(12) + 'example.org\r');
		await s.waitFor('API token');
		s.write('s3cret\r');
		let screen = await s.waitFor('review');
		expect(screen).toMatch(/TOKEN\s+\*{8}/);
		expect(screen).not.toContain('s3cret');
		s.write(KEYS.enter);
		screen = await s.waitFor('Environment of the commands');
		expect(screen).toContain('1. Greet');
		s.write(KEYS.enter);
		await s.waitFor('Run this step now?');
		s.write(KEYS.enter);
		await s.waitFor('“Greet” done');
		// The next step is selected once a step is done.
		await s.waitFor(/2\. Not today\s*\n/);
		s.write(KEYS.up);
		await s.waitFor('hello from example.org');
		s.write(KEYS.down);
		await s.waitFor(/2\. Not today\s*\n/);
		s.write('s');
		await s.waitFor('Why skip');
		s.write('out of scope\r');
		await s.waitFor('skipped: out of scope');
		// Typed ahead: the tick and the quit follow without waiting for frames.
		s.write(' ');
		await s.waitFor('[x] Backups are offline');
		s.write('q');
		await s.waitFor('Leave this run?');
		s.write('y');
		expect(await s.exited).toBe(130);
		expect(s.raw()).toContain('rampart resume');
		// The terminal is given back: normal screen, cursor visible.
		expect(s.raw().lastIndexOf('\u001B[?1049l')).toBeGreaterThan(s.raw().lastIndexOf('\u001B[?1049h'));
		expect(s.raw().lastIndexOf('\u001B[?25h')).toBeGreaterThan(s.raw().lastIndexOf('\u001B[?25l'));

		const r = start(['resume'], env);
		await r.waitFor('secrets for the resumed run');
		r.write('\r');
		await r.waitFor('review');
		r.write('\r');
		screen = await r.waitFor(/3\. Tick things\s*\n/);
		expect(screen).toContain('[x] Backups are offline');
		expect(screen).toContain('›[ ] Recovery codes are stored');
		r.write(' ');
		await r.waitFor('Every item is ticked');
		r.write('\r');
		await r.waitFor('“Tick things” done');
		await r.waitFor(/4\. Last words\s*\n/);
		r.write('\r');
		await r.waitFor('“Last words” done');
		r.write('\r');
		screen = await r.waitFor('summary');
		expect(screen).toMatch(/Completed/);
		expect(screen).toMatch(/skipped\s+2\. Not today\s+reason: out of scope/);
		expect(screen).toContain('Record:');
		r.write('\r');
		expect(await r.exited).toBe(0);

		const runs = listRuns(home);
		expect(runs).toHaveLength(1);
		const events = readJournal(journalPath(home, runs[0]!)).events;
		const types = events.map(e => e.type);
		expect(types[0]).toBe('run-started');
		expect(types).toContain('run-resumed');
		expect(events.find(e => e.type === 'step-skipped')).toMatchObject({step: 'not-today', reason: 'out of scope'});
		expect(events.filter(e => e.type === 'task-ticked')).toHaveLength(2);
		expect(events.at(-1)).toMatchObject({type: 'run-finished', outcome: 'completed'});
		expect(JSON.stringify(events)).not.toContain('s3cret');
	});

	it('a run started headless continues in the TUI, and a run left in the TUI finishes headless', async () => {
		const {home, env} = setup();
		const headless = spawnSync(RAMPART[0]!, [...RAMPART.slice(1), 'run', 'e2e-drill', '--yes', '--approve', '--input', 'DOMAIN=example.org'], {
			env: {...process.env, ...env, CI: '1'},
			encoding: 'utf8',
		});
		// It stops at the first manual step: items to tick need --ack or a person.
		expect(headless.status, headless.stderr).toBe(1);
		expect(headless.stderr).toContain('manual items to confirm');

		const t = start(['resume'], env);
		await t.waitFor('secrets for the resumed run');
		t.write('\r');
		await t.waitFor('review');
		t.write('\r');
		const screen = await t.waitFor(/3\. Tick things\s*\n/);
		expect(screen).toMatch(/✓ 1\. Greet/);
		t.write(' ');
		await t.waitFor('[x] Backups are offline');
		t.write(' ');
		await t.waitFor('Every item is ticked');
		t.write('\r');
		await t.waitFor('“Tick things” done');
		t.write('q');
		await t.waitFor('Leave this run?');
		t.write('y');
		expect(await t.exited).toBe(130);

		const finish = spawnSync(RAMPART[0]!, [...RAMPART.slice(1), 'resume', '--ack'], {env: {...process.env, ...env, CI: '1'}, encoding: 'utf8'});
		expect(finish.status, finish.stderr).toBe(0);
		const events = readJournal(journalPath(home, listRuns(home)[0]!)).events;
		expect(events.filter(e => e.type === 'run-resumed')).toHaveLength(2);
		expect(events.filter(e => e.type === 'task-ticked')).toHaveLength(2);
		expect(events.at(-1)).toMatchObject({type: 'run-finished', outcome: 'completed'});
	});

	it('an interactive block gets the real terminal, and the TUI comes back intact', async () => {
		const {root, env} = setup();
		const s = start(['run', 'interactive-drill', '--approve'], env);
		await s.waitFor('review');
		s.write('\r');
		await s.waitFor('1. Ask');
		s.write('\r');
		await s.waitFor('Run this step now?');
		s.write('\r');
		// bash's own prompt, on the normal screen (the TUI shows the code too).
		await s.waitFor(/^Your name: *$/m);
		s.write('alice\r');
		const screen = await s.waitFor('“Ask” done');
		expect(screen).toContain('rampart Interactive drill');
		expect(fs.readFileSync(path.join(root, 'answer.txt'), 'utf8')).toBe('got alice\n');
		s.write('f');
		await s.waitFor('summary');
		s.write('\r');
		expect(await s.exited).toBe(0);
	});

	it('follows a resize and honours NO_COLOR', async () => {
		const {env} = setup();
		const s = start([], {...env, NO_COLOR: '1'});
		await s.waitFor('Filter:');
		s.write('endtoend');
		await s.waitFor(/runbooks \(1 of \d+\)/);
		s.resize(100, 30);
		await s.waitFor(f => f.split('\n').length === 30 && /Enter open/.test(f));
		s.resize(60, 20);
		// The whole frame fits again: title on the first row, hints at the bottom.
		const small = await s.waitFor(f => f.startsWith('rampart · runbooks') && f.includes('Endtoend drill') && /Enter open/.test(f));
		expect(small.split('\n')).toHaveLength(20);
		// Colour escapes (SGR 30–37, 90–97, 38;…) never appear with NO_COLOR.
		expect(s.raw()).not.toMatch(new RegExp(String.raw`\u001B\[(3[0-8]|9[0-7])(;\d+)*m`));
		s.write(KEYS.ctrlC);
		expect(await s.exited).toBe(0);
	});

	it('without a terminal, `rampart` explains and prints the list', async () => {
		const {env} = setup();
		const {spawnSync} = await import('node:child_process');
		const result = spawnSync(RAMPART[0]!, RAMPART.slice(1), {env: {...env, PATH: process.env['PATH']}, encoding: 'utf8', input: ''});
		expect(result.status).toBe(0);
		expect(result.stderr).toContain('needs a terminal');
		expect(result.stdout).toContain('e2e-drill');
	});
});
