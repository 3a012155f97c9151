// Command output without a terminal (pipes, cron, --json) and in the
// record: shown as a terminal would end up showing it, never with a control
// sequence; kept on disk byte for byte.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {spawn} from 'node:child_process';
import {RAMPART, cliHome, eventsOf, frontMatter, onlyRun, runCli, sh, writeRunbook} from '../engine/helpers.js';

const HOSTILE = String.raw`printf 'progress  20%%\rprogress  60%%\rprogress 100%%\n'
printf '\e[2J\e[H\e]0;owned\a\e]52;c;b3duZWQ=\a\e[?1049h\e[31mred\e[0m and plain\n'
printf 'windows line\r\n'
printf 'downloading 42 files\r\e[2Kfetched\n'
printf 'no newline at the end'`;

/** Escape, bell, the 8-bit CSI and carriage return: none may reach a reader. */
// eslint-disable-next-line no-control-regex -- control characters are what the test looks for
const CONTROL = /[\u001B\u0007\u009B\r]/;

/** The one real run (a test may plant other files beside it). */
const onlyRunOf = (home: ReturnType<typeof cliHome>) =>
	fs
		.readdirSync(path.join(home.stateDir, 'runs'))
		.filter(name => name.endsWith('.jsonl') && !name.startsWith('2099'))
		.map(name => name.slice(0, -'.jsonl'.length))[0];

const runbook = frontMatter('Hostile') + '## Print\n\n' + sh(HOSTILE);

describe('output without a terminal', () => {
	it('headless to a pipe shows the final progress, plain text, and no escape byte at all', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'hostile', runbook);
		const result = await runCli(['run', './hostile.md', '--approve', '--yes'], home);
		expect(result.code, result.stderr).toBe(0);
		const shown = `${result.stdout}\n${result.stderr}`;
		expect(shown).toMatch(/progress 100%$/m);
		expect(shown).not.toContain('20%');
		expect(shown).toMatch(/red and plain$/m);
		expect(shown).toMatch(/windows line$/m);
		expect(shown).toMatch(/fetched$/m);
		expect(shown).toMatch(/no newline at the end$/m);
		expect(shown).not.toMatch(CONTROL);
	});

	it('--json carries the lines as shown, without colours', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'hostile', runbook);
		const result = await runCli(['run', './hostile.md', '--approve', '--yes', '--json'], home);
		expect(result.code, result.stderr).toBe(0);
		const events = result.stdout
			.trimEnd()
			.split('\n')
			.map(line => JSON.parse(line) as {type: string; lines?: string[]});
		const lines = events.filter(e => e.type === 'output').flatMap(e => e.lines ?? []);
		expect(lines).toEqual(['progress 100%', 'red and plain', 'windows line', 'fetched', 'no newline at the end']);
	});

	it('a flood arrives in pieces, not one event per line, and whole', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'flood', frontMatter('Flood') + '## Print\n\n' + sh('seq 1 20000'));
		const result = await runCli(['run', './flood.md', '--approve', '--yes', '--json'], home);
		expect(result.code, result.stderr).toBe(0);
		const outputs = result.stdout
			.trimEnd()
			.split('\n')
			.map(line => JSON.parse(line) as {type: string; lines?: string[]})
			.filter(e => e.type === 'output');
		expect(outputs.flatMap(e => e.lines)).toEqual(Array.from({length: 20000}, (_, i) => String(i + 1)));
		// 20,000 lines are about 110 KB: a handful of pipe reads, not thousands of events.
		expect(outputs.length).toBeLessThan(200);
	});

	it('the log on disk keeps every byte; the report shows the lines as a terminal would', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'hostile', runbook);
		expect((await runCli(['run', './hostile.md', '--approve', '--yes'], home)).code).toBe(0);
		const runId = onlyRun(home.stateDir);
		const log = eventsOf(home.stateDir, runId).find(e => e.type === 'step-finished')!;
		const bytes = fs.readFileSync(path.join(home.stateDir, (log as {log: {path: string}}).log.path), 'utf8');
		expect(bytes).toContain('progress  20%\rprogress  60%\rprogress 100%\n');
		expect(bytes).toContain('\u001B]0;owned\u0007\u001B]52;c;b3duZWQ=\u0007');
		expect(bytes).toContain('windows line\r\n');
		// Rampart's own closing line starts a line of its own after output that did not end one.
		expect(bytes).toMatch(/no newline at the end\n# rampart: exit 0/);

		for (const format of ['md', 'html']) {
			const report = await runCli(['report', runId, '--format', format], home);
			expect(report.code, report.stderr).toBe(0);
			expect(report.stdout).toContain('progress 100%');
			expect(report.stdout).not.toContain('20%');
			expect(report.stdout).toContain('red and plain');
			expect(report.stdout).not.toMatch(CONTROL);
		}
	});

	it('a reader that stops reading holds the command back instead of filling memory, and the timeout still stops it', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'endless', frontMatter('Endless') + '## Print\n\n' + sh('seq 1 100000000', 'timeout=3s'));
		const child = spawn(RAMPART[0]!, [...RAMPART.slice(1), 'run', './endless.md', '--approve', '--yes'], {
			cwd: home.cwd,
			env: home.env,
			stdio: ['ignore', 'pipe', 'ignore'],
		});
		// Read nothing until the step has ended.
		child.stdout.pause();
		const ended = async () => {
			for (;;) {
				const runs = fs.existsSync(path.join(home.stateDir, 'runs')) ? fs.readdirSync(path.join(home.stateDir, 'runs')).filter(f => f.endsWith('.jsonl')) : [];
				const finished = runs.length > 0 && eventsOf(home.stateDir, onlyRun(home.stateDir)).find(e => e.type === 'step-finished');
				if (finished) return finished as {status: string; log: {bytes: number}};
				await new Promise(resolve => setTimeout(resolve, 50));
			}
		};
		const finished = await ended();
		expect(finished.status).toBe('timed-out');
		// In 3 s seq writes hundreds of MB; held back by the reader, only what the pipes and a backlog of 1 MB could hold was read.
		expect(finished.log.bytes).toBeLessThan(8 * 1024 * 1024);
		let read = 0;
		child.stdout.on('data', (chunk: Buffer) => (read += chunk.length)).resume();
		const code = await new Promise(resolve => child.on('close', resolve));
		expect(code).toBe(1);
		expect(read).toBeGreaterThan(0);
	}, 30_000);
});

describe('journal verify', () => {
	it('a journal that cannot be read fails alone; the others are still checked', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'one', frontMatter('One') + '## Step\n\n' + sh('true'));
		expect((await runCli(['run', './one.md', '--approve', '--yes'], home)).code).toBe(0);
		fs.mkdirSync(path.join(home.stateDir, 'runs', '20991231T000000Z-dir-0000.jsonl'));
		const result = await runCli(['journal', 'verify'], home);
		expect(result.code).toBe(1);
		expect(result.stdout).toMatch(new RegExp(`^ok {3}${onlyRunOf(home)} \\(`, 'm'));
		expect(result.stdout).toMatch(/^FAIL 20991231T000000Z-dir-0000 \(0 events\)\n\s+cannot read .*: it is a directory$/m);
		expect(result.stderr).not.toContain('unexpected error');
	});
});
