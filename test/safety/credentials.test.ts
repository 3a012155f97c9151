// Rule 4 (credentials): output that looks like a credential is masked in the
// logs and reports by default, unless the block says mask-credentials=false.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {createCredentialMasker, MASK, maskCredentials} from '../../source/engine/mask.js';
import {cliHome, frontMatter, onlyRun, runCli, sh, walk} from '../engine/helpers.js';

// Made-up values in the real shapes (AWS's documentation uses the same kind).
const AWS_KEY_ID = 'AKIAZ7Q4EXAMPLE3KD2X';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq3xAMPLEKEY';
const PEM_BODY = ['MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM2hTqXnHjW0ZpRZx6m9hQ7yPq1oZ', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtz'];
const PEM = ['-----BEGIN RSA PRIVATE KEY-----', ...PEM_BODY, '-----END RSA PRIVATE KEY-----'];
const GITHUB = `ghp_${'a1B2c3D4e5'.repeat(3)}abcdef`;
const SLACK = 'xoxb-2048-4096-AbCdEfGhIjKlMnOp';

const maskAll = (lines: string[]) => lines.map(createCredentialMasker());

describe('createCredentialMasker', () => {
	it('masks a private key from its BEGIN line to its END line, keeping the markers', () => {
		expect(maskAll(['before', ...PEM, 'after'])).toEqual(['before', PEM[0], MASK, MASK, `${MASK}${PEM[3]}`, 'after']);
	});

	it('masks the other kinds of private keys, and a whole key on one line', () => {
		for (const kind of ['', 'EC ', 'OPENSSH ', 'ENCRYPTED ', 'PGP ']) {
			const suffix = kind === 'PGP ' ? ' BLOCK' : '';
			const masked = maskAll([`-----BEGIN ${kind}PRIVATE KEY${suffix}-----`, 'c2VjcmV0a2V5bWF0ZXJpYWw=', `-----END ${kind}PRIVATE KEY${suffix}-----`]);
			expect(masked[1]).toBe(MASK);
		}
		const json = `{"private_key": "-----BEGIN PRIVATE KEY-----\\n${PEM_BODY[0]}\\n-----END PRIVATE KEY-----\\n"}`;
		expect(maskCredentials(json)).not.toContain(PEM_BODY[0]);
	});

	it('keeps masking after a key that never ends (fails safe)', () => {
		expect(maskAll([PEM[0]!, PEM_BODY[0]!, 'more', 'and more'])).toEqual([PEM[0], MASK, MASK, MASK]);
	});

	it('masks AWS keys, GitHub and Slack tokens, bearer tokens, passwords and URL credentials', () => {
		const cases: Array<[string, string]> = [
			[`aws_access_key_id = ${AWS_KEY_ID}`, `aws_access_key_id = ${MASK}`],
			[`key ASIAY34FZKBOKMUTVV7A in use`, `key ${MASK} in use`],
			[`aws_secret_access_key = ${AWS_SECRET}`, `aws_secret_access_key = ${MASK}`],
			[`export AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`, `export AWS_SECRET_ACCESS_KEY=${MASK}`],
			[`    "SecretAccessKey": "${AWS_SECRET}",`, `    "SecretAccessKey": "${MASK}",`],
			[`token: ${GITHUB}`, `token: ${MASK}`],
			[`github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz`, MASK],
			[`SLACK_TOKEN=${SLACK}`, `SLACK_TOKEN=${MASK}`],
			['> Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc-DEF_123', `> Authorization: Bearer ${MASK}`],
			['DB_PASSWORD=hunter2-but-longer', `DB_PASSWORD=${MASK}`],
			['password = "correct horse"', `password = ${MASK}`],
			['  password: s3cr3t value', `  password: ${MASK}`],
			['postgres://app:Sup3rS3cret@db.example.org/app', `postgres://app:${MASK}@db.example.org/app`],
			['root:$6$rounds=5000$abcdefgh$ABCDEFGHIJKLMNOPQRSTUVWXYZ012345:19000:0:99999:7:::', `root:${MASK}:19000:0:99999:7:::`],
		];
		for (const [line, expected] of cases) expect(createCredentialMasker()(line), line).toBe(expected);
	});

	it('leaves ordinary output alone', () => {
		for (const line of [
			'passwordauthentication no',
			'PasswordAuthentication no',
			'passwd: password updated successfully',
			'[sudo] password for alice:',
			'Enter password:',
			'-----BEGIN CERTIFICATE-----',
			'-----BEGIN PUBLIC KEY-----',
			'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq alice@laptop',
			'https://example.org/path?q=1',
			'price: $6 total',
			'AKIA is a prefix',
		]) {
			expect(createCredentialMasker()(line), line).toBe(line);
		}
	});

	it('stays fast on a long line', () => {
		const started = performance.now();
		createCredentialMasker()('a'.repeat(64 * 1024));
		createCredentialMasker()('password'.repeat(8 * 1024));
		expect(performance.now() - started).toBeLessThan(500);
	});
});

const printer = (attributes = '') =>
	sh([`echo "aws_access_key_id = ${AWS_KEY_ID}"`, `echo "aws_secret_access_key = ${AWS_SECRET}"`, `cat <<'EOF'`, ...PEM, 'EOF'].join('\n'), attributes);

const leaky = async (attributes: string) => {
	const home = cliHome();
	fs.writeFileSync(path.join(home.cwd, 'leaky.md'), frontMatter('Leaky') + '## Print credentials\n\n' + printer(attributes), {mode: 0o644});
	const run = await runCli(['run', './leaky.md', '--yes', '--approve', '--json'], home);
	expect(run.code, run.stderr).toBe(0);
	const logs = walk(path.join(home.stateDir, 'logs')).filter(e => !e.dir);
	expect(logs).toHaveLength(1);
	return {home, run, log: fs.readFileSync(logs[0]!.path, 'utf8')};
};

const NEEDLES = [AWS_KEY_ID, AWS_SECRET, ...PEM_BODY];

describe('rampart run', () => {
	it('masks a printed fake AWS key and PEM block in the log, the reports and the --json events', async () => {
		const {home, run, log} = await leaky('');
		expect(log).toContain(`aws_access_key_id = ${MASK}`);
		expect(log).toContain(`aws_secret_access_key = ${MASK}`);
		expect(log).toContain(PEM[0]);
		for (const needle of NEEDLES) expect(log, needle).not.toContain(needle);

		const runId = onlyRun(home.stateDir);
		for (const format of ['md', 'json', 'html']) {
			const report = await runCli(['report', runId, '--format', format], home);
			expect(report.code, report.stderr).toBe(0);
			expect(report.stdout).toContain('aws_access_key_id = ');
			for (const needle of NEEDLES) expect(report.stdout, `${format}: ${needle}`).not.toContain(needle);
		}
		expect(run.stdout).toContain('aws_access_key_id = ');
		for (const needle of NEEDLES) expect(run.stdout, `--json: ${needle}`).not.toContain(needle);
	});

	it('leaves them in the log of a block marked mask-credentials=false', async () => {
		const {log} = await leaky('mask-credentials=false');
		for (const needle of NEEDLES) expect(log, needle).toContain(needle);
	});
});
