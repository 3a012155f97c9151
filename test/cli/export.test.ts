// rampart export: the evidence archive, unpacked with the system's tar into a
// clean directory, verifies there with `rampart journal verify --dir` (on an
// empty state directory of its own) and with the included ssh-keygen-only
// script; an edit re-chained inside it fails both.

import {execa} from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {makeLab, rewriteJournal, type Lab} from './verify-signatures-helpers.js';

const unpack = async (lab: Lab, archive: string) => {
	const into = path.join(lab.work, `unpacked-${fs.readdirSync(lab.work).length}`);
	fs.mkdirSync(into);
	await execa('tar', ['-xzf', archive, '-C', into]);
	return path.join(into, 'evidence');
};

/** As an auditor: another, empty state directory; nothing of the operator's settings. */
const asAuditor = (lab: Lab, args: string[]) => lab.rampart(args, {RAMPART_HOME: path.join(lab.work, 'auditor-home')});

const signedRun = async (lab: Lab) => {
	const alice = lab.key('alice');
	const signers = lab.allowedSigners(alice.line);
	expect((await lab.rampart(['run', 'signed-demo', '--yes', '--approve', '--sign-key', alice.file])).exitCode).toBe(0);
	return signers;
};

describe('rampart export', () => {
	it('writes an archive that verifies in a clean directory with rampart journal verify --dir and with ssh-keygen alone', async () => {
		const lab = makeLab();
		const signers = await signedRun(lab);
		const [runId] = lab.runIds();
		const archive = path.join(lab.work, 'evidence.tar.gz');
		const made = await lab.rampart(['export', '--since', '90d', '-o', archive, '--allowed-signers', signers]);
		expect(made.exitCode, made.stderr).toBe(0);
		expect(fs.statSync(archive).mode & 0o777).toBe(0o600);

		// Owners zeroed, private modes: whoever unpacks it owns it, nobody else reads it.
		const listing = (await execa('tar', ['-tvzf', archive, '--numeric-owner'])).stdout.split('\n');
		for (const line of listing) expect(line).toMatch(/^(-rw-------|-rwx------|drwx------) 0\/0 /);
		const names = listing.map(line => line.split(/\s+/).at(-1));
		for (const name of [
			'evidence/README.txt',
			'evidence/allowed_signers',
			'evidence/verification.txt',
			'evidence/verification.json',
			'evidence/check-with-ssh-keygen.sh',
			`evidence/reports/${runId}.html`,
			`evidence/state/runs/${runId}.jsonl`,
		])
			expect(names).toContain(name);
		expect(names.some(name => name?.startsWith(`evidence/state/logs/${runId}/`) && name.endsWith('.log'))).toBe(true);
		expect(names.some(name => name?.startsWith(`evidence/state/signatures/${runId}/`) && name.endsWith('.sig'))).toBe(true);

		const evidence = await unpack(lab, archive);
		expect(fs.readFileSync(path.join(evidence, 'verification.txt'), 'utf8')).toContain(`ok   ${runId}`);
		expect(fs.readFileSync(path.join(evidence, 'reports', `${runId}.html`), 'utf8')).toContain('signed by alice@example.org');
		expect(fs.readFileSync(path.join(evidence, 'README.txt'), 'utf8')).toContain('rampart journal verify --dir state --allowed-signers allowed_signers');

		const verify = await asAuditor(lab, [
			'journal',
			'verify',
			'--dir',
			path.join(evidence, 'state'),
			'--allowed-signers',
			path.join(evidence, 'allowed_signers'),
			'--require-signatures',
		]);
		expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);
		expect(verify.stdout).toContain(`ok   ${runId}`);
		expect(verify.stdout).toContain('signed by alice@example.org');

		// Plain ssh-keygen on one pair, as README.txt shows it.
		const sigDir = path.join(evidence, 'state', 'signatures', runId!);
		const [sig] = fs.readdirSync(sigDir).filter(name => name.endsWith('.sig'));
		const plain = await execa(
			'ssh-keygen',
			['-Y', 'verify', '-f', path.join(evidence, 'allowed_signers'), '-I', 'alice@example.org', '-n', 'rampart', '-s', path.join(sigDir, sig!)],
			{inputFile: path.join(sigDir, sig!.replace(/\.sig$/, '.msg')), reject: false},
		);
		expect(plain.exitCode, plain.stderr).toBe(0);
		expect(plain.stdout).toContain('Good "rampart" signature for alice@example.org');

		const script = await execa('sh', [path.join(evidence, 'check-with-ssh-keygen.sh')], {reject: false, cwd: lab.work});
		expect(script.exitCode, script.stdout + script.stderr).toBe(0);
		expect(script.stdout).toMatch(new RegExp(`^ok {3}signatures/${runId}/\\d+\\.sig: signed by alice@example.org, events 1-\\d+ of runs/${runId}.jsonl$`, 'm'));

		// Root's edit, re-chained, inside the archive: both checks fail on the signature.
		rewriteJournal(path.join(evidence, 'state', 'runs', `${runId}.jsonl`), events => {
			(events[1] as {time: string}).time = '2020-01-01T00:00:00.000Z';
		});
		const after = await asAuditor(lab, ['journal', 'verify', '--dir', path.join(evidence, 'state'), '--allowed-signers', path.join(evidence, 'allowed_signers')]);
		expect(after.exitCode).toBe(1);
		expect(after.stdout).toMatch(/signature signatures\/\S+\.sig \(events 1-\d+\) does not match the record/);
		const scriptAfter = await execa('sh', [path.join(evidence, 'check-with-ssh-keygen.sh')], {reject: false});
		expect(scriptAfter.exitCode).toBe(1);
		expect(scriptAfter.stdout).toContain('is not the line that was signed');
	}, 60_000);

	it('takes only runs since --since, and refuses to overwrite an archive without --force', async () => {
		const lab = makeLab();
		const signers = await signedRun(lab);
		const [recent] = lab.runIds();
		// The same run as if started in 2020: a moved copy, its logs beside it.
		const old = `20200101T000000Z-signed-demo-0000`;
		fs.cpSync(path.join(lab.home, 'logs', recent!), path.join(lab.home, 'logs', old), {recursive: true});
		rewriteJournal(
			lab.journal(recent!),
			events => {
				for (const event of events) {
					const log = (event as {log?: {path: string}}).log;
					if (log) log.path = log.path.replace(recent!, old);
				}
			},
			old,
		);
		expect((await lab.rampart(['journal', 'verify', old])).exitCode).toBe(0);

		const archive = path.join(lab.work, 'recent.tar.gz');
		expect((await lab.rampart(['export', '--since', '90d', '-o', archive, '--allowed-signers', signers])).exitCode).toBe(0);
		const names = (await execa('tar', ['-tzf', archive])).stdout;
		expect(names).toContain(`evidence/state/runs/${recent}.jsonl`);
		expect(names).not.toContain(old);

		const again = await lab.rampart(['export', '-o', archive]);
		expect(again.exitCode).toBe(2);
		expect(again.stderr).toContain('exists; nothing was written');
		expect((await execa('tar', ['-tzf', archive])).stdout).not.toContain(old);

		const forced = await lab.rampart(['export', '-o', archive, '--force']);
		expect(forced.exitCode, forced.stderr).toBe(0);
		expect((await execa('tar', ['-tzf', archive])).stdout).toContain(`evidence/state/runs/${old}.jsonl`);
	}, 60_000);
});
