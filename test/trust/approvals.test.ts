// Rule 2: a runbook that is not shipped with Rampart runs only once its exact
// content is approved; a change is shown as a diff and asked for again.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {approve, listApprovals, readApprovals, trustStatus, TrustStoreError} from '../../source/trust/approvals.js';
import {bundledManifest, isBundled} from '../../source/trust/bundled.js';
import {bundledRunbooksDir} from '../../source/runbook/discover.js';
import {parseRunbookBytes} from '../../source/runbook/parse.js';
import type {Runbook} from '../../source/runbook/model.js';
import {cliHome, frontMatter, runCli, sh, tempDir, walk, writeRunbook} from '../engine/helpers.js';

const OPERATOR = {user: 'alice', uid: 1000, host: 'web1'};

const text = (word: string, marker = '/dev/null') => frontMatter('Greeting') + '## Greet\n\n' + sh(`echo ${word}\ntouch ${marker}`);

const reread = (file: string): Runbook => parseRunbookBytes(file, fs.readFileSync(file)).runbook!;

describe('trustStatus and approve', () => {
	it('goes new → approved → changed (with a diff of the one changed character) → approved again', () => {
		const dir = tempDir('rampart-approvals-');
		const stateDir = path.join(dir, 'state');
		const runbook = writeRunbook(dir, 'greet', text('hello'));
		expect(trustStatus(runbook, stateDir)).toEqual({kind: 'new'});

		const approval = approve(runbook, stateDir, OPERATOR, new Date('2026-11-24T10:00:00Z'));
		expect(approval).toMatchObject({
			path: fs.realpathSync(runbook.path),
			runbookId: 'greet',
			sha256: runbook.sha256,
			approvedBy: OPERATOR,
			approvedAt: '2026-11-24T10:00:00.000Z',
		});
		expect(trustStatus(runbook, stateDir)).toMatchObject({kind: 'approved', approval: {sha256: runbook.sha256}});

		// One character.
		fs.writeFileSync(runbook.path, text('hellO'));
		const changed = trustStatus(reread(runbook.path), stateDir);
		expect(changed.kind).toBe('changed');
		if (changed.kind !== 'changed') return;
		expect(changed.approvedSha).toBe(runbook.sha256);
		expect(changed.diff).toContain('-echo hello');
		expect(changed.diff).toContain('+echo hellO');
		expect(changed.diff).toContain('approved 2026-11-24T10:00:00.000Z');

		approve(reread(runbook.path), stateDir, OPERATOR);
		expect(trustStatus(reread(runbook.path), stateDir).kind).toBe('approved');
		// Both approvals stay on record; the list shows the latest per file.
		expect(readApprovals(stateDir)).toHaveLength(2);
		expect(listApprovals(stateDir)).toEqual([expect.objectContaining({path: fs.realpathSync(runbook.path), now: 'approved'})]);
	});

	it('keeps the store private: directories 0700, files 0600, whatever the umask', () => {
		const dir = tempDir('rampart-approvals-');
		const stateDir = path.join(dir, 'state');
		const old = process.umask(0);
		try {
			approve(writeRunbook(dir, 'greet', text('hello')), stateDir, OPERATOR);
		} finally {
			process.umask(old);
		}
		const entries = walk(path.join(stateDir, 'trust'));
		expect(entries.map(e => path.relative(stateDir, e.path)).sort()).toEqual([
			'trust/approvals.json',
			'trust/content',
			expect.stringMatching(/^trust\/content\/[0-9a-f]{64}\.md$/),
		]);
		for (const e of [{path: path.join(stateDir, 'trust'), dir: true}, ...entries]) {
			expect((fs.statSync(e.path).mode & 0o777).toString(8), e.path).toBe(e.dir ? '700' : '600');
		}
	});

	it('refuses an approvals file that others could have written (a forged approval)', () => {
		const dir = tempDir('rampart-approvals-');
		const stateDir = path.join(dir, 'state');
		const runbook = writeRunbook(dir, 'greet', text('hello'));
		approve(runbook, stateDir, OPERATOR);
		fs.chmodSync(path.join(stateDir, 'trust', 'approvals.json'), 0o666);
		expect(() => trustStatus(runbook, stateDir)).toThrow(TrustStoreError);
	});

	it('shows the whole file when the approved copy was altered, instead of a diff against it', () => {
		const dir = tempDir('rampart-approvals-');
		const stateDir = path.join(dir, 'state');
		const runbook = writeRunbook(dir, 'greet', text('hello'));
		approve(runbook, stateDir, OPERATOR);
		fs.writeFileSync(path.join(stateDir, 'trust', 'content', `${runbook.sha256}.md`), text('forged'));
		fs.writeFileSync(runbook.path, text('hellO'));
		expect(trustStatus(reread(runbook.path), stateDir)).toMatchObject({kind: 'changed', diff: undefined});
	});

	it('counts a change of bytes only (line endings) as a change, and says so', () => {
		const dir = tempDir('rampart-approvals-');
		const stateDir = path.join(dir, 'state');
		const runbook = writeRunbook(dir, 'greet', text('hello'));
		approve(runbook, stateDir, OPERATOR);
		fs.writeFileSync(runbook.path, text('hello').replace(/\n/g, '\r\n'));
		const status = trustStatus(reread(runbook.path), stateDir);
		expect(status.kind).toBe('changed');
		expect(status.kind === 'changed' && status.diff).toContain('only its bytes changed');
	});

	it('trusts the bundled runbooks as shipped, but not a copy elsewhere nor a changed one', () => {
		const dir = tempDir('rampart-approvals-');
		const stateDir = path.join(dir, 'state');
		const shipped = path.join(bundledRunbooksDir(), 'account-security.md');
		expect(Object.keys(bundledManifest())).toContain('account-security.md');
		expect(trustStatus(reread(shipped), stateDir)).toEqual({kind: 'bundled'});

		const copy = path.join(dir, 'account-security.md');
		fs.copyFileSync(shipped, copy);
		expect(trustStatus(reread(copy), stateDir)).toEqual({kind: 'new'});
		// Same place, other bytes: an installed copy edited after the build.
		expect(isBundled(shipped, '0'.repeat(64))).toBe(false);
		expect(isBundled(shipped, reread(shipped).sha256, {'account-security.md': 'f'.repeat(64)})).toBe(false);
	});
});

describe('rampart run, approve and trust list', () => {
	const setup = () => {
		const home = cliHome();
		const marker = path.join(home.cwd, 'ran');
		const file = path.join(home.cwd, 'greet.md');
		fs.writeFileSync(file, text('hello', marker), {mode: 0o644});
		return {home, marker, file};
	};

	it('refuses an unapproved runbook headless with exit 2 and runs nothing', async () => {
		const {home, marker, file} = setup();
		const result = await runCli(['run', './greet.md', '--yes'], home);
		expect(result.code, result.stderr).toBe(2);
		expect(result.stderr).toContain(`${file} has not been approved`);
		expect(result.stderr).toContain('--approve');
		expect(result.stderr).toContain(`rampart approve ${file}`);
		expect(fs.existsSync(marker)).toBe(false);
		expect(fs.existsSync(path.join(home.stateDir, 'runs'))).toBe(false);
	});

	it('runs with --approve and records who approved it; an edit of one character is shown as a diff and refused', async () => {
		const {home, marker, file} = setup();
		const first = await runCli(['run', './greet.md', '--yes', '--approve'], home);
		expect(first.code, first.stderr).toBe(0);
		expect(fs.existsSync(marker)).toBe(true);
		const list = JSON.parse((await runCli(['trust', 'list', '--json'], home)).stdout) as Array<Record<string, unknown>>;
		expect(list).toEqual([
			expect.objectContaining({path: fs.realpathSync(file), runbookId: 'greet', now: 'approved', approvedBy: expect.objectContaining({uid: process.getuid!()})}),
		]);

		// Approved: runs again without --approve.
		fs.rmSync(marker);
		expect((await runCli(['run', './greet.md', '--yes'], home)).code).toBe(0);
		expect(fs.existsSync(marker)).toBe(true);

		// One character changed.
		fs.rmSync(marker);
		fs.writeFileSync(file, text('hellO', marker));
		const changed = await runCli(['run', './greet.md', '--yes'], home);
		expect(changed.code, changed.stderr).toBe(2);
		expect(changed.stderr).toContain('has changed since');
		expect(changed.stderr).toContain('-echo hello');
		expect(changed.stderr).toContain('+echo hellO');
		expect(changed.stderr).toContain('--approve');
		expect(fs.existsSync(marker)).toBe(false);
		expect((await runCli(['trust', 'list', '--json'], home)).stdout).toContain('"now": "changed"');

		// The dry run shows the state but does not need the approval.
		const plan = await runCli(['run', './greet.md', '--dry-run'], home);
		expect(plan.code, plan.stderr).toBe(0);
		expect(plan.stdout).toContain('has changed since');

		// `rampart approve` without a terminal needs --yes; it shows the diff either way.
		const refused = await runCli(['approve', './greet.md'], home);
		expect(refused.code).toBe(2);
		expect(refused.stdout).toContain('+echo hellO');
		const approved = await runCli(['approve', './greet.md', '--yes'], home);
		expect(approved.code, approved.stderr).toBe(0);
		expect((await runCli(['run', './greet.md', '--yes'], home)).code).toBe(0);
		expect(fs.existsSync(marker)).toBe(true);
	});

	it('resume asks again when the runbook changed after the run started', async () => {
		const {home, file} = setup();
		fs.appendFileSync(file, '## Manual\n\n- [ ] Done by hand\n');
		expect((await runCli(['run', './greet.md', '--yes', '--approve'], home)).code).toBe(1);
		fs.appendFileSync(file, '\nOne more line.\n');
		const resumed = await runCli(['resume', '--yes', '--ack'], home);
		expect(resumed.code, resumed.stderr).toBe(2);
		expect(resumed.stderr).toContain('+One more line.');
		expect((await runCli(['resume', '--yes', '--ack', '--approve'], home)).code).toBe(0);
	});

	it('runs a bundled runbook without approval (it is trusted as shipped)', async () => {
		const home = cliHome();
		const result = await runCli(['approve', 'account-security'], home);
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('shipped with Rampart');
	});
});
