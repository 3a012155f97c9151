// Floors for the per-step overhead, run as child processes by
// step-overhead.mjs and timed from outside like Rampart itself:
//   node bench/floors.mjs spawn N   Node spawning `bash -c true` N times, one
//                                   after another, with a block's set-up: own
//                                   process group, stdout, stderr and a fourth
//                                   pipe, waiting for all of them to close
//   node bench/floors.mjs fsync N DIR   N appends of a journal-sized line to a
//                                   new file in DIR, each followed by fsync

import {spawn} from 'node:child_process';
import {accessSync, closeSync, constants, fsyncSync, openSync, rmSync, writeSync} from 'node:fs';
import {join} from 'node:path';

const [what, count, dir] = process.argv.slice(2);
const n = Number(count);

/** bash's absolute path, as Rampart resolves it once (no PATH walk per spawn). */
const bashPath = () => {
	for (const d of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
		try {
			accessSync(join(d, 'bash'), constants.X_OK);
			return join(d, 'bash');
		} catch {
			// Not here, or not executable: keep looking.
		}
	}
	throw new Error('bash is not on PATH');
};

if (what === 'spawn') {
	const bash = bashPath();
	for (let i = 0; i < n; i++) {
		await new Promise((resolve, reject) => {
			const child = spawn(bash, ['-c', 'true'], {detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: process.env});
			child.on('error', reject);
			child.on('close', resolve);
			child.stdio[3].end();
		});
	}
} else if (what === 'fsync') {
	const file = join(dir, `fsync-floor-${process.pid}`);
	const fd = openSync(file, 'wx');
	const line = Buffer.from(`${JSON.stringify({seq: 1, prev: '0'.repeat(64), type: 'block-finished', padding: 'x'.repeat(150)})}\n`);
	for (let i = 0; i < n; i++) {
		writeSync(fd, line);
		fsyncSync(fd);
	}
	closeSync(fd);
	rmSync(file);
} else {
	console.error('usage: node bench/floors.mjs spawn N | fsync N DIR');
	process.exit(2);
}
