// The signature store and checks without the CLI: what is signed (the chain
// point of the journal as it is), where it is kept and how privately, and
// what a verifier says when events are cut off or appended after signing.

import {execaSync} from 'execa';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {createRunJournal, reopenRunJournal} from '../../source/journal/run-journal.js';
import {chainPoint, listSignatures, signedText} from '../../source/journal/signature-store.js';
import {checkRunSignatures, signRun} from '../../source/trust/signing.js';
import {modeOf, note, tempDir, tempStateDir} from './helpers.js';

const RUN = '20261201T000000Z-demo-abcd';

const setUp = (events: number) => {
	const stateDir = tempStateDir();
	const journal = createRunJournal(stateDir, RUN);
	for (let i = 0; i < events; i++) journal.append(note(RUN, `event ${i + 1}`));
	journal.close();
	const keys = tempDir();
	const key = path.join(keys, 'id');
	execaSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'op', '-f', key]);
	const signers = path.join(keys, 'allowed_signers');
	fs.writeFileSync(signers, `op@example.org ${fs.readFileSync(`${key}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
	return {stateDir, key, signers, journal: journal.path};
};

describe('signatures of a run', () => {
	it('sign the journal as it is: run id, number of events, last hash; kept 0600 in a 0700 directory', () => {
		const {stateDir, key} = setUp(3);
		const signed = signRun(stateDir, RUN, key, process.env);
		expect(signed.ok).toBe(true);
		const [stored] = listSignatures(stateDir, RUN);
		expect(stored?.events).toBe(3);
		expect(fs.readFileSync(stored!.msg, 'utf8')).toBe(signedText(chainPoint(stateDir, RUN)!));
		expect(fs.readFileSync(stored!.msg, 'utf8')).toMatch(new RegExp(`^rampart journal signature v1\\nrun ${RUN}\\nevents 3\\nlast [0-9a-f]{64}\\n$`));
		expect(modeOf(stored!.sig)).toBe(0o600);
		expect(modeOf(stored!.msg)).toBe(0o600);
		expect(modeOf(path.dirname(stored!.sig))).toBe(0o700);
	});

	it('a torn last line is not signed; events appended later are an unsigned tail; events removed fail the signature', () => {
		const {stateDir, key, signers, journal} = setUp(2);
		fs.appendFileSync(journal, '{"seq":3,"torn');
		expect(signRun(stateDir, RUN, key, process.env)).toMatchObject({ok: true, events: 2});
		fs.truncateSync(journal, fs.statSync(journal).size - '{"seq":3,"torn'.length);

		// Appended as a resume would: through the journal, continuing the chain.
		const reopened = reopenRunJournal(stateDir, RUN);
		reopened.append(note(RUN, 'after the signature'));
		reopened.close();
		let checked = checkRunSignatures(stateDir, RUN, signers, process.env);
		expect(checked.ok).toBe(true);
		expect(checked.signatures[0]).toMatchObject({status: 'good', principal: 'op@example.org', events: 2});
		expect(checked.unsignedTail).toEqual({from: 3, to: 3});

		const lines = fs.readFileSync(journal, 'utf8').split('\n');
		fs.writeFileSync(journal, `${lines[0]}\n`);
		checked = checkRunSignatures(stateDir, RUN, signers, process.env);
		expect(checked.ok).toBe(false);
		expect(checked.signatures[0]!.message).toContain('the journal now holds only 1 event: events were removed after it was signed');
	});

	it('a failure to sign is said, and leaves no signature', () => {
		const {stateDir} = setUp(1);
		const failed = signRun(stateDir, RUN, path.join(tempDir(), 'no-such-key'), process.env);
		expect(failed.ok).toBe(false);
		expect(failed.ok ? '' : failed.why).toContain('no-such-key');
		expect(failed.ok ? '' : failed.why).not.toContain('passphrase');
		expect(listSignatures(stateDir, RUN)).toEqual([]);
		expect(signRun(stateDir, RUN, 'agent', {...process.env, SSH_AUTH_SOCK: ''})).toEqual({ok: false, why: 'no SSH agent ($SSH_AUTH_SOCK is not set)'});
	});
});
