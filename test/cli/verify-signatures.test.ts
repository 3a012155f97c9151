// Signed records, end to end on the built CLI: a run signed with a test key
// verifies and names who signed; a record edited and re-chained as root could
// fails on its signature; a key allowed_signers does not list is reported;
// resume signs again; unsigned runs and tails are reported; a signing failure
// never costs the run.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {execa, execaSync} from 'execa';
import {makeLab, rewriteJournal, type Lab} from './verify-signatures-helpers.js';

interface Verified {
	runId: string;
	verified: boolean;
	problems: unknown[];
	signatures: Array<{events: number; file: string; status: string; principal?: string; key?: string; message: string}>;
	unsignedTail?: {from: number; to: number};
}

/** ssh-keygen's own fingerprint of a public key file: `SHA256:…`. */
const fingerprint = (pubFile: string) => execaSync('ssh-keygen', ['-lf', pubFile]).stdout.split(' ')[1]!;

const eventCount = (journal: string) => fs.readFileSync(journal, 'utf8').trim().split('\n').length;

/** The run recorded since `before` was listed (ids of one second do not sort by start). */
const newRun = (lab: Lab, before: string[]) => lab.runIds().find(id => !before.includes(id))!;

const verifyJson = async (lab: Lab, ...args: string[]) => {
	const result = await lab.rampart(['journal', 'verify', '--json', ...args]);
	return {exitCode: result.exitCode, runs: JSON.parse(String(result.stdout)) as Verified[]};
};

/** A run signed by alice whose second step failed, and the cause removed: ready to resume. */
const failedSignedRun = async () => {
	const lab = makeLab();
	const alice = lab.key('alice');
	const signers = lab.allowedSigners(alice.line);
	fs.writeFileSync(path.join(lab.work, 'broken'), '');
	expect((await lab.rampart(['run', 'signed-demo', '--yes', '--approve', '--sign-key', alice.file])).exitCode).toBe(1);
	fs.rmSync(path.join(lab.work, 'broken'));
	return {lab, alice, signers};
};

describe('signed records', () => {
	it('a run signed with a test key verifies and names the principal and the key; the report shows the signer', async () => {
		const lab = makeLab();
		const alice = lab.key('alice');
		const signers = lab.allowedSigners(alice.line);
		const run = await lab.rampart(['run', 'signed-demo', '--yes', '--approve', '--sign-key', alice.file]);
		expect(run.exitCode, run.stderr).toBe(0);
		expect(run.stderr).toContain('signed the record of run');
		const [runId] = lab.runIds();
		const events = String(eventCount(lab.journal(runId!))).padStart(6, '0');
		const files = fs.readdirSync(path.join(lab.home, 'signatures', runId!)).sort();
		expect(files).toEqual([`${events}.msg`, `${events}.sig`]);
		for (const file of files) expect(fs.statSync(path.join(lab.home, 'signatures', runId!, file)).mode & 0o777).toBe(0o600);
		expect(fs.statSync(path.join(lab.home, 'signatures', runId!)).mode & 0o777).toBe(0o700);

		const verify = await lab.rampart(['journal', 'verify', '--allowed-signers', signers]);
		expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);
		expect(verify.stdout).toContain(`ok   ${runId}`);
		expect(verify.stdout).toContain(`signed by alice@example.org (ED25519 ${fingerprint(`${alice.file}.pub`)})`);

		const report = await lab.rampart(['report', runId!], {RAMPART_CONFIG: writeConfig(lab.work, `sign:\n  allowedSigners: ${signers}\n`)});
		expect(report.stdout).toMatch(/\| Signed \| signed by alice@example\.org \(ED25519 SHA256:/);
	});

	it('an event edited and the whole chain recomputed (as root could) fails verification, naming the signature', async () => {
		const lab = makeLab();
		const alice = lab.key('alice');
		const signers = lab.allowedSigners(alice.line);
		expect((await lab.rampart(['run', 'signed-demo', '--yes', '--approve', '--sign-key', alice.file])).exitCode).toBe(0);
		const [runId] = lab.runIds();
		rewriteJournal(lab.journal(runId!), events => {
			const started = events[0] as {operator: {user: string}};
			started.operator.user = 'somebody-else';
		});
		const verify = await lab.rampart(['journal', 'verify', '--allowed-signers', signers, '--json']);
		expect(verify.exitCode).toBe(1);
		const [result] = JSON.parse(verify.stdout) as Verified[];
		// The chain itself is whole again: only the signature shows the edit.
		expect(result!.problems).toEqual([]);
		const events = eventCount(lab.journal(runId!));
		const sig = `signatures/${runId}/${String(events).padStart(6, '0')}.sig`;
		expect(result!.signatures[0]).toMatchObject({status: 'bad', file: sig});
		const text = await lab.rampart(['journal', 'verify', '--allowed-signers', signers]);
		expect(text.stdout).toContain(`FAIL ${runId}`);
		expect(text.stdout).toContain(`signature ${sig} (events 1-${events}) does not match the record`);
	});

	it('a run signed by a key allowed_signers does not list is reported as such, with that key', async () => {
		const lab = makeLab();
		const alice = lab.key('alice');
		const mallory = lab.key('mallory');
		const signers = lab.allowedSigners(alice.line);
		expect((await lab.rampart(['run', 'signed-demo', '--yes', '--approve', '--sign-key', mallory.file])).exitCode).toBe(0);
		const verify = await lab.rampart(['journal', 'verify', '--allowed-signers', signers]);
		expect(verify.exitCode).toBe(1);
		expect(verify.stdout).toContain(`was made by key ED25519 ${fingerprint(`${mallory.file}.pub`)}, which ${signers} does not allow`);
		expect(verify.stdout).not.toContain('signed by');
	});

	it('resume adds a second signature, by the same principal, covering every event', async () => {
		const {lab, alice, signers} = await failedSignedRun();
		const resumed = await lab.rampart(['resume', '--yes', '--sign-key', alice.file]);
		expect(resumed.exitCode, resumed.stderr).toBe(0);
		const {exitCode, runs} = await verifyJson(lab, '--allowed-signers', signers, '--require-signatures');
		expect(exitCode).toBe(0);
		const [run] = runs;
		expect(run!.signatures.map(s => [s.status, s.principal])).toEqual([
			['good', 'alice@example.org'],
			['good', 'alice@example.org'],
		]);
		expect(run!.signatures[0]!.events).toBeLessThan(run!.signatures[1]!.events);
		expect(run!.signatures[1]!.events).toBe(eventCount(lab.journal(run!.runId)));
		expect(run!.unsignedTail).toBeUndefined();
	});

	it('a session without a key leaves an unsigned tail; an unsigned run is reported; both fail only with --require-signatures', async () => {
		const {lab, signers} = await failedSignedRun();
		expect((await lab.rampart(['resume', '--yes'])).exitCode).toBe(0);
		const [tailed] = lab.runIds();
		expect((await lab.rampart(['run', 'signed-demo', '--yes'])).exitCode).toBe(0);
		const unsigned = newRun(lab, [tailed!]);
		expect(fs.existsSync(path.join(lab.home, 'signatures', unsigned!))).toBe(false);

		const {exitCode, runs} = await verifyJson(lab, '--allowed-signers', signers);
		expect(exitCode).toBe(0);
		const signedEvents = runs[0]!.signatures[0]!.events;
		expect(runs[0]!.unsignedTail).toEqual({from: signedEvents + 1, to: eventCount(lab.journal(tailed!))});
		expect(runs[1]!.signatures).toEqual([]);
		const text = await lab.rampart(['journal', 'verify', '--allowed-signers', signers]);
		expect(text.stdout).toContain(`events ${signedEvents + 1}-${eventCount(lab.journal(tailed!))} come after the last good signature: unsigned tail`);
		expect(text.stdout).toContain(`ok   ${unsigned} (${eventCount(lab.journal(unsigned!))} events), unsigned`);

		const strict = await lab.rampart(['journal', 'verify', '--allowed-signers', signers, '--require-signatures']);
		expect(strict.exitCode).toBe(1);
		expect(strict.stdout).toContain(`FAIL ${tailed}`);
		expect(strict.stdout).toContain(`FAIL ${unsigned}`);
	}, 60_000);

	it('signs with sign.key from the settings; a key that needs a passphrase is a warning, never a prompt, and the run is kept', async () => {
		const lab = makeLab();
		const alice = lab.key('alice');
		const locked = lab.key('locked', 'a passphrase');
		writeConfig(lab.work, `sign:\n  key: ${alice.file}\n  allowedSigners: ${lab.allowedSigners(alice.line)}\n`);
		expect((await lab.rampart(['run', 'signed-demo', '--yes', '--approve'])).exitCode).toBe(0);
		const verify = await lab.rampart(['journal', 'verify']);
		expect(verify.exitCode).toBe(0);
		expect(verify.stdout).toContain('signed by alice@example.org');

		const before = lab.runIds();
		const run = await lab.rampart(['run', 'signed-demo', '--yes', '--sign-key', locked.file], {SSH_AUTH_SOCK: ''});
		expect(run.exitCode).toBe(0);
		expect(run.stderr).toContain('was NOT signed');
		expect(run.stderr).toContain('passphrase');
		const second = newRun(lab, before);
		expect(fs.existsSync(path.join(lab.home, 'signatures', second))).toBe(false);
		expect((await lab.rampart(['report', second])).stdout).toContain('| Outcome | **completed** |');
	});

	it('stop signs through the SSH agent (a key with a passphrase, loaded with ssh-add); journal sign signs a run afterwards', async () => {
		const {lab, signers: aliceOnly} = await failedSignedRun();
		const locked = lab.key('locked', 'a passphrase');
		const signers = lab.allowedSigners(fs.readFileSync(aliceOnly, 'utf8').trim(), locked.line);
		const socket = path.join(lab.work, 'agent.sock');
		const agent = execa('ssh-agent', ['-D', '-a', socket], {reject: false});
		try {
			await expect.poll(() => fs.existsSync(socket)).toBe(true);
			// SSH_ASKPASS hands ssh-add the passphrase: the test has no terminal.
			const askpass = path.join(lab.work, 'askpass.sh');
			fs.writeFileSync(askpass, "#!/bin/sh\necho 'a passphrase'\n", {mode: 0o700});
			await execa('ssh-add', [locked.file], {env: {SSH_AUTH_SOCK: socket, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0'}});
			const stopped = await lab.rampart(['stop', '--reason', 'moved to a new server', '--sign-key', 'agent'], {SSH_AUTH_SOCK: socket});
			expect(stopped.exitCode, stopped.stderr).toBe(0);
			expect(stopped.stderr).toContain('signed the record of run');
		} finally {
			agent.kill();
			await agent;
		}
		const {runs} = await verifyJson(lab, '--allowed-signers', signers, '--require-signatures');
		expect(runs[0]!.signatures.map(s => s.principal)).toEqual(['alice@example.org', 'locked@example.org']);
		expect(runs[0]!.verified).toBe(true);

		// A run that was not signed, signed afterwards.
		const before = lab.runIds();
		expect((await lab.rampart(['run', 'signed-demo', '--yes'])).exitCode).toBe(0);
		const later = newRun(lab, before);
		expect((await lab.rampart(['journal', 'sign', later, '--sign-key', lab.key('alice2').file])).exitCode).toBe(0);
		const after = (await verifyJson(lab, later, '--allowed-signers', signers)).runs[0]!;
		expect(after.signatures[0]).toMatchObject({status: 'unknown-key', events: eventCount(lab.journal(later))});
	}, 60_000);
});

const writeConfig = (dir: string, text: string) => {
	const file = path.join(dir, 'config.yaml');
	fs.writeFileSync(file, text);
	return file;
};
