// 3. Output flood: one step printing 1,000,000 lines (6.9 MB). Rampart must
// keep every line in the step's log, stay within its memory budget and, in
// the TUI, keep answering keys while the output pours in.

import {readdirSync, readFileSync, writeFileSync, mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {benchEnv, cleanup, loadPty, mb, median, ms, node, peakRssKb, rampart, rampartSync, runbookText, scratch, Screen, timed} from './lib.mjs';
import {isMain, printSection} from './section.mjs';

const LINES = 1_000_000;
const code = `seq ${LINES}`;

/** The step's log must hold every line, in order (after Rampart's header line). */
const logComplete = home => {
	const runs = readdirSync(join(home, 'logs'));
	const dir = join(home, 'logs', runs[0]);
	const text = readFileSync(join(dir, readdirSync(dir)[0]), 'utf8');
	const lines = text.split('\n').filter(line => /^\d+$/.test(line));
	return lines.length === LINES && lines.every((line, i) => Number(line) === i + 1);
};

const fresh = (dir, name) => {
	const home = join(dir, name);
	const runbooks = join(home, 'runbooks');
	mkdirSync(runbooks, {recursive: true});
	const file = join(runbooks, 'flood.md');
	writeFileSync(file, runbookText('Flood', [code]));
	const env = benchEnv(join(home, 'state'), runbooks);
	rampartSync(['approve', file, '--yes'], env);
	return {env, file, state: join(home, 'state')};
};

const helpOpen = text => text.includes('Keys: run');
const running = text => text.includes('Ctrl-C stop');

/** One flood in the TUI: wall time, peak RSS, and key-to-screen latencies while it runs. */
const tuiFlood = async (ptyLib, {env, file, state}) => {
	const screen = new Screen(ptyLib, node, [rampart, 'run', file], {env});
	try {
		await screen.until('Enter start the run', 15_000);
		screen.write('\r');
		await screen.until('Enter run step', 15_000);
		screen.write('\r');
		await screen.until('Run this step now?', 15_000);
		const start = performance.now();
		screen.write('\r');
		const done = screen.until(text => /done in/.test(text), 120_000, 'the step done');
		let finished = false;
		done.then(
			() => (finished = true),
			() => {},
		);
		await screen.until(text => running(text) && /^\s*\d+$/m.test(text), 15_000, 'output running');
		// Toggle the help overlay while the flood runs: press, wait for the screen to change.
		const latencies = [];
		while (!finished) {
			const shown = helpOpen(screen.text());
			const pressed = performance.now();
			const wasRunning = running(screen.text());
			screen.write('?');
			const changed = await screen.until(text => helpOpen(text) !== shown, 10_000, 'the help toggled');
			if (wasRunning) latencies.push(changed - pressed);
			await new Promise(resolve => setTimeout(resolve, 20));
		}
		const end = await done;
		const peak = peakRssKb(screen.pid);
		return {wall: end - start, peakKb: peak, latencies, complete: logComplete(state)};
	} finally {
		await screen.kill();
	}
};

export const outputFlood = async ({reps = 3, ptyLib} = {}) => {
	ptyLib ??= await loadPty();
	const dir = scratch('flood');
	const raw = {
		'bash -c "seq 1000000" > /dev/null': [],
		'headless wall': [],
		'headless peak RSS (MB)': [],
		'TUI wall': [],
		'TUI peak RSS (MB)': [],
		'TUI key-to-screen latencies': [],
	};
	let headlessComplete = true;
	let tuiComplete = true;
	for (let i = 0; i < reps; i++) {
		raw['bash -c "seq 1000000" > /dev/null'].push((await timed('bash', ['-c', code])).wall);
		const headless = fresh(dir, `headless-${i}`);
		const result = await timed(node, [rampart, 'run', headless.file, '--yes'], {env: headless.env});
		raw['headless wall'].push(result.wall);
		raw['headless peak RSS (MB)'].push(result.peakKb / 1024);
		headlessComplete &&= logComplete(headless.state);
		if (!ptyLib.missing) {
			const tui = await tuiFlood(ptyLib, fresh(dir, `tui-${i}`));
			raw['TUI wall'].push(tui.wall);
			raw['TUI peak RSS (MB)'].push(tui.peakKb / 1024);
			raw['TUI key-to-screen latencies'].push(...tui.latencies);
			tuiComplete &&= tui.complete;
		}
	}
	cleanup(dir);
	const floor = median(raw['bash -c "seq 1000000" > /dev/null']);
	const rows = [
		{
			measure: 'Flood wall time, headless',
			value: ms(median(raw['headless wall'])),
			reference: `same command > /dev/null: ${ms(floor)}`,
			ratio: median(raw['headless wall']) / floor,
		},
		{
			measure: 'Flood peak RSS, headless',
			value: mb(median(raw['headless peak RSS (MB)']) * 1024),
			targetText: '≤ 150 MB',
			verdict: median(raw['headless peak RSS (MB)']) <= 150 ? 'pass' : '**miss**',
		},
		{
			measure: 'Flood log on disk holds every line, headless',
			value: headlessComplete ? 'yes' : 'NO',
			targetText: 'all 1,000,000',
			verdict: headlessComplete ? 'pass' : '**miss**',
		},
	];
	if (!ptyLib.missing) {
		const lat = raw['TUI key-to-screen latencies'];
		rows.push(
			{
				measure: 'Flood wall time, TUI (PTY)',
				value: ms(median(raw['TUI wall'])),
				reference: `same command > /dev/null: ${ms(floor)}`,
				ratio: median(raw['TUI wall']) / floor,
			},
			{
				measure: 'Flood peak RSS, TUI',
				value: mb(median(raw['TUI peak RSS (MB)']) * 1024),
				targetText: '≤ 150 MB',
				verdict: median(raw['TUI peak RSS (MB)']) <= 150 ? 'pass' : '**miss**',
			},
			{
				measure: `Key press to screen during the flood, TUI (median; max ${lat.length ? ms(Math.max(...lat)) : '—'}, n=${lat.length})`,
				value: lat.length ? ms(median(lat)) : 'no sample',
				targetText: '≤ 200 ms',
				verdict: lat.length && Math.max(...lat) <= 200 ? 'pass' : '**miss**',
			},
			{measure: 'Flood log on disk holds every line, TUI', value: tuiComplete ? 'yes' : 'NO', targetText: 'all 1,000,000', verdict: tuiComplete ? 'pass' : '**miss**'},
		);
	}
	return {
		title: '3. Output flood',
		command: 'node bench/output-flood.mjs',
		method: `One step, \`${code}\` (1,000,000 lines, 6.9 MB), ${reps} repetitions, each in a fresh state directory, beside the same command with its output to /dev/null. Headless: \`rampart run FILE --yes\`, stdout to /dev/null, timed to exit; peak RSS is the process's VmHWM polled from /proc every 10 ms. TUI: \`rampart run FILE\` in a 100×30 PTY, timed from the Enter that starts the step until the screen says the step is done; peak RSS is VmHWM read at that moment. While the output runs, \`?\` is pressed over and over (each after the last took effect) and timed until the help overlay appears or disappears on the emulated screen; the verdict uses the worst sample. Afterwards the step's log is read back and must hold the numbers 1 to 1,000,000 in order.`,
		rows,
		raw,
		skipped: ptyLib.missing ? `TUI flood skipped: ${ptyLib.missing}` : undefined,
	};
};

if (isMain(import.meta.url)) printSection(await outputFlood());
