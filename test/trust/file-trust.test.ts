// Rule 1: as root, a runbook that someone other than root or its owner could
// have changed is refused before anything runs, with the path and the fix.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {checkFileTrust} from '../../source/trust/file-trust.js';
import {cliHome, frontMatter, runCli, sh, tempDir} from '../engine/helpers.js';

const asRoot = process.getuid?.() === 0;
const ROOT = {uid: 0, invokingUid: 0};

/** A runbook whose only block leaves a file behind, so a refusal can be seen to run nothing. */
const sideEffectBook = (marker: string) => frontMatter('Side effect') + '## Touch\n\n' + sh(`touch ${marker}`);

/** A private directory (like mkdtemp's) with a runbook in it at mode 0644. */
const privateBook = () => {
	const dir = tempDir('rampart-trust-');
	const file = path.join(dir, 'book.md');
	fs.writeFileSync(file, sideEffectBook('/dev/null'));
	fs.chmodSync(file, 0o644);
	return {dir, file};
};

describe('checkFileTrust', () => {
	it('accepts a root-owned runbook in root-owned directories under /tmp (sticky, owned by root)', () => {
		const {file} = privateBook();
		expect(checkFileTrust(file, ROOT)).toEqual([]);
	});

	it('refuses a world-writable file, naming the path and the fix', () => {
		const {file} = privateBook();
		fs.chmodSync(file, 0o666);
		const problems = checkFileTrust(file, ROOT);
		expect(problems).toHaveLength(1);
		expect(problems[0]).toMatchObject({path: file, kind: 'writable'});
		expect(problems[0]!.message).toContain(`chmod go-w ${file}`);
	});

	it('refuses a group-writable file', () => {
		const {file} = privateBook();
		fs.chmodSync(file, 0o664);
		expect(checkFileTrust(file, ROOT).map(p => p.kind)).toEqual(['writable']);
	});

	it('refuses a runbook in a world-writable directory without the sticky bit', () => {
		const {dir} = privateBook();
		const open = path.join(dir, 'open');
		fs.mkdirSync(open);
		fs.chmodSync(open, 0o777);
		const file = path.join(open, 'book.md');
		fs.writeFileSync(file, 'x', {mode: 0o644});
		const problems = checkFileTrust(file, ROOT);
		expect(problems.map(p => p.path)).toEqual([open]);
		expect(problems[0]!.message).toContain(`chmod go-w ${open}`);
	});

	it('accepts a sticky directory only when root owns it', () => {
		const {dir} = privateBook();
		const sticky = path.join(dir, 'sticky');
		fs.mkdirSync(sticky);
		fs.chmodSync(sticky, 0o1777);
		const file = path.join(sticky, 'book.md');
		fs.writeFileSync(file, 'x', {mode: 0o644});
		expect(checkFileTrust(file, ROOT)).toEqual([]);
		if (asRoot) {
			fs.chownSync(sticky, 65534, 65534);
			expect(checkFileTrust(file, ROOT).map(p => `${p.kind}:${p.path}`)).toEqual([`owner:${sticky}`, `writable:${sticky}`]);
		}
	});

	it('checks the real path too: a link from a safe place into a world-writable directory is refused', () => {
		const {dir} = privateBook();
		const open = path.join(dir, 'open');
		fs.mkdirSync(open);
		fs.chmodSync(open, 0o777);
		fs.writeFileSync(path.join(open, 'real.md'), 'x', {mode: 0o644});
		const link = path.join(dir, 'link.md');
		fs.symlinkSync(path.join(open, 'real.md'), link);
		expect(checkFileTrust(link, ROOT).map(p => p.path)).toEqual([open]);
	});

	it.skipIf(!asRoot)('refuses a file owned by someone who is neither root nor the invoking user', () => {
		const {file} = privateBook();
		fs.chownSync(file, 65534, 65534);
		const problems = checkFileTrust(file, ROOT);
		expect(problems.map(p => p.kind)).toEqual(['owner']);
		expect(problems[0]!.message).toContain(`chown root ${file}`);
		// The same file is fine for root run by that user through sudo (SUDO_UID=65534)...
		expect(checkFileTrust(file, {uid: 0, invokingUid: 65534})).toEqual([]);
	});

	it.skipIf(!asRoot)('refuses a directory owned by another user even when it is not writable by others', () => {
		const {dir} = privateBook();
		const theirs = path.join(dir, 'theirs');
		fs.mkdirSync(theirs, {mode: 0o755});
		fs.chownSync(theirs, 65534, 65534);
		const file = path.join(theirs, 'book.md');
		fs.writeFileSync(file, 'x', {mode: 0o644});
		expect(checkFileTrust(file, ROOT).map(p => `${p.kind}:${p.path}`)).toEqual([`owner:${theirs}`]);
	});
});

describe.skipIf(!asRoot)('rampart run as root', () => {
	it('refuses a world-writable runbook with exit 3, and its block never runs', async () => {
		const home = cliHome();
		const marker = path.join(home.cwd, 'ran');
		const file = path.join(home.cwd, 'open.md');
		fs.writeFileSync(file, sideEffectBook(marker));
		fs.chmodSync(file, 0o666);
		const result = await runCli(['run', './open.md', '--yes', '--approve'], home);
		expect(result.code, result.stderr).toBe(3);
		expect(result.stderr).toContain(file);
		expect(result.stderr).toContain(`chmod go-w ${file}`);
		expect(fs.existsSync(marker)).toBe(false);
		// Refused before anything was recorded, approval included.
		expect(fs.existsSync(path.join(home.stateDir, 'trust'))).toBe(false);
		expect(fs.existsSync(path.join(home.stateDir, 'runs'))).toBe(false);
	});

	it('refuses a runbook in a world-writable directory with exit 3, and its block never runs', async () => {
		const home = cliHome();
		const marker = path.join(home.cwd, 'ran');
		const open = path.join(home.cwd, 'shared');
		fs.mkdirSync(open);
		fs.chmodSync(open, 0o777);
		fs.writeFileSync(path.join(open, 'book.md'), sideEffectBook(marker), {mode: 0o644});
		const result = await runCli(['run', './shared/book.md', '--yes', '--approve'], home);
		expect(result.code, result.stderr).toBe(3);
		expect(result.stderr).toContain(`chmod go-w ${open}`);
		expect(fs.existsSync(marker)).toBe(false);

		// Resume refuses it the same way (the run was never started, so fix, start, break, resume).
		fs.chmodSync(open, 0o755);
		const started = await runCli(['run', './shared/book.md', '--yes', '--approve'], home);
		expect(started.code, started.stderr).toBe(0);
		expect(fs.existsSync(marker)).toBe(true);
	});

	it('lets resume refuse a runbook that became world-writable', async () => {
		const home = cliHome();
		const file = path.join(home.cwd, 'two.md');
		fs.writeFileSync(file, frontMatter('Two') + '## First\n\n' + sh('true') + '## Manual\n\n- [ ] Done by hand\n', {mode: 0o644});
		const first = await runCli(['run', './two.md', '--yes', '--approve'], home);
		expect(first.code, first.stderr).toBe(1);
		fs.chmodSync(file, 0o666);
		const resumed = await runCli(['resume', '--yes', '--ack'], home);
		expect(resumed.code, resumed.stderr).toBe(3);
		expect(resumed.stderr).toContain(`chmod go-w ${file}`);
	});

	it('lint reports the same as a warning', async () => {
		const home = cliHome();
		const file = path.join(home.cwd, 'open.md');
		fs.writeFileSync(file, sideEffectBook('/dev/null'));
		fs.chmodSync(file, 0o666);
		const result = await runCli(['lint', '--no-shellcheck', '--json', './open.md'], home);
		const diagnostics = JSON.parse(result.stdout) as Array<{severity: string; rule: string; message: string}>;
		expect(diagnostics).toContainEqual(expect.objectContaining({severity: 'warning', rule: 'file-trust', message: expect.stringContaining(`chmod go-w ${file}`)}));
		expect(result.code).toBe(0);
	});
});
