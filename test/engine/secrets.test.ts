// A secret input is never written to disk and never printed: every file the
// run leaves behind and everything on stdout is searched for its bytes.

import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {MASK} from '../../source/engine/mask.js';
import {cliHome, fixture, frontMatter, runCli, sh, startSession, walk, writeRunbook, type CliHome, type CliResult} from './helpers.js';

const SECRET = `s3cr3t-${randomBytes(8).toString('hex')}`;

const runbookText =
	frontMatter('Secrets', '  API_TOKEN:\n    type: secret\n    prompt: API token\n  SITE:\n    type: domain\n    prompt: Site') +
	'## Use the token\n\n' +
	sh('echo "token is $API_TOKEN"\necho "on stderr: $API_TOKEN" >&2\nprintf \'%s\' "$API_TOKEN" > "$HOME/token-copy"') +
	'## Note it\n\n- [ ] Token rotated\n\n' +
	'## Fail with it\n\n' +
	sh('echo "failing with $API_TOKEN in the output"\nexit 3');

const expectNowhereOnDisk = (home: CliHome) => {
	const needle = Buffer.from(SECRET);
	const files = walk(home.stateDir).filter(entry => !entry.dir);
	expect(files.length).toBeGreaterThan(2);
	for (const {path: file} of files) {
		expect(fs.readFileSync(file).includes(needle), `${file} contains the secret`).toBe(false);
	}
};

const logsText = (home: CliHome) =>
	walk(path.join(home.stateDir, 'logs'))
		.filter(entry => !entry.dir)
		.map(entry => fs.readFileSync(entry.path, 'utf8'))
		.join('\n');

/** A secret never on the command line: from the environment. */
const withSecret = (home: CliHome): CliHome => ({...home, env: {...home.env, RAMPART_INPUT_API_TOKEN: SECRET}});

const expectNotPrinted = (result: CliResult) => {
	expect(result.stdout).not.toContain(SECRET);
	expect(result.stderr).not.toContain(SECRET);
};

describe('secret inputs', () => {
	it('are masked in output and logs and written nowhere under the state directory', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'secrets', runbookText);
		const first = await runCli(['run', './secrets.md', '--approve', '--yes', '--input', 'SITE=example.org'], withSecret(home));
		// Stops at the manual step.
		expect(first.code).toBe(1);
		expectNotPrinted(first);
		expect(first.stdout + first.stderr).toContain(`token is ${MASK}`);
		expect(first.stdout + first.stderr).toContain(`on stderr: ${MASK}`);
		// The block did get the real value.
		expect(fs.readFileSync(path.join(home.env.HOME!, 'token-copy'), 'utf8')).toBe(SECRET);

		// Secrets are never recorded, so resume needs the value again; here from the environment.
		const resumed = await runCli(['resume', '--yes', '--ack'], {...home, env: {...home.env, RAMPART_INPUT_API_TOKEN: SECRET}});
		expect(resumed.code).toBe(1);
		expect(resumed.stderr).toMatch(/step "Fail with it" failed/);
		expectNotPrinted(resumed);
		expect(resumed.stdout + resumed.stderr).toContain(`failing with ${MASK} in the output`);

		const logs = logsText(home);
		expect(logs).toContain(`token is ${MASK}\n`);
		expect(logs).toContain(`on stderr: ${MASK}\n`);
		expect(logs).toContain(`failing with ${MASK} in the output\n`);
		expectNowhereOnDisk(home);
		const journal = walk(path.join(home.stateDir, 'runs'))
			.map(entry => fs.readFileSync(entry.path, 'utf8'))
			.join('');
		expect(journal).toContain('"secrets":["API_TOKEN"]');
		expect(journal).toContain('"SITE":"example.org"');
	});

	it('asks again for a secret on resume rather than using a recorded one', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'secrets', runbookText);
		await runCli(['run', './secrets.md', '--approve', '--yes', '--input', 'SITE=example.org'], withSecret(home));
		const resumed = await runCli(['resume', '--yes', '--ack'], home);
		expect(resumed.code).toBe(2);
		expect(resumed.stderr).toMatch(/API_TOKEN: is required/);
	});

	it('stay out of the JSON events on stdout', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'secrets', runbookText);
		const result = await runCli(['run', './secrets.md', '--approve', '--yes', '--ack', '--json', '--input', 'SITE=example.org'], withSecret(home));
		expect(result.code).toBe(1);
		expectNotPrinted(result);
		const events = result.stdout
			.trimEnd()
			.split('\n')
			.map(line => JSON.parse(line) as {type: string; lines?: string[]});
		expect(events[0]).toMatchObject({type: 'run-started', secrets: ['API_TOKEN'], inputs: {SITE: 'example.org'}});
		expect(events.filter(e => e.type === 'output').flatMap(e => e.lines)).toEqual(
			expect.arrayContaining([`token is ${MASK}`, `on stderr: ${MASK}`, `failing with ${MASK} in the output`]),
		);
		expect(events.at(-1)).toMatchObject({type: 'step-finished', status: 'failed', exitCode: 3});
		expectNowhereOnDisk(home);
	});
});

describe('secret masking in the engine', () => {
	it('masks a secret printed in pieces, a multi-line secret whole, and one quoted in a reason or note', async () => {
		const multi = `first-${SECRET}\nsecond-line-of-it`;
		const f = fixture(
			frontMatter('Pieces', '  API_TOKEN:\n    type: secret\n    prompt: Token\n  KEY_TEXT:\n    type: secret\n    prompt: Key') +
				'## Print\n\n' +
				sh('printf "start %s" "${API_TOKEN:0:7}"\nsleep 0.1\nprintf "%s end\\n" "${API_TOKEN:7}"\nprintf "%s\\n" "$KEY_TEXT"') +
				'## Later\n\n' +
				sh('true'),
		);
		const session = startSession(f, {inputs: {API_TOKEN: SECRET, KEY_TEXT: multi}});
		const seen: string[] = [];
		session.subscribe(event => {
			if (event.type === 'output') seen.push(...event.lines);
		});
		expect((await session.runStep('print')).status).toBe('done');
		// The two lines of the multi-line secret arrive together and are masked as one.
		expect(seen).toEqual([`start ${MASK} end`, MASK]);
		session.addNote('print', `pasted ${SECRET} by mistake`);
		session.skip('later', `the token ${SECRET} is enough`);

		const files = walk(f.stateDir).filter(entry => !entry.dir);
		for (const {path: file} of files) {
			const bytes = fs.readFileSync(file);
			expect(bytes.includes(Buffer.from(SECRET)), file).toBe(false);
			expect(bytes.includes(Buffer.from('second-line-of-it')), file).toBe(false);
		}
		expect(session.state.steps[1]!.skipReason).toBe(`the token ${MASK} is enough`);
		expect(session.state.steps[0]!.notes[0]!.text).toBe(`pasted ${MASK} by mistake`);
	});
});

describe('a line longer than one read', () => {
	it('masks a secret that falls where the line is cut into pieces, in the log and on screen', async () => {
		const f = fixture(
			frontMatter('Cut', '  API_TOKEN:\n    type: secret\n    prompt: Token') +
				'## Print\n\n' +
				// 65,530 bytes, then the secret across the 64 KiB cut (65,536 characters), then more, then the end of the line.
				sh("head -c 65530 /dev/zero | tr '\\0' x; printf %s \"$API_TOKEN\"; head -c 100 /dev/zero | tr '\\0' y; echo"),
		);
		const session = startSession(f, {inputs: {API_TOKEN: SECRET}});
		const seen: string[] = [];
		session.subscribe(event => {
			if (event.type === 'output') seen.push(...event.lines);
		});
		expect((await session.runStep('print')).status).toBe('done');
		// One line on screen, however many pieces it came in (shown up to its first 65,536 characters).
		expect(seen).toEqual([`${'x'.repeat(65_530)}${MASK.slice(0, 6)} …`]);
		const log = walk(path.join(f.stateDir, 'logs')).find(entry => !entry.dir)!;
		expect(fs.readFileSync(log.path, 'utf8')).toContain(`${'x'.repeat(65_530)}${MASK}${'y'.repeat(100)}\n`);
		for (const {path: file} of walk(f.stateDir).filter(entry => !entry.dir)) {
			expect(fs.readFileSync(file).includes(Buffer.from(SECRET)), file).toBe(false);
			expect(fs.readFileSync(file).includes(Buffer.from(SECRET.slice(0, 6))), file).toBe(false);
		}
	});
});

describe('a secret too short to mask on screen', () => {
	it('garbles nothing on screen, stays masked in the log on disk, and the record says why', async () => {
		const f = fixture(frontMatter('Short', '  PIN:\n    type: secret\n    prompt: PIN') + '## Print\n\n' + sh('echo "pin is $PIN"\necho "a banana split"'));
		const session = startSession(f, {inputs: {PIN: 'a'}});
		const seen: string[] = [];
		session.subscribe(event => {
			if (event.type === 'output') seen.push(...event.lines);
		});
		const state = await session.runStep('print');
		expect(state.status).toBe('done');
		// Masking "a" everywhere would show it plainly: "b***n***" spells it out.
		expect(seen).toEqual(['pin is a', 'a banana split']);
		const log = fs.readFileSync(path.join(f.stateDir, state.logs.at(-1)!.path), 'utf8');
		expect(log).toContain(`pin is ${MASK}\n`);
		expect(session.state.warnings.map(w => w.message)).toEqual([
			expect.stringContaining('PIN is shorter than 4 characters: masked in the records on disk, but not in the output shown on screen'),
		]);
	});
});
