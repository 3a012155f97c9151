// Where a fleet run's time goes, read from the run records it left: each
// host's journal has a time on every event (ms), so per block we get how
// long from the step's start to the block's start (ssh exec through the
// master, the remote login shell, the bootstrap up to its go gate, and the
// fsync of block-started), from the go to the block's end (the command, the
// bootstrap's sweep for leftovers, ssh's exit), and from there to the step's
// end (the step log and the step's end fsynced). And the floor under a block:
// `ssh … true` through an open master.

import {spawn} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {median} from './lib.mjs';

const at = event => Date.parse(event.time);

/** Per-host and per-block phases (ms) of every run in a state directory; `began` is the process's start (epoch ms). */
export const phases = (home, began) => {
	const out = {'connect + requires probe': [], 'step start → block start': [], 'block start → block end': [], 'block end → step end': [], 'step end → next step': []};
	const dir = join(home, 'runs');
	for (const file of readdirSync(dir).filter(name => name.endsWith('.jsonl'))) {
		const events = readFileSync(join(dir, file), 'utf8')
			.trim()
			.split('\n')
			.map(line => JSON.parse(line));
		out['connect + requires probe'].push(at(events[0]) - began);
		let stepStart, blockStart, blockEnd, stepEnd;
		for (const event of events) {
			if (event.type === 'step-started') {
				if (stepEnd !== undefined) out['step end → next step'].push(at(event) - stepEnd);
				stepStart = at(event);
			} else if (event.type === 'block-started') {
				blockStart = at(event);
				out['step start → block start'].push(blockStart - stepStart);
			} else if (event.type === 'block-finished') {
				blockEnd = at(event);
				out['block start → block end'].push(blockEnd - blockStart);
			} else if (event.type === 'step-finished') {
				stepEnd = at(event);
				out['block end → step end'].push(stepEnd - blockEnd);
			}
		}
	}
	return out;
};

/** Medians of several runs' phases, one value per phase. */
export const phaseMedians = runs => Object.fromEntries(Object.keys(runs[0] ?? {}).map(name => [name, median(runs.flatMap(run => run[name]))]));

const ssh = (args, stdin = 'ignore') => spawn('ssh', args, {stdio: [stdin, 'ignore', 'ignore']});
const exited = child => new Promise(resolve => child.on('close', resolve));

/** `ssh HOST true` through an open ControlMaster, `times` times in a row: the least a remote block can cost here. */
export const sshExecFloor = async (lab, times) => {
	const host = lab.hosts[0];
	const control = join(lab.dir, 'bench-control');
	const base = ['-F', lab.sshConfig, '-p', String(host.port), '-S', control, '-T'];
	const master = ssh([...base, '-o', 'ControlMaster=yes', '-o', 'ControlPersist=no', host.address, 'exec cat >/dev/null'], 'pipe');
	try {
		// Ready once a client can use the socket.
		for (let tries = 0; (await exited(ssh([...base, '-O', 'check', host.address]))) !== 0; tries++) {
			if (tries > 200) throw new Error('the ssh master for the floor did not come up');
			await new Promise(resolve => setTimeout(resolve, 50));
		}
		const walls = [];
		for (let i = 0; i < times; i++) {
			const start = performance.now();
			if ((await exited(ssh([...base, '-o', 'ControlMaster=no', host.address, 'true']))) !== 0) throw new Error('ssh true through the master failed');
			walls.push(performance.now() - start);
		}
		return walls;
	} finally {
		master.stdin.end();
		await exited(master);
	}
};

/**
 * The floor under a whole fleet run: every host at once, one plain ssh
 * connection each that runs the steps' own text one after another, each in
 * a fresh `bash -c` with stdin from /dev/null as a block would be, and nothing else (no record, no
 * start gate, no output kept). Wall time, ms.
 */
export const plainSshFloor = async (lab, codes, n) => {
	const quote = text => `'${text.replaceAll("'", `'\\''`)}'`;
	// stdin from /dev/null, as a block's: a bash whose stdin is the ssh session reads ~/.bashrc.
	const script = codes.map(code => `bash -c ${quote(code)} </dev/null`).join(' && ');
	const start = performance.now();
	const codesOut = await Promise.all(
		lab.hosts.slice(0, n).map(host => exited(ssh(['-F', lab.sshConfig, '-p', String(host.port), '-o', 'BatchMode=yes', '-T', host.address, script]))),
	);
	if (codesOut.some(code => code !== 0)) throw new Error('a plain ssh run of the steps failed');
	return performance.now() - start;
};
