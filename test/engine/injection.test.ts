// Inputs reach commands as environment variables, never as code: whatever an
// operator types, the command sees exactly those bytes and nothing else runs.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {resolveInputs} from '../../source/engine/resolve-inputs.js';
import {cliHome, fixture, frontMatter, runCli, sh, startSession, writeRunbook} from './helpers.js';

/** Each of these would run `touch INJECTED` if it were ever treated as code. */
const HOSTILE = [
	'$(touch INJECTED)',
	'`touch INJECTED`',
	"'; touch INJECTED; '",
	'"; touch INJECTED; "',
	'"',
	"'",
	'\\',
	'\\\\',
	'first line\ntouch INJECTED\nlast line',
	'--help',
	'-n',
	'*',
	'$((1+1)) ${HOME} ~ $0',
	'a;touch INJECTED&&touch INJECTED|touch INJECTED',
	'  spaces kept  ',
	'ünïcødé ✓',
];

const inputs = HOSTILE.map((_, i) => `  V${i}:\n    type: string\n    prompt: Value ${i}`).join('\n');
const printAll = HOSTILE.map((_, i) => `printf '%s' "$V${i}" > out-${i}`).join('\n');
const text = frontMatter('Injection', inputs) + '## Echo the values\n\n' + sh(printAll) + sh('ls', 'role=verify');

const expectNoInjection = (work: string) => {
	expect(fs.existsSync(path.join(work, 'INJECTED'))).toBe(false);
	HOSTILE.forEach((value, i) => {
		expect(fs.readFileSync(path.join(work, `out-${i}`)).equals(Buffer.from(value, 'utf8')), `input ${JSON.stringify(value)}`).toBe(true);
	});
};

describe('hostile input values', () => {
	it('reach the command byte for byte, and never run (engine)', async () => {
		const f = fixture(text);
		const given = Object.fromEntries(HOSTILE.map((value, i) => [`V${i}`, value]));
		const {values, problems} = resolveInputs(f.runbook, given, {});
		expect(problems).toEqual([]);
		expect(values).toEqual(given);
		const session = startSession(f, {inputs: values});
		expect((await session.runStep('echo-the-values')).status).toBe('done');
		expectNoInjection(f.work);
	});

	it('reach the command byte for byte, and never run (CLI --input)', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'injection', text);
		const args = HOSTILE.flatMap((value, i) => ['--input', `V${i}=${value}`]);
		const result = await runCli(['run', './injection.md', '--approve', '--yes', ...args], home);
		expect(result.stderr).not.toMatch(/unexpected error/);
		expect(result.code).toBe(0);
		expectNoInjection(home.cwd);
	});
});

describe('NUL bytes', () => {
	const nulText = frontMatter('Nul', '  VALUE:\n    type: string\n    prompt: A value') + '## Use it\n\n' + sh('printf %s "$VALUE" > used');

	it('are refused by resolveInputs with a message naming the input', () => {
		const f = fixture(nulText);
		const {problems} = resolveInputs(f.runbook, {VALUE: 'before\0after'}, {});
		expect(problems).toEqual([{input: 'VALUE', message: expect.stringMatching(/NUL byte/)}]);
	});

	it('make the CLI exit 2 before anything runs', async () => {
		// argv and the environment cannot carry a NUL byte at all (execve ends
		// strings at NUL), so the CLI can only be given one through --inputs.
		const home = cliHome();
		writeRunbook(home.cwd, 'nul', nulText);
		fs.writeFileSync(path.join(home.cwd, 'inputs.yaml'), 'VALUE: "before\\0after"\n');
		const result = await runCli(['run', './nul.md', '--approve', '--yes', '--inputs', 'inputs.yaml'], home);
		expect(result.code).toBe(2);
		expect(result.stderr).toMatch(/VALUE: contains a NUL byte/);
		expect(result.stderr).toMatch(/nothing was run/);
		expect(fs.existsSync(path.join(home.cwd, 'used'))).toBe(false);
		expect(fs.existsSync(path.join(home.stateDir, 'runs'))).toBe(false);
	});
});
