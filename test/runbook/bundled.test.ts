import {readdirSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {formatDiagnostic, lintFile} from '../../source/runbook/lint.js';
import {findShellcheck} from '../../source/runbook/shellcheck.js';

const hasShellcheck = (await findShellcheck()) !== undefined;

const directory = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const markdownIn = (dir: string) =>
	readdirSync(dir)
		.filter(name => name.endsWith('.md'))
		.map(name => join(dir, name));

const bundled = markdownIn(directory('../../runbooks/'));
const fixtures = [join(directory('../fixtures/runbooks/'), 'valid.md')];

describe('the runbooks shipped with Rampart', () => {
	it('there are some', () => {
		expect(bundled.length).toBeGreaterThan(0);
	});

	describe.each([...bundled, ...fixtures])('%s', path => {
		it('lints clean without shellcheck', async () => {
			expect((await lintFile(path, {shellcheck: false})).map(formatDiagnostic)).toEqual([]);
		});

		it.skipIf(!hasShellcheck)('lints clean with shellcheck', async () => {
			expect((await lintFile(path, {shellcheck: true})).map(formatDiagnostic)).toEqual([]);
		});
	});
});
