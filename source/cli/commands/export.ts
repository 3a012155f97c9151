// `rampart export`: an evidence archive an auditor can check on their own
// machine. The records are copied into a private staging directory, checked
// there (so the verification shipped is of what is shipped), and packed with
// the system's tar: every Debian and Ubuntu server has it, and so has the
// auditor who unpacks it.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import {hostname, tmpdir} from 'node:os';
import path from 'node:path';
import {journalPath, listRuns, logsDir, runIdTime} from '../../journal/index.js';
import {readRecordFile} from '../../journal/state-dir.js';
import {SIGNATURES, signaturesDir} from '../../journal/signature-store.js';
import {buildRunReport} from '../../report/run-report.js';
import {renderHtml} from '../../report/render-html.js';
import {checkScript, CHECK_SCRIPT_NAME, evidenceReadme} from '../../trust/signing-evidence.js';
import {CliError, usageError} from '../errors.js';
import {EXIT} from '../exit-codes.js';
import type {CliContext} from '../context.js';
import {parseSince} from './history.js';
import {signingFor, verificationText, verifyRuns} from './journal.js';

export interface ExportOptions {
	output: string;
	since?: string;
	allowedSigners?: string;
	force?: boolean;
}

/** Copies every file of a record directory (logs, signatures) that exists, never through a link. */
const copyDir = (from: string, to: string): void => {
	if (!fs.existsSync(from)) return;
	fs.mkdirSync(to, {recursive: true, mode: 0o700});
	for (const name of fs.readdirSync(from)) {
		if (name.startsWith('.')) continue;
		fs.writeFileSync(path.join(to, name), readRecordFile(path.join(from, name)), {mode: 0o600});
	}
};

const stageRun = (stateDir: string, staged: string, runId: string): void => {
	fs.writeFileSync(journalPath(staged, runId), readRecordFile(journalPath(stateDir, runId)), {mode: 0o600});
	copyDir(logsDir(stateDir, runId), logsDir(staged, runId));
	copyDir(signaturesDir(stateDir, runId), signaturesDir(staged, runId));
};

/** tar.gz of `dir` (one top-level directory) with owners zeroed: its files belong to whoever unpacks it. */
const pack = (parent: string, dir: string, archive: string): void => {
	const args = ['--create', '--gzip', '--file', archive, '--owner=0', '--group=0', '--numeric-owner', '--sort=name', '-C', parent, dir];
	const result = spawnSync('tar', args, {encoding: 'utf8'});
	if (result.error || result.status !== 0) throw new CliError(`tar could not write the archive: ${result.error?.message ?? result.stderr.trim()}`, EXIT.failed);
};

const existsError = (output: string) => usageError(`${output} exists; nothing was written`, 'Choose another name, or replace it with --force.');

export const exportCommand = async (ctx: CliContext, options: ExportOptions): Promise<number> => {
	const stateDir = ctx.stateDir();
	const output = path.resolve(ctx.cwd, options.output);
	if (!options.force && fs.existsSync(output)) throw existsError(output);
	const since = options.since === undefined ? undefined : parseSince(options.since);
	const allowedSigners = await signingFor(ctx, 'allowedSigners', options.allowedSigners);
	const signers = allowedSigners === undefined ? undefined : path.resolve(ctx.cwd, allowedSigners);
	if (signers !== undefined && !fs.existsSync(signers)) throw usageError(`the allowed_signers file ${signers} does not exist`);
	const runIds = listRuns(stateDir).filter(id => !since || (runIdTime(id)?.getTime() ?? 0) >= since.getTime());
	if (runIds.length === 0) throw usageError(`no runs${options.since ? ` started since ${options.since}` : ''} in ${stateDir}; nothing was written`);

	// Private: the logs may quote sensitive output.
	const scratch = fs.mkdtempSync(path.join(tmpdir(), 'rampart-export-'));
	try {
		const top = path.join(scratch, 'evidence');
		const staged = path.join(top, 'state');
		for (const dir of [top, staged, path.join(staged, 'runs'), path.join(staged, SIGNATURES), path.join(top, 'reports')])
			fs.mkdirSync(dir, {recursive: true, mode: 0o700});
		for (const runId of runIds) stageRun(stateDir, staged, runId);
		if (signers) fs.writeFileSync(path.join(top, 'allowed_signers'), fs.readFileSync(signers), {mode: 0o600});
		for (const runId of runIds)
			fs.writeFileSync(path.join(top, 'reports', `${runId}.html`), renderHtml(buildRunReport(stateDir, runId, {allowedSigners: signers})), {mode: 0o600});

		const verifyOptions = {allowedSigners: signers && path.join(top, 'allowed_signers')};
		const results = verifyRuns(staged, runIds, verifyOptions, ctx.env);
		fs.writeFileSync(path.join(top, 'verification.txt'), `${verificationText(results, verifyOptions).join('\n')}\n`, {mode: 0o600});
		fs.writeFileSync(path.join(top, 'verification.json'), `${JSON.stringify(results, null, 2)}\n`, {mode: 0o600});
		const facts = {createdAt: new Date().toISOString(), host: hostname(), since: since?.toISOString(), runs: runIds.length, allowedSigners: signers !== undefined};
		fs.writeFileSync(path.join(top, 'README.txt'), evidenceReadme(facts), {mode: 0o600});
		fs.writeFileSync(path.join(top, CHECK_SCRIPT_NAME), checkScript(), {mode: 0o700});

		// Written beside the target and renamed into place: never a half archive under the name asked for.
		const partial = path.join(path.dirname(output), `.${path.basename(output)}.${process.pid}.partial`);
		try {
			pack(scratch, 'evidence', partial);
			fs.chmodSync(partial, 0o600);
			// Without --force a link, not a rename: it fails rather than replace an archive made meanwhile.
			if (options.force) fs.renameSync(partial, output);
			else fs.linkSync(partial, output);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw existsError(output);
			throw error;
		} finally {
			fs.rmSync(partial, {force: true});
		}
		const failed = results.filter(r => !r.verified).length;
		ctx.err(
			`rampart: wrote ${output}: ${runIds.length} run${runIds.length === 1 ? '' : 's'}${failed ? `; ${failed} did NOT verify (see verification.txt inside)` : ', all verified'}.`,
		);
		return failed ? EXIT.failed : EXIT.ok;
	} finally {
		fs.rmSync(scratch, {recursive: true, force: true});
	}
};
