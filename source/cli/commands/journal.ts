import {existsSync} from 'node:fs';
import path from 'node:path';
import {journalPath, listRuns, runsDir, verifyJournal, type VerifyResult} from '../../journal/index.js';
import {StateDirError} from '../../journal/state-trust.js';
import {checkRunSignatures, describeSigner, signRun, type RunSignatures} from '../../trust/signing.js';
import {signingSetting} from '../../trust/signing-config.js';
import {CliError, usageError} from '../errors.js';
import {EXIT} from '../exit-codes.js';
import type {CliContext} from '../context.js';

/** The signing key or allowed_signers file from its flag, else the settings; a broken settings file is a usage error. */
export const signingFor = async (ctx: CliContext, name: 'key' | 'allowedSigners', flag: string | undefined): Promise<string | undefined> => {
	try {
		return await signingSetting(ctx.env, name, flag);
	} catch (error) {
		if (error instanceof Error && error.name === 'SettingsError') throw usageError(error.message, 'Fix the file, or give the key with --sign-key / --allowed-signers.');
		throw error;
	}
};

/** One journal; one that cannot be read at all (a directory in its place, no permission) fails alone, the others are still checked. */
const verifyOne = (file: string, stateDir: string): VerifyResult => {
	try {
		return verifyJournal(file, stateDir);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (error instanceof StateDirError || code === undefined) throw error;
		const why = code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : code;
		return {ok: false, lines: 0, problems: [{line: 0, kind: 'unreadable', message: `cannot read ${file}: ${why}`}]};
	}
};

export interface RunVerification extends VerifyResult, RunSignatures {
	runId: string;
	/** The chain and logs are intact, and every signature verified (and, with --require-signatures, every event is signed by an allowed key). */
	verified: boolean;
}

export interface VerifyOptions {
	allowedSigners?: string;
	requireSignatures?: boolean;
}

const fullySigned = (s: RunSignatures) => s.signatures.length > 0 && !s.unsignedTail && s.signatures.every(c => c.status === 'good');

/** Chain, logs and signatures of each run, in the order given. */
export const verifyRuns = (stateDir: string, runIds: string[], options: VerifyOptions, env: NodeJS.ProcessEnv): RunVerification[] =>
	runIds.map(runId => {
		const chain = verifyOne(journalPath(stateDir, runId), stateDir);
		const signatures: RunSignatures = chain.lines > 0 ? checkRunSignatures(stateDir, runId, options.allowedSigners, env) : {signatures: [], ok: true};
		const verified = chain.ok && signatures.ok && (!options.requireSignatures || fullySigned(signatures));
		return {runId, ...chain, ...signatures, ok: chain.ok, verified};
	});

/** The text report: one line per run, then what is wrong or worth knowing, indented. */
export const verificationText = (results: RunVerification[], options: VerifyOptions): string[] => {
	const lines: string[] = [];
	for (const r of results) {
		lines.push(`${r.verified ? 'ok  ' : 'FAIL'} ${r.runId} (${r.lines} event${r.lines === 1 ? '' : 's'})${r.lines > 0 ? `, ${describeSigner(r)}` : ''}`);
		for (const p of r.problems) lines.push(`     ${p.message}`);
		for (const s of r.signatures) lines.push(`     ${s.message}`);
		if (r.unsignedTail) lines.push(`     events ${r.unsignedTail.from}-${r.unsignedTail.to} come after the last good signature: unsigned tail`);
		if (options.requireSignatures && r.signatures.length === 0) lines.push('     no signature, and --require-signatures asks for one');
	}
	return lines;
};

/** `rampart journal verify [run-id]`: checks each run's hash chain, logs and signatures. */
export const journalVerifyCommand = async (
	ctx: CliContext,
	runId: string | undefined,
	options: {json?: boolean; dir?: string; allowedSigners?: string; requireSignatures?: boolean},
): Promise<number> => {
	const stateDir = options.dir === undefined ? ctx.stateDir() : path.resolve(ctx.cwd, options.dir);
	if (options.dir !== undefined && !existsSync(runsDir(stateDir))) throw usageError(`${stateDir} holds no Rampart records (no runs/ directory in it)`);
	const allowedSigners = await signingFor(ctx, 'allowedSigners', options.allowedSigners);
	const signers = allowedSigners === undefined ? undefined : path.resolve(ctx.cwd, allowedSigners);
	if (signers !== undefined && !existsSync(signers)) throw usageError(`the allowed_signers file ${signers} does not exist`);
	if (options.requireSignatures && !signers)
		throw usageError('--require-signatures needs an allowed_signers file: --allowed-signers FILE, or sign.allowedSigners in the settings');
	const runIds = runId ? [runId] : listRuns(stateDir);
	if (runId && !existsSync(journalPath(stateDir, runId))) throw usageError(`no run ${runId} in ${stateDir}`);
	const verifyOptions = {allowedSigners: signers, requireSignatures: options.requireSignatures};
	let results: RunVerification[];
	try {
		results = verifyRuns(stateDir, runIds, verifyOptions, ctx.env);
	} catch (error) {
		// As root, records that are another user's are refused, as in Rampart's own state directory.
		if (error instanceof StateDirError)
			throw new CliError(
				error.message,
				EXIT.requirements,
				options.dir ? 'To check records someone else unpacked, run the check as your own user (not root).' : undefined,
			);
		throw error;
	}
	if (options.json) ctx.out(JSON.stringify(results, null, 2));
	else {
		if (results.length === 0) ctx.out(`No runs recorded in ${stateDir}.`);
		for (const line of verificationText(results, verifyOptions)) ctx.out(line);
		if (!signers && results.some(r => r.signatures.length > 0))
			ctx.err('rampart: signatures were checked against the records only; give --allowed-signers FILE to check who signed them.');
	}
	return results.every(r => r.verified) ? EXIT.ok : EXIT.failed;
};

/** `rampart journal sign [run-id]`: signs a run's record as it stands now (e.g. one whose signing failed). */
export const journalSignCommand = async (ctx: CliContext, runId: string | undefined, options: {signKey?: string}): Promise<number> => {
	const stateDir = ctx.stateDir();
	const key = await signingFor(ctx, 'key', options.signKey);
	if (!key) throw usageError('no signing key: give --sign-key FILE (or agent), or set sign.key in the settings');
	const id = runId ?? listRuns(stateDir).at(-1);
	if (!id || !existsSync(journalPath(stateDir, id))) throw usageError(runId ? `no run ${runId} in ${stateDir}` : `no runs recorded in ${stateDir}`);
	const signed = signRun(stateDir, id, key, ctx.env);
	if (!signed.ok) throw new CliError(`run ${id} was not signed: ${signed.why}`, EXIT.failed);
	ctx.err(`rampart: signed the record of run ${id} (${signed.events} events) with ${key}: ${path.relative(stateDir, signed.signature.sig)}`);
	return EXIT.ok;
};
