// A run begun in the TUI is signed when it ends, as a headless one is: the
// real binary on a real terminal (tmux), driven by its primary key (Enter)
// screen after screen until it exits; what signing said comes after the TUI.

import {execa, execaSync} from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {makeLab} from './verify-signatures-helpers.js';

const BIN = path.resolve('dist/rampart.js');
const servers: string[] = [];

afterEach(() => {
	for (const server of servers.splice(0)) execaSync('tmux', ['-L', server, 'kill-server'], {reject: false});
});

const screen = async (server: string) => (await execa('tmux', ['-L', server, 'capture-pane', '-p'], {reject: false})).stdout;

describe('signing in the TUI', () => {
	it('signs the record of a run begun with --sign-key on a terminal, and says so once the screen is given back', async () => {
		const lab = makeLab();
		const alice = lab.key('alice');
		const signers = lab.allowedSigners(alice.line);
		expect((await lab.rampart(['approve', 'signed-demo', '--yes'])).exitCode).toBe(0);
		const server = `rampart-sign-${process.pid}`;
		servers.push(server);
		const env = `RAMPART_HOME=${lab.home} RAMPART_RUNBOOKS=${path.join(lab.work, 'books')} RAMPART_CONFIG=${path.join(lab.work, 'none.yaml')} RAMPART_SYSTEM_CONFIG=${path.join(lab.work, 'none.yaml')}`;
		const command = `cd ${lab.work} && env -u CI ${env} node ${BIN} run signed-demo --sign-key ${alice.file}; echo EXIT=$?; sleep 600`;
		await execa('tmux', ['-L', server, 'new-session', '-d', '-x', '100', '-y', '30', command]);

		// Each screen's own action is Enter: start, run the step, confirm, finish, close.
		let pressedOn = '';
		let shown = '';
		for (let i = 0; i < 600 && !shown.includes('EXIT='); i++) {
			shown = await screen(server);
			if (shown.includes('Enter') && shown !== pressedOn) {
				pressedOn = shown;
				await execa('tmux', ['-L', server, 'send-keys', 'Enter']);
			}
			await new Promise(resolve => setTimeout(resolve, 100));
		}
		expect(shown).toContain('EXIT=0');
		expect(shown).toContain('rampart: signed the record of run');

		const verify = await lab.rampart(['journal', 'verify', '--allowed-signers', signers, '--require-signatures']);
		expect(verify.exitCode, verify.stdout).toBe(0);
		expect(verify.stdout).toContain('signed by alice@example.org');
		expect(fs.readdirSync(path.join(lab.home, 'signatures'))).toHaveLength(1);
	}, 120_000);
});
