// kill -9 at random moments: whatever instant the process dies, the journal
// verifies, every step it records as done really happened, and resume
// carries the run to completion without doing checked work twice.

import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/types/events.js';
import {foldRun} from '../../source/engine/state.js';
import {journalPath, listRuns, readJournal, verifyJournal} from '../../source/journal/index.js';
import {cliHome, frontMatter, processesWith, readIfExists, runCli, sh, startCli, waitFor, writeRunbook} from './helpers.js';

const KILLS = 50;
const STEPS = 6;

/** A small seeded generator, so a failure can be replayed with RAMPART_TORTURE_SEED. */
const generator = (seed: number) => () => {
	seed = (seed + 0x6d2b79f5) | 0;
	let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
	t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
	return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/**
 * Six steps, each appending its own line to `effects` between two short
 * sleeps. Odd steps have a check, so resume marks them already done instead
 * of appending again. Every block carries `marker`, to find its processes.
 */
const tortureRunbook = (marker: string, random: () => number): string => {
	const ms = () => `0.0${20 + Math.floor(random() * 60)}`;
	let text = frontMatter('Torture');
	for (let n = 1; n <= STEPS; n++) {
		text += `## Step ${n}\n\n`;
		if (n % 2 === 1) text += sh(`# ${marker}\ngrep -qx step${n} effects`, 'role=check');
		text += sh(`# ${marker}\nsleep ${ms()}\necho step${n} >> effects\nsleep ${ms()}`);
	}
	return text;
};

const effects = (work: string): string[] => (readIfExists(path.join(work, 'effects')) ?? '').split('\n').filter(Boolean);

/** Steps the journal says were done (by running them or by a passing check). */
const recordedDone = (events: RunEvent[]): string[] =>
	events.flatMap(e => ((e.type === 'step-finished' && e.status === 'done') || e.type === 'step-already-done' ? [e.step] : []));

describe('SIGKILL at random moments', () => {
	it(`keeps the record true through ${KILLS} kills, and resume completes every run`, {timeout: 120_000}, async () => {
		const seed = Number(process.env.RAMPART_TORTURE_SEED ?? Date.now() % 1_000_000);
		const random = generator(seed);
		const context = `seed ${seed} (replay with RAMPART_TORTURE_SEED=${seed})`;
		const home = cliHome();
		let kills = 0;
		let rounds = 0;
		const history: string[] = [];

		while (kills < KILLS) {
			// Each round is a fresh run in a fresh directory.
			rounds++;
			const work = path.join(home.cwd, `round-${rounds}`);
			fs.mkdirSync(work);
			const marker = `rampart-torture-${randomBytes(6).toString('hex')}`;
			writeRunbook(work, 'torture', tortureRunbook(marker, random));
			const before = new Set(listRuns(home.stateDir));
			let started = false;
			let finished = false;

			while (!finished) {
				// A step cut off by a kill is run again only on request; here it is the point.
				const args = started ? ['resume', '--yes', '--approve', '--rerun-interrupted'] : ['run', './torture.md', '--approve', '--yes'];
				const proc = startCli(args, {cwd: work, env: home.env});
				const delay = Math.floor(20 + random() * 650);
				const exited = await Promise.race([proc.done.then(() => true), new Promise<boolean>(resolve => setTimeout(() => resolve(false), delay))]);
				if (exited) {
					const result = await proc.done;
					history.push(`${args[0]}: exited ${result.code} before the kill at ${delay} ms`);
					expect(result.code, `${context}\n${history.join('\n')}\n${result.stderr}`).toBe(0);
				} else {
					proc.child.kill('SIGKILL');
					const result = await proc.done;
					kills++;
					history.push(`${args[0]}: killed at ${delay} ms (${result.signal ?? `exit ${result.code}`})`);
					// The killed process's blocks run on, orphaned: let them end before looking.
					await waitFor(() => processesWith(marker).length === 0, 'the orphaned blocks to end', 10_000, 5);
				}

				const runs = listRuns(home.stateDir).filter(id => !before.has(id));
				const why = `${context}, round ${rounds}\n${history.join('\n')}`;
				for (const runId of runs) {
					const verified = verifyJournal(journalPath(home.stateDir, runId), home.stateDir);
					expect(
						verified.problems.filter(p => p.kind !== 'torn-tail'),
						why,
					).toEqual([]);
					expect(verified.ok, why).toBe(true);
				}
				// A kill before run-started was written leaves nothing to resume: start again.
				const live = runs.filter(id => readJournal(journalPath(home.stateDir, id)).events.length > 0);
				expect(live.length, why).toBeLessThanOrEqual(1);
				if (live.length === 0) {
					expect(exited, why).toBe(false);
					continue;
				}
				started = true;
				const events = readJournal(journalPath(home.stateDir, live[0]!)).events;
				const present = new Set(effects(work));
				for (const step of recordedDone(events)) {
					expect(present.has(step.replace('-', '')), `${why}\n${step} is recorded as done, but its effect is missing`).toBe(true);
				}
				const state = foldRun(events);
				finished = state.outcome !== undefined;
				if (finished) {
					expect(state.outcome, why).toBe('completed');
					expect([...present].sort(), why).toEqual(Array.from({length: STEPS}, (_, i) => `step${i + 1}`));
					// Checked steps never ran twice: a passing check made them already done.
					for (let n = 1; n <= STEPS; n += 2)
						expect(
							effects(work).filter(line => line === `step${n}`),
							why,
						).toHaveLength(1);
				}
			}
		}

		expect(kills).toBeGreaterThanOrEqual(KILLS);
		const verify = await runCli(['journal', 'verify'], home);
		expect(verify.stdout).not.toMatch(/FAIL/);
		expect(verify.code).toBe(0);
	});
});
