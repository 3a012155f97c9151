// On a terminal, Rampart asks before it runs or approves a runbook that is
// new or changed, after showing the text or the diff: in the TUI for a run,
// as a plain y/N question for `rampart approve`.

import fs from 'node:fs';
import path from 'node:path';
import {spawn} from '@lydell/node-pty';
import {describe, expect, it} from 'vitest';
import {CLI, assertBuilt, cliHome, frontMatter, runCli, sh, waitFor} from '../engine/helpers.js';

const inTerminal = (args: string[], home: ReturnType<typeof cliHome>) => {
	assertBuilt();
	const pty = spawn(process.execPath, [CLI, ...args], {cols: 120, rows: 40, cwd: home.cwd, env: {...home.env, TERM: 'xterm-256color'}});
	let screen = '';
	pty.onData(data => (screen += data));
	const exited = new Promise<number>(resolve => pty.onExit(({exitCode}) => resolve(exitCode)));
	return {pty, screen: () => screen, exited};
};

const setup = () => {
	const home = cliHome();
	const marker = path.join(home.cwd, 'ran');
	fs.writeFileSync(path.join(home.cwd, 'greet.md'), frontMatter('Greeting') + '## Greet\n\n' + sh(`echo hello\ntouch ${marker}`), {mode: 0o644});
	return {home, marker};
};

describe('on a terminal', () => {
	it('rampart run shows an unapproved runbook in the TUI, and runs nothing when it is not approved', async () => {
		const {home, marker} = setup();
		const t = inTerminal(['run', './greet.md'], home);
		await waitFor(() => t.screen().includes('Read it before you approve'), 'the approval screen');
		expect(t.screen()).toContain('touch');
		t.pty.write('\x1b');
		expect(await t.exited).toBe(2);
		expect(t.screen()).toContain('was not approved; nothing was run');
		expect(fs.existsSync(marker)).toBe(false);
		expect(JSON.parse((await runCli(['trust', 'list', '--json'], home)).stdout)).toEqual([]);
	});

	it('rampart approve records the approval when the answer is yes, and not when it is no', async () => {
		const {home} = setup();
		const no = inTerminal(['approve', './greet.md'], home);
		await waitFor(() => no.screen().includes('[y/N]'), 'the approval question');
		no.pty.write('\r');
		expect(await no.exited).toBe(1);
		expect(JSON.parse((await runCli(['trust', 'list', '--json'], home)).stdout)).toEqual([]);

		const yes = inTerminal(['approve', './greet.md'], home);
		await waitFor(() => yes.screen().includes('[y/N]'), 'the approval question');
		yes.pty.write('y\r');
		expect(await yes.exited).toBe(0);
		expect(JSON.parse((await runCli(['trust', 'list', '--json'], home)).stdout)).toEqual([expect.objectContaining({runbookId: 'greet', now: 'approved'})]);
	});
});
