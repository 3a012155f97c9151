// What a block's environment holds: the operator's, minus Rampart's own
// variables, plus inputs; a secret only where the code names it.

import {describe, expect, it} from 'vitest';
import {blockEnvironment} from '../../source/engine/block-env.js';
import type {InputSpec} from '../../source/runbook/model.js';

const spec = (name: string, type: InputSpec['type']): InputSpec => ({name, type, prompt: name, optional: false, position: {line: 1, column: 1}});
const inputs = [spec('TOKEN', 'secret'), spec('DOMAIN', 'domain')];
const values = {TOKEN: 's3cret', DOMAIN: 'example.org'};
const env = (code: string) => blockEnvironment({HOME: '/root', RAMPART_HOME: '/state', RAMPART_INPUT_X: 'y'}, inputs, values, {code});

describe('blockEnvironment', () => {
	it("keeps the operator's environment but not Rampart's own variables", () => {
		const result = env('true');
		expect(result.HOME).toBe('/root');
		expect(result.RAMPART_HOME).toBeUndefined();
		expect(result.RAMPART_INPUT_X).toBeUndefined();
		expect(result.DOMAIN).toBe('example.org');
	});

	it('gives a secret only to blocks that expand it', () => {
		for (const code of ['echo "$TOKEN"', 'echo "${TOKEN}"', 'echo "${#TOKEN}"', 'x=${TOKEN:-none}', 'echo $TOKEN']) {
			expect(env(code).TOKEN, code).toBe('s3cret');
		}
		for (const code of ['echo hi', 'echo "$TOKEN_FILE"', 'echo "${TOKENS}"', 'echo TOKEN']) {
			expect(env(code).TOKEN, code).toBeUndefined();
		}
	});
});
