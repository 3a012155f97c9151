import {existsSync, writeFileSync} from 'node:fs';
import {journalPath} from '../../journal/index.js';
import {buildRunReport} from '../../report/run-report.js';
import {renderMarkdown} from '../../report/render-markdown.js';
import {renderHtml} from '../../report/render-html.js';
import {usageError} from '../errors.js';
import type {CliContext} from '../context.js';
import {signingFor} from './journal.js';

export const REPORT_FORMATS = ['md', 'json', 'html'] as const;

/** `rampart report <run-id>`: the audit or incident record of one run. */
export const reportCommand = async (ctx: CliContext, runId: string, options: {format: string; output?: string}): Promise<number> => {
	const stateDir = ctx.stateDir();
	if (!(REPORT_FORMATS as readonly string[]).includes(options.format)) {
		throw usageError(`unknown report format "${options.format}"; use one of: ${REPORT_FORMATS.join(', ')}`);
	}
	if (!existsSync(journalPath(stateDir, runId))) throw usageError(`no run ${runId} in ${stateDir}`, 'See the runs with: rampart history');
	// Who signed is named from the configured allowed_signers; a broken settings file only leaves the signer unnamed.
	const allowedSigners = await signingFor(ctx, 'allowedSigners', undefined).catch(() => undefined);
	const report = buildRunReport(stateDir, runId, {allowedSigners, env: ctx.env});
	const text = options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : options.format === 'html' ? renderHtml(report) : renderMarkdown(report);
	if (options.output) {
		// Reports hold what the commands printed: keep them private like the record.
		writeFileSync(options.output, text, {mode: 0o600});
		ctx.err(`rampart: report written to ${options.output}`);
	} else ctx.out(text.replace(/\n$/, ''));
	return 0;
};
