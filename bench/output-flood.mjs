// 3. Output flood: one step printing 1,000,000 lines (6.9 MB), in every mode
// an operator meets: headless to a pipe and to /dev/null, headless on a
// terminal, and the TUI. Each is measured as its marginal cost (the flood run
// minus a one-step `true` run in the same mode, so start-up is not counted)
// next to its floor, with the process's peak memory; the step's log must keep
// every byte.

import {spawn} from 'node:child_process';
import {readdirSync, readFileSync, writeFileSync, mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {benchEnv, cleanup, loadPty, mb, median, ms, node, peakRssKb, rampart, rampartSync, runbookText, scratch, Screen, timed} from './lib.mjs';
import {isMain, printSection} from './section.mjs';

const LINES = 1_000_000;
const code = `seq ${LINES}`;
const RSS_TARGET_MB = 150;
const SIZE = {cols: 100, rows: 30};

/** The step's log must hold the command's output byte for byte, between Rampart's own first and last lines. */
const logComplete = home => {
	const runs = readdirSync(join(home, 'logs'));
	const dir = join(home, 'logs', runs[0]);
	const text = readFileSync(join(dir, readdirSync(dir)[0]), 'utf8');
	const body = text.slice(text.indexOf('\n') + 1, text.lastIndexOf('# rampart:'));
	let expected = '';
	for (let i = 1; i <= LINES; i++) expected += `${i}\n`;
	return body === expected;
};

const fresh = (dir, name, command = code) => {
	const home = join(dir, name);
	const runbooks = join(home, 'runbooks');
	mkdirSync(runbooks, {recursive: true});
	const file = join(runbooks, 'flood.md');
	writeFileSync(file, runbookText('Flood', [command]));
	const env = benchEnv(join(home, 'state'), runbooks);
	rampartSync(['approve', file, '--yes'], env);
	return {env, file, state: join(home, 'state')};
};

/** Runs to the end with stdout (and stderr) read by a pipe as fast as it comes; wall time and peak RSS. */
const timedToPipe = (command, args, env) =>
	new Promise((resolve, reject) => {
		const start = performance.now();
		const child = spawn(command, args, {env, stdio: ['ignore', 'pipe', 'pipe']});
		child.stdout.resume();
		child.stderr.resume();
		let peak = 0;
		const poll = setInterval(() => (peak = Math.max(peak, peakRssKb(child.pid) ?? 0)), 10);
		child.on('error', reject);
		child.on('exit', status => {
			clearInterval(poll);
			if (status === 0) resolve({wall: performance.now() - start, peakKb: peak});
			else reject(new Error(`${command} ${args.join(' ')} exited ${status}`));
		});
	});

/** Runs to the end in a PTY of SIZE; wall time and peak RSS. */
const timedInPty = async (ptyLib, command, args, env) => {
	const screen = new Screen(ptyLib, command, args, {env, ...SIZE});
	let peak = 0;
	const poll = setInterval(() => (peak = Math.max(peak, peakRssKb(screen.pid) ?? 0)), 10);
	await screen.exited;
	clearInterval(poll);
	const wall = performance.now() - screen.start;
	screen.term.dispose();
	return {wall, peakKb: peak};
};

const helpOpen = text => text.includes('Keys: run');
const running = text => text.includes('Ctrl-C stop');

/** One step in the TUI: from the Enter that starts it to "done" on screen; with `probe`, key-to-screen latencies while it runs. */
const tuiStep = async (ptyLib, {env, file}, probe) => {
	const screen = new Screen(ptyLib, node, [rampart, 'run', file], {env, ...SIZE});
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
		const latencies = [];
		if (probe) {
			await screen.until(text => running(text) && /^\s*\d+$/m.test(text), 15_000, 'output running');
			// Toggle the help overlay while the flood runs: press, wait for the screen to change.
			while (!finished) {
				const shown = helpOpen(screen.text());
				const pressed = performance.now();
				const wasRunning = running(screen.text());
				screen.write('?');
				const changed = await screen.until(text => helpOpen(text) !== shown, 10_000, 'the help toggled');
				if (wasRunning) latencies.push(changed - pressed);
				await new Promise(resolve => setTimeout(resolve, 20));
			}
		}
		const end = await done;
		return {wall: end - start, peakKb: peakRssKb(screen.pid), latencies};
	} finally {
		await screen.kill();
	}
};

const rssRow = (mode, values) => {
	const peak = median(values);
	return {measure: `Flood peak RSS, ${mode}`, value: mb(peak * 1024), targetText: `≤ ${RSS_TARGET_MB} MB`, verdict: peak <= RSS_TARGET_MB ? 'pass' : '**miss**'};
};

export const outputFlood = async ({reps = 3, ptyLib} = {}) => {
	ptyLib ??= await loadPty();
	const dir = scratch('flood');
	const raw = {
		'seq | cat > /dev/null': [],
		'headless to a pipe: flood': [],
		'headless to a pipe: one `true` step': [],
		'headless to a pipe: peak RSS (MB)': [],
		'headless to /dev/null: flood': [],
		'headless to /dev/null: one `true` step': [],
		'headless to /dev/null: peak RSS (MB)': [],
		'seq in the PTY': [],
		'headless on a PTY: flood': [],
		'headless on a PTY: one `true` step': [],
		'headless on a PTY: peak RSS (MB)': [],
		'TUI: flood step': [],
		'TUI: `true` step': [],
		'TUI: peak RSS (MB)': [],
		'TUI: key-to-screen latencies': [],
	};
	let complete = true;
	const pty = !ptyLib.missing;
	// Alternating, so that a change in the machine's load touches every mode alike.
	for (let i = 0; i < reps; i++) {
		raw['seq | cat > /dev/null'].push((await timed('bash', ['-c', `${code} | cat > /dev/null`])).wall);

		const pipe = fresh(dir, `pipe-${i}`);
		const pipeFlood = await timedToPipe(node, [rampart, 'run', pipe.file, '--yes'], pipe.env);
		const pipeNoop = fresh(dir, `pipe-noop-${i}`, 'true');
		raw['headless to a pipe: flood'].push(pipeFlood.wall);
		raw['headless to a pipe: one `true` step'].push((await timedToPipe(node, [rampart, 'run', pipeNoop.file, '--yes'], pipeNoop.env)).wall);
		raw['headless to a pipe: peak RSS (MB)'].push(pipeFlood.peakKb / 1024);
		complete &&= logComplete(pipe.state);

		const devNull = fresh(dir, `null-${i}`);
		const nullFlood = await timed(node, [rampart, 'run', devNull.file, '--yes'], {env: devNull.env});
		const nullNoop = fresh(dir, `null-noop-${i}`, 'true');
		raw['headless to /dev/null: flood'].push(nullFlood.wall);
		raw['headless to /dev/null: one `true` step'].push((await timed(node, [rampart, 'run', nullNoop.file, '--yes'], {env: nullNoop.env})).wall);
		raw['headless to /dev/null: peak RSS (MB)'].push(nullFlood.peakKb / 1024);
		complete &&= logComplete(devNull.state);

		if (!pty) continue;
		raw['seq in the PTY'].push((await timedInPty(ptyLib, 'bash', ['-c', code], process.env)).wall);
		const term = fresh(dir, `pty-${i}`);
		const termFlood = await timedInPty(ptyLib, node, [rampart, 'run', term.file, '--yes'], term.env);
		const termNoop = fresh(dir, `pty-noop-${i}`, 'true');
		raw['headless on a PTY: flood'].push(termFlood.wall);
		raw['headless on a PTY: one `true` step'].push((await timedInPty(ptyLib, node, [rampart, 'run', termNoop.file, '--yes'], termNoop.env)).wall);
		raw['headless on a PTY: peak RSS (MB)'].push(termFlood.peakKb / 1024);
		complete &&= logComplete(term.state);

		const tui = fresh(dir, `tui-${i}`);
		const tuiFlood = await tuiStep(ptyLib, tui, true);
		raw['TUI: flood step'].push(tuiFlood.wall);
		raw['TUI: `true` step'].push((await tuiStep(ptyLib, fresh(dir, `tui-noop-${i}`, 'true'), false)).wall);
		raw['TUI: peak RSS (MB)'].push(tuiFlood.peakKb / 1024);
		raw['TUI: key-to-screen latencies'].push(...tuiFlood.latencies);
		complete &&= logComplete(tui.state);
	}
	cleanup(dir);

	const marginal = mode => Math.max(0, median(raw[`${mode}: flood`]) - median(raw[`${mode}: one \`true\` step`]));
	const seqCat = median(raw['seq | cat > /dev/null']);
	const rows = [
		{
			measure: 'Flood, headless to a pipe (marginal: flood run − one-step `true` run)',
			value: ms(marginal('headless to a pipe')),
			reference: `\`seq | cat\`: ${ms(seqCat)}`,
			ratio: marginal('headless to a pipe') / seqCat,
			target: 10,
		},
		rssRow('headless to a pipe', raw['headless to a pipe: peak RSS (MB)']),
		{
			measure: 'Flood, headless to /dev/null (marginal)',
			value: ms(marginal('headless to /dev/null')),
			reference: `\`seq | cat\`: ${ms(seqCat)}`,
			ratio: marginal('headless to /dev/null') / seqCat,
		},
		rssRow('headless to /dev/null', raw['headless to /dev/null: peak RSS (MB)']),
	];
	if (pty) {
		const seqPty = median(raw['seq in the PTY']);
		const tuiMarginal = Math.max(0, median(raw['TUI: flood step']) - median(raw['TUI: `true` step']));
		const lat = raw['TUI: key-to-screen latencies'];
		rows.push(
			{
				measure: `Flood, headless on a ${SIZE.cols}×${SIZE.rows} PTY (marginal)`,
				value: ms(marginal('headless on a PTY')),
				reference: `\`seq\` in the same PTY: ${ms(seqPty)}`,
				ratio: marginal('headless on a PTY') / seqPty,
				target: 1,
			},
			rssRow('headless on a PTY', raw['headless on a PTY: peak RSS (MB)']),
			{
				measure: 'Flood, TUI (marginal: flood step − `true` step, Enter to "done" on screen)',
				value: ms(tuiMarginal),
				reference: `\`seq\` in the same PTY: ${ms(seqPty)}`,
				ratio: tuiMarginal / seqPty,
				target: 1,
			},
			rssRow('TUI', raw['TUI: peak RSS (MB)']),
			{
				measure: `Key press to screen during the flood, TUI (median; max ${lat.length ? ms(Math.max(...lat)) : '—'}, n=${lat.length})`,
				value: lat.length ? ms(median(lat)) : 'no sample',
				targetText: '≤ 200 ms',
				verdict: lat.length && Math.max(...lat) <= 200 ? 'pass' : '**miss**',
			},
		);
	}
	rows.push({
		measure: 'The step log holds the output byte for byte, every run',
		value: complete ? 'yes' : 'NO',
		targetText: 'all 6,888,896 bytes',
		verdict: complete ? 'pass' : '**miss**',
	});
	return {
		title: '3. Output flood',
		command: 'node bench/output-flood.mjs',
		method:
			`One step, \`${code}\` (1,000,000 lines, 6.9 MB), ${reps} repetitions of every mode, alternating, each run in a fresh state directory. ` +
			'Each mode is measured as its marginal cost: the flood run minus a run of one `true` step in the same mode (so start-up and the journal are not counted). ' +
			'Headless to a pipe: `rampart run FILE --yes` with stdout and stderr read by a pipe as fast as they come, timed to exit, beside `seq | cat > /dev/null`. ' +
			`Headless to /dev/null: the same with stdout to /dev/null. Headless on a PTY: the same in a ${SIZE.cols}×${SIZE.rows} pseudo-terminal read by a terminal emulator, beside \`seq\` alone in the same PTY. ` +
			'TUI: `rampart run FILE` in the same PTY, timed from the Enter that starts the step until the screen says it is done; meanwhile `?` is pressed over and over (each after the last took effect) and timed until the help overlay appears or disappears; the verdict uses the worst sample. ' +
			'Peak RSS is the Rampart process’s VmHWM, polled from /proc every 10 ms. Afterwards every step log is read back and must hold exactly the bytes `seq` wrote.',
		rows,
		raw,
		skipped: pty ? undefined : `PTY modes skipped: ${ptyLib.missing}`,
	};
};

if (isMain(import.meta.url)) printSection(await outputFlood());
