// `rampart config`: set, get, list and unset on the user's file; a value the
// schema refuses is never written; the file is 0600 and keeps its comments.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cliHome, runCli} from '../engine/helpers.js';

// Each test starts Rampart four to seven times: generous on a loaded machine.
const SLOW = 90_000;

const home = () => {
	const h = cliHome();
	const file = path.join(h.cwd, 'conf', 'config.yaml');
	h.env['RAMPART_CONFIG'] = file;
	h.env['RAMPART_SYSTEM_CONFIG'] = path.join(h.cwd, 'system.yaml');
	return {...h, file};
};

describe('rampart config', () => {
	it(
		'sets values by what the schema expects (a list, a boolean, a string) into a 0600 file, and reads them back',
		async () => {
			const h = home();
			expect((await runCli(['config', 'set', 'notify.email', 'ops@example.org, oncall@example.org'], h)).stdout).toBe(
				`notify.email = ["ops@example.org","oncall@example.org"] in ${h.file}\n`,
			);
			expect((await runCli(['config', 'set', 'notify.motd', 'true'], h)).code).toBe(0);
			expect((await runCli(['config', 'set', 'notify.webhook.url', 'https://ntfy.sh/my-servers'], h)).code).toBe(0);
			expect((await runCli(['config', 'set', 'notify.webhook.format', 'ntfy'], h)).code).toBe(0);
			expect(fs.statSync(h.file).mode & 0o777).toBe(0o600);

			const list = await runCli(['config', 'list', '--json'], h);
			expect(JSON.parse(list.stdout)).toEqual({
				notify: {email: ['ops@example.org', 'oncall@example.org'], motd: true, webhook: {url: 'https://ntfy.sh/my-servers', format: 'ntfy'}},
			});
			expect((await runCli(['config', 'get', 'notify.webhook.format'], h)).stdout).toBe('ntfy\n');
			expect((await runCli(['config', 'get', 'notify.email'], h)).stdout).toBe('- ops@example.org\n- oncall@example.org\n');
		},
		SLOW,
	);

	it(
		'refuses what the schema refuses, naming the key, and leaves the file as it was',
		async () => {
			const h = home();
			fs.mkdirSync(path.dirname(h.file));
			fs.writeFileSync(h.file, '# ours: do not lose this comment\nnotify:\n  motd: true\n');
			const before = fs.readFileSync(h.file, 'utf8');
			const typo = await runCli(['config', 'set', 'notify.emial', 'ops@example.org'], h);
			expect(typo.code).toBe(2);
			expect(typo.stderr).toBe(`rampart: ${h.file}: notify.emial: unknown setting\n`);
			const bad = await runCli(['config', 'set', 'notify.webhook.url', 'ftp://example.org/'], h);
			expect(bad.stderr).toBe(`rampart: ${h.file}: notify.webhook.url: must be an http:// or https:// URL\n`);
			expect(fs.readFileSync(h.file, 'utf8')).toBe(before);

			expect((await runCli(['config', 'set', 'notify.email', 'ops@example.org'], h)).code).toBe(0);
			expect(fs.readFileSync(h.file, 'utf8')).toMatch(/^# ours: do not lose this comment\n/);
		},
		SLOW,
	);

	it(
		'unsets a key and the maps it leaves empty; getting a key not set exits 1',
		async () => {
			const h = home();
			await runCli(['config', 'set', 'notify.webhook.url', 'https://hooks.example.org/x'], h);
			await runCli(['config', 'set', 'notify.motd', 'false'], h);
			const unset = await runCli(['config', 'unset', 'notify.webhook.url'], h);
			expect(unset.stdout).toBe(`notify.webhook.url removed from ${h.file}\n`);
			expect(fs.readFileSync(h.file, 'utf8')).toBe('notify:\n  motd: false\n');
			const missing = await runCli(['config', 'get', 'notify.webhook.url'], h);
			expect({code: missing.code, stderr: missing.stderr}).toEqual({code: 1, stderr: 'rampart: notify.webhook.url is not set\n'});
			expect((await runCli(['config', 'unset', 'notify.webhook.url'], h)).code).toBe(1);
		},
		SLOW,
	);

	it(
		'the user file overrides the system file key by key',
		async () => {
			const h = home();
			fs.writeFileSync(h.env['RAMPART_SYSTEM_CONFIG']!, 'notify:\n  email: [root@example.org]\n  motd: true\n');
			await runCli(['config', 'set', 'notify.email', 'me@example.org'], h);
			expect(JSON.parse((await runCli(['config', 'list', '--json'], h)).stdout)).toEqual({notify: {email: ['me@example.org'], motd: true}});
			expect(JSON.parse((await runCli(['config', 'list', '--json', '--system'], h)).stdout)).toEqual({notify: {email: ['root@example.org'], motd: true}});
		},
		SLOW,
	);
});
