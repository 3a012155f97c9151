// The bundled account-security runbook, headless on the built CLI, with
// stand-ins for whois and dig on PATH: the registrar, the registry and DNS
// cannot be reached from a test, and the runbook changes nothing on the
// machine, so it needs neither root nor a system test. What is proven is the
// runbook's own reading of whois and dig answers (transfer lock, expiry, name
// servers, DS and CAA) and that each account's 2FA review, a second factor
// included, is ticked item by item in the run's record. The accounts' own
// settings are the operator's to check in the providers' panels.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {ROOT, cliHome, eventsOf, onlyRun, runCli, tempDir} from '../engine/helpers.js';

const RUNBOOK = path.join(ROOT, 'runbooks', 'account-security.md');
const DAY = 86_400_000;

/** whois and dig stand-ins that answer from files in `dir`. */
const standIns = (answers: {whois: string; NS: string; DS: string; CAA: string}) => {
	const dir = tempDir('rampart-account-');
	const bin = path.join(dir, 'bin');
	fs.mkdirSync(bin);
	for (const [name, text] of Object.entries(answers)) fs.writeFileSync(path.join(dir, name), text);
	fs.writeFileSync(path.join(bin, 'whois'), `#!/bin/sh\ncat '${dir}/whois'\n`, {mode: 0o755});
	// dig +short TYPE NAME
	fs.writeFileSync(path.join(bin, 'dig'), `#!/bin/sh\ncat "${dir}/$2"\n`, {mode: 0o755});
	return bin;
};

const whoisFor = (expiresInDays: number, statuses: string[]) =>
	[
		'Domain Name: EXAMPLE.ORG',
		'Registrar: Example Registrar, Inc.',
		`Registry Expiry Date: ${new Date(Date.now() + expiresInDays * DAY).toISOString().replace(/\.\d+Z$/, 'Z')}`,
		...statuses.map(s => `Domain Status: ${s} https://icann.org/epp#${s}`),
		'',
	].join('\n');

const run = async (bin: string, inputs: Record<string, string>) => {
	const home = cliHome();
	home.env.PATH = `${bin}:${home.env.PATH}`;
	const args = ['run', RUNBOOK, '--yes', '--ack', '--json'];
	for (const [name, value] of Object.entries(inputs)) args.push('--input', `${name}=${value}`);
	const result = await runCli(args, home);
	const events = eventsOf(home.stateDir, onlyRun(home.stateDir));
	return {...result, events, text: `${result.stdout}\n${result.stderr}`};
};

describe('account-security with whois and dig stand-ins', () => {
	it('a healthy domain: transfer lock on, far from expiry, expected name servers, DS and CAA; every 2FA item of both accounts, the second factor included, is ticked in the record', async () => {
		const bin = standIns({
			whois: whoisFor(400, ['clientTransferProhibited', 'clientDeleteProhibited']),
			NS: 'NS2.Example.NET.\nns1.example.net.\n',
			DS: '12345 13 2 ABCDEF0123456789\n',
			CAA: '0 issue "letsencrypt.org"\n',
		});
		const result = await run(bin, {DOMAIN: 'example.org', EXPECTED_NS: 'ns1.example.net ns2.example.net', MIN_DAYS_TO_EXPIRY: '90'});
		expect(result.code, result.text).toBe(0);
		expect(result.events.at(-1)).toMatchObject({type: 'run-finished', outcome: 'completed'});
		expect(result.text).toContain('Transfer lock is on: whois for example.org shows clientTransferProhibited.');
		expect(result.text).toMatch(/example\.org expires on \d{4}-\d{2}-\d{2}: (399|400) days from now\./);
		expect(result.text).toContain('They match the expected name servers.');
		expect(result.text).toContain('DNSSEC: on.');

		const ticked = (step: string) => result.events.filter(e => e.type === 'task-ticked' && e.step === step).map(e => (e as {text: string}).text);
		for (const step of ['registrar-account-2fa', 'hosting-account-2fa']) {
			const items = ticked(step);
			expect(items, step).toEqual(
				expect.arrayContaining([
					expect.stringMatching(/^A second factor is registered, of a second kind or on a second device kept apart from the first/),
					expect.stringMatching(/^Each factor was tried today/),
					expect.stringMatching(/^The register names each factor of this account/),
				]),
			);
		}
	});

	it('a domain about to expire, and without DNSSEC: findings, and the run needs attention', async () => {
		const bin = standIns({
			whois: whoisFor(20, ['clientTransferProhibited']),
			NS: 'ns1.example.net.\nns2.example.net.\n',
			DS: '',
			CAA: '',
		});
		const result = await run(bin, {DOMAIN: 'example.org', EXPECTED_NS: 'ns1.example.net ns2.example.net', MIN_DAYS_TO_EXPIRY: '90'});
		expect(result.code, result.text).toBe(1);
		expect(result.events.at(-1)).toMatchObject({type: 'run-finished', outcome: 'needs-attention'});
		const findings = result.events.flatMap(e => (e.type === 'step-finished' && e.status === 'attention' ? [e.step] : []));
		expect(findings).toEqual(['expiry-and-auto-renew', 'dns-name-servers-dnssec-caa']);
		expect(result.text).toMatch(/Only (19|20) days left \(wanted more than 90\)\./);
		expect(result.text).toContain('DNSSEC: off. There is no DS record for example.org at the registry.');
	});
});
