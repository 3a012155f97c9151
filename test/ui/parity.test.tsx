// One set of step rules under both front ends: the same runbook and inputs,
// run headless (the built CLI) and in the TUI (keys), leave the same
// sequence of journal events, and the same things on the machine.

import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {CLI} from '../engine/helpers.js';
import type {RunEvent} from '../../source/types/events.js';
import {frontMatter, journalEvents, KEY, lab, renderApp, sh, until, type Lab} from './helpers.js';

beforeAll(() => {
	if (!fs.existsSync(CLI)) throw new Error('build first: npm run build');
});

/** What an event says about the rules, without times, hashes or pids. */
const shape = (event: RunEvent): string => {
	const e = event as RunEvent & Record<string, unknown>;
	const detail = [e.step, e.role, e.passed, e.status, e.ok, e.outcome, e.task, e.finding === undefined ? undefined : 'finding'].filter(v => v !== undefined).join(' ');
	return detail ? `${event.type} ${detail}` : event.type;
};

const headless = (l: Lab, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args], {cwd: l.work, env: {...l.ctx.env, CI: '1'}, encoding: 'utf8'});

const PARITY =
	frontMatter('Parity') +
	`## Already there

${sh('test -e "$HOME/present"', 'role=check')}
${sh('echo should-not-run >> made')}
## Needed

${sh('test -e made-needed', 'role=check')}
${sh('echo needed > made-needed')}
${sh('test -e made-needed', 'role=verify')}
${sh('rm -f made-needed', 'role=rollback')}
## By hand

- [ ] One thing
- [ ] Another thing

## Partial

${sh('echo half > made-partial')}
${sh('echo failing now; exit 3')}
${sh('rm -f made-partial', 'role=rollback')}
`;

const VERIFY_FAILS =
	frontMatter('Verify fails') +
	`## Claims success

${sh('echo did it')}
${sh('echo not really >&2; exit 1', 'role=verify')}
`;

/** Starts the TUI on a runbook with no inputs, past the review. */
const tuiRun = async (l: Lab, id: string) => {
	const app = renderApp(l, {screen: 'run', runbookRef: id, givenInputs: {}});
	await app.waitFor('review');
	await app.press(KEY.enter);
	await app.waitFor('1. ');
	return app;
};

const setUp = () => {
	const tui = lab({parity: PARITY, 'verify-fails': VERIFY_FAILS});
	const cli = lab({parity: PARITY, 'verify-fails': VERIFY_FAILS});
	for (const l of [tui, cli]) fs.writeFileSync(path.join(l.ctx.env.HOME!, 'present'), '');
	return {tui, cli};
};

describe('the TUI and headless apply the same step rules', () => {
	it('passing check, failing check, manual ticks, a step that fails part-way, then a run rollback', async () => {
		const {tui, cli} = setUp();

		const run = headless(cli, 'run', 'parity', '--yes', '--ack');
		expect(run.status, run.stderr).toBe(1);
		expect(run.stderr).toContain('step "Partial" failed');
		const undo = headless(cli, 'rollback', '--yes');
		expect(undo.status, undo.stderr).toBe(0);

		const app = await tuiRun(tui, 'parity');
		await app.press(KEY.enter);
		await app.waitFor('The check passed');
		await app.press('d');
		await app.waitFor('recorded as already done');
		await app.waitFor('2. Needed\n');
		await app.press(KEY.enter);
		await app.waitFor('Run this step now?');
		await app.press(KEY.enter);
		await app.waitFor('“Needed” done');
		await app.waitFor('3. By hand\n');
		await app.press(KEY.space, KEY.space, KEY.enter);
		await app.waitFor('“By hand” done');
		await app.waitFor('4. Partial\n');
		await app.press(KEY.enter, KEY.enter);
		await app.waitFor('“Partial” failed (exit 3)');
		await app.press('q', 'y');
		await until(() => app.results.length > 0);
		app.unmount();
		const again = renderApp(tui, {screen: 'resume'});
		await again.waitFor('4. Partial\n');
		await again.press('U');
		await again.waitFor('Roll back the whole run?');
		await again.press('y');
		await again.waitFor('summary');

		const tuiEvents = journalEvents(tui.home).map(shape);
		expect(tuiEvents).toEqual(journalEvents(cli.home).map(shape));
		// The check ran before the step's commands, and the failed step's first block is undone.
		expect(tuiEvents).toContain('check-finished already-there true');
		expect(tuiEvents.filter(e => e.startsWith('step-rolled-back'))).toEqual(['step-rolled-back partial true', 'step-rolled-back needed true']);
		for (const l of [tui, cli]) {
			expect(fs.existsSync(path.join(l.work, 'made'))).toBe(false);
			expect(fs.existsSync(path.join(l.work, 'made-partial'))).toBe(false);
			expect(fs.existsSync(path.join(l.work, 'made-needed'))).toBe(false);
		}
	});

	it('a step whose verify fails is failed, not done, in both', async () => {
		const {tui, cli} = setUp();
		const run = headless(cli, 'run', 'verify-fails', '--yes');
		expect(run.status).toBe(1);

		const app = await tuiRun(tui, 'verify-fails');
		await app.press(KEY.enter, KEY.enter);
		await app.waitFor('“Claims success” failed (exit 1)');
		await app.press('q', 'y');
		await until(() => app.results.length > 0);

		const tuiEvents = journalEvents(tui.home).map(shape);
		expect(tuiEvents).toEqual(journalEvents(cli.home).map(shape));
		expect(tuiEvents).toContain('step-finished claims-success failed');
	});

	it('after a step settles the selection is on the next one, and a note lands on the step shown', async () => {
		const {tui} = setUp();
		const app = await tuiRun(tui, 'parity');
		await app.press(KEY.down, KEY.down, KEY.down);
		await app.waitFor('4. Partial\n');
		await app.press(KEY.enter, KEY.enter);
		await app.waitFor('“Partial” failed');
		// A failed step keeps the selection; going up and finishing step 3 moves on to 4, not back to 1.
		await app.press(KEY.up);
		await app.waitFor('3. By hand\n');
		await app.press(KEY.space, KEY.space, KEY.enter);
		await app.waitFor('“By hand” done');
		const frame = await app.waitFor('4. Partial\n');
		expect(frame).toMatch(/›✗ 4\. Partial/);
		await app.press('n', 'seen at 3 a.m.', KEY.enter);
		await app.waitFor('Note recorded on “Partial”');
		const note = journalEvents(tui.home).find(e => e.type === 'note-added');
		expect(note).toMatchObject({step: 'partial'});

		// u on the failed step undoes its first block's work: it changed the machine before the second failed.
		expect(fs.existsSync(path.join(tui.work, 'made-partial'))).toBe(true);
		await app.press('u');
		await app.waitFor('Roll back “Partial”?');
		await app.press('y');
		await app.waitFor('Rolled back.');
		expect(fs.existsSync(path.join(tui.work, 'made-partial'))).toBe(false);
		expect(app.frame()).toMatch(/✗ 4\. Partial/);
	});
});

describe('a step cut off while it ran', () => {
	it('the TUI says what it had done and asks before running it again', async () => {
		const CUT =
			frontMatter('Cut') +
			`## Append twice

${sh('echo once >> ledger')}
${sh('touch started\nif [ ! -e quick ]; then sleep 30; fi\necho twice >> ledger')}
`;
		const l = lab({cut: CUT});
		// A headless run killed mid-step (kill -9), and the block it left behind stopped.
		const child = spawn(process.execPath, [CLI, 'run', 'cut', '--yes'], {cwd: l.work, env: {...l.ctx.env, CI: '1'}, stdio: 'ignore'});
		await until(() => fs.existsSync(path.join(l.work, 'started')));
		child.kill('SIGKILL');
		await new Promise(resolve => child.on('close', resolve));
		const pgid = journalEvents(l.home).findLast(e => e.type === 'block-started')!.pgid!;
		process.kill(-pgid, 'SIGKILL');
		fs.writeFileSync(path.join(l.work, 'quick'), '');
		const again = renderApp(l, {screen: 'resume'});
		await again.waitFor('1. Append twice\n');
		await again.press(KEY.enter);
		const frame = (await again.waitFor('was interrupted while it ran')).replace(/\s+/g, ' ');
		expect(frame).toMatch(/block 1 "echo once >> ledger" finished \(exit 0\); block 2 "touch started" was cut off/);
		expect(frame).toMatch(/Run it again now\?/);
		expect(fs.readFileSync(path.join(l.work, 'ledger'), 'utf8')).toBe('once\n');
		await again.press('y');
		await again.waitFor('Run this step now?');
		await again.press(KEY.enter);
		await again.waitFor('“Append twice” done');
		expect(fs.readFileSync(path.join(l.work, 'ledger'), 'utf8')).toBe('once\nonce\ntwice\n');
		expect(
			journalEvents(l.home)
				.filter(e => e.type === 'step-started')
				.at(-1),
		).toMatchObject({rerun: 'interrupted'});
	});
});
