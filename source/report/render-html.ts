// The report as one self-contained HTML file (no external resources) that
// reads well on screen and prints well on paper.

import {formatDuration} from '../runbook/duration.js';
import type {RunReport} from './run-report.js';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}h3{font-size:1rem;margin-top:1.5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
pre{background:#f6f6f6;border:1px solid #ddd;padding:.5rem;white-space:pre-wrap;word-break:break-all}
.done,.already-done,.completed{color:#176f2c}.failed,.timed-out,.cancelled,.interrupted{color:#a1131a;font-weight:600}.skipped,.attention,.needs-attention{color:#8a5a00}
.note{border-left:3px solid #888;padding-left:.5rem;color:#333}.bad{color:#a1131a;font-weight:600}
@media print{body{margin:0;max-width:none;font-size:11px}pre{page-break-inside:avoid}h2,h3{page-break-after:avoid}a{color:inherit}}
`;

export const renderHtml = (r: RunReport): string => {
	const h: string[] = [];
	const row = (k: string, v: string) => h.push(`<tr><th>${escape(k)}</th><td>${v}</td></tr>`);
	h.push('<!doctype html>', '<html lang="en"><head><meta charset="utf-8">');
	h.push(`<title>${escape(`${r.runbook.title}: run ${r.runId}`)}</title>`);
	h.push(`<style>${STYLE}</style></head><body>`);
	h.push(`<h1>${escape(r.runbook.title)}</h1><p>Run <code>${escape(r.runId)}</code></p>`);
	h.push('<table>');
	row('Outcome', `<strong class="${escape(r.outcome)}">${escape(r.outcome)}</strong>`);
	row('Runbook', `<code>${escape(r.runbook.id)}</code> (${escape(r.runbook.path)})`);
	row('Runbook SHA-256', `<code>${escape(r.runbook.sha256)}</code>`);
	row(
		'Operator',
		escape(
			`${r.operator.user} (uid ${r.operator.uid}) on ${r.operator.host}${r.operator.sshClient ? `, SSH from ${r.operator.sshClient}` : ''}${r.operator.tty ? `, ${r.operator.tty}` : ''}`,
		),
	);
	if (r.target) row('Host', escape(r.target));
	row('Started', escape(r.startedAt));
	row('Finished', escape(r.finishedAt ?? '—'));
	row('Mode', r.mode === 'check' ? 'check only (audit)' : 'run');
	row('Rampart', escape(r.rampartVersion));
	row('Record', `<code>${escape(r.journal)}</code>`);
	row('Record intact', r.integrity.ok ? 'yes (hash chain and logs verified)' : `<span class="bad">NO: ${escape(r.integrity.problems.join('; '))}</span>`);
	row(
		'Signed',
		r.signing.ok ? escape(r.signing.summary) : `<span class="bad">${escape(r.signing.summary)}: ${escape(r.signing.signatures.map(s => s.message).join('; '))}</span>`,
	);
	h.push('</table>');

	h.push('<h2>Inputs</h2><table>');
	for (const [name, value] of Object.entries(r.inputs)) row(name, `<code>${escape(value)}</code>`);
	for (const name of r.secrets) row(name, '<em>secret, not recorded</em>');
	h.push('</table>');

	h.push('<h2>Steps</h2><table><tr><th>#</th><th>Step</th><th>Outcome</th><th>Duration</th><th>Attempts</th></tr>');
	r.steps.forEach((s, i) =>
		h.push(
			`<tr><td>${i + 1}</td><td>${escape(s.title)}</td><td class="${escape(s.status)}">${escape(s.status)}</td><td>${s.durationMs === undefined ? '—' : escape(formatDuration(s.durationMs))}</td><td>${s.attempts}</td></tr>`,
		),
	);
	h.push('</table>');
	r.steps.forEach((s, i) => {
		h.push(`<h3>${i + 1}. ${escape(s.title)}</h3>`);
		h.push(`<p>Outcome: <strong class="${escape(s.status)}">${escape(s.status)}</strong>${s.exitCode ? ` (exit ${s.exitCode})` : ''}</p>`);
		if (s.error) h.push(`<p>Error: ${escape(s.error)}</p>`);
		if (s.skipReason) h.push(`<p>Skipped because: ${escape(s.skipReason)}</p>`);
		if (s.status === 'attention') h.push(`<p>Needs attention:</p><ul>${(s.findings ?? []).map(f => `<li>${escape(f)}</li>`).join('')}</ul>`);
		if (s.rollback) h.push(`<p>${s.rollback.ok ? 'Rolled back' : 'Rollback FAILED'} at ${escape(s.rollback.time)}</p>`);
		if (s.rollback) h.push(`<p>Rollback: ${s.rollback.ok ? 'done' : '<span class="bad">FAILED</span>'} at ${escape(s.rollback.time)}</p>`);
		if (s.ticks.length) h.push(`<ul>${s.ticks.map(t => `<li>☑ ${escape(t.text)} <small>(${escape(t.time)})</small></li>`).join('')}</ul>`);
		if (s.acknowledged) h.push('<p>Acknowledged by the operator.</p>');
		for (const n of s.notes) h.push(`<p class="note">Note (${escape(n.time)}): ${escape(n.text)}</p>`);
		for (const log of s.logs) {
			h.push(
				`<p><small>Log <code>${escape(log.path)}</code>, ${log.bytes} bytes, SHA-256 <code>${escape(log.sha256)}</code>${log.truncated ? ', truncated' : ''}${log.missing ? ' <span class="bad">MISSING</span>' : ''}</small></p>`,
			);
			if (log.lines.length) h.push(`<pre>${log.omitted ? escape(`… ${log.omitted} earlier lines in the full log\n`) : ''}${escape(log.lines.join('\n'))}</pre>`);
		}
	});
	if (r.notes.length) h.push('<h2>Notes</h2><ul>', ...r.notes.map(n => `<li>${escape(n.time)}: ${escape(n.text)}</li>`), '</ul>');
	h.push('<h2>Timeline</h2><table>', ...r.timeline.map(t => `<tr><td><code>${escape(t.time)}</code></td><td>${escape(t.text)}</td></tr>`), '</table>');
	h.push('</body></html>', '');
	return h.join('\n');
};
