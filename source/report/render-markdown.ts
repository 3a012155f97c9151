// The report as Markdown: readable as plain text, and on any forge.

import {formatDuration} from '../runbook/duration.js';
import type {RunReport} from './run-report.js';

/** Longer runs of backticks than the text holds, so a log cannot end the fence. */
const fence = (lines: string[]) => '`'.repeat(Math.max(3, ...lines.map(l => (l.match(/`+/g) ?? []).reduce((m, s) => Math.max(m, s.length + 1), 0))));
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export const renderMarkdown = (r: RunReport): string => {
	const out: string[] = [];
	out.push(`# ${r.runbook.title}: run ${r.runId}`, '');
	out.push(`| | |`, `| --- | --- |`);
	out.push(`| Outcome | **${r.outcome}** |`);
	out.push(`| Runbook | \`${r.runbook.id}\` (${cell(r.runbook.path)}) |`);
	out.push(`| Runbook SHA-256 | \`${r.runbook.sha256}\` |`);
	out.push(
		`| Operator | ${cell(`${r.operator.user} (uid ${r.operator.uid}) on ${r.operator.host}`)}${r.operator.sshClient ? `, SSH from ${cell(r.operator.sshClient)}` : ''}${r.operator.tty ? `, ${cell(r.operator.tty)}` : ''} |`,
	);
	if (r.target) out.push(`| Host | ${cell(r.target)} |`);
	out.push(`| Started | ${r.startedAt} |`);
	out.push(`| Finished | ${r.finishedAt ?? '—'} |`);
	out.push(`| Mode | ${r.mode === 'check' ? 'check only (audit)' : 'run'} |`);
	out.push(`| Rampart | ${r.rampartVersion} |`);
	out.push(`| Record | ${cell(r.journal)} |`);
	out.push(`| Record intact | ${r.integrity.ok ? 'yes (hash chain and logs verified)' : `**NO**: ${cell(r.integrity.problems.join('; '))}`} |`);
	out.push(`| Signed | ${r.signing.ok ? cell(r.signing.summary) : `**${cell(r.signing.summary)}**: ${cell(r.signing.signatures.map(s => s.message).join('; '))}`} |`);
	out.push('');

	out.push('## Inputs', '');
	const names = Object.keys(r.inputs);
	if (names.length === 0 && r.secrets.length === 0) out.push('None.');
	for (const name of names) out.push(`- \`${name}\` = \`${r.inputs[name]}\``);
	for (const name of r.secrets) out.push(`- \`${name}\` = (secret, not recorded)`);
	out.push('');

	out.push('## Steps', '');
	out.push('| # | Step | Outcome | Duration | Attempts |', '| --- | --- | --- | --- | --- |');
	r.steps.forEach((s, i) => {
		out.push(`| ${i + 1} | ${cell(s.title)} | ${s.status} | ${s.durationMs === undefined ? '—' : formatDuration(s.durationMs)} | ${s.attempts} |`);
	});
	out.push('');
	r.steps.forEach((s, i) => {
		out.push(`### ${i + 1}. ${s.title}`, '');
		out.push(`Outcome: **${s.status}**${s.exitCode !== undefined && s.exitCode !== null && s.exitCode !== 0 ? ` (exit ${s.exitCode})` : ''}`);
		if (s.error) out.push('', `Error: ${s.error}`);
		if (s.skipReason) out.push('', `Skipped because: ${s.skipReason}`);
		if (s.status === 'attention') out.push('', 'Needs attention:', ...(s.findings ?? []).map(f => `- ${f}`));
		if (s.rollback) out.push('', s.rollback.ok ? `Rolled back at ${s.rollback.time}` : `Rollback FAILED at ${s.rollback.time}`);
		if (s.rollback) out.push('', `Rollback: ${s.rollback.ok ? 'done' : 'FAILED'} at ${s.rollback.time}`);
		for (const t of s.ticks) out.push('', `- [x] ${t.text} (${t.time})`);
		if (s.acknowledged) out.push('', 'Acknowledged by the operator.');
		for (const n of s.notes) out.push('', `> Note (${n.time}): ${n.text}`);
		for (const log of s.logs) {
			out.push('', `Log \`${log.path}\` (${log.bytes} bytes, SHA-256 \`${log.sha256}\`${log.truncated ? ', truncated' : ''})${log.missing ? ' — MISSING' : ''}`);
			if (log.lines.length > 0) {
				const f = fence(log.lines);
				out.push('', `${f}text`, ...(log.omitted ? [`… ${log.omitted} earlier lines in the full log`] : []), ...log.lines, f);
			}
		}
		out.push('');
	});

	if (r.notes.length > 0) {
		out.push('## Notes', '');
		for (const n of r.notes) out.push(`- ${n.time}: ${n.text}`);
		out.push('');
	}
	out.push('## Timeline', '');
	for (const t of r.timeline) out.push(`- \`${t.time}\` ${t.text}`);
	out.push('');
	return out.join('\n');
};
