// Records may quote sensitive output: whatever the operator's umask, every
// directory Rampart makes is 0700 and every file 0600.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {CLI, cliHome, frontMatter, sh, startCli, walk, writeRunbook} from './helpers.js';

const underUmask000 = (args: string[], home: ReturnType<typeof cliHome>) =>
	startCli(args, {
		cwd: home.cwd,
		env: home.env,
		command: ['bash', '-c', 'umask 000; exec "$0" "$@"', process.execPath, CLI, ...args],
	}).done;

describe('state directory permissions', () => {
	it('are 0700 for directories and 0600 for files under umask 000', async () => {
		const home = cliHome();
		writeRunbook(
			home.cwd,
			'perms',
			frontMatter('Perms') + '## Checked\n\n' + sh('test -f nothing-here', 'role=check') + sh('echo output; touch made-by-block') + '## Manual\n\n- [ ] Done by hand\n',
		);
		const first = await underUmask000(['run', './perms.md', '--approve', '--yes'], home);
		expect(first.code).toBe(1);
		const second = await underUmask000(['resume', '--yes', '--ack'], home);
		expect(second.code).toBe(0);

		// The umask really applied to what the block made.
		expect(fs.statSync(path.join(home.cwd, 'made-by-block')).mode & 0o777).toBe(0o666);

		const entries = walk(home.stateDir);
		expect(entries.some(e => e.path.endsWith('.jsonl'))).toBe(true);
		expect(entries.some(e => e.path.endsWith('.log'))).toBe(true);
		expect(entries.some(e => path.basename(e.path) === 'index.json')).toBe(true);
		expect(entries.some(e => path.basename(e.path) === 'locks')).toBe(true);
		const modes = [{path: home.stateDir, dir: true}, ...entries].map(e => ({
			path: path.relative(home.stateDir, e.path) || '.',
			mode: (fs.statSync(e.path).mode & 0o777).toString(8),
		}));
		const expected = [{path: home.stateDir, dir: true}, ...entries].map(e => ({
			path: path.relative(home.stateDir, e.path) || '.',
			mode: e.dir ? '700' : '600',
		}));
		expect(modes).toEqual(expected);
	});
});
