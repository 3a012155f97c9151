// A scheduled audit: `rampart notify --audit ID` runs the runbook with
// --check; when the check finds something, the notice names the runbook, how
// the run ended, the record to read and the check's last words; a passing
// audit sends nothing. The schedule picks such a runbook up on its period.

import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {runCli, tempDir} from '../engine/helpers.js';
import {notifyHome, webhookServer} from './helpers.js';

/** A check-only runbook, every 7 days, whose one check passes while `marker` exists. */
const auditRunbook = (marker: string) => `---
title: Marker audit
summary: Checks that the marker file is still there.
every: 7d
inputs:
  MARKER:
    type: path
    prompt: The marker file
    default: ${marker}
---

# Marker audit

## The marker is there

\`\`\`sh {role=check finding name="marker present"}
if [ -e "$MARKER" ]; then echo "marker present"; else echo "marker missing: $MARKER"; exit 1; fi
\`\`\`
`;

/** A runbooks directory with the audit, approved in a fresh home whose webhook is `url` (none when undefined). */
const auditHome = async (marker: string, url?: string) => {
	const home = notifyHome(url ? `notify:\n  webhook: {url: "${url}/hook"}\n` : '');
	home.env['RAMPART_RUNBOOKS'] = tempDir('rampart-audit-runbooks-');
	fs.writeFileSync(path.join(home.env['RAMPART_RUNBOOKS'], 'marker-audit.md'), auditRunbook(marker));
	const approved = await runCli(['approve', 'marker-audit', '--yes'], home);
	expect(approved.code, approved.stderr).toBe(0);
	return home;
};

// Each test starts Rampart three or four times (one of them starts it again): generous on a loaded machine.
const SLOW = 90_000;

describe('rampart notify --audit', () => {
	it(
		'is what the schedule runs for a check-only runbook, on its period',
		async () => {
			const home = await auditHome('/nonexistent/rampart-marker');
			const plan = await runCli(['schedule', 'install', '--user', '--cron', '--dry-run'], home);
			expect(plan.stdout).toMatch(/\n {2}rampart-audit-marker-audit +weekly +rampart notify --audit marker-audit --quiet\n/);
		},
		SLOW,
	);

	it(
		'notifies when the check finds something, with how it ended, its last output and the record to read',
		async () => {
			const server = await webhookServer();
			const marker = path.join(tempDir('rampart-marker-'), 'marker');
			const home = await auditHome(marker, server.url);
			const failing = await runCli(['notify', '--audit', 'marker-audit', '--quiet'], home);
			expect(failing.code, failing.stderr).toBe(1);
			expect(server.received).toHaveLength(1);
			const notice = server.received[0]!.body as {title: string; message: string; priority: string; key: string};
			expect(notice.title).toMatch(/^\S+: marker-audit --check: failed or needs attention$/);
			expect(notice.priority).toBe('high');
			expect(notice.message).toContain(`marker missing: ${marker}`);
			const runId = /\nRecord: rampart report (\S+)$/.exec(notice.message)?.[1];
			expect(notice.key).toBe(`audit:${runId}`);
			const report = await runCli(['report', runId!], home);
			expect(report.code, report.stderr).toBe(0);
			expect(report.stdout).toContain('marker missing');
		},
		SLOW,
	);

	it(
		'sends nothing when the check passes',
		async () => {
			const server = await webhookServer();
			const marker = path.join(tempDir('rampart-marker-'), 'marker');
			fs.writeFileSync(marker, '');
			const home = await auditHome(marker, server.url);
			const passing = await runCli(['notify', '--audit', 'marker-audit'], home);
			expect(passing.code, passing.stderr).toBe(0);
			expect(passing.stdout).toBe('marker-audit --check: passed\n');
			expect(server.received).toEqual([]);
		},
		SLOW,
	);

	it(
		'with no channel configured, prints the notice (cron mails what a job prints)',
		async () => {
			const home = await auditHome('/nonexistent/rampart-marker');
			const result = await runCli(['notify', '--audit', 'marker-audit', '--quiet'], home);
			expect(result.code).toBe(1);
			expect(result.stdout).toMatch(/^\S+: marker-audit --check: failed or needs attention\n[^]*marker missing: \/nonexistent\/rampart-marker/);
		},
		SLOW,
	);
});
