// 1. Start-up: how long from starting the process until the user sees
// something. The TUI is timed to the first complete frame of the home screen
// in a real pseudo-terminal (its key hints are the frame's last line); the
// commands that draw nothing are timed to their exit. The floor is
// `node -e 0`, started the same way, interleaved with them.

import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {benchEnv, cleanup, loadPty, median, ms, node, ptyWall, rampart, rampartSync, scratch, Screen, timed} from './lib.mjs';
import {isMain, printSection} from './section.mjs';

export const startup = async ({runs = 20, ptyLib} = {}) => {
	ptyLib ??= await loadPty();
	const dir = scratch('startup');
	const home = join(dir, 'home');
	const runbooks = join(dir, 'runbooks');
	mkdirSync(runbooks);
	const env = benchEnv(home, runbooks);
	// Once first, so the state directory exists as it does for a user.
	rampartSync(['list', '--json'], env);

	const samples = {floor: [], list: [], status: [], floorPty: [], home: []};
	for (let i = 0; i < runs; i++) {
		samples.floor.push((await timed(node, ['-e', '0'], {env})).wall);
		samples.list.push((await timed(node, [rampart, 'list', '--json'], {env})).wall);
		samples.status.push(await timedAllowingOverdue(env));
		if (!ptyLib.missing) {
			samples.floorPty.push(await ptyWall(ptyLib, node, ['-e', '0'], {env}));
			const screen = new Screen(ptyLib, node, [rampart], {env});
			const shown = await screen.until(text => /rampart · runbooks/.test(text) && /q quit/.test(text), 15_000, 'the home screen');
			samples.home.push(shown - screen.start);
			await screen.kill();
		}
	}
	cleanup(dir);

	const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.length ? median(v) : NaN]));
	const rows = [];
	if (!ptyLib.missing)
		rows.push({
			measure: 'Start-up to home screen (TUI, PTY)',
			value: ms(m.home),
			reference: `node -e 0 in a PTY: ${ms(m.floorPty)}`,
			ratio: m.home / m.floorPty,
			target: 2.5,
		});
	rows.push({measure: 'rampart list --json', value: ms(m.list), reference: `node -e 0: ${ms(m.floor)}`, ratio: m.list / m.floor, target: 1.5});
	rows.push({measure: 'rampart status', value: ms(m.status), reference: `node -e 0: ${ms(m.floor)}`, ratio: m.status / m.floor, target: 1.5});
	return {
		title: '1. Start-up',
		command: 'node bench/startup.mjs',
		method: `${runs} runs of each, interleaved; median. The TUI is started with no arguments in a 100×30 pseudo-terminal (@lydell/node-pty) and timed until @xterm/headless shows the whole home frame (title and key hints); its floor is \`node -e 0\` in the same PTY, timed to exit. \`list --json\` and \`status\` are timed to exit beside \`node -e 0\`, all with stdout to /dev/null. The bundled runbooks (8) are listed; the state directory holds no runs, and \`list --json\` runs once first, as a user's earlier use would (so the runbook header cache is warm).`,
		rows,
		raw: Object.fromEntries(Object.entries(samples).filter(([, v]) => v.length)),
		skipped: ptyLib.missing ? `TUI start-up skipped: ${ptyLib.missing}` : undefined,
	};
};

// `status` exits 1 when something is overdue; that is a result, not a failure.
const timedAllowingOverdue = async env => (await timed(node, [rampart, 'status'], {env, exitCodes: [0, 1]})).wall;

if (isMain(import.meta.url)) printSection(await startup());
