// A block that cannot start says why, in the operator's terms, and its step
// fails without running anything.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {executeBlock} from '../../source/engine/execute-block.js';
import {eventsOf, fixture, frontMatter, sh, startSession, tempDir} from './helpers.js';

const block = (cwd: string, env: Record<string, string>) => executeBlock({code: 'echo ran > ran', cwd, env, interactive: false, onOutput: () => {}});

describe('a block that cannot start', () => {
	it('names a working directory that does not exist', async () => {
		const missing = path.join(tempDir(), 'gone');
		const result = await block(missing, {PATH: process.env.PATH ?? '/usr/bin:/bin'});
		expect(result.exitCode).toBeNull();
		expect(result.error).toBe(`the working directory ${missing} does not exist`);
	});

	it('says bash is not on the PATH it was given, and runs nothing', async () => {
		const dir = tempDir();
		const result = await block(dir, {PATH: path.join(dir, 'empty-bin')});
		expect(result.error).toBe(`bash was not found on the block's PATH (${path.join(dir, 'empty-bin')})`);
		expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
	});

	it('runs nothing when its start cannot be recorded', async () => {
		const dir = tempDir();
		const run = executeBlock({
			code: 'echo ran > ran',
			cwd: dir,
			env: {PATH: process.env.PATH ?? '/usr/bin:/bin'},
			interactive: false,
			onOutput: () => {},
			onSpawn: async () => {
				throw new Error('disk full');
			},
		});
		await expect(run).rejects.toThrow('disk full');
		expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
	});

	it('records the step as failed with that reason', async () => {
		const f = fixture(`${frontMatter('Bad cwd')}# Bad cwd\n\n## Work\n\n${sh('true', 'cwd=nowhere')}`);
		const session = startSession(f);
		const state = await session.runStep('work');
		expect(state.status).toBe('failed');
		const finished = eventsOf(f.stateDir, session.runId).find(e => e.type === 'step-finished');
		expect(finished).toMatchObject({status: 'failed', error: `the working directory ${path.join(f.work, 'nowhere')} does not exist`});
	});
});
