// The decision the TUI asks for before it starts or resumes a run: the same
// rules as the command line, with nothing printed or prompted.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {approveRunbook, assessTrust} from '../../source/trust/gate.js';
import {parseRunbookBytes} from '../../source/runbook/parse.js';
import {frontMatter, sh, tempDir, writeRunbook} from '../engine/helpers.js';

const OPERATOR = {user: 'alice', uid: 1000, host: 'web1'};
const text = (word: string) => frontMatter('Greeting') + '## Greet\n\n' + sh(`echo ${word}`);

describe('assessTrust', () => {
	it('asks for approval of a new runbook with its whole text, then lets it run', () => {
		const dir = tempDir('rampart-gate-');
		const stateDir = path.join(dir, 'state');
		const runbook = writeRunbook(dir, 'greet', text('hello'));
		const first = assessTrust(runbook, {stateDir, uid: 0, env: {}});
		expect(first).toMatchObject({mayRun: false, needsApproval: true, status: {kind: 'new'}, review: runbook.source});
		expect(first.summary).toContain('has not been approved');

		approveRunbook(runbook, stateDir, OPERATOR);
		expect(assessTrust(runbook, {stateDir, uid: 0, env: {}})).toMatchObject({mayRun: true, needsApproval: false, status: {kind: 'approved'}});

		fs.writeFileSync(runbook.path, text('bye'));
		const changed = assessTrust(parseRunbookBytes(runbook.path, fs.readFileSync(runbook.path)).runbook!, {stateDir, uid: 0, env: {}});
		expect(changed).toMatchObject({mayRun: false, needsApproval: true, status: {kind: 'changed'}});
		expect(changed.review).toContain('+echo bye');
		expect(changed.summary).toContain('has changed since alice approved it');
	});

	it('refuses, without offering approval, a runbook others can write when running as root', () => {
		const dir = tempDir('rampart-gate-');
		const runbook = writeRunbook(dir, 'greet', text('hello'));
		fs.chmodSync(runbook.path, 0o666);
		const assessment = assessTrust(runbook, {stateDir: path.join(dir, 'state'), uid: 0, env: {}});
		expect(assessment).toMatchObject({mayRun: false, needsApproval: false, refused: {exitCode: 3}});
		expect(assessment.refused!.message).toContain(`chmod go-w ${runbook.path}`);
		// Not root: the permissions are lint's business, not a refusal.
		expect(assessTrust(runbook, {stateDir: path.join(dir, 'state'), uid: 1000, env: {}}).refused).toBeUndefined();
	});
});
