import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {journalEvents, KEY, lab, renderApp, until} from './helpers.js';
import {DEMO, FAILING, NOISY} from './fixtures.js';

const startDemo = async (l = lab({demo: DEMO})) => {
	const app = renderApp(l, {screen: 'run', runbookRef: 'demo', givenInputs: {}});
	await app.waitFor('Domain of the site');
	await app.press('example.org', KEY.enter, KEY.enter, KEY.enter);
	await app.waitFor('review');
	await app.press(KEY.enter);
	await app.waitFor('1. Say hello');
	return {app, l};
};

describe('run screen', () => {
	it('shows the step, its commands and their environment, with secrets masked', async () => {
		const {app} = await startDemo();
		const frame = await app.waitFor('Environment of the commands');
		expect(frame).toContain('DOMAIN=example.org');
		expect(frame).toContain('PORT=8080');
		expect(frame).toContain('TOKEN=********');
		expect(frame).toContain('echo "hello $DOMAIN:$PORT"');
		expect(frame).toMatch(/Enter run step/);
		expect(frame).toMatch(/s skip/);
	});

	it('asks once, runs the step, then selects the next step; the output stays with its step', async () => {
		const {app, l} = await startDemo();
		await app.press(KEY.enter);
		await app.waitFor('Run this step now?');
		await app.press(KEY.enter);
		await app.waitFor(/“Say hello” done in/);
		// After a step is done, the selection is on the next one.
		await app.waitFor(/›· 2\. Dangerous/);
		await app.press(KEY.up);
		const frame = await app.waitFor('hello example.org:8080');
		expect(frame).toContain('to stderr');
		const types = journalEvents(l.home).map(e => e.type);
		expect(types).toContain('step-finished');
	});

	it('Esc at the confirmation runs nothing', async () => {
		const {app, l} = await startDemo();
		await app.press(KEY.enter);
		await app.waitFor('Run this step now?');
		await app.press(KEY.esc);
		await app.waitFor('Cancelled; nothing was run');
		expect(journalEvents(l.home).some(e => e.type === 'step-started')).toBe(false);
	});

	it('a confirm block needs the word typed; a wrong word runs nothing', async () => {
		const {app, l} = await startDemo();
		await app.press(KEY.down);
		await app.waitFor(/Reload everything/);
		await app.press(KEY.enter, KEY.enter);
		await app.waitFor('Type example.org');
		await app.press('example.com', KEY.enter);
		await app.waitFor('That is not “example.org”');
		expect(journalEvents(l.home).some(e => e.type === 'step-started')).toBe(false);
		await app.press('example.org', KEY.enter);
		await app.waitFor('“Dangerous” done');
		await app.press(KEY.up);
		await app.waitFor('confirmed example.org');
	});

	it('skip asks for a reason and records it', async () => {
		const {app, l} = await startDemo();
		await app.press('s');
		await app.waitFor('Why skip “Say hello”?');
		await app.press(KEY.enter);
		await app.waitFor('say why');
		await app.press('done by hand', KEY.enter);
		await app.waitFor('“Say hello” skipped: done by hand');
		const skipped = journalEvents(l.home).find(e => e.type === 'step-skipped');
		expect(skipped).toMatchObject({step: 'say-hello', reason: 'done by hand'});
	});

	it('manual items are ticked one at a time, then Enter completes the step', async () => {
		const {app, l} = await startDemo();
		await app.press(KEY.down, KEY.down);
		await app.waitFor('›[ ] First item');
		await app.press(KEY.enter);
		await app.waitFor('Not yet: 2 items still to tick');
		await app.press(KEY.space);
		await app.waitFor('[x] First item');
		await app.waitFor('›[ ] Second item');
		await app.press('x');
		await app.waitFor('Every item is ticked');
		await app.press(KEY.enter);
		await app.waitFor('“Manual checks” done');
		const ticks = journalEvents(l.home).filter(e => e.type === 'task-ticked');
		expect(ticks.map(t => (t as {task: number}).task)).toEqual([0, 1]);
	});

	it('? shows every key of the run screen, from the same table as the hints', async () => {
		const {app} = await startDemo();
		await app.press('?');
		const frame = await app.waitFor('Keys: run');
		expect(frame).toMatch(/Ctrl-C\s+Stop the running command/);
		expect(frame).toMatch(/s\s+Skip the step/);
		expect(frame).toContain('= already done');
		await app.press('x');
		await app.waitFor(f => !f.includes('Keys: run'));
	});

	it('PgDn and PgUp scroll a long step text', async () => {
		const long = `---\ntitle: Long\n---\n\n# Long\n\n## Read a lot\n\n${Array.from({length: 30}, (_, i) => `Paragraph number ${i + 1}.`).join('\n\n')}\n`;
		const app = renderApp(lab({long}), {screen: 'run', runbookRef: 'long', givenInputs: {}});
		await app.waitFor('review');
		await app.press(KEY.enter);
		await app.waitFor('Paragraph number 1.');
		await app.press(KEY.pageDown);
		const frame = await app.waitFor(f => !f.includes('Paragraph number 1.'));
		expect(frame).toMatch(/Paragraph number [4-9]\./);
		await app.press('\u001B[5~');
		await app.waitFor('Paragraph number 1.');
	});

	it('adds a note to the step', async () => {
		const {app, l} = await startDemo();
		await app.press('n');
		await app.waitFor('Note for “Say hello”');
		await app.press('ticket 42', KEY.enter);
		await app.waitFor('Note: ticket 42');
		expect(journalEvents(l.home).find(e => e.type === 'note-added')).toMatchObject({text: 'ticket 42', step: 'say-hello'});
	});

	it('q asks before leaving; leaving keeps the run resumable, and resume continues it', async () => {
		const {app, l} = await startDemo();
		await app.press('s', 'not today', KEY.enter);
		await app.waitFor('skipped: not today');
		await app.press('q');
		await app.waitFor('Leave this run?');
		await app.press('n');
		await app.waitFor(f => !f.includes('Leave this run?'));
		await app.press('q', 'y');
		await until(() => app.results.length > 0);
		expect(app.results[0]!.code).toBe(130);
		expect(app.results[0]!.lines.join('\n')).toMatch(/rampart resume/);
		app.unmount();

		// The secret is asked again (it was never recorded); the rest comes from the run.
		const again = renderApp(l, {screen: 'resume'});
		await again.waitFor('secrets for the resumed run');
		await again.press(KEY.enter);
		await again.waitFor('review');
		await again.press(KEY.enter);
		const frame = await again.waitFor('2. Dangerous\n');
		expect(frame).toMatch(/» 1\. Say hello/);
		expect(journalEvents(l.home).some(e => e.type === 'run-resumed')).toBe(true);
	});

	it('reaching the end shows the summary with outcomes, reasons, notes and the record', async () => {
		const l = lab({demo: DEMO});
		const {app} = await startDemo(l);
		await app.press(KEY.enter, KEY.enter);
		await app.waitFor('“Say hello” done');
		await app.waitFor('2. Dangerous\n');
		await app.press('s', 'not needed', KEY.enter);
		await app.waitFor('skipped: not needed');
		await app.waitFor('3. Manual checks\n');
		await app.press(KEY.space, KEY.space, KEY.enter);
		await app.waitFor('“Manual checks” done');
		await app.waitFor('4. Optional\n');
		await app.press('n', 'all good', KEY.enter);
		await app.waitFor('Note recorded on “Optional”');
		await app.press(KEY.enter, KEY.enter);
		await app.waitFor('“Optional” done');
		await app.waitFor('5. Read this\n');
		await app.press(KEY.enter);
		await app.waitFor('“Read this” done');
		await app.press(KEY.enter);
		const frame = await app.waitFor('summary');
		expect(frame).toMatch(/Completed/);
		expect(frame).toMatch(/skipped .*Dangerous.*reason: not needed/);
		expect(frame).toMatch(/2 items ticked/);
		expect(frame).toMatch(/note: all good/);
		expect(frame).toContain(path.join(l.home, 'runs'));
		expect(frame).toMatch(/Next due: not periodic/);
		await app.press(KEY.enter);
		await until(() => app.results.length > 0);
		expect(app.results[0]!.code).toBe(0);
		const events = journalEvents(l.home);
		expect(events.at(-1)).toMatchObject({type: 'run-finished', outcome: 'completed'});
		expect(events.find(e => e.type === 'step-acknowledged')).toMatchObject({step: 'read-this'});
	});

	it('a failure offers retry, rollback and the full log', async () => {
		const l = lab({failing: FAILING});
		const app = renderApp(l, {screen: 'run', runbookRef: 'failing', givenInputs: {}});
		await app.waitFor('review');
		await app.press(KEY.enter);
		await app.waitFor('1. Breaks');
		await app.press(KEY.enter, KEY.enter);
		const frame = await app.waitFor('“Breaks” failed (exit 3)');
		expect(frame).toMatch(/u rolls it back/);
		expect(frame).toMatch(/✗ Failed exit 3/);
		await app.press('l');
		await app.waitFor('full log');
		expect(app.frame()).toContain('about to fail');
		expect(app.frame()).toContain('# rampart: exit 3');
		await app.press(KEY.esc);
		await app.waitFor(f => !f.includes('── full log'));
		await app.press('r', KEY.enter);
		// The second attempt has ended (not only started): while a command runs, u is not offered.
		await app.waitFor(/Failed exit 3 in \S+ · attempt 2/);
		await app.press('u');
		await app.waitFor('Roll back “Breaks”?');
		await app.press('y');
		await app.waitFor('Rolled back.');
		expect(journalEvents(l.home).find(e => e.type === 'step-rolled-back')).toMatchObject({ok: true});
	});

	it('Ctrl-C stops the running command; a second Ctrl-C asks before leaving', async () => {
		const l = lab({failing: FAILING});
		const app = renderApp(l, {screen: 'run', runbookRef: 'failing', givenInputs: {}});
		await app.waitFor('review');
		await app.press(KEY.enter);
		await app.waitFor('1. Breaks');
		await app.press(KEY.down, KEY.enter, KEY.enter);
		await app.waitFor('started');
		await app.waitFor('Ctrl-C stops it');
		const before = Date.now();
		await app.press(KEY.ctrlC);
		await app.waitFor('was stopped; nothing it started is left running');
		expect(Date.now() - before).toBeLessThan(5000);
		expect(journalEvents(l.home).find(e => e.type === 'step-finished')).toMatchObject({status: 'cancelled'});
		await app.press(KEY.ctrlC);
		await app.waitFor('Leave this run?');
		await app.press(KEY.ctrlC);
		await until(() => app.results.length > 0);
		expect(app.results[0]!.code).toBe(130);
	});

	it('check only: a passing check can be accepted as already done', async () => {
		const l = lab({failing: FAILING});
		const app = renderApp(l, {screen: 'run', runbookRef: 'failing', givenInputs: {}});
		await app.waitFor('review');
		await app.press(KEY.enter);
		await app.waitFor('1. Breaks');
		await app.press(KEY.down, KEY.down);
		await app.waitFor('3. Checked\n');
		await app.press('c');
		await app.waitFor('The check passed');
		await app.press('d');
		await app.waitFor('recorded as already done');
		expect(journalEvents(l.home).find(e => e.type === 'step-already-done')).toMatchObject({step: 'checked'});
		expect(journalEvents(l.home).some(e => e.type === 'step-started')).toBe(false);
	});

	it('fast output is rendered at most about 30 times a second and only its tail is kept', async () => {
		const l = lab({noisy: NOISY});
		const app = renderApp(l, {screen: 'run', runbookRef: 'noisy', givenInputs: {}});
		await app.waitFor('review');
		await app.press(KEY.enter);
		await app.waitFor('1. Print a lot');
		await app.press(KEY.enter, KEY.enter);
		const start = Date.now();
		const framesBefore = app.frames.length;
		await app.waitFor('line 20000', 20_000);
		const elapsed = Date.now() - start;
		const frames = app.frames.length - framesBefore;
		// 20 000 lines; at ~30 renders a second plus a few for events.
		expect(frames).toBeLessThan(20 + (elapsed / 1000) * 40);
		const log = journalEvents(l.home).find(e => e.type === 'step-finished') as {log?: {path: string}};
		expect(fs.readFileSync(path.join(l.home, log.log!.path), 'utf8')).toContain('line 1\n');
	});
});
