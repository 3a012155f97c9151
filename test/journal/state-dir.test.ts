import fs from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {defaultStateDir, ensurePrivateDir, openPrivateFile, resolveStateDir} from '../../source/journal/state-dir.js';
import {modeOf, tempDir} from './helpers.js';

describe('resolveStateDir', () => {
	it('uses RAMPART_HOME, made absolute', () => {
		expect(resolveStateDir({RAMPART_HOME: 'some/where'})).toBe(path.resolve('some/where'));
		expect(resolveStateDir({RAMPART_HOME: '/srv/rampart'})).toBe('/srv/rampart');
	});

	it('falls back to the per-user data directory without a suffix (anyone but root)', () => {
		const expected = envPaths('rampart', {suffix: ''}).data;
		expect(resolveStateDir({}, 1000)).toBe(expected);
		expect(resolveStateDir({RAMPART_HOME: ''}, 1000)).toBe(expected);
		expect(path.basename(expected)).toBe('rampart');
	});

	it("for root, /var/lib/rampart (FHS), unless root's records are still only in the old per-user directory", () => {
		const perUser = envPaths('rampart', {suffix: ''}).data;
		const only =
			(...present: string[]) =>
			(dir: string) =>
				present.includes(dir);
		expect(defaultStateDir(0, only())).toEqual({dir: '/var/lib/rampart'});
		expect(defaultStateDir(0, only('/var/lib/rampart', perUser))).toEqual({dir: '/var/lib/rampart'});
		expect(defaultStateDir(0, only(perUser))).toEqual({dir: perUser, legacy: perUser});
		expect(defaultStateDir(1000, only('/var/lib/rampart'))).toEqual({dir: perUser});
	});
});

describe('private directories and files, whatever the umask', () => {
	let savedUmask: number;
	beforeEach(() => {
		savedUmask = process.umask(0);
	});
	afterEach(() => {
		process.umask(savedUmask);
	});

	it('creates every missing directory 0700 and leaves existing parents alone', () => {
		const base = tempDir();
		fs.chmodSync(base, 0o755);
		const deep = path.join(base, 'a', 'b', 'c');
		ensurePrivateDir(deep);
		expect(modeOf(base)).toBe(0o755);
		for (const dir of [path.join(base, 'a'), path.join(base, 'a', 'b'), deep]) {
			expect(modeOf(dir)).toBe(0o700);
		}
	});

	it('tightens the directory itself when it already exists, unless others could write it (then, as root, refuses it)', () => {
		const dir = path.join(tempDir(), 'loose');
		fs.mkdirSync(dir, {mode: 0o755});
		ensurePrivateDir(dir);
		expect(modeOf(dir)).toBe(0o700);

		fs.chmodSync(dir, 0o777);
		if (process.getuid?.() === 0) {
			// Others could have put anything in it: see test/safety/state-dir-trust.test.ts.
			expect(() => ensurePrivateDir(dir)).toThrow(/writable by every user \(mode 0777\)/);
			expect(modeOf(dir)).toBe(0o777);
		} else {
			ensurePrivateDir(dir);
			expect(modeOf(dir)).toBe(0o700);
		}
	});

	it('also corrects a umask that would make directories too strict', () => {
		process.umask(0o277);
		const dir = path.join(tempDir(), 'x', 'y');
		ensurePrivateDir(dir);
		process.umask(0);
		expect(modeOf(dir)).toBe(0o700);
		expect(modeOf(path.dirname(dir))).toBe(0o700);
	});

	it('refuses a path that is a file', () => {
		const file = path.join(tempDir(), 'file');
		fs.writeFileSync(file, '', {mode: 0o644});
		expect(() => ensurePrivateDir(file)).toThrow(/not a directory/);
		expect(modeOf(file)).toBe(0o644);
	});

	it('opens new and existing files as 0600', () => {
		const dir = tempDir();
		const fresh = path.join(dir, 'fresh');
		fs.closeSync(openPrivateFile(fresh, 'wx'));
		expect(modeOf(fresh)).toBe(0o600);

		const existing = path.join(dir, 'existing');
		fs.writeFileSync(existing, 'x', {mode: 0o666});
		expect(modeOf(existing)).toBe(0o666);
		fs.closeSync(openPrivateFile(existing, 'a'));
		expect(modeOf(existing)).toBe(0o600);
	});
});
