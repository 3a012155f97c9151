// `rampart run` and `rampart resume` headless, on the built binary: the exit
// codes and messages scripts and cron jobs depend on.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {journalPath, listRuns} from '../../source/journal/index.js';
import {RAMPART, cliHome, eventsOf, frontMatter, onlyRun, runCli, sh, startCli, tempDir, writeRunbook, type CliResult} from '../engine/helpers.js';

const output = (result: CliResult) => `${result.stdout}\n${result.stderr}`;

describe('exit codes', () => {
	it('exits 0 when every step is done', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'ok', frontMatter('Ok') + '## One\n\n' + sh('echo one > one') + '## Two\n\n' + sh('echo two > two'));
		const result = await runCli(['run', './ok.md', '--approve', '--yes'], home);
		expect(result.code, output(result)).toBe(0);
		expect(fs.readFileSync(path.join(home.cwd, 'two'), 'utf8')).toBe('two\n');
		expect(eventsOf(home.stateDir, onlyRun(home.stateDir)).at(-1)).toMatchObject({type: 'run-finished', outcome: 'completed'});
	});

	it('exits 1 when a step fails, naming the step and the resume command', async () => {
		const home = cliHome();
		writeRunbook(
			home.cwd,
			'fails',
			frontMatter('Fails') + '## Good\n\n' + sh('true') + '## Reload the service\n\n' + sh('echo "no such unit" >&2; exit 5') + '## Never\n\n' + sh('touch never'),
		);
		const result = await runCli(['run', './fails.md', '--approve', '--yes'], home);
		expect(result.code).toBe(1);
		const runId = onlyRun(home.stateDir);
		expect(result.stderr).toContain('step "Reload the service" failed: exited with 5');
		expect(result.stderr).toContain(`rampart resume ${runId}`);
		expect(output(result)).toContain('no such unit');
		expect(fs.existsSync(path.join(home.cwd, 'never'))).toBe(false);
	});

	it('exits 2 for an unknown runbook id, suggesting the close one', async () => {
		const runbooks = tempDir();
		// An id no bundled runbook has.
		writeRunbook(runbooks, 'fixture-deploy', frontMatter('Deploy') + '## One\n\n' + sh('true'));
		const home = cliHome({RAMPART_RUNBOOKS: runbooks});
		const result = await runCli(['run', 'fixture-deplyo', '--yes'], home);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('no runbook named "fixture-deplyo"');
		expect(result.stderr).toContain('Did you mean: fixture-deploy?');
		expect(fs.existsSync(home.stateDir)).toBe(false);

		// The id itself works.
		const right = await runCli(['run', 'fixture-deploy', '--yes', '--approve'], home);
		expect(right.code, output(right)).toBe(0);
	});

	it('exits 2 for an invalid input, naming it and saying how to pass it; nothing runs', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'inputs', frontMatter('Inputs', '  SSH_PORT:\n    type: port\n    prompt: SSH port') + '## Use\n\n' + sh('echo "$SSH_PORT" > used'));
		const invalid = await runCli(['run', './inputs.md', '--approve', '--yes', '--input', 'SSH_PORT=99999'], home);
		expect(invalid.code).toBe(2);
		expect(invalid.stderr).toMatch(/SSH_PORT: "99999" is not a port number/);
		expect(invalid.stderr).toContain('--input SSH_PORT=VALUE');
		expect(invalid.stderr).toContain('RAMPART_INPUT_SSH_PORT');

		const missing = await runCli(['run', './inputs.md', '--approve', '--yes'], home);
		expect(missing.code).toBe(2);
		expect(missing.stderr).toMatch(/SSH_PORT: is required/);

		// An input the runbook does not take is named, and the hint shows one it does take.
		const unknown = await runCli(['run', './inputs.md', '--approve', '--yes', '--input', 'SSH_PROT=22'], home);
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toMatch(/SSH_PROT: is not an input of inputs \(it takes: SSH_PORT\)/);
		expect(unknown.stderr).toContain('--input SSH_PORT=VALUE');
		expect(unknown.stderr).not.toContain('--input SSH_PROT=VALUE');

		const malformed = await runCli(['run', './inputs.md', '--approve', '--yes', '--input', 'SSH_PORT'], home);
		expect(malformed.code).toBe(2);
		expect(malformed.stderr).toMatch(/write it as NAME=value/);

		expect(fs.existsSync(path.join(home.cwd, 'used'))).toBe(false);
		expect(listRuns(home.stateDir)).toEqual([]);

		// From the environment, the same input is accepted.
		const fromEnv = await runCli(['run', './inputs.md', '--approve', '--yes'], {...home, env: {...home.env, RAMPART_INPUT_SSH_PORT: '2222'}});
		expect(fromEnv.code).toBe(0);
		expect(fs.readFileSync(path.join(home.cwd, 'used'), 'utf8')).toBe('2222\n');
	});

	it('exits 3 when the runbook needs root and the user is not root; nothing runs', async context => {
		const isRoot = process.getuid?.() === 0;
		const probe = isRoot ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']) : undefined;
		if (isRoot && probe?.status !== 0) context.skip('running as root and cannot drop privileges with setpriv');

		// A directory the unprivileged user can write to, holding the runbook and the state.
		const shared = tempDir();
		fs.chmodSync(shared, 0o777);
		const home = {cwd: shared, env: {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: shared, RAMPART_HOME: path.join(shared, 'state')}};
		writeRunbook(shared, 'root-only', '---\ntitle: Root only\nrequires:\n  root: true\n---\n\n# Root only\n\n## Change\n\n' + sh('touch changed'));
		fs.chmodSync(path.join(shared, 'root-only.md'), 0o644);
		const prefix = isRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
		const result = await startCli([], {
			cwd: shared,
			env: home.env,
			command: [...prefix, ...RAMPART, 'run', './root-only.md', '--yes', '--approve'],
		}).done;
		expect(result.stderr).toContain('this runbook needs root: run it again with sudo');
		expect(result.code).toBe(3);
		expect(fs.existsSync(path.join(shared, 'changed'))).toBe(false);
		expect(listRuns(home.env.RAMPART_HOME)).toEqual([]);
	});
});

describe('manual steps headless', () => {
	it('stops at a manual step without --ack, and resume --ack completes the run', async () => {
		const home = cliHome();
		writeRunbook(
			home.cwd,
			'manual',
			frontMatter('Manual') +
				'## Prepare\n\n' +
				sh('echo prepared >> order') +
				'## Call the vendor\n\n- [ ] The vendor confirmed the change window\n- [ ] The change is in the calendar\n\n' +
				'## Read this\n\nKeep a spare session open.\n\n' +
				'## Finish\n\n' +
				sh('echo finished >> order'),
		);
		const first = await runCli(['run', './manual.md', '--approve', '--yes'], home);
		expect(first.code).toBe(1);
		const runId = onlyRun(home.stateDir);
		expect(first.stderr).toContain('step "Call the vendor" has manual items to confirm');
		expect(first.stderr).toContain('- [ ] The vendor confirmed the change window');
		expect(first.stderr).toContain(`rampart resume ${runId} --ack`);
		expect(fs.readFileSync(path.join(home.cwd, 'order'), 'utf8')).toBe('prepared\n');

		const resumed = await runCli(['resume', '--ack'], home);
		expect(resumed.code, output(resumed)).toBe(0);
		expect(fs.readFileSync(path.join(home.cwd, 'order'), 'utf8')).toBe('prepared\nfinished\n');
		const events = eventsOf(home.stateDir, runId);
		expect(events.filter(e => e.type === 'task-ticked')).toHaveLength(2);
		expect(events.some(e => e.type === 'step-acknowledged' && e.step === 'read-this')).toBe(true);
		expect(events.at(-1)).toMatchObject({type: 'run-finished', outcome: 'completed'});

		const again = await runCli(['resume'], home);
		expect(again.code).toBe(2);
		expect(again.stderr).toContain('there is no unfinished run to resume');
	});
});

describe('confirmation headless', () => {
	it('stops before a confirm block without --yes, and resume --yes runs it without redoing earlier steps', async () => {
		const home = cliHome();
		writeRunbook(
			home.cwd,
			'danger',
			frontMatter('Danger') + '## Count\n\n' + sh('echo counted >> order') + '## Drop the table\n\n' + sh('echo dropped >> order', 'confirm'),
		);
		const first = await runCli(['run', './danger.md', '--approve'], home);
		expect(first.code).toBe(1);
		const runId = onlyRun(home.stateDir);
		expect(first.stderr).toContain('step "Drop the table" has a block that asks for confirmation');
		expect(first.stderr).toContain(`rampart resume ${runId} --yes`);
		expect(fs.readFileSync(path.join(home.cwd, 'order'), 'utf8')).toBe('counted\n');

		const resumed = await runCli(['resume', runId, '--yes'], home);
		expect(resumed.code, output(resumed)).toBe(0);
		expect(fs.readFileSync(path.join(home.cwd, 'order'), 'utf8')).toBe('counted\ndropped\n');
	});
});

describe('--check', () => {
	it('runs only check and verify blocks, changes nothing, and exits 1 naming what is not satisfied', async () => {
		const home = cliHome();
		writeRunbook(
			home.cwd,
			'audit',
			frontMatter('Audit') +
				'## Installed\n\n' +
				sh('test -f installed', 'role=check') +
				sh('touch installed') +
				sh('test -f installed', 'role=verify') +
				'## Configured\n\n' +
				sh('touch configured') +
				sh('test -f configured-by-hand', 'role=verify'),
		);
		fs.writeFileSync(path.join(home.cwd, 'configured-by-hand'), '');
		const result = await runCli(['run', './audit.md', '--approve', '--check'], home);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('not satisfied: Installed');
		expect(result.stderr).not.toContain('Configured;');
		expect(fs.readdirSync(home.cwd).sort()).toEqual(['audit.md', 'configured-by-hand']);
		const events = eventsOf(home.stateDir, onlyRun(home.stateDir));
		expect(events[0]).toMatchObject({type: 'run-started', mode: 'check'});
		expect(events.at(-1)).toMatchObject({type: 'run-finished', outcome: 'failed'});

		fs.writeFileSync(path.join(home.cwd, 'installed'), '');
		const satisfied = await runCli(['run', './audit.md', '--approve', '--check'], home);
		expect(satisfied.code, output(satisfied)).toBe(0);
		expect(fs.readdirSync(home.cwd).sort()).toEqual(['audit.md', 'configured-by-hand', 'installed']);
	});

	it('judges a step by its check when it has one: a verify that assumes the work just ran is not run', async () => {
		const home = cliHome();
		writeRunbook(
			home.cwd,
			'audit2',
			frontMatter('Audit 2') + '## Reboot if needed\n\n' + sh('true', 'role=check') + sh('touch rebooted') + sh('test -f rebooted', 'role=verify'),
		);
		const result = await runCli(['run', './audit2.md', '--approve', '--check'], home);
		expect(result.code, output(result)).toBe(0);
		expect(fs.existsSync(path.join(home.cwd, 'rebooted'))).toBe(false);
	});

	it('a finding is not a failure: the check-only run ends as needing attention, naming it', async () => {
		const home = cliHome();
		writeRunbook(
			home.cwd,
			'audit3',
			frontMatter('Audit 3') +
				'## Expiry\n\n' +
				sh('echo "the domain expires in 12 days" >&2; exit 1', 'role=check finding') +
				'## Fine\n\n' +
				sh('true', 'role=check') +
				sh('true'),
		);
		const result = await runCli(['run', './audit3.md', '--approve', '--check'], home);
		expect(result.code, output(result)).toBe(1);
		expect(result.stderr).toContain('findings need attention');
		expect(result.stderr).toContain('Expiry: the domain expires in 12 days');
		expect(result.stderr).not.toContain('not satisfied');
		expect(eventsOf(home.stateDir, onlyRun(home.stateDir)).at(-1)).toMatchObject({type: 'run-finished', outcome: 'needs-attention'});
	});
});

describe('--json', () => {
	it('prints only JSON lines on stdout, one per event', async () => {
		const home = cliHome();
		writeRunbook(
			home.cwd,
			'json',
			frontMatter('Json') +
				'## Talk\n\n' +
				sh('echo "plain text"\necho "{not json" >&2\nprintf "no newline"') +
				'## Checked\n\n' +
				sh('true', 'role=check') +
				sh('touch never'),
		);
		const result = await runCli(['run', './json.md', '--approve', '--yes', '--json'], home);
		expect(result.code, result.stderr).toBe(0);
		const lines = result.stdout.split('\n');
		expect(lines.at(-1)).toBe('');
		const events = lines.slice(0, -1).map(line => JSON.parse(line) as {type: string; runId: string; lines?: string[]});
		const runId = onlyRun(home.stateDir);
		expect(events.every(e => e.runId === runId)).toBe(true);
		expect(events[0]!.type).toBe('run-started');
		expect(events.at(-1)).toMatchObject({type: 'run-finished', outcome: 'completed'});
		expect(events.filter(e => e.type === 'output').flatMap(e => e.lines)).toEqual(['plain text', '{not json', 'no newline']);
		// Every journaled event is on stdout, in order.
		expect(events.filter(e => e.type !== 'output')).toEqual(eventsOf(home.stateDir, runId).map(({seq: _seq, prev: _prev, ...e}) => e));
	});
});

describe('rampart journal verify', () => {
	it('detects a one-character edit and names the line', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'edit', frontMatter('Edit') + '## One\n\n' + sh('echo one') + '## Two\n\n' + sh('echo two'));
		expect((await runCli(['run', './edit.md', '--approve', '--yes'], home)).code).toBe(0);
		const intact = await runCli(['journal', 'verify'], home);
		expect(intact.code).toBe(0);
		expect(intact.stdout).toMatch(/^ok /m);

		const runId = onlyRun(home.stateDir);
		const file = journalPath(home.stateDir, runId);
		const lines = fs.readFileSync(file, 'utf8').split('\n');
		// Line 3 is block-started of step one: change "one" to "onf" in its step id.
		expect(lines[2]).toContain('"step":"one"');
		lines[2] = lines[2]!.replace('"step":"one"', '"step":"onf"');
		fs.writeFileSync(file, lines.join('\n'));

		const tampered = await runCli(['journal', 'verify'], home);
		expect(tampered.code).toBe(1);
		expect(tampered.stdout).toMatch(new RegExp(`FAIL ${runId}`));
		expect(tampered.stdout).toMatch(/line 4: the hash of line 3 does not match: line 3 was changed/);

		const one = await runCli(['journal', 'verify', runId, '--json'], home);
		expect(one.code).toBe(1);
		expect(JSON.parse(one.stdout)).toEqual([expect.objectContaining({runId, ok: false, problems: [expect.objectContaining({line: 4, kind: 'broken-chain'})]})]);
	});
});

describe('resume after the runbook changed', () => {
	it('says the file changed and names the changed steps', async () => {
		const home = cliHome();
		const text = (first: string) =>
			frontMatter('Changing') + '## Install the package\n\n' + sh(first) + '## Confirm by hand\n\n- [ ] Looked at it\n\n## Last\n\n' + sh('true');
		writeRunbook(home.cwd, 'changing', text('echo v1 >> order'));
		expect((await runCli(['run', './changing.md', '--approve', '--yes'], home)).code).toBe(1);

		writeRunbook(home.cwd, 'changing', text('echo v2 >> order'));
		const resumed = await runCli(['resume', '--yes', '--ack', '--approve'], home);
		expect(resumed.code, output(resumed)).toBe(0);
		expect(resumed.stderr).toMatch(/changing\.md has changed since this run started/);
		expect(resumed.stderr).toMatch(/steps changed since the run started: Install the package/);
		// A step done before the change is not done again.
		expect(fs.readFileSync(path.join(home.cwd, 'order'), 'utf8')).toBe('v1\n');
		const events = eventsOf(home.stateDir, onlyRun(home.stateDir));
		expect(events.find(e => e.type === 'run-resumed')).toMatchObject({changedSteps: ['install-the-package']});
	});
});
