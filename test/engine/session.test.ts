// RunSession with real bash processes on a temporary state directory: the
// rules an operator meets whatever front end they use.

import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {EngineError} from '../../source/engine/run-session.js';
import {checkRequirements} from '../../source/engine/requirements.js';
import {journalPath, verifyJournal} from '../../source/journal/index.js';
import {eventsOf, fixture, frontMatter, resumeSession, sh, startSession, baseEnv, tempDir, writeRunbook} from './helpers.js';

const read = (dir: string, name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
const exists = (dir: string, name: string) => fs.existsSync(path.join(dir, name));

describe('running a step', () => {
	it('runs the blocks in order and records the step done', async () => {
		const f = fixture(
			frontMatter('Order') +
				'## Three blocks\n\n' +
				sh('echo one >> order') +
				sh('echo two >> order') +
				sh('echo three >> order') +
				// Not sh or bash: shown, never run.
				'```text\necho never >> order\n```\n',
		);
		const session = startSession(f);
		const state = await session.runStep('three-blocks');
		expect(state.status).toBe('done');
		expect(read(f.work, 'order')).toBe('one\ntwo\nthree\n');
		const blocks = eventsOf(f.stateDir, session.runId).filter(e => e.type === 'block-started');
		expect(blocks.map(e => (e.type === 'block-started' ? e.block : -1))).toEqual([0, 1, 2]);
	});

	it('stops the step at the first failing block: later blocks do not run', async () => {
		const f = fixture(frontMatter('Fail') + '## Fails\n\n' + sh('echo first > first') + sh('echo failing; exit 3') + sh('touch later'));
		const session = startSession(f);
		const state = await session.runStep('fails');
		expect(state).toMatchObject({status: 'failed', exitCode: 3});
		expect(exists(f.work, 'first')).toBe(true);
		expect(exists(f.work, 'later')).toBe(false);
		expect(session.allSettled).toBe(false);
	});

	it('stops inside a block at the first failing command (bash -e, -u, pipefail)', async () => {
		const f = fixture(
			frontMatter('Strict') +
				'## Errexit\n\n' +
				sh('false\ntouch after-false') +
				'## Nounset\n\n' +
				sh('echo "${UNDEFINED_THING}"\ntouch after-unset') +
				'## Pipefail\n\n' +
				sh('false | cat\ntouch after-pipe'),
		);
		const session = startSession(f);
		for (const id of ['errexit', 'nounset', 'pipefail']) expect((await session.runStep(id)).status).toBe('failed');
		expect(fs.readdirSync(f.work)).toEqual([]);
	});

	it('carries on past a continue-on-error block', async () => {
		const f = fixture(frontMatter('Carry on') + '## Carry on\n\n' + sh('exit 4', 'continue-on-error') + sh('touch later'));
		const session = startSession(f);
		expect((await session.runStep('carry-on')).status).toBe('done');
		expect(exists(f.work, 'later')).toBe(true);
		const finished = eventsOf(f.stateDir, session.runId).filter(e => e.type === 'block-finished');
		expect(finished.map(e => (e.type === 'block-finished' ? e.exitCode : undefined))).toEqual([4, 0]);
	});

	it('fails the step when a verify fails, although every run block passed', async () => {
		const f = fixture(frontMatter('Verify') + '## Verified\n\n' + sh('touch made') + sh('test -f other-file', 'role=verify'));
		const session = startSession(f);
		const state = await session.runStep('verified');
		expect(state.status).toBe('failed');
		expect(exists(f.work, 'made')).toBe(true);
		fs.writeFileSync(path.join(f.work, 'other-file'), '');
		expect((await session.runStep('verified')).status).toBe('done');
		expect(session.state.steps[0]!.attempts).toBe(2);
	});

	it('refuses a second command while one is running', async () => {
		const f = fixture(frontMatter('Busy') + '## Slow\n\n' + sh('sleep 0.3') + '## Other\n\n' + sh('true'));
		const session = startSession(f);
		const running = session.runStep('slow');
		await expect(session.runStep('other')).rejects.toThrow(/still running/);
		expect(() => session.skip('other', 'why not')).toThrow(/still running/);
		expect((await running).status).toBe('done');
	});
});

describe('checks and skips', () => {
	const text = frontMatter('Checked') + '## Install\n\n' + sh('test -f installed', 'role=check') + sh('touch installed\necho ran >> ran') + '## Other\n\n' + sh('true');

	it('lets a step be marked already done only after its check has passed', async () => {
		const f = fixture(text);
		const session = startSession(f);
		expect(() => session.markAlreadyDone('install')).toThrow(EngineError);
		expect(await session.runCheck('install')).toBe(false);
		expect(() => session.markAlreadyDone('install')).toThrow(/has not passed/);

		fs.writeFileSync(path.join(f.work, 'installed'), '');
		expect(await session.runCheck('install')).toBe(true);
		session.markAlreadyDone('install');
		expect(session.state.steps[0]!.status).toBe('already-done');
		// The step's own work never ran.
		expect(exists(f.work, 'ran')).toBe(false);
		const types = eventsOf(f.stateDir, session.runId).map(e => e.type);
		expect(types.filter(t => t === 'check-finished')).toHaveLength(2);
		expect(types.at(-1)).toBe('step-already-done');
	});

	it('does not accept a check that passed before the step was run and failed', async () => {
		const f = fixture(frontMatter('Stale check') + '## Step\n\n' + sh('true', 'role=check') + sh('exit 1'));
		const session = startSession(f);
		expect(await session.runCheck('step')).toBe(true);
		expect((await session.runStep('step')).status).toBe('failed');
		expect(() => session.markAlreadyDone('step')).toThrow(/has not passed/);
	});

	it('requires a reason to skip a step and records it', () => {
		const f = fixture(text);
		const session = startSession(f);
		expect(() => session.skip('other', '')).toThrow(/say why/);
		expect(() => session.skip('other', '   ')).toThrow(/say why/);
		session.skip('other', '  not on this host ');
		expect(session.state.steps[1]).toMatchObject({status: 'skipped', skipReason: 'not on this host'});
		expect(() => session.skip('nope', 'x')).toThrow(/no step "nope"/);
	});

	it('completes only when every step is done, already done or skipped', async () => {
		const f = fixture(text);
		const session = startSession(f);
		expect(() => session.finish('completed')).toThrow(/cannot be completed/);
		await session.runStep('install');
		session.skip('other', 'later');
		expect(session.finish()).toBe('completed');
		expect(eventsOf(f.stateDir, session.runId).at(-1)).toMatchObject({type: 'run-finished', outcome: 'completed'});
		expect(() => session.skip('other', 'x')).toThrow(EngineError);
	});
});

describe('manual steps', () => {
	it('runs a step with task items only once every item is ticked', async () => {
		const f = fixture(frontMatter('Manual') + '## Do by hand\n\n- [ ] First thing\n- [x] Second thing\n\n' + sh('touch verified', 'role=verify'));
		const session = startSession(f);
		await expect(session.runStep('do-by-hand')).rejects.toThrow(/2 items still to tick/);
		session.tick('do-by-hand', 0);
		session.tick('do-by-hand', 0);
		// Ticked in the source is not ticked in this run.
		await expect(session.runStep('do-by-hand')).rejects.toThrow(/1 item still to tick/);
		expect(exists(f.work, 'verified')).toBe(false);
		expect(() => session.tick('do-by-hand', 2)).toThrow(/no item 3/);
		session.tick('do-by-hand', 1);
		expect(session.blockers('do-by-hand')).toEqual([]);
		expect((await session.runStep('do-by-hand')).status).toBe('done');
		expect(exists(f.work, 'verified')).toBe(true);
		const ticks = eventsOf(f.stateDir, session.runId).filter(e => e.type === 'task-ticked');
		expect(ticks.map(e => (e.type === 'task-ticked' ? e.text : ''))).toEqual(['First thing', 'Second thing']);
	});

	it('needs a prose-only step acknowledged before it counts as done', async () => {
		const f = fixture(frontMatter('Prose') + '## Read this\n\nKeep a second session open.\n\n```text\nnot run\n```\n');
		const session = startSession(f);
		expect(session.blockers('read-this')).toEqual(['the step needs your acknowledgement']);
		await expect(session.runStep('read-this')).rejects.toThrow(/acknowledgement/);
		session.acknowledge('read-this');
		expect((await session.runStep('read-this')).status).toBe('done');
	});

	it('records notes on a step and on the run', () => {
		const f = fixture(frontMatter('Notes') + '## A step\n\nText.\n');
		const session = startSession(f);
		session.addNote('a-step', ' saw a warning ');
		session.addNote(undefined, 'whole run');
		expect(() => session.addNote(undefined, '  ')).toThrow(/needs some text/);
		expect(session.state.steps[0]!.notes.map(n => n.text)).toEqual(['saw a warning']);
		expect(session.state.notes.map(n => n.text)).toEqual(['whole run']);
	});
});

describe('what the rules allow for a step', () => {
	const text =
		frontMatter('Actions') +
		'## Install\n\n' +
		sh('test -f installed', 'role=check') +
		sh('touch installed') +
		sh('rm -f installed', 'role=rollback') +
		'## Manual\n\n- [ ] Looked at it\n\n';

	it('offers and allows skip, accept and rollback only where they make sense', async () => {
		const f = fixture(text);
		const session = startSession(f);
		expect([...session.actionsFor('install')].sort()).toEqual(['check', 'run', 'skip']);
		await expect(session.rollbackStep('install')).rejects.toThrow(/pending: it did nothing to roll back/);

		await session.runStep('install');
		expect([...session.actionsFor('install')].sort()).toEqual(['check', 'rollback', 'run']);
		expect(() => session.skip('install', 'changed my mind')).toThrow(/already done: there is nothing to skip/);
		expect(await session.runCheck('install')).toBe(true);
		expect(() => session.markAlreadyDone('install')).toThrow(/already done/);
		expect([...session.actionsFor('manual')].sort()).toEqual(['run', 'skip', 'tick']);

		expect(await session.rollbackStep('install')).toBe(true);
		expect(session.state.steps[0]!.status).toBe('rolled-back');
		expect(session.actionsFor('install').has('rollback')).toBe(false);
	});
});

describe('confirmation', () => {
	const text =
		frontMatter('Confirm', '  TARGET:\n    type: string\n    prompt: Database to drop') +
		'## Drop it\n\n' +
		sh('echo dropped >> dropped', 'confirm=TARGET') +
		'## Plain confirm\n\n' +
		sh('touch confirmed', 'confirm');

	it('refuses to run a confirm=NAME block without the input value typed', async () => {
		const f = fixture(text);
		const session = startSession(f, {inputs: {TARGET: 'prod-db'}});
		expect(session.confirmationsFor('drop-it')).toEqual([{block: 0, word: 'prod-db', input: 'TARGET'}]);
		await expect(session.runStep('drop-it')).rejects.toThrow(/must be confirmed first \(type "prod-db"\)/);
		await expect(session.runStep('drop-it', {confirmations: {0: 'yes'}})).rejects.toThrow(EngineError);
		await expect(session.runStep('drop-it', {confirmations: {0: 'prod-db '}})).rejects.toThrow(EngineError);
		expect(exists(f.work, 'dropped')).toBe(false);
		expect(eventsOf(f.stateDir, session.runId).some(e => e.type === 'step-started')).toBe(false);

		expect((await session.runStep('drop-it', {confirmations: {0: 'prod-db'}})).status).toBe('done');
		expect(read(f.work, 'dropped')).toBe('dropped\n');
	});

	it('asks for "yes" on a bare confirm, and --yes confirms everything', async () => {
		const f = fixture(text);
		const session = startSession(f, {inputs: {TARGET: 'prod-db'}});
		expect(session.confirmationsFor('plain-confirm')).toEqual([{block: 0, word: 'yes'}]);
		await expect(session.runStep('plain-confirm')).rejects.toThrow(/type "yes"/);
		expect((await session.runStep('plain-confirm', {confirmations: {0: 'yes'}})).status).toBe('done');
		expect((await session.runStep('drop-it', {confirmAll: true})).status).toBe('done');
	});
});

describe('confirmation of a secret', () => {
	it('never shows a secret as the word to type: it asks for "yes"', async () => {
		const f = fixture(frontMatter('Confirm secret', '  PASSPHRASE:\n    type: secret\n    prompt: Passphrase') + '## Wipe\n\n' + sh('true', 'confirm=PASSPHRASE'));
		const session = startSession(f, {inputs: {PASSPHRASE: 'correct horse'}});
		expect(session.confirmationsFor('wipe')).toEqual([{block: 0, word: 'yes'}]);
		await expect(session.runStep('wipe')).rejects.toThrow(/type "yes"/);
	});
});

describe('rollback', () => {
	const step = (n: number, rollback: string) => `## Step ${n}\n\n` + sh(`echo do-${n} >> order`) + sh(rollback, 'role=rollback');
	const undo = (n: number) => `echo undo-${n} >> order`;

	it('rolls back the done steps in reverse order and ends the run rolled back', async () => {
		const f = fixture(frontMatter('Rollback') + step(1, undo(1)) + step(2, undo(2)) + step(3, undo(3)) + step(4, undo(4)));
		const session = startSession(f);
		for (const id of ['step-1', 'step-2', 'step-3']) await session.runStep(id);
		// Step 4 was skipped, so nothing of it is undone.
		session.skip('step-4', 'not today');
		expect(session.rollbackPlan()).toEqual(['step-3', 'step-2', 'step-1']);
		expect(await session.rollbackRun()).toBe(true);
		expect(read(f.work, 'order')).toBe('do-1\ndo-2\ndo-3\nundo-3\nundo-2\nundo-1\n');
		expect(session.state.steps.map(s => s.status)).toEqual(['rolled-back', 'rolled-back', 'rolled-back', 'skipped']);
		expect(session.state.outcome).toBe('rolled-back');
		expect(verifyJournal(journalPath(f.stateDir, session.runId)).ok).toBe(true);
	});

	it('stops at the first rollback that fails', async () => {
		const f = fixture(frontMatter('Rollback fails') + step(1, undo(1)) + step(2, `${undo(2)}\nexit 5`) + step(3, undo(3)));
		const session = startSession(f);
		for (const id of ['step-1', 'step-2', 'step-3']) await session.runStep(id);
		expect(await session.rollbackRun()).toBe(false);
		expect(read(f.work, 'order')).toBe('do-1\ndo-2\ndo-3\nundo-3\nundo-2\n');
		expect(session.state.steps.map(s => s.status)).toEqual(['done', 'done', 'rolled-back']);
		expect(session.state.steps[1]!.rollback?.ok).toBe(false);
		expect(session.state.outcome).toBeUndefined();
	});

	it('rolls back a single failed step on request', async () => {
		const f = fixture(frontMatter('One') + '## Half done\n\n' + sh('echo half >> order\nexit 1') + sh(undo(1), 'role=rollback') + '## None\n\n' + sh('true'));
		const session = startSession(f);
		expect((await session.runStep('half-done')).status).toBe('failed');
		expect(await session.rollbackStep('half-done')).toBe(true);
		expect(read(f.work, 'order')).toBe('half\nundo-1\n');
		await expect(session.rollbackStep('none')).rejects.toThrow(/has no rollback/);
	});
});

describe('where and with what a block runs', () => {
	it('runs in the session cwd by default and in cwd= when given', async () => {
		const elsewhere = path.join(tempDir(), 'elsewhere');
		fs.mkdirSync(elsewhere);
		const f = fixture(frontMatter('Cwd') + '## Where\n\n' + sh('pwd > where') + sh('pwd > where', `cwd=${elsewhere}`));
		const session = startSession(f);
		expect((await session.runStep('where')).status).toBe('done');
		expect(read(f.work, 'where')).toBe(`${f.work}\n`);
		expect(read(elsewhere, 'where')).toBe(`${elsewhere}\n`);
	});

	it("reads a relative cwd= from the run's directory, not from where the process happens to be", async () => {
		const f = fixture(frontMatter('Relative cwd') + '## Sub\n\n' + sh('pwd > where', 'cwd=sub/dir'));
		fs.mkdirSync(path.join(f.work, 'sub', 'dir'), {recursive: true});
		const session = startSession(f);
		expect((await session.runStep('sub')).status).toBe('done');
		expect(read(path.join(f.work, 'sub', 'dir'), 'where')).toBe(`${path.join(f.work, 'sub', 'dir')}\n`);
	});

	it('fails the step with a message when the cwd= directory does not exist', async () => {
		const f = fixture(frontMatter('Bad cwd') + '## Nowhere\n\n' + sh('touch here', 'cwd=/nonexistent/rampart-test-dir'));
		const session = startSession(f);
		const state = await session.runStep('nowhere');
		expect(state.status).toBe('failed');
		expect(state.error).toMatch(/nonexistent\/rampart-test-dir/);
	});

	it("gives blocks the operator's environment without RAMPART_*, plus the inputs and the block's own marker", async () => {
		const f = fixture(
			frontMatter('Env', '  DOMAIN:\n    type: domain\n    prompt: Domain\n  NOTE:\n    type: string\n    prompt: Note\n    optional: true') +
				'## Env\n\n' +
				sh('env > env.txt'),
		);
		const session = startSession(f, {
			inputs: {DOMAIN: 'example.org', NOTE: ''},
			env: baseEnv({OPERATOR_MARK: 'from-operator', RAMPART_HOME: '/somewhere', RAMPART_INPUT_DOMAIN: 'x.org', RAMPART_DEBUG: '1'}),
		});
		expect((await session.runStep('env')).status).toBe('done');
		const env = read(f.work, 'env.txt').split('\n');
		expect(env).toContain('OPERATOR_MARK=from-operator');
		expect(env).toContain('DOMAIN=example.org');
		expect(env).toContain('NOTE=');
		// Only the marker that finds what the block started (engine/block-tree.ts).
		expect(env.filter(line => line.startsWith('RAMPART_'))).toEqual([expect.stringMatching(/^RAMPART_BLOCK=[0-9a-f]{16}$/)]);
	});

	it('gives a secret input only to the blocks that mention it', async () => {
		const f = fixture(
			frontMatter('Secret env', '  TOKEN:\n    type: secret\n    prompt: API token') +
				'## Use it\n\n' +
				sh('printf %s "$TOKEN" > with-token') +
				sh('env > without-token') +
				sh('printf %s "${#TOKEN}" > token-length'),
		);
		const session = startSession(f, {inputs: {TOKEN: 'tok-4f9a1'}});
		expect((await session.runStep('use-it')).status).toBe('done');
		expect(read(f.work, 'with-token')).toBe('tok-4f9a1');
		expect(read(f.work, 'without-token')).not.toMatch(/TOKEN|tok-4f9a1/);
		expect(read(f.work, 'token-length')).toBe('9');
	});
});

describe('step logs', () => {
	it("keeps each step's output on disk, with the SHA-256 recorded in the journal", async () => {
		const f = fixture(
			frontMatter('Logs') +
				'## Noisy\n\n' +
				sh('for i in $(seq 1 2000); do echo "out line $i"; done\necho "to stderr" >&2\nprintf "no newline at end"') +
				'## Quiet failure\n\n' +
				sh('echo "about to fail"; exit 9'),
		);
		const session = startSession(f);
		const lines: string[] = [];
		session.subscribe(event => {
			if (event.type === 'output') lines.push(...event.lines.map(line => `${event.stream}:${line}`));
		});
		await session.runStep('noisy');
		await session.runStep('quiet-failure');
		expect(lines).toHaveLength(2003);
		expect(lines).toContain('stderr:to stderr');
		expect(lines.at(-2)).toBe('stdout:no newline at end');

		const refs = session.state.steps.map(s => s.logs[0]!);
		for (const ref of refs) {
			const bytes = fs.readFileSync(path.join(f.stateDir, ref.path));
			expect(createHash('sha256').update(bytes).digest('hex')).toBe(ref.sha256);
			expect(bytes.length).toBe(ref.bytes);
		}
		const noisy = fs.readFileSync(path.join(f.stateDir, refs[0]!.path), 'utf8');
		expect(noisy).toContain('out line 1\n');
		expect(noisy).toContain('out line 2000\n');
		expect(noisy).toContain('to stderr\n');
		expect(noisy).toContain('no newline at end\n');
		expect(fs.readFileSync(path.join(f.stateDir, refs[1]!.path), 'utf8')).toMatch(/about to fail\n[^]*exit 9/);
		expect(verifyJournal(journalPath(f.stateDir, session.runId))).toMatchObject({ok: true, problems: []});
	});
});

describe('resume', () => {
	it('continues a closed run where it stopped and names the steps that changed', async () => {
		const f = fixture(frontMatter('Resume') + '## One\n\n' + sh('echo one >> order') + '## Two\n\n' + sh('echo two >> order'));
		const first = startSession(f);
		await first.runStep('one');
		first.close();
		expect(() => first.skip('two', 'x')).toThrow(/closed/);

		const text = frontMatter('Resume') + '## One\n\n' + sh('echo one >> order') + '## Two\n\n' + sh('echo two-changed >> order');
		const runbook = writeRunbook(path.dirname(f.runbook.path), f.runbook.id, text);
		const session = resumeSession({...f, runbook}, first.runId);
		expect(session.state.steps.map(s => s.status)).toEqual(['done', 'pending']);
		expect(session.state.resumes.at(-1)!.changedSteps).toEqual(['two']);
		await session.runStep('two');
		expect(session.finish()).toBe('completed');
		expect(read(f.work, 'order')).toBe('one\ntwo-changed\n');
		expect(() => resumeSession(f, first.runId)).toThrow(/already finished/);
	});
});

describe('checkRequirements', () => {
	const none = {root: false, os: [], commands: []};

	it('asks for root, and says Rampart will not use sudo itself', () => {
		const [problem, ...rest] = checkRequirements({...none, root: true}, {uid: 1000, path: ''});
		expect(rest).toEqual([]);
		expect(problem).toEqual({kind: 'root', message: expect.stringMatching(/needs root.*sudo/)});
		expect(checkRequirements({...none, root: true}, {uid: 0, path: ''})).toEqual([]);
	});

	it('matches the OS by ID and ID_LIKE and names this system when it does not', () => {
		const osRelease = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE="debian"\nVERSION_ID="24.04"\n';
		expect(checkRequirements({...none, os: ['debian']}, {uid: 0, osRelease, path: ''})).toEqual([]);
		expect(checkRequirements({...none, os: ['Ubuntu']}, {uid: 0, osRelease, path: ''})).toEqual([]);
		expect(checkRequirements({...none, os: ['fedora', 'rhel']}, {uid: 0, osRelease, path: ''})).toEqual([
			{kind: 'os', message: 'this runbook is for fedora or rhel; this system is ubuntu/debian'},
		]);
		expect(checkRequirements({...none, os: ['debian']}, {uid: 0, path: ''})[0]!.message).toMatch(/unknown \(no \/etc\/os-release\)/);
	});

	it('names every command missing from PATH, and only those', () => {
		const bin = tempDir();
		fs.writeFileSync(path.join(bin, 'mytool'), '#!/bin/sh\n', {mode: 0o755});
		fs.writeFileSync(path.join(bin, 'notexec'), '#!/bin/sh\n', {mode: 0o644});
		const problems = checkRequirements({...none, commands: ['mytool', 'notexec', 'nosuchtool']}, {uid: 0, path: `/nonexistent::${bin}`});
		expect(problems).toEqual([
			{kind: 'commands', message: expect.stringContaining('commands not found on PATH: notexec, nosuchtool'), commands: ['notexec', 'nosuchtool']},
		]);
		expect(checkRequirements({...none, commands: ['mytool']}, {uid: 0, path: bin})).toEqual([]);
	});
});
