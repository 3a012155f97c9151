// The record-keeping commands, run as real processes on the built binary:
// list, status, history, report, new, and run --dry-run.

import {execa} from 'execa';
import {mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {beforeEach, describe, expect, it} from 'vitest';
import {RAMPART} from '../engine/helpers.js';
import {recordCompletion} from '../../source/journal/completion-index.js';

let home: string;
let books: string;
let work: string;

const rampart = (args: string[], env: Record<string, string> = {}) =>
	execa(RAMPART[0]!, [...RAMPART.slice(1), ...args], {
		reject: false,
		cwd: work,
		env: {RAMPART_HOME: home, RAMPART_RUNBOOKS: books, XDG_CONFIG_HOME: join(work, 'config'), ...env},
		extendEnv: true,
	});

const DEMO = `---
title: Demo checks
summary: Two steps for the record tests.
every: 30d
inputs:
  SITE:
    type: domain
    prompt: Site
    default: example.org
  API_TOKEN:
    type: secret
    prompt: Token
    optional: true
---

# Demo checks

## Print the site

\`\`\`sh
echo "site is $SITE"
echo "token $API_TOKEN"
\`\`\`

## Confirm by hand

- [ ] Looked at it
`;

beforeEach(() => {
	work = mkdtempSync(join(tmpdir(), 'rampart-records-'));
	home = join(work, 'home');
	books = join(work, 'books');
	mkdirSync(books);
	writeFileSync(join(books, 'demo.md'), DEMO);
});

const runDemo = async () => {
	// A secret never on the command line: from the environment.
	const result = await rampart(['run', 'demo', '--yes', '--ack', '--approve'], {RAMPART_INPUT_API_TOKEN: 'tok-Zq93-secret'});
	expect(result.exitCode, result.stderr).toBe(0);
	const history = JSON.parse((await rampart(['history', '--json'])).stdout) as Array<{runId: string}>;
	return history[0]!.runId;
};

describe('list', () => {
	it('prints every runbook found with its state, as JSON', async () => {
		const result = await rampart(['list', '--json']);
		expect(result.exitCode).toBe(0);
		const rows = JSON.parse(result.stdout) as Array<{id: string; title: string; state: string; every?: string; path: string}>;
		const demo = rows.find(r => r.id === 'demo');
		expect(demo).toMatchObject({title: 'Demo checks', state: 'due', every: '30d', path: join(books, 'demo.md')});
		expect(rows.some(r => r.id === 'account-security')).toBe(true);
	});

	it('shows a runbook as it is now, even after its header was cached by an earlier listing', async () => {
		const first = JSON.parse((await rampart(['list', '--json'])).stdout) as Array<{id: string; title: string}>;
		expect(first.find(r => r.id === 'demo')?.title).toBe('Demo checks');
		writeFileSync(join(books, 'demo.md'), DEMO.replace('title: Demo checks', 'title: Demo checks, renamed'));
		const second = JSON.parse((await rampart(['list', '--json'])).stdout) as Array<{id: string; title: string}>;
		expect(second.find(r => r.id === 'demo')?.title).toBe('Demo checks, renamed');
	});

	it('reports two runbooks with the same id instead of hiding one', async () => {
		const other = join(work, 'other');
		mkdirSync(other);
		writeFileSync(join(other, 'demo.md'), DEMO);
		const result = await rampart(['list'], {RAMPART_RUNBOOKS: `${books}:${other}`});
		expect(result.stderr).toContain('the id "demo" is used by more than one runbook');
		const run = await rampart(['run', 'demo', '--yes', '--approve'], {RAMPART_RUNBOOKS: `${books}:${other}`});
		expect(run.exitCode).toBe(2);
		expect(run.stderr).toContain('names more than one runbook');
	});
});

describe('status', () => {
	it('exits 0 when nothing is overdue and 1 when something is', async () => {
		let result = await rampart(['status', '--json']);
		expect(result.exitCode).toBe(0);
		expect(JSON.parse(result.stdout).overdue).toBe(0);

		// Completed 40 days ago with every: 30d → 10 days overdue.
		recordCompletion(home, 'demo', {runId: 'x', completedAt: new Date(Date.now() - 40 * 86_400_000), every: '30d'});
		result = await rampart(['status', '--json']);
		expect(result.exitCode).toBe(1);
		const status = JSON.parse(result.stdout) as {overdue: number; runbooks: Array<{id: string; state: string}>};
		expect(status.overdue).toBe(1);
		expect(status.runbooks[0]).toMatchObject({id: 'demo', state: 'overdue'});

		const plain = await rampart(['status']);
		expect(plain.stdout).toMatch(/OVERDUE\s+demo\s+overdue by 10 days/);
	});

	it('counts a completed run: due again only after its period', async () => {
		await runDemo();
		const result = await rampart(['status', '--json']);
		expect(result.exitCode).toBe(0);
		const demo = (JSON.parse(result.stdout) as {runbooks: Array<{id: string; state: string; text: string}>}).runbooks.find(r => r.id === 'demo');
		expect(demo?.state).toBe('done');
		expect(demo?.text).toContain('due in 30 days');
	});
	it('still counts a completion whose index update was lost (a kill at the last moment)', async () => {
		await runDemo();
		rmSync(join(home, 'index.json'));
		const demo = (JSON.parse((await rampart(['status', '--json'])).stdout) as {runbooks: Array<{id: string; state: string}>}).runbooks.find(r => r.id === 'demo');
		expect(demo?.state).toBe('done');
	});
});

describe('history and report', () => {
	it('lists runs with operator and outcome', async () => {
		const runId = await runDemo();
		const rows = JSON.parse((await rampart(['history', 'demo', '--json'])).stdout) as Array<Record<string, unknown>>;
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({runId, runbook: 'demo', outcome: 'completed', mode: 'run'});
		expect(typeof rows[0]!.operator).toBe('string');
		expect((await rampart(['history', 'nothing-like-it'])).stdout).toContain('No runs of nothing-like-it');
	});

	it('writes the audit record in md, json and html, with no secret in any', async () => {
		const runId = await runDemo();
		const md = await rampart(['report', runId]);
		expect(md.exitCode).toBe(0);
		expect(md.stdout).toContain('# Demo checks: run');
		expect(md.stdout).toContain('| Outcome | **completed** |');
		expect(md.stdout).toContain('site is example.org');
		expect(md.stdout).toContain('- [x] Looked at it');
		expect(md.stdout).toContain('`API_TOKEN` = (secret, not recorded)');
		expect(md.stdout).toMatch(/Runbook SHA-256 \| `[0-9a-f]{64}`/);
		expect(md.stdout).toContain('Record intact | yes');

		const json = JSON.parse((await rampart(['report', runId, '--format', 'json'])).stdout) as {
			steps: Array<{status: string; logs: Array<{sha256: string}>}>;
			timeline: unknown[];
		};
		expect(json.steps.map(s => s.status)).toEqual(['done', 'done']);
		expect(json.steps[0]!.logs[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
		expect(json.timeline.length).toBeGreaterThan(4);

		const out = join(work, 'report.html');
		const html = await rampart(['report', runId, '--format', 'html', '-o', out]);
		expect(html.exitCode).toBe(0);
		const page = readFileSync(out, 'utf8');
		expect(page).toMatch(/^<!doctype html>/);
		expect(page).toContain('@media print');
		// Self-contained: nothing is fetched from anywhere.
		expect(page).not.toMatch(/<(script|link|img)\b/i);
		for (const text of [md.stdout, JSON.stringify(json), page]) expect(text).not.toContain('tok-Zq93-secret');
	});

	it('escapes what a command printed in the HTML report', async () => {
		writeFileSync(join(books, 'html.md'), '---\ntitle: Html\n---\n\n## Print markup\n\n```sh\necho "<script>alert(1)</script>"\n```\n');
		expect((await rampart(['run', 'html', '--yes', '--approve'])).exitCode).toBe(0);
		const runId = (JSON.parse((await rampart(['history', 'html', '--json'])).stdout) as Array<{runId: string}>)[0]!.runId;
		const page = (await rampart(['report', runId, '--format', 'html'])).stdout;
		expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
		expect(page).not.toContain('<script>');
	});

	it('says so for an unknown run or format', async () => {
		const unknown = await rampart(['report', '20200101T000000Z-nope-0000']);
		expect(unknown.exitCode).toBe(2);
		expect(unknown.stderr).toContain('no run 20200101T000000Z-nope-0000');
		const runId = await runDemo();
		const badFormat = await rampart(['report', runId, '--format', 'pdf']);
		expect(badFormat.exitCode).toBe(2);
		expect(badFormat.stderr).toContain('use one of: md, json, html');
	});
});

describe('new', () => {
	it('creates a lint-clean runbook in the operator runbook directory, and never overwrites', async () => {
		const result = await rampart(['new', 'nightly-check']);
		expect(result.exitCode, result.stderr).toBe(0);
		const file = join(work, 'config', 'rampart', 'runbooks', 'nightly-check.md');
		expect(result.stdout.trim()).toBe(file);
		const lint = await rampart(['lint', file]);
		expect(lint.stdout).toBe('');
		expect(lint.exitCode).toBe(0);
		expect((await rampart(['list', '--json'])).stdout).toContain('"nightly-check"');

		const again = await rampart(['new', 'nightly-check']);
		expect(again.exitCode).toBe(2);
		expect(again.stderr).toContain('already exists');
	});

	it('refuses an id that is not a file-safe name', async () => {
		const result = await rampart(['new', '../evil']);
		expect(result.exitCode).toBe(2);
		expect(existsSync(join(work, 'evil.md'))).toBe(false);
	});
});

describe('run --dry-run', () => {
	it('prints the plan with secrets masked, and runs and records nothing', async () => {
		const marker = join(work, 'ran');
		writeFileSync(
			join(books, 'touchy.md'),
			`---\ntitle: Touchy\ninputs:\n  PASS:\n    type: secret\n    prompt: Pass\n---\n\n## Touch\n\n\`\`\`sh\ntouch "${marker}"\necho "$PASS"\n\`\`\`\n`,
		);
		// On the command line a secret is refused, also for a plan; from the environment it is masked.
		const refused = await rampart(['run', 'touchy', '--dry-run', '--input', 'PASS=hunter2-dry']);
		expect(refused.exitCode).toBe(2);
		expect(refused.stderr).toContain('PASS (on the command line');
		const result = await rampart(['run', 'touchy', '--dry-run'], {RAMPART_INPUT_PASS: 'hunter2-dry'});
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toContain('nothing will run');
		expect(result.stdout).toContain(`touch "${marker}"`);
		expect(result.stdout).toContain('PASS="********"');
		expect(result.stdout).not.toContain('hunter2-dry');
		expect(existsSync(marker)).toBe(false);
		expect(existsSync(join(home, 'runs')) ? readdirSync(join(home, 'runs')) : []).toEqual([]);
	});
});

describe('usage', () => {
	it('exits 2 for an unknown command or option, 0 for --help and --version', async () => {
		expect((await rampart(['frobnicate'])).exitCode).toBe(2);
		expect((await rampart(['list', '--bogus'])).exitCode).toBe(2);
		const help = await rampart(['--help']);
		expect(help.exitCode).toBe(0);
		expect(help.stdout).toContain('Exit codes:');
		expect((await rampart(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
	});

	it("`rampart help COMMAND` shows that command's help", async () => {
		const help = await rampart(['help', 'run']);
		expect(help.exitCode, help.stderr).toBe(0);
		expect(help.stdout).toContain('Usage: rampart run [options] <runbook>');
	});

	it('help piped into a reader that has already gone ends quietly', async () => {
		// `true` exits without reading: every write of the help text meets a closed pipe.
		const piped = await execa('bash', ['-c', `${RAMPART.map(word => JSON.stringify(word)).join(' ')} --help | true; exit \${PIPESTATUS[0]}`], {reject: false});
		expect(piped.stderr).toBe('');
		expect(piped.exitCode).toBe(0);
	});
});
