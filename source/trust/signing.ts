// Signed records: at the end of each session of a run, the journal's state
// (run id, number of events, last event's hash) is signed with the operator's
// SSH key; a verifier rebuilds that text from the journal and checks each
// signature against an allowed_signers file. Root can recompute the hash
// chain after an edit; without the signer's key it cannot sign the result.

import os from 'node:os';
import path from 'node:path';
import {chainPoint, lineHashes, listSignatures, signedText, storeSignature, type StoredSignature} from '../journal/signature-store.js';
import {agentPublicKey, findPrincipals, sshCheckSignature, sshSign, sshVerify} from './signing-ssh.js';

/** `--sign-key agent` / `sign.key: agent`: the first key the SSH agent holds. */
export const AGENT_KEY = 'agent';

export type SignResult = {ok: true; events: number; signature: StoredSignature} | {ok: false; why: string};

const expandHome = (file: string) => (file === '~' || file.startsWith('~/') ? path.join(os.homedir(), file.slice(1)) : path.resolve(file));

/** Signs the run's journal as it is now with `key` (a key file, or AGENT_KEY); never throws. */
export const signRun = (stateDir: string, runId: string, key: string, env: NodeJS.ProcessEnv): SignResult => {
	let dispose = () => {};
	try {
		const point = chainPoint(stateDir, runId);
		if (!point) return {ok: false, why: 'its journal holds no complete event'};
		let keyFile = expandHome(key);
		if (key === AGENT_KEY) {
			const agent = agentPublicKey(env);
			if ('why' in agent) return {ok: false, why: agent.why};
			keyFile = agent.file;
			dispose = agent.dispose;
		}
		const signed = sshSign(signedText(point), keyFile, env);
		if (!signed.ok) return {ok: false, why: signed.why};
		return {ok: true, events: point.events, signature: storeSignature(stateDir, point, signed.stdout)};
	} catch (error) {
		return {ok: false, why: error instanceof Error ? error.message : String(error)};
	} finally {
		dispose();
	}
};

export type SignatureStatus = 'good' | 'unchecked' | 'unknown-key' | 'bad';

export interface SignatureCheck {
	/** How many events (from the first) it covers. */
	events: number;
	/** Relative to the state directory, e.g. signatures/<run>/000012.sig. */
	file: string;
	status: SignatureStatus;
	/** Who signed, as allowed_signers names them (status good). */
	principal?: string;
	/** The signing key's type and fingerprint, e.g. `ED25519 SHA256:…` (all but bad). */
	key?: string;
	/** Plain words, naming the signature. */
	message: string;
}

export interface RunSignatures {
	signatures: SignatureCheck[];
	/** Events after the last signature that verified: no key vouches for them. */
	unsignedTail?: {from: number; to: number};
	/** No signature is bad or by a key allowed_signers does not list. */
	ok: boolean;
}

/**
 * Checks each stored signature of a run against the journal as it is now.
 * Without an allowed_signers file a signature is still checked against the
 * record (status `unchecked`: good, but whose key it is was not checked).
 */
export const checkRunSignatures = (stateDir: string, runId: string, allowedSigners: string | undefined, env: NodeJS.ProcessEnv): RunSignatures => {
	const hashes = lineHashes(stateDir, runId);
	const signatures = listSignatures(stateDir, runId).map(stored => checkOne(stateDir, runId, hashes, stored, allowedSigners, env));
	const covered = Math.max(0, ...signatures.filter(s => s.status === 'good' || s.status === 'unchecked').map(s => s.events));
	const tail = signatures.length > 0 && covered < hashes.length ? {unsignedTail: {from: covered + 1, to: hashes.length}} : {};
	return {signatures, ...tail, ok: signatures.every(s => s.status === 'good' || s.status === 'unchecked')};
};

const checkOne = (
	stateDir: string,
	runId: string,
	hashes: string[],
	stored: StoredSignature,
	allowedSigners: string | undefined,
	env: NodeJS.ProcessEnv,
): SignatureCheck => {
	const file = path.relative(stateDir, stored.sig);
	const named = `signature ${file} (events 1-${stored.events})`;
	const point = chainPoint(stateDir, runId, hashes, stored.events);
	if (!point)
		return {
			events: stored.events,
			file,
			status: 'bad',
			message: `${named}: the journal now holds only ${hashes.length} event${hashes.length === 1 ? '' : 's'}: events were removed after it was signed`,
		};
	const text = signedText(point);
	const base = {events: stored.events, file};
	// The usual case, a good signature by a listed key, costs two ssh-keygen runs: find-principals and verify.
	for (const principal of allowedSigners ? findPrincipals(stored.sig, allowedSigners, env) : []) {
		const verified = sshVerify(text, stored.sig, allowedSigners ?? '', principal, env);
		if (verified.ok) return {...base, key: verified.key, status: 'good', principal, message: `signed by ${principal} (${verified.key}), events 1-${stored.events}`};
	}
	const checked = sshCheckSignature(text, stored.sig, env);
	if (!checked.ok) return {...base, status: 'bad', message: `${named} does not match the record: it was changed after it was signed (${checked.why})`};
	if (!allowedSigners)
		return {...base, key: checked.key, status: 'unchecked', message: `${named} by key ${checked.key}: good, but not checked against an allowed_signers file`};
	return {
		...base,
		key: checked.key,
		status: 'unknown-key',
		message: `${named} was made by key ${checked.key}, which ${allowedSigners} does not allow to sign Rampart records`,
	};
};

/** Who signed a run, in a few words: `signed by alice (ED25519 SHA256:…)`, `unsigned`, or what is wrong. */
export const describeSigner = (r: RunSignatures): string => {
	if (r.signatures.length === 0) return 'unsigned';
	const keys = (status: SignatureStatus, show: (s: SignatureCheck) => string) => [...new Set(r.signatures.filter(s => s.status === status).map(show))].join(', ');
	const tail = r.unsignedTail ? `; events ${r.unsignedTail.from}-${r.unsignedTail.to} unsigned` : '';
	if (!r.ok) return `signature NOT verified (${r.signatures.filter(s => s.status === 'bad' || s.status === 'unknown-key').length} of ${r.signatures.length})`;
	if (r.signatures.every(s => s.status === 'good')) return `signed by ${keys('good', s => `${s.principal} (${s.key})`)}${tail}`;
	return `signed with key ${keys('unchecked', s => s.key ?? '?')}${keys('good', s => `, by ${s.principal} (${s.key})`)}, signer not checked against allowed_signers${tail}`;
};
