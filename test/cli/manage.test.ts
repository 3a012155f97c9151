// What the TUI offers on an unfinished run, done headless: skip with a
// reason, notes, roll back, stop. Real processes on the built binary.

import {execa} from 'execa';
import {mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {beforeEach, describe, expect, it} from 'vitest';
import {RAMPART} from '../engine/helpers.js';

let work: string;
let home: string;

const rampart = (...args: string[]) =>
	execa(RAMPART[0]!, [...RAMPART.slice(1), ...args], {reject: false, cwd: work, env: {RAMPART_HOME: home, RAMPART_RUNBOOKS: join(work, 'books'), CI: '1'}});

const step = (n: number, run: string) => `## Step ${n}\n\n\`\`\`sh\n${run}\n\`\`\`\n\n\`\`\`sh {role=rollback}\necho undo-${n} >> order\n\`\`\`\n\n`;

beforeEach(() => {
	work = mkdtempSync(join(tmpdir(), 'rampart-manage-'));
	home = join(work, 'home');
	mkdirSync(join(work, 'books'));
	// Step 3 fails while the file "broken" exists.
	writeFileSync(
		join(work, 'books', 'three.md'),
		`---\ntitle: Three\n---\n\n${step(1, 'echo do-1 >> order')}${step(2, 'echo do-2 >> order')}${step(3, 'if [ -e broken ]; then exit 3; fi\necho do-3 >> order')}`,
	);
	writeFileSync(join(work, 'broken'), '');
});

const failAtStepThree = async () => {
	const run = await rampart('run', 'three', '--yes', '--approve');
	expect(run.exitCode, run.stderr).toBe(1);
	expect(readFileSync(join(work, 'order'), 'utf8')).toBe('do-1\ndo-2\n');
};

const lastRun = async () => (JSON.parse((await rampart('history', '--json')).stdout) as Array<{runId: string; outcome: string}>)[0]!;

describe('rampart rollback', () => {
	it('shows the plan and undoes nothing without --yes; with it, undoes every step that ran, the failed one too, latest first', async () => {
		await failAtStepThree();
		const dry = await rampart('rollback');
		expect(dry.exitCode).toBe(2);
		// Step 3 failed after its run block started: it may have changed the machine.
		expect(dry.stderr).toMatch(/1\. Step 3\n\s+2\. Step 2\n\s+3\. Step 1/);
		expect(readFileSync(join(work, 'order'), 'utf8')).toBe('do-1\ndo-2\n');

		const real = await rampart('rollback', '--yes');
		expect(real.exitCode, real.stderr).toBe(0);
		expect(readFileSync(join(work, 'order'), 'utf8')).toBe('do-1\ndo-2\nundo-3\nundo-2\nundo-1\n');
		expect((await lastRun()).outcome).toBe('rolled-back');
		expect((await rampart('resume')).exitCode).toBe(2);
	});
});

describe('rampart resume --skip', () => {
	it('needs a reason, records it, and goes on past the skipped step', async () => {
		await failAtStepThree();
		const noReason = await rampart('resume', '--skip', '3');
		expect(noReason.exitCode).toBe(2);
		expect(noReason.stderr).toContain('--skip needs --reason');

		const unknown = await rampart('resume', '--skip', 'nope', '--reason', 'x');
		expect(unknown.exitCode).toBe(2);
		expect(unknown.stderr).toContain('no step "nope"');

		const skipped = await rampart('resume', '--skip', '3', '--reason', 'the provider did it for us', '--note', 'ticket 4711');
		expect(skipped.exitCode, skipped.stderr).toBe(0);
		const {runId, outcome} = await lastRun();
		expect(outcome).toBe('completed');
		const report = (await rampart('report', runId)).stdout;
		expect(report).toContain('Skipped because: the provider did it for us');
		expect(report).toContain('ticket 4711');
	});
});

describe('rampart stop', () => {
	it('ends the run for good with its reason', async () => {
		await failAtStepThree();
		expect((await rampart('stop')).exitCode).toBe(2);
		const stop = await rampart('stop', '--reason', 'moving to a new server');
		expect(stop.exitCode, stop.stderr).toBe(0);
		const {runId, outcome} = await lastRun();
		expect(outcome).toBe('stopped');
		expect((await rampart('report', runId)).stdout).toContain('Run finished: stopped (moving to a new server)');
		const resume = await rampart('resume', runId);
		expect(resume.exitCode).toBe(2);
		expect(resume.stderr).toContain('already finished (stopped)');
		expect(existsSync(join(work, 'order'))).toBe(true);
	});
});
