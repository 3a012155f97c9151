// A run whose blocks go to another host (a fleet host): what the engine
// records, how it keeps each host apart, and that such a run's commands can
// never end up running on this machine.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import type {BlockExecutor, BlockRun} from '../../source/engine/execute-block.js';
import {ConnectionLostError} from '../../source/engine/run-session.js';
import {readCompletionIndex} from '../../source/journal/completion-index.js';
import {openRun, withHostInputs} from '../../source/engine/open-run.js';
import {approveRunbook} from '../../source/trust/gate.js';
import {eventsOf, fixture, frontMatter, resumeSession, sh, startSession} from './helpers.js';

const target = (host: string) => ({
	host,
	destination: `${host}.example`,
	address: '192.0.2.1',
	hostKey: 'ssh-ed25519 SHA256:abc',
	fleet: '20261207T000000Z-fleet-book-0000',
});

/** Runs nothing anywhere: records what it was asked to run, and answers as told. */
const fakeHost = (answer: (run: BlockRun) => Partial<Awaited<ReturnType<BlockExecutor>>> = () => ({exitCode: 0})) => {
	const runs: BlockRun[] = [];
	const execute: BlockExecutor = async run => {
		runs.push(run);
		await run.onSpawn?.(4242);
		run.onOutput('stdout', `ran on the host\n`);
		run.onOutput('stdout', '', true);
		return {exitCode: null, timedOut: false, cancelled: false, durationMs: 1, ...answer(run)};
	};
	return {runs, execute};
};

describe('a run on another host', () => {
	it("records the host, starts blocks from the host's environment (not the operator's), and keeps its due date apart", async () => {
		const f = fixture(frontMatter('Book', '  NAME:\n    type: string\n    prompt: a name') + '## One\n\n' + sh('echo "$NAME"'));
		const host = fakeHost();
		const session = startSession(f, {inputs: {NAME: 'x'}, executor: host.execute, target: target('web1'), targetEnv: {SSH_CLIENT: '198.51.100.7 50000 22'}});
		await session.runStep('one');
		session.finish();
		const [started] = eventsOf(f.stateDir, session.runId);
		expect(started).toMatchObject({type: 'run-started', target: {host: 'web1', hostKey: 'ssh-ed25519 SHA256:abc'}});
		expect(eventsOf(f.stateDir, session.runId).find(e => e.type === 'block-started')).toMatchObject({pgid: 4242, host: 'web1', remote: true});
		// The operator's HOME, PATH and the rest mean nothing on the host: only the inputs and SSH_CLIENT go.
		expect(host.runs[0]!.env).toEqual({SSH_CLIENT: '198.51.100.7 50000 22', NAME: 'x'});
		expect(host.runs[0]!.cwd).toBe('');
		expect(session.runId).toMatch(/-book-web1-/);
		expect(Object.keys(readCompletionIndex(f.stateDir))).toEqual(['book@web1']);
	});

	it('runs on two hosts at once without one holding the other up', async () => {
		const f = fixture(frontMatter('Book') + '## One\n\n' + sh('true'));
		const a = startSession(f, {executor: fakeHost().execute, target: target('web1')});
		const b = startSession(f, {executor: fakeHost().execute, target: target('web2')});
		await Promise.all([a.runStep('one'), b.runStep('one')]);
		a.finish();
		b.finish();
		expect(Object.keys(readCompletionIndex(f.stateDir)).sort()).toEqual(['book@web1', 'book@web2']);
	});

	it('leaves the step interrupted and closes the run when the connection goes', async () => {
		const f = fixture(frontMatter('Book') + '## One\n\n' + sh('sleep 1'));
		const session = startSession(f, {executor: fakeHost(() => ({connectionLost: 'the connection closed'})).execute, target: target('web1')});
		await expect(session.runStep('one')).rejects.toBeInstanceOf(ConnectionLostError);
		expect(session.lost).toBe('the connection closed');
		const events = eventsOf(f.stateDir, session.runId);
		expect(events.some(e => e.type === 'step-finished')).toBe(false);
		expect(events.at(-1)).toMatchObject({type: 'block-started'});
		const resumed = resumeSession(f, session.runId, {executor: fakeHost().execute, target: target('web1')});
		expect(resumed.state.steps[0]!.status).toBe('interrupted');
		resumed.close();
	});

	it("never runs a host's blocks here when its run is reopened without a connection", async () => {
		const f = fixture(frontMatter('Book') + '## One\n\n' + sh('touch ran-here'));
		const first = startSession(f, {executor: fakeHost().execute, target: target('web1')});
		first.close();
		const reopened = resumeSession(f, first.runId);
		const state = await reopened.runStep('one');
		expect(state.status).toBe('failed');
		expect(state.error).toMatch(/run on web1 over SSH, and this command has no connection to it/);
		expect(fs.existsSync(path.join(f.work, 'ran-here'))).toBe(false);
		reopened.finish('stopped', 'moved');
		expect(eventsOf(f.stateDir, first.runId).at(-1)).toMatchObject({type: 'run-finished', outcome: 'stopped'});
	});

	it("gives each host its own view of the operator's address for an input that defaults to it", async () => {
		const f = fixture(
			frontMatter('Book', '  ALLOW:\n    type: cidr-list\n    prompt: who may connect\n    default-from: ssh-client\n  NAME:\n    type: string\n    prompt: a name') +
				'## One\n\n' +
				sh('echo "$ALLOW $NAME"'),
		);
		approveRunbook(f.runbook, f.stateDir, {user: 'tester', uid: process.getuid?.() ?? 0, host: 'here'});
		const run = {env: {PATH: process.env.PATH}, cwd: f.work, stateDir: () => f.stateDir};
		// The operator's own session has no SSH_CLIENT (a laptop): here it would be a missing input.
		const local = await openRun(run, {runbook: f.runbook.path}, {given: {NAME: 'x'}});
		expect(local).toMatchObject({kind: 'needs-inputs', problems: [{input: 'ALLOW'}]});
		const fleet = await openRun(run, {runbook: f.runbook.path}, {given: {NAME: 'x'}, remote: true});
		expect(fleet).toMatchObject({kind: 'ready', perHostInputs: ['ALLOW']});
		if (fleet.kind !== 'ready') throw new Error('not ready');
		expect(withHostInputs(fleet, {SSH_CLIENT: '198.51.100.7 50000 22'})).toMatchObject({ready: {inputs: {ALLOW: '198.51.100.7/32', NAME: 'x'}}});
		expect(withHostInputs(fleet, {SSH_CLIENT: '10.0.0.9 50000 22'})).toMatchObject({ready: {inputs: {ALLOW: '10.0.0.9/32'}}});
		expect(withHostInputs(fleet, {})).toMatchObject({problems: [{input: 'ALLOW'}]});
		// Given explicitly, it is the same everywhere.
		const given = await openRun(run, {runbook: f.runbook.path}, {given: {NAME: 'x', ALLOW: '192.0.2.0/24'}, remote: true});
		expect(given).toMatchObject({kind: 'ready', inputs: {ALLOW: '192.0.2.0/24'}});
		expect(given).not.toHaveProperty('perHostInputs');
	});
});
