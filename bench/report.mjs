// Turns section results into BENCHMARKS.md: the machine, a summary table of
// every figure with its reference, ratio, target and verdict, then each
// section with its method, command and raw numbers.

import {availableParallelism, cpus, loadavg, totalmem} from 'node:os';
import {readFileSync} from 'node:fs';

/** ratio <= target passes, unless the row says higher is better. */
export const verdict = row => {
	if (row.target === undefined || Number.isNaN(row.ratio)) return '—';
	const pass = row.atLeast ? row.ratio >= row.target : row.ratio <= row.target;
	return pass ? 'pass' : '**miss**';
};

const targetText = row => row.targetText ?? (row.target === undefined ? '—' : `${row.atLeast ? '≥' : '≤'} ${row.target}×`);
const ratioText = row => (row.ratio === undefined || Number.isNaN(row.ratio) ? '—' : `${row.ratio.toFixed(2)}×`);

export const tableRows = rows =>
	rows.map(row => `| ${row.measure} | ${row.value} | ${row.reference ?? '—'} | ${ratioText(row)} | ${targetText(row)} | ${row.verdict ?? verdict(row)} |`);

export const tableHead = ['| measure | Rampart (median) | reference (median) | ratio | target | result |', '| --- | --- | --- | --- | --- | --- |'];

const rawText = raw =>
	Object.entries(raw ?? {})
		.map(([name, values]) => `- ${name}: ${Array.isArray(values) ? values.map(v => (typeof v === 'number' ? v.toFixed(v < 10 ? 2 : 0) : v)).join(', ') : values}`)
		.join('\n');

/** `0.52 / 0.61 / 0.70`: the 1, 5 and 15 minute load averages. */
export const loadText = load => load.map(value => value.toFixed(2)).join(' / ');

/** The load while a section ran: what a busy machine does to its figures is then on the page. */
const loadLine = load =>
	load ? [`Load average (1 / 5 / 15 min) on ${availableParallelism()} cores: ${loadText(load.before)} when it started, ${loadText(load.after)} when it ended.`, ''] : [];

export const renderSection = section =>
	[
		`## ${section.title}`,
		'',
		`Reproduce: \`${section.command}\``,
		'',
		section.method,
		'',
		...loadLine(section.load),
		...(section.skipped ? [`> **Skipped:** ${section.skipped}`, ''] : []),
		...(section.rows.length ? [...tableHead, ...tableRows(section.rows), ''] : []),
		...(section.notes ? [section.notes, ''] : []),
		...(section.raw && Object.keys(section.raw).length ? ['Raw numbers (ms unless stated):', '', rawText(section.raw), ''] : []),
	].join('\n');

export const machine = () => {
	let model = cpus()[0]?.model ?? 'unknown';
	try {
		model = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? model;
	} catch {
		// No /proc/cpuinfo: keep the model os.cpus() gave.
	}
	return {
		date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
		cpus: cpus().length,
		nproc: availableParallelism(),
		load: loadavg(),
		model,
		memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
		node: process.version,
		platform: `${process.platform} ${process.arch}`,
	};
};
