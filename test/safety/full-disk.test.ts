// A full disk under the state directory (a 200 KB tmpfs in a private mount
// namespace) while a step prints 20,000 lines: the run fails cleanly with
// "the record could not be written", no stack trace, and leaves a record
// that verifies and a run that resume continues once there is room.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {CLI, cliHome, frontMatter, sh} from '../engine/helpers.js';

const canMount = process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;

describe.skipIf(!canMount)('a full disk under the state directory', () => {
	it('fails the step with a clear message, never a stack trace, and the run can be resumed once there is room', () => {
		const home = cliHome();
		fs.writeFileSync(
			path.join(home.cwd, 'flood.md'),
			frontMatter('Flood') +
				'## Print a lot\n\n' +
				sh('for i in $(seq 1 20000); do echo "line $i of the output that fills the disk"; done', 'idempotent') +
				'## After\n\n' +
				sh('echo after'),
		);
		const state = home.stateDir;
		fs.mkdirSync(state, {recursive: true, mode: 0o700});
		const rampart = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)}`;
		// All in one private mount namespace: the tmpfs goes with it.
		const script = [
			'set -u',
			`mount -t tmpfs -o size=200k,mode=0700 tmpfs ${JSON.stringify(state)}`,
			`${rampart} run ./flood.md --yes --approve > out.txt 2> err.txt; echo "run=$?" >> codes`,
			`${rampart} journal verify > verify.txt 2>&1; echo "verify=$?" >> codes`,
			// Room again: the flood's log goes, then the run goes on from where it stopped.
			`rm -rf ${JSON.stringify(path.join(state, 'logs'))}/*/*print-a-lot*`,
			`sed -i 's/seq 1 20000/seq 1 3/' flood.md`,
			`${rampart} resume --yes --approve > resume-out.txt 2> resume-err.txt; echo "resume=$?" >> codes`,
		].join('\n');
		const result = spawnSync('unshare', ['-m', '--propagation', 'private', 'bash', '-c', script], {cwd: home.cwd, env: home.env, encoding: 'utf8'});
		expect(result.status, result.stderr).toBe(0);
		const read = (name: string) => fs.readFileSync(path.join(home.cwd, name), 'utf8');
		const codes = Object.fromEntries(
			read('codes')
				.trim()
				.split('\n')
				.map(l => l.split('=')),
		);
		const err = read('err.txt');
		expect(codes.run).toBe('1');
		expect(err).toContain('the record could not be written: no space left on the device (ENOSPC)');
		expect(err).not.toMatch(/\n\s+at /);
		expect(err).not.toContain('unexpected error');
		expect(read('verify.txt')).not.toMatch(/\n\s+at /);
		expect(codes.resume, read('resume-err.txt')).toBe('0');
		expect(read('resume-err.txt')).not.toMatch(/\n\s+at /);
	});
});
