// The quarterly account review against a domain that expires too soon and
// has no DNSSEC: both are findings, so the run ends as needing attention
// (exit 1), never as completed, headless and in the TUI. whois and dig are
// stand-ins on PATH; nothing leaves the machine.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {CLI} from '../engine/helpers.js';
import {listRuns} from '../../source/journal/index.js';
import {journalEvents, KEY, lab, renderApp, until, type Lab} from './helpers.js';

beforeAll(() => {
	if (!fs.existsSync(CLI)) throw new Error('build first: npm run build');
});

/** The manual items of a step of the bundled runbook, counted from the file so the test follows its edits. */
const itemsOf = (title: string): number => {
	const text = fs.readFileSync(path.join(import.meta.dirname, '../../runbooks/account-security.md'), 'utf8');
	const section = text.split(/^## /m).find(part => part.startsWith(`${title}\n`)) ?? '';
	return section.split('\n').filter(line => line.startsWith('- [ ] ')).length;
};

const INPUTS = {DOMAIN: 'example.org', MIN_DAYS_TO_EXPIRY: '400', EXPECTED_NS: 'ns1.example.net ns2.example.net'};

/** whois: transfer lock on, expiry in 83 days; dig: the expected name servers, no DS, no CAA. */
const standIns = (l: Lab): Record<string, string> => {
	const bin = path.join(l.work, '..', 'bin');
	fs.mkdirSync(bin, {recursive: true});
	const expiry = new Date(Date.now() + 83.5 * 86_400_000).toISOString().slice(0, 19) + 'Z';
	fs.writeFileSync(
		path.join(bin, 'whois'),
		`#!/bin/sh\nprintf 'Domain Name: EXAMPLE.ORG\\nRegistry Expiry Date: ${expiry}\\nDomain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited\\n'\n`,
		{mode: 0o755},
	);
	fs.writeFileSync(path.join(bin, 'dig'), `#!/bin/sh\ncase "$*" in *NS*) printf 'ns1.example.net.\\nns2.example.net.\\n' ;; esac\n`, {mode: 0o755});
	return {PATH: `${bin}:${process.env['PATH']}`};
};

describe('account-security with findings', () => {
	it('headless: the expiry and DNSSEC findings make the run need attention, exit 1', () => {
		const l = lab({});
		const env = {...l.ctx.env, ...standIns(l), CI: '1'};
		const args = Object.entries(INPUTS).flatMap(([k, v]) => ['--input', `${k}=${v}`]);
		const result = spawnSync(process.execPath, [CLI, 'run', 'account-security', '--yes', '--ack', ...args], {cwd: l.work, env, encoding: 'utf8'});
		expect(result.status, result.stderr).toBe(1);
		expect(result.stderr).toMatch(/findings need attention/);
		expect(result.stderr).toMatch(/Expiry and auto-renew: Days until the domain expires: Only 83 days left \(wanted more than 400\)/);
		expect(result.stderr).toMatch(/DNS: name servers, DNSSEC, CAA: .*DNSSEC: off/);
		const events = journalEvents(l.home);
		expect(events.at(-1)).toMatchObject({type: 'run-finished', outcome: 'needs-attention'});
		expect(events.filter(e => e.type === 'step-finished' && e.status === 'attention').map(e => (e as {step: string}).step)).toEqual([
			'expiry-and-auto-renew',
			'dns-name-servers-dnssec-caa',
		]);
		// The transfer lock is seen by its check: that step is already done.
		expect(events.find(e => e.type === 'step-already-done')).toMatchObject({step: 'transfer-lock'});

		const runId = listRuns(l.home)[0]!;
		const report = spawnSync(process.execPath, [CLI, 'report', runId], {cwd: l.work, env, encoding: 'utf8'});
		expect(report.stdout, report.stderr).toMatch(/needs-attention/);
		expect(report.stdout).toMatch(/Needs attention:\n- Days until the domain expires: Only 83 days left/);

		// The review was done (due again in 90 days), and status says it found something.
		const status = spawnSync(process.execPath, [CLI, 'status'], {cwd: l.work, env, encoding: 'utf8'});
		expect(status.status).toBe(0);
		expect(status.stdout).toMatch(/account-security\s+done today; due in 90 days; findings need attention/);
		expect(status.stdout).toContain(`rampart report ${runId}`);
		expect(report.stdout).toContain('Only 83 days left');
	});

	it('TUI: the summary says which findings need attention, and the exit code is 1', async () => {
		const l = lab({}, {});
		Object.assign(l.ctx.env, standIns(l));
		const app = renderApp(l, {screen: 'run', runbookRef: 'account-security', givenInputs: INPUTS});
		await app.waitFor('Domain to check');
		await app.press(KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter);
		await app.waitFor('review');
		await app.press(KEY.enter);
		await app.waitFor('1. Registrar account 2FA\n');
		await app.press(...Array<string>(itemsOf('Registrar account 2FA')).fill(KEY.space), KEY.enter);
		await app.waitFor('“Registrar account 2FA” done');
		await app.waitFor('2. Hosting account 2FA\n');
		await app.press(...Array<string>(itemsOf('Hosting account 2FA')).fill(KEY.space), KEY.enter);
		await app.waitFor('3. Transfer lock\n');
		await app.press(KEY.enter);
		await app.waitFor('The check passed');
		await app.press('d');
		await app.waitFor('4. Expiry and auto-renew\n');
		await app.press(KEY.enter);
		await app.waitFor('The check found: Days until the domain expires: Only 83 days left');
		await app.press(KEY.space, KEY.space, KEY.enter);
		await app.waitFor('“Expiry and auto-renew” needs attention');
		await app.waitFor('5. DNS: name servers, DNSSEC, CAA\n');
		await app.press(KEY.enter);
		await app.waitFor('The check found: Name servers, DS and CAA records');
		await app.press(KEY.space, KEY.space, KEY.space, KEY.enter);
		await app.waitFor('6. Record\n');
		await app.press(KEY.enter);
		await app.waitFor('“Record” done');
		await app.press(KEY.enter);
		const frame = await app.waitFor('summary');
		expect(frame).toMatch(/Completed, with findings that need attention/);
		expect(frame).toMatch(/! attention\s+4\. Expiry and auto-renew/);
		expect(frame).toMatch(/finding: Days until the domain expires: Only 83 days left/);
		expect(frame).toMatch(/! attention\s+5\. DNS/);
		await app.press(KEY.enter);
		await until(() => app.results.length > 0);
		expect(app.results[0]!.code).toBe(1);
		expect(journalEvents(l.home).at(-1)).toMatchObject({type: 'run-finished', outcome: 'needs-attention'});
	});
});
