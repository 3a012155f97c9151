// `npm run bench`: every benchmark, one after the other, into BENCHMARKS.md.
// A section whose tool is missing (PTY, ansible, shellcheck, sshd) says so in the
// file instead of failing the run; a section that breaks is recorded as such.

import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {loadPty, rampart, root} from './lib.mjs';
import {loadavg} from 'node:os';
import {loadText, machine, renderSection, tableHead, tableRows} from './report.mjs';
import {startup} from './startup.mjs';
import {stepOverhead} from './step-overhead.mjs';
import {outputFlood} from './output-flood.mjs';
import {lint} from './lint.mjs';
import {idleMemory} from './idle-memory.mjs';
import {executableStartup} from './executable.mjs';
import {fleet} from './fleet.mjs';

if (!existsSync(rampart)) {
	console.error('bench: dist/rampart.js is missing; run `npm run build` first (npm run bench does).');
	process.exit(2);
}

const began = performance.now();
const host = machine();
const ptyLib = await loadPty();
const sections = [
	['1. Start-up, with no past runs and with 1,000', () => startup({runs: 20, ptyLib})],
	['2. Per-step overhead', () => stepOverhead({reps: 5, ansibleReps: 3})],
	['3. Output flood', () => outputFlood({reps: 3, ptyLib})],
	['4. Lint', () => lint({reps: 3})],
	['5. Idle memory of the TUI', () => idleMemory({reps: 3, ptyLib})],
	['6. Start-up of the single executable beside the bundle', () => executableStartup({runs: 20, ptyLib})],
	['7. Fleet: 20 hosts over SSH, against ansible-playbook', () => fleet({reps: 3, bashrcReps: 2})],
];

const results = [];
for (const [title, measure] of sections) {
	const t0 = performance.now();
	process.stderr.write(`bench: ${title}…`);
	const before = loadavg();
	try {
		results.push(await measure());
	} catch (error) {
		results.push({title, command: 'npm run bench', method: '', rows: [], skipped: `this section failed: ${error.message.split('\n')[0]}`});
	}
	results.at(-1).load = {before, after: loadavg()};
	process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
const total = (performance.now() - began) / 1000;

const notesFile = join(root, 'bench', 'notes.md');
const notes = existsSync(notesFile) ? readFileSync(notesFile, 'utf8').trim() : '';

const text = [
	'# Benchmarks',
	'',
	'<!-- Written by `npm run bench` (bench/index.mjs); edit bench/notes.md for the closing note. -->',
	'',
	'How Rampart feels to use, measured next to the floor (the least any tool could do) and next to what',
	'people would use instead. Each figure is the median of repeated runs, measured in the same run as its',
	'reference and interleaved with it: these machines are noisy, so the **ratios** are what count, not the',
	'absolute times. Every section names the command that reproduces it; `npm run bench` runs them all',
	'(bundled build, `dist/rampart.js`) and rewrites this file.',
	'',
	'## Machine',
	'',
	`- Date: ${host.date}`,
	`- CPU: ${host.model}, ${host.cpus} cores (nproc: ${host.nproc})`,
	`- Load average (1 / 5 / 15 min): ${loadText(host.load)} at the start, ${loadText(loadavg())} at the end (each section gives its own below). Anything else running moves these figures; the ratios less so.`,
	`- Memory: ${host.memory}`,
	`- Node: ${host.node} (${host.platform})`,
	`- Whole benchmark: ${total.toFixed(0)} s`,
	'',
	'## Summary',
	'',
	...tableHead,
	...tableRows(results.flatMap(r => r.rows)),
	'',
	...results.filter(r => r.skipped).map(r => `- **${r.title}:** ${r.skipped}`),
	'',
	...results.map(renderSection),
	...(notes ? [notes, ''] : []),
].join('\n');

writeFileSync(join(root, 'BENCHMARKS.md'), text);
process.stderr.write(`bench: wrote BENCHMARKS.md in ${total.toFixed(0)} s\n`);
