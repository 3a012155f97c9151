// 1. Start-up: how long from starting the process until the user sees
// something, with no past runs and with 1,000. The TUI is timed to the first
// complete frame of the home screen in a real pseudo-terminal (its key hints
// are the frame's last line); the commands that draw nothing are timed to
// their exit. The floor is `node -e 0`, started the same way, interleaved
// with them. The history is made by bench/history-fixture.mjs and checked
// with `rampart journal verify` before anything is timed.

import {mkdirSync, readdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {makeHistory} from './history-fixture.mjs';
import {benchEnv, cleanup, loadPty, median, ms, node, ptyWall, rampart, rampartSync, root, scratch, Screen, timed} from './lib.mjs';
import {isMain, printSection} from './section.mjs';

export const PAST_RUNS = 1000;

/** Two state directories over the same runbooks (the bundled ones and 4 of the history's): one empty, one with PAST_RUNS runs. */
const states = dir => {
	const runbooks = join(dir, 'runbooks');
	mkdirSync(runbooks);
	const empty = benchEnv(join(dir, 'empty'), runbooks);
	const full = benchEnv(join(dir, 'full'), runbooks);
	const journals = makeHistory(runbooks, full, PAST_RUNS);
	const verify = rampartSync(['journal', 'verify'], full);
	const ok = verify.split('\n').filter(line => line.startsWith('ok ')).length;
	if (ok !== journals) throw new Error(`rampart journal verify accepted ${ok} of the ${journals} generated journals:\n${verify.slice(0, 2000)}`);
	// Once first in each, as a user's earlier use would: the runbook header cache and the run index are made.
	for (const env of [empty, full]) rampartSync(['list', '--json'], env);
	const shipped = readdirSync(join(root, 'runbooks')).filter(name => name.endsWith('.md')).length;
	return {empty, full, journals, shipped};
};

export const startup = async ({runs = 20, rebuilds = 5, ptyLib} = {}) => {
	ptyLib ??= await loadPty();
	const dir = scratch('startup');
	const {empty, full, journals, shipped} = states(dir);
	const at = {0: empty, [PAST_RUNS]: full};

	const samples = {floor: [], floorPty: []};
	const series = (name, n) => (samples[`${name}, ${n} runs`] ??= []);
	for (let i = 0; i < runs; i++) {
		// Which history goes first alternates, so that neither always follows the other.
		const order = i % 2 ? [PAST_RUNS, 0] : [0, PAST_RUNS];
		samples.floor.push((await timed(node, ['-e', '0'])).wall);
		for (const n of order) {
			const env = at[n];
			series('list --json', n).push((await timed(node, [rampart, 'list', '--json'], {env})).wall);
			// `status` exits 1 when something is overdue; that is a result, not a failure.
			series('status', n).push((await timed(node, [rampart, 'status'], {env, exitCodes: [0, 1]})).wall);
			series('history', n).push((await timed(node, [rampart, 'history'], {env})).wall);
		}
		if (!ptyLib.missing) {
			samples.floorPty.push(await ptyWall(ptyLib, node, ['-e', '0'], {env: empty}));
			for (const n of order) {
				const screen = new Screen(ptyLib, node, [rampart], {env: at[n]});
				const shown = await screen.until(text => /rampart · runbooks/.test(text) && /q quit/.test(text), 15_000, 'the home screen');
				series('TUI home', n).push(shown - screen.start);
				await screen.kill();
			}
		}
	}
	// What the first listing after an upgrade (or a lost index) costs: the run index made from every journal.
	const rebuild = (samples[`list --json, ${PAST_RUNS} runs, run index rebuilt`] = []);
	for (let i = 0; i < rebuilds; i++) {
		rmSync(join(full.RAMPART_HOME, 'run-index.json'), {force: true});
		rebuild.push((await timed(node, [rampart, 'list', '--json'], {env: full})).wall);
	}
	cleanup(dir);

	const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.length ? median(v) : NaN]));
	const rows = [];
	for (const n of [0, PAST_RUNS]) {
		const runsText = n === 0 ? 'no past runs' : `${n.toLocaleString('en')} past runs`;
		if (!ptyLib.missing) {
			const home = m[`TUI home, ${n} runs`];
			rows.push({
				measure: `Start-up to home screen (TUI, PTY), ${runsText}`,
				value: ms(home),
				reference: `node -e 0 in a PTY: ${ms(m.floorPty)}`,
				ratio: home / m.floorPty,
				target: 2.5,
			});
		}
		for (const [name, label, target] of [
			['list --json', 'rampart list --json', 1.5],
			['status', 'rampart status', 1.5],
			['history', 'rampart history (first page, 20 runs)', 2],
		]) {
			const value = m[`${name}, ${n} runs`];
			rows.push({measure: `${label}, ${runsText}`, value: ms(value), reference: `node -e 0: ${ms(m.floor)}`, ratio: value / m.floor, target});
		}
	}
	const rebuilt = m[`list --json, ${PAST_RUNS} runs, run index rebuilt`];
	rows.push({
		measure: `rampart list --json, ${PAST_RUNS.toLocaleString('en')} past runs, run index lost (rebuilt from every journal)`,
		value: ms(rebuilt),
		reference: `node -e 0: ${ms(m.floor)}`,
		ratio: rebuilt / m.floor,
	});
	return {
		title: '1. Start-up, with no past runs and with 1,000',
		command: 'node bench/startup.mjs',
		method: [
			`${runs} runs of each, interleaved (the two histories in alternating order); median. The TUI is started with no arguments in a 100×30 pseudo-terminal (@lydell/node-pty) and timed until @xterm/headless shows the whole home frame (title and key hints); its floor is \`node -e 0\` in the same PTY, timed to exit. \`list --json\`, \`status\` and \`history\` are timed to exit beside \`node -e 0\`, all with stdout to /dev/null.`,
			`${shipped + 4} runbooks are listed (the ${shipped} bundled and 4 of the history's own). Two state directories over them: one empty, and one with ${journals.toLocaleString('en')} past runs made by bench/history-fixture.mjs: 4 runbooks of 10 steps, each step's block printing 30 lines, run once each for real (3 completed, 1 failed at step 6 and stopped), then copied into earlier runs 6 hours apart (about 14 KB of journal and 10 step logs each), every line re-chained; \`rampart journal verify\` accepts all ${journals.toLocaleString('en')} before anything is timed.`,
			`\`list --json\` runs once first in each, as a user's earlier use would (so the runbook header cache and the run index are made). The last row is the one listing that reads every journal: the run index deleted before each of ${rebuilds} runs (no target; what the first listing after an upgrade or a lost index costs).`,
		].join('\n\n'),
		rows,
		raw: Object.fromEntries(Object.entries(samples).filter(([, v]) => v.length)),
		skipped: ptyLib.missing ? `TUI start-up skipped: ${ptyLib.missing}` : undefined,
	};
};

if (isMain(import.meta.url)) printSection(await startup());
