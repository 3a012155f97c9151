// Rule 5: a command that prints without end fills neither memory nor the disk
// unnoticed: each step's log stops at a limit (recorded, and shown in the
// report), and a nearly full state file system is warned about in the record.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {foldRun} from '../../source/engine/state.js';
import {lowDiskSpace} from '../../source/trust/disk-space.js';
import {maxLogBytes, parseByteSize} from '../../source/cli/log-limit.js';
import {DEFAULT_MAX_LOG_BYTES} from '../../source/journal/index.js';
import {executeBlock, MAX_LINE_CHARS} from '../../source/engine/execute-block.js';
import {cliHome, eventsOf, frontMatter, onlyRun, runCli, sh, walk, type CliHome} from '../engine/helpers.js';

const write = (home: CliHome, id: string, text: string) => fs.writeFileSync(path.join(home.cwd, `${id}.md`), text, {mode: 0o644});

const stepLogs = (home: CliHome) => walk(path.join(home.stateDir, 'logs')).filter(e => !e.dir);

describe('the per-step log limit', () => {
	it('stops a flood at RAMPART_MAX_LOG_BYTES, records the truncation and shows it in the report', async () => {
		const home = cliHome({RAMPART_MAX_LOG_BYTES: '100000'});
		write(home, 'flood', frontMatter('Flood') + '## Print a lot\n\n' + sh("head -c 2000000 /dev/zero | tr '\\0' x | fold -w 79\necho done"));
		const run = await runCli(['run', './flood.md', '--yes', '--approve'], home);
		expect(run.code, run.stderr).toBe(0);
		const [log] = stepLogs(home);
		const size = fs.statSync(log!.path).size;
		expect(size).toBeGreaterThan(100_000);
		expect(size).toBeLessThan(100_000 + 200);
		expect(fs.readFileSync(log!.path, 'utf8')).toContain('[rampart: log truncated at 100000 bytes]');

		const runId = onlyRun(home.stateDir);
		const finished = eventsOf(home.stateDir, runId).find(e => e.type === 'step-finished');
		expect(finished).toMatchObject({status: 'done', log: {truncated: true}});
		const md = (await runCli(['report', runId, '--format', 'md'], home)).stdout;
		expect(md).toMatch(/bytes, SHA-256 `[0-9a-f]{64}`, truncated\)/);
		const json = JSON.parse((await runCli(['report', runId, '--format', 'json'], home)).stdout) as {steps: Array<{logs: Array<{truncated?: boolean}>}>};
		expect(json.steps[0]!.logs[0]!.truncated).toBe(true);
		expect((await runCli(['report', runId, '--format', 'html'], home)).stdout).toContain(', truncated');
	});

	it('takes --max-log-bytes over the environment, with units', async () => {
		const home = cliHome({RAMPART_MAX_LOG_BYTES: '1M'});
		write(home, 'flood', frontMatter('Flood') + '## Print a lot\n\n' + sh("head -c 500000 /dev/zero | tr '\\0' x | fold -w 79"));
		const run = await runCli(['run', './flood.md', '--yes', '--approve', '--max-log-bytes', '20K'], home);
		expect(run.code, run.stderr).toBe(0);
		expect(fs.readFileSync(stepLogs(home)[0]!.path, 'utf8')).toContain(`[rampart: log truncated at ${20 * 1024} bytes]`);
	});

	it('refuses a limit it cannot read, before anything runs', async () => {
		const home = cliHome();
		write(home, 'flood', frontMatter('Flood') + '## Print\n\n' + sh('echo hi'));
		const run = await runCli(['run', './flood.md', '--yes', '--approve', '--max-log-bytes', 'lots'], home);
		expect(run.code).toBe(2);
		expect(run.stderr).toContain('--max-log-bytes "lots"');
		expect(fs.existsSync(path.join(home.stateDir, 'runs'))).toBe(false);
	});

	it('holds memory too when output never ends a line: the block times out, the log is cut, Rampart is fine', async () => {
		const home = cliHome({RAMPART_MAX_LOG_BYTES: '1M'});
		write(home, 'endless', frontMatter('Endless') + '## Never a newline\n\n' + sh("yes | tr -d '\\n'", 'timeout=2s'));
		const run = await runCli(['run', './endless.md', '--yes', '--approve', '--json'], home);
		expect(run.code, run.stderr.slice(0, 2000)).toBe(1);
		const runId = onlyRun(home.stateDir);
		expect(eventsOf(home.stateDir, runId).find(e => e.type === 'step-finished')).toMatchObject({status: 'timed-out', log: {truncated: true}});
		expect(fs.statSync(stepLogs(home)[0]!.path).size).toBeLessThan(1024 * 1024 + 200);
	}, 30_000);

	it('passes output that never ends a line on in pieces, instead of holding it all in memory', async () => {
		const lines: string[] = [];
		const result = await executeBlock({
			code: "head -c 1000000 /dev/zero | tr '\\0' x",
			cwd: process.cwd(),
			env: {PATH: process.env.PATH ?? '/usr/bin:/bin'},
			interactive: false,
			onOutput: (_stream, text) => lines.push(text),
		});
		expect(result.exitCode).toBe(0);
		expect(lines.join('')).toHaveLength(1_000_000);
		expect(Math.max(...lines.map(l => l.length))).toBeLessThanOrEqual(MAX_LINE_CHARS);
	});

	it('never cuts a character in two between pieces, so every byte of a long line reaches the log', async () => {
		const pieces: string[] = [];
		// One ASCII letter, then 100,000 four-byte characters (two UTF-16 units each) on one line:
		// pieces end mid-line, and a cut after an even number of units would split a character.
		const result = await executeBlock({
			code: "s=$(printf '\\U1F600%.0s' {1..100}); printf x; for i in {1..1000}; do printf '%s' \"$s\"; done",
			cwd: process.cwd(),
			env: {PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8'},
			interactive: false,
			onOutput: (_stream, text) => pieces.push(text),
		});
		expect(result.exitCode).toBe(0);
		expect(pieces.length).toBeGreaterThan(1);
		expect(pieces.join('')).toBe(`x${'\u{1F600}'.repeat(100_000)}`);
		// Each piece is written to the log on its own: none may hold half a character.
		for (const piece of pieces) expect(Buffer.from(piece).includes(Buffer.from('\uFFFD'))).toBe(false);
	});

	it('parses sizes', () => {
		expect(parseByteSize('4096')).toBe(4096);
		expect(parseByteSize('64M')).toBe(64 * 1024 * 1024);
		expect(parseByteSize('1 GiB')).toBe(1024 ** 3);
		expect(parseByteSize('0')).toBeUndefined();
		expect(parseByteSize('-5')).toBeUndefined();
		expect(maxLogBytes(undefined, {})).toBe(DEFAULT_MAX_LOG_BYTES);
	});
});

describe('low disk space', () => {
	it('is reported against a threshold that can be set for the test', () => {
		expect(lowDiskSpace(process.cwd(), {RAMPART_LOW_DISK_BYTES: '0'})).toBeUndefined();
		const low = lowDiskSpace(process.cwd(), {RAMPART_LOW_DISK_BYTES: String(Number.MAX_SAFE_INTEGER)});
		expect(low?.message).toContain(`the file system of ${process.cwd()} has only`);
	});

	it('is journaled as a warning before each step, printed, folded into the state and shown in the report', async () => {
		const home = cliHome({RAMPART_LOW_DISK_BYTES: String(Number.MAX_SAFE_INTEGER)});
		write(home, 'two', frontMatter('Two') + '## One\n\n' + sh('echo one') + '## Two\n\n' + sh('echo two'));
		const run = await runCli(['run', './two.md', '--yes', '--approve'], home);
		expect(run.code, run.stderr).toBe(0);
		expect(run.stderr).toContain('rampart: warning: the file system of');

		const runId = onlyRun(home.stateDir);
		const events = eventsOf(home.stateDir, runId);
		const warnings = events.filter(e => e.type === 'warning');
		expect(warnings.map(w => (w as {step?: string}).step)).toEqual(['one', 'two']);
		// Before the step it is about.
		expect(events.findIndex(e => e.type === 'warning')).toBeLessThan(events.findIndex(e => e.type === 'step-started'));
		expect(foldRun(events).warnings).toHaveLength(2);

		const md = (await runCli(['report', runId, '--format', 'md'], home)).stdout;
		expect(md).toContain('Warning before "One": the file system of');

		const json = await runCli(['run', './two.md', '--yes', '--json'], home);
		expect(json.stdout.split('\n').some(line => line.includes('"type":"warning"'))).toBe(true);
	});

	it('is quiet when there is room', async () => {
		const home = cliHome({RAMPART_LOW_DISK_BYTES: '0'});
		write(home, 'one', frontMatter('One') + '## One\n\n' + sh('echo one'));
		const run = await runCli(['run', './one.md', '--yes', '--approve'], home);
		expect(run.code, run.stderr).toBe(0);
		expect(eventsOf(home.stateDir, onlyRun(home.stateDir)).some(e => e.type === 'warning')).toBe(false);
	});
});

describe('input values, patterns and front matter that would exhaust something', () => {
	const inputsFile = (home: CliHome, values: Record<string, string>) => {
		const file = path.join(home.cwd, 'inputs.yaml');
		fs.writeFileSync(
			file,
			Object.entries(values)
				.map(([name, value]) => `${name}: ${JSON.stringify(value)}\n`)
				.join(''),
			{mode: 0o600},
		);
		return file;
	};

	it('refuses a 1 MB value before anything runs or is recorded, naming the limit (it used to fail every block with spawn E2BIG)', async () => {
		const home = cliHome();
		write(home, 'big', frontMatter('Big', '  NOTES:\n    type: string\n    prompt: Notes') + '## Use it\n\n' + sh('printf %s "$NOTES" | wc -c\ntouch ran'));
		const run = await runCli(['run', './big.md', '--yes', '--approve', '--inputs', inputsFile(home, {NOTES: 'x'.repeat(1024 * 1024)})], home);
		expect(run.code, run.stderr).toBe(2);
		expect(run.stderr).toContain('NOTES: is 1048576 bytes; an input value may be at most 65536 bytes (64 KiB)');
		expect(run.stderr).toContain('nothing was run');
		expect(fs.existsSync(path.join(home.cwd, 'ran'))).toBe(false);
		expect(fs.existsSync(path.join(home.stateDir, 'runs'))).toBe(false);
	});

	it('runs a value at the limit', async () => {
		const home = cliHome();
		write(home, 'big', frontMatter('Big', '  NOTES:\n    type: string\n    prompt: Notes') + '## Use it\n\n' + sh('printf %s "$NOTES" | wc -c > size'));
		const run = await runCli(['run', './big.md', '--yes', '--approve', '--inputs', inputsFile(home, {NOTES: 'x'.repeat(65536)})], home);
		expect(run.code, run.stderr).toBe(0);
		expect(fs.readFileSync(path.join(home.cwd, 'size'), 'utf8').trim()).toBe('65536');
	});

	it('answers a catastrophic-backtracking pattern at once (it used to take 99 s of full CPU)', async () => {
		const home = cliHome();
		const inputs = `  WORD:\n    type: string\n    prompt: Word\n    pattern: "(a+)+$"`;
		write(home, 'redos', frontMatter('Redos', inputs) + '## Use it\n\n' + sh('touch ran\necho "$WORD"'));
		const started = performance.now();
		const run = await runCli(['run', './redos.md', '--yes', '--approve', '--inputs', inputsFile(home, {WORD: `${'a'.repeat(32)}!`})], home);
		expect(performance.now() - started).toBeLessThan(10_000);
		expect(run.code, run.stderr).toBe(2);
		expect(run.stderr).toContain(`WORD: "${'a'.repeat(32)}!" does not match the pattern /(a+)+$/`);
		expect(fs.existsSync(path.join(home.cwd, 'ran'))).toBe(false);
	});

	it('lints a 70,000-character pattern, an alias bomb and a refused name as findings at a line and column, never an unexpected error', async () => {
		const home = cliHome();
		const long = `  X:\n    type: string\n    prompt: X\n    pattern: "${'a'.repeat(70_000)}"`;
		write(home, 'long', frontMatter('Long', long) + '## Step\n\n' + sh('echo "$X"'));
		let bomb = 'x:\n  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
		for (let level = 1; level < 10; level++) {
			const name = String.fromCharCode(97 + level);
			bomb += `  ${name}: &${name} [${Array(9)
				.fill(`*${String.fromCharCode(96 + level)}`)
				.join(',')}]\n`;
		}
		write(home, 'bomb', `---\ntitle: Bomb\n${bomb}---\n\n## Step\n\nText.\n`);
		write(home, 'names', frontMatter('Names', '  GCONV_PATH:\n    type: path\n    prompt: P\n  NODE_OPTIONS:\n    type: string\n    prompt: O') + '## Step\n\nText.\n');
		const started = performance.now();
		const lint = await runCli(['lint', './long.md', './bomb.md', './names.md'], home);
		expect(performance.now() - started).toBeLessThan(10_000);
		expect(lint.code).toBe(1);
		expect(lint.stderr).not.toContain('unexpected error');
		expect(lint.stdout).toMatch(/long\.md:7:5: error: X: the pattern \/a{57}…\/ is 70000 characters long; a pattern may be at most 1000 characters \[bad-pattern\]/);
		expect(lint.stdout).toMatch(/bomb\.md:5:10: error: front matter's YAML aliases \(\*name\) expand to too much data: more than 100 aliased nodes; .* \[yaml-limit\]/);
		expect(lint.stdout).toMatch(/names\.md:4:3: error: input name "GCONV_PATH" is reserved: .* \[reserved-input-name\]/);
		expect(lint.stdout).toMatch(/names\.md:7:3: error: input name "NODE_OPTIONS" is reserved: .* \[reserved-input-name\]/);

		// And a run refuses each of them before anything runs.
		for (const id of ['long', 'bomb', 'names']) {
			const run = await runCli(['run', `./${id}.md`, '--yes', '--approve'], home);
			expect(run.code, run.stderr).toBe(2);
			expect(run.stderr).toContain('nothing was run');
			expect(run.stderr).not.toContain('unexpected error');
		}
		expect(fs.existsSync(path.join(home.stateDir, 'runs'))).toBe(false);
	});
});
