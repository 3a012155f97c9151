// 5. Idle memory: what the TUI holds while it sits on the home screen, beside
// a Node process that does nothing but stay alive.

import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {benchEnv, cleanup, loadPty, mb, median, node, rampart, rssKb, scratch, Screen} from './lib.mjs';
import {isMain, printSection} from './section.mjs';

const settle = () => new Promise(resolve => setTimeout(resolve, 2000));

export const idleMemory = async ({reps = 3, ptyLib} = {}) => {
	ptyLib ??= await loadPty();
	const base = {title: '5. Idle memory of the TUI', command: 'node bench/idle-memory.mjs', rows: [], raw: {}};
	if (ptyLib.missing) return {...base, method: '', skipped: `skipped: ${ptyLib.missing}`};
	const dir = scratch('idle');
	const runbooks = join(dir, 'runbooks');
	mkdirSync(runbooks);
	const env = benchEnv(join(dir, 'home'), runbooks);
	const raw = {'TUI home screen RSS (MB)': [], 'node idle RSS (MB)': []};
	for (let i = 0; i < reps; i++) {
		const floor = new Screen(ptyLib, node, ['-e', 'setInterval(() => {}, 1000)'], {env});
		await settle();
		raw['node idle RSS (MB)'].push(rssKb(floor.pid) / 1024);
		await floor.kill();
		const screen = new Screen(ptyLib, node, [rampart], {env});
		await screen.until(text => text.includes('rampart · runbooks') && text.includes('q quit'), 15_000, 'the home screen');
		await settle();
		raw['TUI home screen RSS (MB)'].push(rssKb(screen.pid) / 1024);
		await screen.kill();
	}
	cleanup(dir);
	const tui = median(raw['TUI home screen RSS (MB)']);
	const floor = median(raw['node idle RSS (MB)']);
	return {
		...base,
		method: `The TUI started with no arguments in a 100×30 PTY, left 2 s on the home screen (8 bundled runbooks listed), then its VmRSS read from /proc; beside \`node -e 'setInterval(() => {}, 1000)'\` in the same PTY after 2 s. ${reps} repetitions, median. No target is set; recorded to catch regressions.`,
		rows: [{measure: 'TUI idle on the home screen, RSS', value: mb(tui * 1024), reference: `idle node: ${mb(floor * 1024)}`, ratio: tui / floor}],
		raw,
	};
};

if (isMain(import.meta.url)) printSection(await idleMemory());
