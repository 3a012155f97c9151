// 6. The single executable (npm run package) beside the bundle it carries:
// the same commands started as `dist/rampart-linux-x64 …` and as
// `node dist/rampart.js …`, interleaved, timed to exit (the TUI to its first
// full home frame in a PTY). The executable runs the same bundle, written
// once to its cache: its steady state is timed after one start has made
// that cache, and the first start (the cache made) on its own row.

import {existsSync, mkdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {benchEnv, cleanup, loadPty, median, ms, node, rampart, root, scratch, Screen, timed, timedWithCpu} from './lib.mjs';
import {isMain, printSection} from './section.mjs';

export const executable = process.env.BENCH_EXECUTABLE ?? join(root, 'dist', `rampart-linux-${process.arch}`);
const title = '6. Start-up of the single executable beside the bundle';
const command = 'npm run package && node bench/executable.mjs';

export const executableStartup = async ({runs = 20, firstStarts = 5, ptyLib} = {}) => {
	if (!existsSync(executable)) return {title, command, method: '', rows: [], skipped: `${executable} is missing: run \`npm run package\` first`};
	ptyLib ??= await loadPty();
	const dir = scratch('executable');
	mkdirSync(join(dir, 'runbooks'));
	const cache = join(dir, 'cache');
	// A state directory each: the header cache is keyed by runbook path, and the two find the bundled runbooks in different places.
	const envs = Object.fromEntries(['bundle', 'executable'].map(how => [how, {...benchEnv(join(dir, `state-${how}`), join(dir, 'runbooks')), XDG_CACHE_HOME: cache}]));
	const starts = {bundle: args => [node, [rampart, ...args]], executable: args => [executable, args]};
	for (const how of ['bundle', 'executable']) await timed(...starts[how](['list', '--json']), {env: envs[how]});

	const samples = {};
	const series = (name, how) => (samples[`${name}, ${how}`] ??= []);
	const commands = [
		['--version', ['--version'], [0]],
		['list --json', ['list', '--json'], [0]],
		['status', ['status'], [0, 1]],
	];
	for (let i = 0; i < runs; i++) {
		const order = i % 2 ? ['executable', 'bundle'] : ['bundle', 'executable'];
		for (const [name, args, exitCodes] of commands) {
			for (const how of order) {
				const {wall, cpu} = await timedWithCpu(...starts[how](args), {env: envs[how], exitCodes});
				series(name, how).push(wall);
				series(`${name} CPU`, how).push(cpu);
			}
		}
		if (!ptyLib.missing) {
			for (const how of order) {
				const [file, args] = starts[how]([]);
				const screen = new Screen(ptyLib, file, args, {env: envs[how]});
				const shown = await screen.until(text => /rampart · runbooks/.test(text) && /q quit/.test(text), 15_000, 'the home screen');
				series('TUI home', how).push(shown - screen.start);
				await screen.kill();
			}
		}
	}
	// The first start of a new version (or a new user): the bundle and runbooks written to the cache first.
	for (let i = 0; i < firstStarts; i++) {
		rmSync(cache, {recursive: true, force: true});
		series('--version', 'first start').push((await timed(executable, ['--version'], {env: envs.executable})).wall);
		series('--version', 'bundle, beside first start').push((await timed(node, [rampart, '--version'], {env: envs.bundle})).wall);
	}
	cleanup(dir);

	const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
	const names = [...commands.flatMap(([name]) => [name, `${name} CPU`]), ...(ptyLib.missing ? [] : ['TUI home'])];
	const rows = names.map(name => ({
		measure: `${name === 'TUI home' ? 'Start-up to home screen (TUI, PTY)' : `rampart ${name.replace(/ CPU$/, '')}`}: executable${name.endsWith(' CPU') ? ', CPU time (user + system)' : ''}`,
		value: ms(m[`${name}, executable`]),
		reference: `node dist/rampart.js: ${ms(m[`${name}, bundle`])}`,
		ratio: m[`${name}, executable`] / m[`${name}, bundle`],
		target: 1.1,
	}));
	rows.push({
		measure: 'rampart --version, first start of the executable (its cache written)',
		value: ms(m['--version, first start']),
		reference: `node dist/rampart.js: ${ms(m['--version, bundle, beside first start'])}`,
		ratio: m['--version, first start'] / m['--version, bundle, beside first start'],
	});
	return {
		title,
		command,
		method: [
			`${runs} runs of each, the executable and \`node dist/rampart.js\` interleaved (alternating which goes first); median. Each has its own state directory (no runs; \`list --json\` run once first in each, as a user's earlier use would) over the same runbooks, the bundled ones. The executable (Node's single-executable support, packaging/sea-main.cjs) imports the very bundle \`node dist/rampart.js\` runs, from the directory it wrote it to on its first start ($XDG_CACHE_HOME/rampart, here the bench's own; the .deb's /usr/bin/rampart uses /usr/share/rampart instead and writes nothing).`,
			`The commands timed to exit are also given in CPU time (user + system, from bash's \`times\`), which a busy machine moves less than wall time. Target: the same start-up as the bundle, within 10 %. The last row (no target) is the first start after the cache is gone (${firstStarts} runs): what a new version or a new user pays once.`,
		].join('\n\n'),
		rows,
		raw: samples,
		skipped: ptyLib.missing ? `TUI start-up skipped: ${ptyLib.missing}` : undefined,
	};
};

if (isMain(import.meta.url)) printSection(await executableStartup());
