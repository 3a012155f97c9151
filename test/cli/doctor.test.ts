// `rampart doctor` on the built binary: what it finds with a PATH the test
// chose (links to the real tools, or none), each missing thing with the
// command that installs or fixes it, and its exit status.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cliHome, runCli, sh, tempDir, writeRunbook} from '../engine/helpers.js';

interface Check {
	group: string;
	name: string;
	status: string;
	required: boolean;
	found?: string;
	detail: string;
	fix?: string;
}

/** A directory with links to the real `commands` only: the PATH doctor gets. */
const pathWith = (...commands: string[]): string => {
	const dir = tempDir('rampart-doctor-path-');
	for (const command of commands) {
		const real = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].map(d => path.join(d, command)).find(f => fs.existsSync(f));
		if (!real) throw new Error(`${command} is not installed here`);
		fs.symlinkSync(real, path.join(dir, command));
	}
	return dir;
};

const doctorJson = async (env: Record<string, string>) => {
	const home = cliHome(env);
	// A project runbook (./runbooks) whose requires: names one command that is there and one that is not.
	fs.mkdirSync(path.join(home.cwd, 'runbooks'));
	writeRunbook(
		path.join(home.cwd, 'runbooks'),
		'needs-tools',
		'---\ntitle: Needs tools\nrequires:\n  commands: [bash, borg]\n---\n\n# Needs tools\n\n## One\n\n' + sh('true'),
	);
	const result = await runCli(['doctor', '--json'], home);
	return {result, home, report: JSON.parse(result.stdout) as {ok: boolean; checks: Check[]}};
};

const byName = (checks: Check[], name: string) => checks.find(c => c.name === name)!;

describe('rampart doctor', () => {
	it('names what is missing with the apt-get line that installs it, and exits 0 while bash and the state directory are fine', async () => {
		const {result, report} = await doctorJson({PATH: pathWith('bash')});
		expect(result.code, result.stderr).toBe(0);
		expect(report.ok).toBe(true);
		expect(byName(report.checks, 'bash')).toMatchObject({status: 'ok', required: true, found: expect.stringMatching(/^\d+\.\d+/)});
		expect(byName(report.checks, 'shellcheck')).toMatchObject({status: 'missing', required: false, fix: 'apt-get install shellcheck'});
		expect(byName(report.checks, 'ssh-keygen')).toMatchObject({status: 'missing', fix: 'apt-get install openssh-client'});
		// A runbook's requires: the one command missing, and its package.
		expect(byName(report.checks, 'needs-tools')).toMatchObject({group: 'runbooks', status: 'missing', fix: 'apt-get install borgbackup'});
		expect(byName(report.checks, 'needs-tools').detail).toContain('borg');
		expect(byName(report.checks, 'needs-tools').detail).not.toContain('bash');
		expect(byName(report.checks, 'state directory')).toMatchObject({status: 'ok', required: true});
	});

	it('exits 3 when bash is missing, and says how to install it', async () => {
		const home = cliHome({PATH: pathWith()});
		const result = await runCli(['doctor'], home);
		expect(result.code).toBe(3);
		expect(result.stdout).toMatch(/^ {2}missing +bash /m);
		expect(result.stdout).toContain('fix: apt-get install bash');
		expect(result.stdout).toContain('Something Rampart needs is missing');
	});

	it('shows the state directory with its owner, mode and free space, and the fix for a mode others can read', async () => {
		const home = cliHome({PATH: pathWith('bash')});
		fs.mkdirSync(home.stateDir, {mode: 0o755});
		fs.chmodSync(home.stateDir, 0o755);
		const result = await runCli(['doctor', '--json'], home);
		const state = byName((JSON.parse(result.stdout) as {checks: Check[]}).checks, 'state directory');
		expect(state.status).toBe('warning');
		expect(state.found).toMatch(new RegExp(`^${home.stateDir} \\(uid ${process.getuid!()}, mode 0755, [\\d,]+ MB free\\)$`));
		expect(state.fix).toBe(`chmod 700 ${home.stateDir}`);
		expect(result.code).toBe(0);
	});

	it.runIf(process.getuid?.() === 0)('as root, a state directory others can write is a missing requirement: exit 3 with the reason', async () => {
		const home = cliHome({PATH: pathWith('bash')});
		fs.mkdirSync(home.stateDir);
		fs.chmodSync(home.stateDir, 0o777);
		const result = await runCli(['doctor'], home);
		expect(result.code).toBe(3);
		expect(result.stdout).toMatch(/^ {2}missing +state directory +.*writ/m);
	});
});
