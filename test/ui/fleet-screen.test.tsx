// The fleet view with real RunSessions whose blocks run here through the
// real local executor, each "host" telling itself apart by FAKE_HOST: the
// grid, running a step on the selected hosts, the output of one host at a
// time, and a failed host retried, skipped or rolled back alone.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {App} from '../../source/ui/app.js';
import {engineServices} from '../../source/ui/engine-services.js';
import {plainTheme, ThemeContext} from '../../source/ui/theme.js';
import type {TuiResult} from '../../source/ui/services.js';
import type {FleetHandle, FleetMember} from '../../source/ui/fleet/open-fleet.js';
import {RunSession} from '../../source/engine/run-session.js';
import {executeBlock} from '../../source/engine/execute-block.js';
import {parseRunbookBytes} from '../../source/runbook/parse.js';
import {fleetHostFromVars} from '../../source/remote/targets.js';
import {journalPath, readJournal} from '../../source/journal/index.js';
import {frontMatter, KEY, lab, sh, until, waitFor, settle} from './helpers.js';

const TAB = '\t';

const RUNBOOK =
	frontMatter('Fleet demo', 'inputs:\n  NAME:\n    type: string\n    prompt: A name\n') +
	'## Write a file\n\n' +
	sh('echo "writing on $FAKE_HOST"\nprintf "%s" "$NAME" > "$OUT/$FAKE_HOST"') +
	sh('echo "undoing on $FAKE_HOST"\nrm -f "$OUT/$FAKE_HOST"', 'role=rollback') +
	'## Risky\n\n' +
	sh('echo "risky on $FAKE_HOST"\n[ ! -e "$OUT/fail-$FAKE_HOST" ] || exit 3', 'confirm') +
	'## Manual\n\n- [ ] First item\n- [ ] Second item\n';

const setup = (hosts: string[], unreached: Record<string, string> = {}, {forks = 5, text = RUNBOOK} = {}) => {
	const l = lab({});
	const out = path.join(l.work, 'out');
	fs.mkdirSync(out);
	const file = path.join(l.books, 'fleet-demo.md');
	fs.writeFileSync(file, text);
	const runbook = parseRunbookBytes(file, fs.readFileSync(file)).runbook!;
	const members: FleetMember[] = [...hosts, ...Object.keys(unreached)].map(name => {
		const host = fleetHostFromVars(name, {});
		if (unreached[name]) return {host, problem: unreached[name]};
		const session = RunSession.start({
			runbook,
			inputs: {NAME: 'fleet value'},
			stateDir: l.home,
			env: l.ctx.env,
			cwd: l.work,
			executor: run => executeBlock({...run, env: {...run.env, FAKE_HOST: name, OUT: out}}),
			target: {host: name, destination: name, fleet: 'test-fleet'},
		});
		return {host, session};
	});
	const fleet: FleetHandle = {fleetId: 'test-fleet', runbook, forks, members, release: async () => {}, releaseNow: () => {}};
	const results: TuiResult[] = [];
	const app = render(
		<ThemeContext.Provider value={plainTheme}>
			<App services={engineServices(l.ctx)} initial={{screen: 'home', rows: []}} fleet={fleet} onExit={r => results.push(r)} />
		</ThemeContext.Provider>,
	);
	const frame = () => app.lastFrame() ?? '';
	const press = async (...keys: string[]) => {
		for (const key of keys) {
			app.stdin.write(key);
			await settle();
		}
	};
	const close = () => {
		app.unmount();
		for (const m of members) m.session?.close();
	};
	return {l, out, fleet, app, frame, press, results, close, wait: (what: string | RegExp) => waitFor(frame, what)};
};

const stepStatus = (home: string, session: RunSession, step: string) =>
	readJournal(journalPath(home, session.runId))
		.events.filter(e => e.type === 'step-finished' && e.step === step)
		.map(e => (e as {status: string}).status);

describe('fleet view', () => {
	it('draws hosts × steps, with a host that was not reached and why', async () => {
		const t = setup(['web1', 'web2'], {db1: 'unreachable:\nssh: connect to host db1 port 22: Connection refused'});
		try {
			const frame = await t.wait('3 hosts');
			expect(frame).toMatch(/1 +2 +3/);
			expect(frame).toMatch(/● web1 +· +· +·/);
			expect(frame).toMatch(/● web2 +· +· +·/);
			expect(frame).toContain('db1');
			expect(frame).toContain('not reached: unreachable');
			expect(frame).toContain('1. Write a file');
		} finally {
			t.close();
		}
	});

	it('runs a step on every selected host after one go-ahead, and Tab shows each host’s own output', async () => {
		const t = setup(['web1', 'web2']);
		try {
			await t.wait('1. Write a file');
			await t.press(KEY.enter);
			await t.wait('Run “Write a file” on 2 hosts (web1, web2)?');
			await t.press(KEY.enter);
			await t.wait(/done: web1, web2/);
			expect(fs.readFileSync(path.join(t.out, 'web1'), 'utf8')).toBe('fleet value');
			expect(fs.readFileSync(path.join(t.out, 'web2'), 'utf8')).toBe('fleet value');
			let frame = await t.wait('writing on web1');
			expect(frame).toMatch(/● web1 +✓/);
			expect(frame).toMatch(/● web2 +✓/);
			expect(frame).not.toContain('writing on web2');
			await t.press(TAB);
			frame = await t.wait('writing on web2');
			expect(frame).not.toContain('writing on web1');
			for (const m of t.fleet.members) expect(stepStatus(t.l.home, m.session!, 'write-a-file')).toEqual(['done']);
		} finally {
			t.close();
		}
	});

	it('runs only on the selected hosts; a failed host is retried, skipped or rolled back alone', async () => {
		const t = setup(['web1', 'web2', 'web3']);
		try {
			await t.wait('1. Write a file');
			// Unselect web3 (cursor down twice, Space): the step runs on web1 and web2 only.
			await t.press(KEY.down, KEY.down, KEY.space, KEY.up, KEY.up);
			await t.wait(/○ web3/);
			await t.press(KEY.enter);
			await t.wait('on 2 hosts (web1, web2)');
			await t.press(KEY.enter);
			await t.wait(/done: web1, web2/);
			expect(fs.existsSync(path.join(t.out, 'web3'))).toBe(false);

			// The risky step fails on web2; the confirmation word is typed once for all.
			fs.writeFileSync(path.join(t.out, 'fail-web2'), '');
			await t.press('l', KEY.enter);
			await t.wait('on 2 hosts (web1, web2)');
			await t.press(KEY.enter);
			await t.wait('asks for confirmation');
			await t.press('yes', KEY.enter);
			let frame = await t.wait(/failed \(exit 3\): web2/);
			expect(frame).toMatch(/done: web1/);

			// r on web2: again, still failing; then it passes once the cause is gone.
			await t.press(KEY.down);
			await t.wait('web2: failed');
			fs.rmSync(path.join(t.out, 'fail-web2'));
			await t.press('r');
			await t.wait('on 1 host (web2)');
			await t.press(KEY.enter, 'yes', KEY.enter);
			await t.wait(/done: web2/);

			// b rolls back the first step on web2 alone.
			await t.press('h', 'b');
			await t.wait('Roll back “Write a file” on web2 alone?');
			await t.press('y');
			await t.wait('Rolled back on web2.');
			expect(fs.existsSync(path.join(t.out, 'web2'))).toBe(false);
			expect(fs.existsSync(path.join(t.out, 'web1'))).toBe(true);
			frame = t.frame();
			expect(frame).toMatch(/web2 +↺/);

			// s skips the first step on web3 with a reason.
			await t.press(KEY.down, 's');
			await t.wait('Why skip “Write a file” on web3?');
			await t.press('not this one', KEY.enter);
			await t.wait('web3: “Write a file” skipped: not this one');
			expect(t.frame()).toMatch(/○ web3 +»/);
		} finally {
			t.close();
		}
	});

	it('ticks manual items for all selected hosts at once, and leaving says what each host’s run is', async () => {
		const t = setup(['web1', 'web2']);
		try {
			await t.wait('1. Write a file');
			await t.press('l', 'l');
			await t.wait('3. Manual');
			await t.press(KEY.enter);
			await t.wait('Not yet on web1, web2');
			await t.press('T');
			await t.wait('Tick every item of “Manual” on 2 hosts');
			await t.press('y');
			await t.wait('Every item ticked on web1, web2');
			await t.press(KEY.enter);
			await t.wait(/done: web1, web2/);
			await t.press('q');
			await t.wait('Leave the fleet view?');
			await t.press('y');
			await until(() => t.results.length > 0);
			expect(t.results[0]!.code).toBe(130);
			expect(t.results[0]!.lines.join('\n')).toMatch(/web1 +unfinished run /);
			expect(t.results[0]!.lines.join('\n')).toContain('rampart resume test-fleet');
		} finally {
			t.close();
		}
	});

	it('runs at most --forks hosts at a time', async () => {
		// Each host's block waits up to 3 s to see another host's block running beside it.
		const overlap =
			frontMatter('Overlap') +
			'## Overlap\n\n' +
			sh(
				[
					'shopt -s nullglob',
					'touch "$OUT/running-$FAKE_HOST"',
					'while (( SECONDS < 3 )); do',
					'  running=("$OUT"/running-*)',
					'  (( ${#running[@]} < 2 )) || { touch "$OUT/overlap"; break; }',
					'  sleep 0.1',
					'done',
					'rm "$OUT/running-$FAKE_HOST"',
				].join('\n'),
			);
		for (const forks of [1, 2]) {
			const t = setup(['web1', 'web2'], {}, {forks, text: overlap});
			try {
				await t.wait('1. Overlap');
				await t.press(KEY.enter);
				await t.wait('on 2 hosts');
				await t.press(KEY.enter);
				await waitFor(t.frame, /done: web1, web2/, 30_000);
				expect(fs.existsSync(path.join(t.out, 'overlap')), `forks ${forks}`).toBe(forks === 2);
			} finally {
				t.close();
			}
		}
	});
});
