import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {loadSettings, SettingsError} from '../../source/config/settings.js';

let dir: string;
let env: NodeJS.ProcessEnv;
const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);

beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-settings-'));
	env = {RAMPART_SYSTEM_CONFIG: path.join(dir, 'system.yaml'), RAMPART_CONFIG: path.join(dir, 'user.yaml')};
});
afterEach(() => fs.rmSync(dir, {recursive: true, force: true}));

const errorOf = (): SettingsError => {
	try {
		loadSettings(env);
	} catch (error) {
		if (error instanceof SettingsError) return error;
		throw error;
	}
	throw new Error('loadSettings accepted the file');
};

describe('loadSettings', () => {
	it('is empty when neither file exists', () => {
		expect(loadSettings(env)).toEqual({});
	});

	it('reads the system file, then lets the user file override key by key', () => {
		write(
			'system.yaml',
			'notify:\n  email: [ops@example.org]\n  motd: true\n  webhook: {url: "https://hooks.example.org/a", format: slack}\nsign: {allowedSigners: /etc/rampart/allowed_signers}\n',
		);
		write('user.yaml', 'notify:\n  email: [me@example.org, you@example.org]\n  webhook: {url: "http://127.0.0.1:9/x"}\n');
		expect(loadSettings(env)).toEqual({
			notify: {email: ['me@example.org', 'you@example.org'], motd: true, webhook: {url: 'http://127.0.0.1:9/x', format: 'slack'}},
			sign: {allowedSigners: '/etc/rampart/allowed_signers'},
		});
	});

	it('names the file and the key of a wrong value', () => {
		write('user.yaml', 'notify:\n  webhook:\n    url: ftp://example.org/\n');
		const error = errorOf();
		expect(error.message).toBe(`${path.join(dir, 'user.yaml')}: notify.webhook.url: must be an http:// or https:// URL`);
	});

	it('names an unknown key (a typo) instead of ignoring it', () => {
		write('system.yaml', 'notify:\n  emial: [a@example.org]\n');
		expect(errorOf().message).toBe(`${path.join(dir, 'system.yaml')}: notify.emial: unknown setting`);
	});

	it('says a list was expected, and which format values exist', () => {
		write('user.yaml', 'notify:\n  email: ops@example.org\n');
		expect(errorOf().message).toContain('notify.email: must be a list');
		write('user.yaml', 'notify:\n  webhook: {url: "https://x.example/", format: teams}\n');
		expect(errorOf().message).toMatch(/notify\.webhook\.format: .*"json".*"ntfy".*"slack"/);
	});

	it('reports broken YAML with the file, not a stack trace', () => {
		write('user.yaml', 'notify: [unclosed\n');
		expect(errorOf().message).toMatch(new RegExp(`^${path.join(dir, 'user.yaml')}: not valid YAML`));
	});
});
