// Where runbooks are found, and how a name on the command line becomes one.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {bundledRunbooksDir, discoverRunbooks, resolveRunbook} from '../../source/runbook/discover.js';

const make = () => {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-discover-'));
	const dir = (...parts: string[]) => {
		const d = path.join(root, ...parts);
		fs.mkdirSync(d, {recursive: true});
		return d;
	};
	const book = (d: string, name: string) => fs.writeFileSync(path.join(d, name), '---\ntitle: X\n---\n\n## Step\n');
	return {root, dir, book};
};

describe('discoverRunbooks', () => {
	it('finds the bundled runbooks, ./runbooks, the user directory and RAMPART_RUNBOOKS, in that order', () => {
		const {root, dir, book} = make();
		const cwd = dir('project');
		book(dir('project', 'runbooks'), 'local.md');
		book(dir('config', 'rampart', 'runbooks'), 'mine.md');
		book(dir('extra1'), 'one.md');
		book(dir('extra2'), 'two.md');
		fs.writeFileSync(path.join(root, 'extra2', 'README.md'), '# not a runbook');
		fs.writeFileSync(path.join(root, 'extra2', 'notes.txt'), 'not markdown');
		const found = discoverRunbooks(
			{XDG_CONFIG_HOME: path.join(root, 'config'), RAMPART_RUNBOOKS: `${path.join(root, 'extra1')}:extra2-missing:${path.join(root, 'extra2')}`},
			cwd,
		);
		const byId = Object.fromEntries(found.entries.map(e => [e.id, e.origin]));
		expect(byId).toMatchObject({'account-security': 'bundled', firewall: 'bundled', local: 'project', mine: 'user', one: 'env', two: 'env'});
		expect(byId.README).toBeUndefined();
		expect(found.entries.findIndex(e => e.id === 'local')).toBeLessThan(found.entries.findIndex(e => e.id === 'mine'));
		expect(found.searched.find(s => s.dir.endsWith('extra2-missing'))?.problem).toBe('does not exist');
		expect(found.conflicts).toEqual([]);
	});

	it('reports the same id in two directories instead of letting one hide the other', () => {
		const {dir, book} = make();
		const a = dir('a');
		const b = dir('b');
		book(a, 'backup.md');
		book(b, 'backup.md');
		const found = discoverRunbooks({RAMPART_RUNBOOKS: `${a}:${b}`}, dir('cwd'));
		expect(found.conflicts).toEqual([{id: 'backup', paths: [path.join(a, 'backup.md'), path.join(b, 'backup.md')]}]);
		const resolved = resolveRunbook('backup', found);
		expect(resolved.ok).toBe(false);
		if (!resolved.ok) expect(resolved.message).toContain('names more than one runbook');
	});

	it('does not count the bundled directory twice when run from a checkout', () => {
		const found = discoverRunbooks({}, path.dirname(bundledRunbooksDir()));
		expect(found.conflicts).toEqual([]);
		expect(found.entries.filter(e => e.id === 'firewall')).toHaveLength(1);
	});
});

describe('resolveRunbook', () => {
	it('takes an id or a path, and suggests close ids for a typo', () => {
		const {dir, book} = make();
		const d = dir('books');
		book(d, 'nightly-db-check.md');
		const found = discoverRunbooks({RAMPART_RUNBOOKS: d}, dir('cwd'));
		const byId = resolveRunbook('nightly-db-check', found);
		expect(byId.ok && byId.entry.path).toBe(path.join(d, 'nightly-db-check.md'));
		const byPath = resolveRunbook(path.join(d, 'nightly-db-check.md'), found);
		expect(byPath.ok && byPath.entry.id).toBe('nightly-db-check');
		const typo = resolveRunbook('firewal', found);
		expect(typo.ok).toBe(false);
		if (!typo.ok) expect(typo.suggestions).toContain('firewall');
		const missing = resolveRunbook('./nope.md', found, d);
		expect(missing.ok).toBe(false);
	});
});
