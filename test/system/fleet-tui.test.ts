// The fleet view end to end: the built binary in a real pseudo-terminal
// (80×24), two real sshd on loopback (helpers/ssh-lab.ts), an Ansible
// inventory. The operator runs a step on both hosts, reads each host's output
// with Tab and leaves; each host's own record says the step is done.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {createSshLab, sshLabMissing, type SshLab} from './helpers/ssh-lab.js';
import {CLI, KEYS, spawnRampart} from '../e2e/pty.js';

const reason = sshLabMissing() ?? '';
if (reason !== '') console.warn(`fleet TUI system test skipped: ${reason}`);

const RUNBOOK = `---
title: Fleet greeting
inputs:
  GREETING:
    type: string
    prompt: What to say
---

# Fleet greeting

## Say hello

\`\`\`bash
# shellcheck disable=SC2086 # its words are wanted
set -- $SSH_CONNECTION
echo "$GREETING from $3"
\`\`\`
`;

/** The ssh processes of this lab (their command lines name its ssh_config). */
const sshOf = (config: string): string[][] =>
	fs
		.readdirSync('/proc')
		.filter(e => /^\d+$/.test(e))
		.flatMap(e => {
			try {
				const args = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
				return args[0] === 'ssh' && args.includes(config) ? [args] : [];
			} catch {
				return [];
			}
		});

const until = async (check: () => boolean, ms = 10_000) => {
	const deadline = Date.now() + ms;
	while (!check()) {
		if (Date.now() > deadline) throw new Error('timed out waiting');
		await new Promise(r => setTimeout(r, 50));
	}
};

describe.skipIf(reason !== '')(`fleet view over OpenSSH${reason ? ` (skipped: ${reason})` : ''}`, () => {
	let lab: SshLab;
	let tmp: string;

	beforeAll(() => {
		lab = createSshLab(2);
		for (const host of lab.hosts) lab.start(host);
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-fleet-tui-'));
		fs.writeFileSync(path.join(tmp, 'greeting.md'), RUNBOOK);
		// A YAML inventory this time (fleet.test.ts uses INI).
		const hosts = lab.hosts.map(h => `        ${h.name}:\n          ansible_host: ${h.address}\n          ansible_port: ${h.port}`);
		const yaml = `all:\n  vars:\n    ansible_ssh_common_args: "-F ${lab.sshConfig}"\n  children:\n    web:\n      hosts:\n${hosts.join('\n')}\n`;
		fs.writeFileSync(path.join(tmp, 'hosts.yml'), yaml);
	});

	afterAll(() => {
		lab?.remove();
		if (tmp) fs.rmSync(tmp, {recursive: true, force: true});
	});

	it('runs a step on both hosts, shows each host’s output with Tab, and records it per host', async () => {
		expect(fs.existsSync(CLI), 'npm run build first').toBe(true);
		const env = {HOME: tmp, RAMPART_HOME: path.join(tmp, 'state')};
		const [one, two] = lab.hosts as [SshLab['hosts'][0], SshLab['hosts'][0]];
		const screen = spawnRampart(['run', path.join(tmp, 'greeting.md'), '--inventory', path.join(tmp, 'hosts.yml'), '--approve', '--input', 'GREETING=hello'], env);
		try {
			// Each host is reached and asked for its requirements first: slow on a loaded machine.
			let text = await screen.waitFor('2 hosts', 180_000).catch(error => {
				throw new Error(`${(error as Error).message}\nwritten so far:\n${screen.raw().slice(-2000)}`);
			});
			expect(text).toMatch(new RegExp(`● ${one.name} +·`));
			expect(text).toMatch(new RegExp(`● ${two.name} +·`));
			// One master connection per host, its control socket in a private directory.
			const masters = sshOf(lab.sshConfig).filter(args => args.includes('ControlMaster=yes'));
			expect(masters).toHaveLength(2);
			const controlDir = path.dirname(masters[0]![masters[0]!.indexOf('-S') + 1]!);
			expect(fs.statSync(controlDir).mode & 0o777).toBe(0o700);
			screen.write(KEYS.enter);
			await screen.waitFor(`Run “Say hello” on 2 hosts (${one.name}, ${two.name})?`);
			screen.write(KEYS.enter);
			text = await screen.waitFor(`done: ${one.name}, ${two.name}`, 120_000);
			expect(text).toMatch(new RegExp(`● ${one.name} +✓`));
			expect(text).toMatch(new RegExp(`● ${two.name} +✓`));
			// The output pane shows the host under the cursor only; Tab moves to the next.
			text = await screen.waitFor(`hello from ${one.address}`);
			expect(text).not.toContain(`hello from ${two.address}`);
			screen.write('\t');
			text = await screen.waitFor(`hello from ${two.address}`);
			expect(text).not.toContain(`hello from ${one.address}`);
			// Every host's run is complete: q leaves at once.
			screen.write('q');
			expect(await screen.exited).toBe(0);
			// Leaving closed every connection and removed the control directory.
			await until(() => sshOf(lab.sshConfig).length === 0);
			expect(fs.existsSync(controlDir)).toBe(false);
		} finally {
			screen.kill();
		}
		expect(screen.raw()).toContain('fleet run');
		const history = spawnSync(process.execPath, [CLI, 'history', '--json'], {env: {...process.env, ...env, CI: '1'}, encoding: 'utf8'});
		const runs = JSON.parse(history.stdout) as Array<{target: string | null; fleet: string | null; outcome?: string}>;
		const byHost = new Map(runs.filter(r => r.fleet !== null).map(r => [r.target, r.outcome]));
		expect(byHost.get(one.name)).toBe('completed');
		expect(byHost.get(two.name)).toBe('completed');
	}, 400_000);
});
