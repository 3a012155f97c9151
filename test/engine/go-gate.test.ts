// A block runs only after Rampart has journaled its process group: it waits
// for a go byte on fd 3. If Rampart dies first, the block runs nothing.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {GO_GATE, NOT_STARTED_EXIT} from '../../source/engine/execute-block.js';
import {tempDir} from './helpers.js';

const run = (code: string, fd3: 'go' | 'closed' | 'wrong', cwd: string) =>
	spawnSync(
		'bash',
		[
			'-Eeuo',
			'pipefail',
			'-c',
			`${fd3 === 'go' ? 'exec 3< <(printf g)' : fd3 === 'wrong' ? 'exec 3< <(printf x)' : 'exec 3</dev/null'}; exec bash -Eeuo pipefail -c "$0" rampart-block`,
			GO_GATE + code,
		],
		{cwd, encoding: 'utf8'},
	);

describe('the go gate in front of every block', () => {
	it('runs nothing when the go byte never comes (Rampart died before recording the block)', () => {
		const dir = tempDir();
		for (const fd3 of ['closed', 'wrong'] as const) {
			const result = run('echo ran > ran', fd3, dir);
			expect(result.status).toBe(NOT_STARTED_EXIT);
			expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
		}
	});

	it('runs the code once the go byte is read, with fd 3 closed and line numbers unchanged', () => {
		const dir = tempDir();
		const result = run('echo "line $LINENO"\nif [ -e /dev/fd/3 ]; then echo fd3-open; fi\necho ran > ran', 'go', dir);
		expect(result.status, result.stderr).toBe(0);
		expect(result.stdout).toBe('line 1\n');
		expect(fs.existsSync(path.join(dir, 'ran'))).toBe(true);
	});
});
