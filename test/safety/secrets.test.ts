// Rule 4 (secrets): a secret input's value is searched for everywhere a run
// leaves something: the whole state directory (journal, logs, index, trust
// store), the reports in every format, the --json events and the dry run.
// It reaches only the blocks that name it.

import {spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {baseEnvironment, blockEnvironment} from '../../source/engine/block-env.js';
import type {InputSpec} from '../../source/runbook/model.js';
import {CLI, cliHome, frontMatter, onlyRun, runCli, sh, startCli, tempDir, waitFor, walk} from '../engine/helpers.js';

const SECRET = `pw-${randomBytes(12).toString('hex')}`;

const book = (dump: string) =>
	frontMatter('Secret handling', '  DB_PASSWORD:\n    type: secret\n    prompt: Database password\n  SITE:\n    type: domain\n    prompt: Site') +
	'## Use it\n\n' +
	sh('echo "password is $DB_PASSWORD"\necho "again on stderr: $DB_PASSWORD" >&2\nprintf \'%s\' "$DB_PASSWORD" | base64') +
	'## Do not need it\n\n' +
	sh(`env > ${dump}`) +
	'## Fail quoting it\n\n' +
	sh('echo "failing with ${DB_PASSWORD}"\nexit 4');

const expectAbsent = (where: string, text: string | Buffer) => {
	const haystack = Buffer.isBuffer(text) ? text : Buffer.from(text);
	expect(haystack.includes(Buffer.from(SECRET)), `${where} contains the secret`).toBe(false);
};

describe('a secret input', () => {
	it('is never found in the state directory, the reports, the --json events or the dry run', async () => {
		const home = cliHome();
		const dump = path.join(home.cwd, 'env-of-second-block');
		fs.writeFileSync(path.join(home.cwd, 'secrets.md'), book(dump), {mode: 0o644});
		// The secret from a file only its owner can read (never on the command line).
		const secretFile = path.join(tempDir('rampart-secret-'), 'db-password');
		fs.writeFileSync(secretFile, `${SECRET}\n`, {mode: 0o600});
		const args = ['--input', `DB_PASSWORD=@${secretFile}`, '--input', 'SITE=example.org'];

		for (const dry of [['--dry-run'], ['--dry-run', '--json']]) {
			const plan = await runCli(['run', './secrets.md', ...dry, ...args], home);
			expect(plan.code, plan.stderr).toBe(0);
			expect(plan.stdout).toContain('DB_PASSWORD');
			expectAbsent('dry-run stdout', plan.stdout);
			expectAbsent('dry-run stderr', plan.stderr);
		}

		const run = await runCli(['run', './secrets.md', '--yes', '--json', '--approve', ...args], home);
		expect(run.code, run.stderr).toBe(1);
		const events = run.stdout
			.trim()
			.split('\n')
			.map(line => JSON.parse(line) as {type: string; lines?: string[]});
		// The output really was there, masked.
		expect(events.some(e => e.type === 'output' && e.lines?.includes('password is ********'))).toBe(true);
		expectAbsent('--json events', run.stdout);
		expectAbsent('stderr', run.stderr);

		// The secret is also not there in another encoding a block printed.
		expect(run.stdout).toContain(Buffer.from(SECRET).toString('base64'));

		// Only the blocks that name it get it.
		expect(fs.readFileSync(dump, 'utf8')).toContain('SITE=example.org');
		expectAbsent('the environment of a block that does not name it', fs.readFileSync(dump));

		const runId = onlyRun(home.stateDir);
		for (const format of ['md', 'json', 'html']) {
			const report = await runCli(['report', runId, '--format', format], home);
			expect(report.code, report.stderr).toBe(0);
			expect(report.stdout).toContain('DB_PASSWORD');
			expectAbsent(`the ${format} report`, report.stdout);
		}

		const files = walk(home.stateDir).filter(e => !e.dir);
		expect(files.some(f => f.path.includes(`${path.sep}trust${path.sep}`))).toBe(true);
		expect(files.some(f => f.path.endsWith('.log'))).toBe(true);
		for (const file of files) expectAbsent(file.path, fs.readFileSync(file.path));

		// Nor in anything else the run left in its working directory.
		for (const file of walk(home.cwd).filter(e => !e.dir)) expectAbsent(file.path, fs.readFileSync(file.path));
	});
});

describe('blockEnvironment', () => {
	const specs: InputSpec[] = [{name: 'TOKEN', type: 'secret'} as InputSpec, {name: 'SITE', type: 'domain'} as InputSpec];

	it("is the operator's environment, without RAMPART_* variables, plus the inputs", () => {
		const env = blockEnvironment(
			baseEnvironment({PATH: '/usr/bin', HOME: '/root', RAMPART_HOME: '/var/lib/rampart', RAMPART_INPUT_SITE: 'x.org', SUDO_USER: 'alice'}),
			specs,
			{TOKEN: 't0k', SITE: 'example.org'},
			{code: 'echo "$SITE"'},
		);
		expect(env).toEqual({PATH: '/usr/bin', HOME: '/root', SUDO_USER: 'alice', SITE: 'example.org'});
	});

	it('gives a secret only to blocks whose code names it', () => {
		for (const code of ['curl -u "$TOKEN"', 'echo ${TOKEN}', 'echo ${#TOKEN}']) {
			expect(blockEnvironment({}, specs, {TOKEN: 't0k', SITE: 's.org'}, {code}).TOKEN).toBe('t0k');
		}
		expect(blockEnvironment({}, specs, {TOKEN: 't0k', SITE: 's.org'}, {code: 'env'}).TOKEN).toBeUndefined();
	});
});

describe('a secret given where other users can read it', () => {
	it('is refused on the command line and from a shared file, before anything runs, with the safe ways; @FILE, @- and the environment work', async () => {
		const home = cliHome();
		const dump = path.join(home.cwd, 'env-of-second-block');
		fs.writeFileSync(path.join(home.cwd, 'secrets.md'), book(dump), {mode: 0o644});
		await runCli(['approve', './secrets.md', '--yes'], home);

		const onLine = await runCli(['run', './secrets.md', '--yes', '--input', `DB_PASSWORD=${SECRET}`, '--input', 'SITE=example.org'], home);
		expect(onLine.code).toBe(2);
		expect(onLine.stderr).toContain('DB_PASSWORD (on the command line, which every local user can read with ps)');
		expect(onLine.stderr).toContain('--input DB_PASSWORD=@FILE');
		expect(fs.existsSync(path.join(home.stateDir, 'runs'))).toBe(false);

		const shared = path.join(home.cwd, 'inputs.yaml');
		fs.writeFileSync(shared, `DB_PASSWORD: ${SECRET}\nSITE: example.org\n`, {mode: 0o644});
		fs.chmodSync(shared, 0o644);
		const fromShared = await runCli(['run', './secrets.md', '--yes', '--inputs', shared], home);
		expect(fromShared.code).toBe(2);
		expect(fromShared.stderr).toContain('DB_PASSWORD (in a file that other users can read)');

		fs.chmodSync(shared, 0o600);
		const fromPrivate = await runCli(['run', './secrets.md', '--yes', '--inputs', shared], home);
		expect(fromPrivate.stderr).not.toContain('where others can read it');
		expect(fs.readFileSync(dump, 'utf8')).toContain('SITE=example.org');

		fs.rmSync(dump);
		const stdinResult = spawnSync(process.execPath, [CLI, 'run', './secrets.md', '--yes', '--input', 'DB_PASSWORD=@-', '--input', 'SITE=example.org'], {
			cwd: home.cwd,
			env: home.env,
			input: `${SECRET}\n`,
			encoding: 'utf8',
		});
		expect(stdinResult.stderr).not.toContain('where others can read it');
		expect(fs.readFileSync(dump, 'utf8')).toContain('SITE=example.org');
		expectAbsent('stderr', stdinResult.stderr);
	});
});

describe.skipIf(process.getuid?.() !== 0)('a secret during a run, seen by another local user', () => {
	it('is in no command line that `ps` shows to nobody, while the block that uses it runs', async () => {
		const home = cliHome();
		fs.writeFileSync(
			path.join(home.cwd, 'wait.md'),
			frontMatter('Wait', '  DB_PASSWORD:\n    type: secret\n    prompt: P') + '## Use it\n\n' + sh('touch started\n[ -n "$DB_PASSWORD" ] && sleep 5'),
		);
		await runCli(['approve', './wait.md', '--yes'], home);
		const run = startCli(['run', './wait.md', '--yes'], {cwd: home.cwd, env: {...home.env, RAMPART_INPUT_DB_PASSWORD: SECRET}});
		await waitFor(() => fs.existsSync(path.join(home.cwd, 'started')), 'the block to start');
		const seen = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'ps', '-eo', 'args'], {encoding: 'utf8'});
		run.child.kill('SIGINT');
		await run.done;
		expect(seen.status, seen.stderr).toBe(0);
		expect(seen.stdout).toContain('rampart');
		expectAbsent('ps as nobody', seen.stdout);
	});
});
