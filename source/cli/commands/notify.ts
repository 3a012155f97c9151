import {loadSettings} from '../../config/settings.js';
import {loadRunbookList} from '../../engine/runbook-list.js';
import {loadHistory} from '../../engine/run-catalog.js';
import {channelsFrom, deliver} from '../../notify/channels.js';
import {dispatch, failureLines, type DispatchReport} from '../../notify/dispatch.js';
import {writeLoginFile} from '../../notify/login.js';
import {auditNotice, dueNotice, testNotice, type Notice} from '../../notify/notice.js';
import {pendingPath} from '../../notify/pending.js';
import {discoverRunbooks} from '../../runbook/discover.js';
import {OUTCOME_WORDS, runAudit} from '../../schedule/audit.js';
import {selfCommand} from '../../schedule/self.js';
import type {CliContext} from '../context.js';
import {usageError} from '../errors.js';
import {EXIT} from '../exit-codes.js';

export interface NotifyOptions {
	due?: boolean;
	test?: boolean;
	audit?: string;
	quiet?: boolean;
}

/** Says how each delivery went; failures (and what is kept for the next run) on stderr. Exit 1 when any failed. */
const report = (ctx: CliContext, stateDir: string, result: DispatchReport, notices: readonly Notice[], quiet: boolean | undefined): number => {
	for (const d of [...result.retried, ...result.sent].filter(d => d.ok)) if (!quiet) ctx.out(`sent ${d.channel} (${d.target}): ${d.notice.title}: ${d.detail}`);
	for (const line of failureLines(result, pendingPath(stateDir))) ctx.err(line);
	// Nowhere configured: stdout is the channel (cron mails what a job prints).
	if (result.sent.length === 0) for (const n of notices) ctx.out(`${n.title}\n${n.message}`);
	return result.pending.length > 0 || [...result.retried, ...result.sent].some(d => !d.ok) ? EXIT.failed : EXIT.ok;
};

const notifyDue = async (ctx: CliContext, options: NotifyOptions): Promise<number> => {
	const settings = loadSettings(ctx.env);
	const stateDir = ctx.stateDir();
	const rows = await loadRunbookList(discoverRunbooks(ctx.env, ctx.cwd), stateDir);
	const notice = dueNotice(rows);
	writeLoginFile(stateDir, notice);
	const result = await dispatch(stateDir, channelsFrom(settings, ctx.env), notice ? [notice] : []);
	if (!notice && !options.quiet) ctx.out('Nothing due or overdue: no notification.');
	return report(ctx, stateDir, result, notice ? [notice] : [], options.quiet);
};

const notifyTest = async (ctx: CliContext): Promise<number> => {
	const channels = channelsFrom(loadSettings(ctx.env), ctx.env);
	if (channels.length === 0) {
		throw usageError(
			'no notification channel is configured',
			'Set one, e.g.: rampart config set notify.email you@example.org, or rampart config set notify.webhook.url URL',
		);
	}
	let failed = 0;
	for (const channel of channels) {
		const d = await deliver(channel, testNotice());
		if (d.ok) ctx.out(`ok      ${d.channel} (${d.target}): ${d.detail}`);
		else {
			failed++;
			ctx.err(`FAILED  ${d.channel} (${d.target}): ${d.detail}`);
		}
	}
	return failed > 0 ? EXIT.failed : EXIT.ok;
};

const notifyAudit = async (ctx: CliContext, runbookId: string, options: NotifyOptions): Promise<number> => {
	const settings = loadSettings(ctx.env);
	const stateDir = ctx.stateDir();
	const started = Date.now();
	const result = await runAudit(await selfCommand(), runbookId, ctx.env);
	if (result.code === EXIT.ok) {
		if (!options.quiet) ctx.out(`${runbookId} --check: passed`);
		return EXIT.ok;
	}
	// The run this audit made, if it got as far as recording one.
	const run = loadHistory(stateDir, {runbookId, limit: 1}).runs.find(r => Date.parse(r.startedAt) >= started - 1000);
	const notice = auditNotice(runbookId, OUTCOME_WORDS[result.code] ?? `exit ${result.code}`, result.tail, run?.runId);
	const delivered = report(ctx, stateDir, await dispatch(stateDir, channelsFrom(settings, ctx.env), [notice]), [notice], options.quiet);
	return delivered === EXIT.ok ? result.code : EXIT.failed;
};

/** `rampart notify --due | --test | --audit ID`. */
export const notifyCommand = async (ctx: CliContext, options: NotifyOptions): Promise<number> => {
	const chosen = [options.due, options.test, options.audit !== undefined].filter(Boolean).length;
	if (chosen !== 1) throw usageError('say what to do: --due, --test or --audit RUNBOOK (one of them)');
	if (options.test) return notifyTest(ctx);
	if (options.audit !== undefined) return notifyAudit(ctx, options.audit, options);
	return notifyDue(ctx, options);
};
