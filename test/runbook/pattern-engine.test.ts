// The pattern engine (re2js) is loaded only for runbooks that have a pattern,
// by lintRunbook, which every runbook passes before its inputs are read. This
// file runs in a module registry of its own, so it starts without the engine.

import {describe, expect, test} from 'vitest';
import {lintRunbook} from '../../source/runbook/lint.js';
import {parseRunbookText} from '../../source/runbook/parse.js';
import {validateInputValue} from '../../source/runbook/inputs.js';
import {patternEngineLoaded} from '../../source/runbook/pattern.js';
import {resolveInputs} from '../../source/engine/resolve-inputs.js';
import type {InputSpec} from '../../source/runbook/model.js';

const runbook = (inputs: string) => parseRunbookText('t.md', `---\ntitle: T\ninputs:\n${inputs}---\n\n## Step\n\n\`\`\`sh\necho "$NAME"\n\`\`\`\n`);
const named: InputSpec = {name: 'NAME', type: 'string', prompt: 'N', optional: false, pattern: '[a-z]+', position: {line: 1, column: 1}};

describe('loading the pattern engine', () => {
	test('not at start, and a runbook without patterns never loads it', async () => {
		expect(patternEngineLoaded()).toBe(false);
		const parsed = runbook('  NAME:\n    type: string\n    prompt: N\n');
		expect(await lintRunbook(parsed, {shellcheck: false})).toEqual([]);
		expect(patternEngineLoaded()).toBe(false);
	});

	test('until it is loaded, a value a pattern should check is refused, never let through', () => {
		const result = validateInputValue(named, 'abc');
		expect(result).toEqual({ok: false, message: 'cannot be checked: the pattern /[a-z]+/ cannot be compiled: the pattern engine is not loaded'});
	});

	test('lintRunbook loads it for a runbook with a pattern; then its values are checked', async () => {
		const parsed = runbook('  NAME:\n    type: string\n    prompt: N\n    pattern: "[a-z]+"\n');
		expect(await lintRunbook(parsed, {shellcheck: false})).toEqual([]);
		expect(patternEngineLoaded()).toBe(true);
		expect(resolveInputs(parsed.runbook!, {NAME: 'abc'}, {})).toEqual({values: {NAME: 'abc'}, problems: []});
		expect(resolveInputs(parsed.runbook!, {NAME: 'ABC'}, {}).problems).toEqual([{input: 'NAME', message: '"ABC" does not match the pattern /[a-z]+/'}]);
	});
});

describe('the total size of the input values', () => {
	const many = runbook(
		['A', 'B', 'C', 'D', 'E'].map(name => `  ${name}:\n    type: string\n    prompt: ${name}\n`).join('') +
			'  NAME:\n    type: string\n    prompt: N\n    optional: true\n',
	);

	test('at most 256 KiB together, named in the message, on the largest value', () => {
		const value = 'x'.repeat(60 * 1024);
		const {problems} = resolveInputs(many.runbook!, {A: value, B: value, C: value, D: value, E: `${value}y`}, {});
		expect(problems).toEqual([
			{input: 'E', message: 'is 61441 bytes, and all values together are 307201 bytes; the input values of a run may be at most 262144 bytes (256 KiB) together'},
		]);
	});

	test('up to the limit is fine', () => {
		const value = 'x'.repeat(51 * 1024);
		expect(resolveInputs(many.runbook!, {A: value, B: value, C: value, D: value, E: value}, {}).problems).toEqual([]);
	});
});
