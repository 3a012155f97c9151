// Notifications end to end through the built CLI: the daily job's command,
// exactly as `rampart schedule install` writes it, tells a real webhook (on
// loopback) and a sendmail on PATH about an overdue runbook and writes what
// the login message prints; each webhook format arrives in its own shape; a
// delivery that fails is reported, kept, and delivered by the next run.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {loginFilePath, motdScript, profileScript} from '../../source/notify/login.js';
import {pendingPath} from '../../source/notify/pending.js';
import {runCli, startCli, tempDir} from '../engine/helpers.js';
import {writeRun} from '../journal/run-fixtures.js';
import {closedPort, notifyHome, sendmailStandIn, webhookServer} from './helpers.js';

const DAY = 24 * 60 * 60 * 1000;
// Most tests start Rampart four to eight times: generous on a loaded machine.
const SLOW = 90_000;

/** The periodic runbooks found (but `except`), recorded as done an hour ago: nothing else is due. */
const allDone = async (home: Parameters<typeof runCli>[1] & {stateDir: string}, except?: string) => {
	const status = await runCli(['status', '--json'], home);
	const ids = (JSON.parse(status.stdout) as {runbooks: Array<{id: string; every?: string}>}).runbooks.filter(r => r.every).map(r => r.id);
	expect(ids).toContain('firewall-audit');
	for (const id of ids.filter(i => i !== except)) writeRun(home.stateDir, id, new Date(Date.now() - 60 * 60 * 1000), 'completed');
};

describe('rampart notify --due, run as the schedule runs it', () => {
	it(
		'tells the webhook and the mail about an overdue runbook, and the login message shows it',
		async () => {
			const server = await webhookServer();
			const mail = sendmailStandIn();
			const home = notifyHome(`notify:\n  email: [ops@example.org]\n  webhook:\n    url: "${server.url}/hook"\n    headers: {Authorization: "Bearer t0ken"}\n`, mail.dir);
			await allDone(home, 'firewall-audit');
			writeRun(home.stateDir, 'firewall-audit', new Date(Date.now() - 30 * DAY), 'completed');

			// The daily job's line, as the (user) crontab would get it: environment assignments, then the absolute command.
			const plan = await runCli(['schedule', 'install', '--user', '--cron', '--dry-run'], home);
			expect(plan.code, plan.stderr).toBe(0);
			const line = plan.stdout
				.split('\n')
				.find(l => /^\s+0 8 /.test(l))!
				.trim();
			expect(line).toMatch(/^0 8 \* \* \* RAMPART_HOME=\S+ RAMPART_CONFIG=\S+ \/\S+ \/\S+ notify --due --quiet$/);
			const command = line.split(' ').slice(5).join(' ');
			// cron's own environment: a short PATH (here with the stand-in sendmail), no terminal.
			// (Not spawnSync: the webhook server answers from this process.)
			const job = await startCli([], {cwd: '/', env: {PATH: `${mail.dir}:/usr/bin:/bin`, HOME: home.env['HOME']!}, command: ['sh', '-c', command]}).done;
			expect(job.code, job.stderr).toBe(0);
			expect(job.stdout + job.stderr).toBe('');

			expect(server.received).toHaveLength(1);
			const [request] = server.received;
			expect(request).toMatchObject({method: 'POST', url: '/hook'});
			expect(request!.headers['authorization']).toBe('Bearer t0ken');
			expect(request!.headers['content-type']).toBe('application/json');
			expect(request!.body).toMatchObject({source: 'rampart', priority: 'high', items: [{id: 'firewall-audit', state: 'overdue'}]});
			expect((request!.body as {title: string}).title).toMatch(/: 1 runbook overdue$/);

			const [message, ...more] = mail.messages();
			expect(more).toEqual([]);
			expect(message).toMatch(/^ARGS: -t -oi\n/);
			expect(message).toContain('\nTo: ops@example.org\n');
			expect(message).toMatch(/\nSubject: \S+: 1 runbook overdue\n/);
			expect(message).toMatch(/\n\nOVERDUE {2}firewall-audit: overdue by \d+ days/);

			// The login snippets print the file the job wrote, and nothing else.
			const loginFile = loginFilePath(home.stateDir);
			const snippets = tempDir('rampart-login-');
			fs.writeFileSync(path.join(snippets, '90-rampart'), motdScript(loginFile), {mode: 0o755});
			fs.writeFileSync(path.join(snippets, 'rampart.sh'), profileScript(loginFile));
			const motd = spawnSync(path.join(snippets, '90-rampart'), {encoding: 'utf8'});
			expect(motd.status).toBe(0);
			expect(motd.stdout).toMatch(/^Rampart: \S+: 1 runbook overdue\n {2}OVERDUE {2}firewall-audit: overdue by \d+ days.*\nSee: rampart status\n$/);
			const interactive = spawnSync('bash', ['--norc', '--noprofile', '-i', '-c', `. ${path.join(snippets, 'rampart.sh')}; echo shell-goes-on`], {encoding: 'utf8'});
			expect(interactive.stdout).toBe(`${motd.stdout}shell-goes-on\n`);
			// A script's shell (scp, rsync, cron) prints nothing.
			const script = spawnSync('sh', ['-c', `. ${path.join(snippets, 'rampart.sh')}; echo shell-goes-on`], {encoding: 'utf8'});
			expect(script.stdout).toBe('shell-goes-on\n');
			// No file (the job never ran, or the state directory is gone): silence, and the login goes on.
			fs.rmSync(loginFile);
			const none = spawnSync(path.join(snippets, '90-rampart'), {encoding: 'utf8'});
			expect({status: none.status, stdout: none.stdout, stderr: none.stderr}).toEqual({status: 0, stdout: '', stderr: ''});
		},
		SLOW,
	);

	it(
		'sends nothing when nothing is due, and the login message is empty',
		async () => {
			const server = await webhookServer();
			const mail = sendmailStandIn();
			const home = notifyHome(`notify:\n  email: [ops@example.org]\n  webhook: {url: "${server.url}/hook"}\n`, mail.dir);
			await allDone(home);
			const result = await runCli(['notify', '--due'], home);
			expect(result.code, result.stderr).toBe(0);
			expect(result.stdout).toBe('Nothing due or overdue: no notification.\n');
			expect(server.received).toEqual([]);
			expect(mail.messages()).toEqual([]);
			expect(fs.readFileSync(loginFilePath(home.stateDir), 'utf8')).toBe('');
		},
		SLOW,
	);

	it(
		'reports a failed delivery, keeps it, and delivers it on the next run',
		async () => {
			const server = await webhookServer();
			const mail = sendmailStandIn();
			const home = notifyHome(`notify:\n  email: [ops@example.org]\n  webhook: {url: "${server.url}/hook", format: slack}\n`, mail.dir);
			await allDone(home, 'firewall-audit');
			writeRun(home.stateDir, 'firewall-audit', new Date(Date.now() - 30 * DAY), 'completed');
			server.state.status = 503;
			const failed = await runCli(['notify', '--due', '--quiet'], {...home, env: {...home.env, SENDMAIL_EXIT: '75'}});
			expect(failed.code).toBe(1);
			expect(failed.stderr).toContain(`webhook (${server.url}/hook (slack)) failed: HTTP 503`);
			expect(failed.stderr).toContain('email (ops@example.org) failed: sendmail exited 75');
			expect(failed.stderr).toContain(`2 notification(s) kept in ${pendingPath(home.stateDir)}`);
			expect(fs.statSync(pendingPath(home.stateDir)).mode & 0o777).toBe(0o600);

			// The next day: the runbook was done meanwhile, so there is nothing new; what was kept goes out.
			server.state.status = 200;
			writeRun(home.stateDir, 'firewall-audit', new Date(Date.now() - 30 * 60 * 1000), 'completed');
			const retried = await runCli(['notify', '--due'], home);
			expect(retried.code, retried.stderr).toBe(0);
			expect(retried.stdout).toMatch(/^Nothing due or overdue: no notification\.\nsent email \(ops@example\.org\): \S+: 1 runbook overdue: handed to sendmail/);
			expect(retried.stdout).toMatch(/\nsent webhook \(.*\): \S+: 1 runbook overdue: HTTP 200\n/);
			expect(server.received).toHaveLength(2);
			expect(server.received[1]!.body).toEqual(server.received[0]!.body);
			expect((server.received[1]!.body as {text: string}).text).toMatch(/^\*\S+: 1 runbook overdue\*\nOVERDUE {2}firewall-audit/);
			expect(mail.messages()).toHaveLength(2);
			expect(fs.existsSync(pendingPath(home.stateDir))).toBe(false);
		},
		SLOW,
	);
});

describe('rampart notify --test', () => {
	it(
		'sends through each channel in the configured webhook format and says how each went',
		async () => {
			const server = await webhookServer();
			const mail = sendmailStandIn();
			for (const format of ['json', 'ntfy', 'slack'] as const) {
				const home = notifyHome(`notify:\n  email: [ops@example.org, oncall@example.org]\n  webhook: {url: "${server.url}/alerts", format: ${format}}\n`, mail.dir);
				const result = await runCli(['notify', '--test'], home);
				expect(result.code, result.stderr).toBe(0);
				expect(result.stdout).toContain('ok      email (ops@example.org, oncall@example.org): handed to sendmail');
				expect(result.stdout).toContain(`ok      webhook (${server.url}/alerts (${format})): HTTP 200`);
			}
			const [json, ntfy, slack] = server.received;
			expect(json).toMatchObject({url: '/alerts', body: {source: 'rampart', key: 'test', priority: 'default', tags: ['rampart', 'test']}});
			// ntfy's JSON publishing: to the server's root, the topic in the body.
			expect(ntfy!.url).toBe('/');
			expect(ntfy!.body).toEqual({
				topic: 'alerts',
				title: expect.stringMatching(/: Rampart test notification$/),
				message: 'If you can read this, Rampart can reach you here.',
				priority: 3,
				tags: ['rampart', 'test'],
			});
			expect(slack).toMatchObject({url: '/alerts', body: {text: expect.stringMatching(/^\*\S+: Rampart test notification\*\nIf you can read this/)}});
			expect(Object.keys(slack!.body as object)).toEqual(['text']);
			expect(mail.messages()).toHaveLength(3);
			expect(mail.messages()[0]).toContain('\nTo: ops@example.org, oncall@example.org\n');
		},
		SLOW,
	);

	it('names each channel that fails, and exits 1; with none configured it says how to set one', async () => {
		const port = await closedPort();
		const home = notifyHome(`notify:\n  email: [ops@example.org]\n  webhook: {url: "http://127.0.0.1:${port}/nothing-listens"}\n`);
		// No sendmail anywhere on PATH.
		home.env['PATH'] = tempDir('rampart-empty-path-');
		const result = await runCli(['notify', '--test'], home);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain('FAILED  email (ops@example.org): sendmail is not on PATH');
		expect(result.stderr).toContain(`FAILED  webhook (http://127.0.0.1:${port}/nothing-listens (json)): ECONNREFUSED`);

		const none = await runCli(['notify', '--test'], notifyHome(''));
		expect(none.code).toBe(2);
		expect(none.stderr).toContain('rampart: no notification channel is configured');
		expect(none.stderr).toContain('rampart config set notify.email');
	});

	it('a broken settings file is named with its key, not a stack trace', async () => {
		const home = notifyHome('notify:\n  webhook: {url: "https://hooks.example.org/x", format: teams}\n');
		const result = await runCli(['notify', '--test'], home);
		expect(result.code).toBe(2);
		expect(result.stderr).toMatch(new RegExp(`^rampart: ${home.configFile}: notify\\.webhook\\.format: .*"slack"\\n$`));
	});
});
