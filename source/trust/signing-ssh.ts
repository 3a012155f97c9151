// OpenSSH's signing tool, and nothing else: `ssh-keygen -Y` signs and checks,
// so a record can be checked by an auditor with ssh-keygen alone, and keys
// and the agent are handled as the operator's ssh handles them.
//
// Never a prompt: a key that needs a passphrase is refused at once (askpass
// forced to a command that fails) instead of waiting on a terminal Rampart
// owns, or on none. Keys with a passphrase sign through the agent.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {SIGNATURE_NAMESPACE} from '../journal/signature-store.js';

const TIMEOUT_MS = 30_000;

export type SshResult = {ok: true; stdout: string} | {ok: false; why: string};

const sshKeygen = (args: string[], input: string, env: NodeJS.ProcessEnv): SshResult => {
	const result = spawnSync('ssh-keygen', args, {
		input,
		encoding: 'utf8',
		timeout: TIMEOUT_MS,
		env: {...env, SSH_ASKPASS: '/bin/false', SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ''},
	});
	if (result.error) {
		const code = (result.error as NodeJS.ErrnoException).code;
		return {ok: false, why: code === 'ENOENT' ? 'ssh-keygen is not installed (Debian: apt install openssh-client)' : result.error.message};
	}
	if (result.status === 0) return {ok: true, stdout: result.stdout};
	const said = `${result.stderr}`.trim().split('\n').filter(Boolean).at(-1);
	return {ok: false, why: said ?? (result.signal ? `ssh-keygen was ended by ${result.signal}` : `ssh-keygen exited with ${result.status}`)};
};

/** Signs `text` with a private key file, or a public key file whose private half the agent holds. */
export const sshSign = (text: string, keyFile: string, env: NodeJS.ProcessEnv): SshResult => {
	const signed = sshKeygen(['-q', '-Y', 'sign', '-n', SIGNATURE_NAMESPACE, '-f', keyFile], text, env);
	if (signed.ok || !/passphrase/i.test(signed.why)) return signed;
	return {ok: false, why: `${signed.why}: the key needs its passphrase, and Rampart never asks for one; load it into your agent (ssh-add ${keyFile})`};
};

/** The first key the agent ($SSH_AUTH_SOCK) holds, written to a public key file for `-f`; undefined with the reason. */
export const agentPublicKey = (env: NodeJS.ProcessEnv): {file: string; dispose: () => void} | {why: string} => {
	if (!env['SSH_AUTH_SOCK']) return {why: 'no SSH agent ($SSH_AUTH_SOCK is not set)'};
	const listed = spawnSync('ssh-add', ['-L'], {encoding: 'utf8', timeout: TIMEOUT_MS, env});
	const first = listed.status === 0 ? listed.stdout.split('\n').find(line => line.trim() !== '') : undefined;
	if (!first) return {why: `the SSH agent holds no key (${`${listed.stdout}${listed.stderr}`.trim() || 'ssh-add -L failed'})`};
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-agent-key-'));
	const file = path.join(dir, 'agent.pub');
	fs.writeFileSync(file, `${first}\n`, {mode: 0o600});
	return {file, dispose: () => fs.rmSync(dir, {recursive: true, force: true})};
};

/** The principals of an allowed_signers file whose key made `sigFile`; empty when none. */
export const findPrincipals = (sigFile: string, allowedSigners: string, env: NodeJS.ProcessEnv): string[] => {
	const found = sshKeygen(['-Y', 'find-principals', '-s', sigFile, '-f', allowedSigners, '-n', SIGNATURE_NAMESPACE], '', env);
	return found.ok ? found.stdout.split('\n').filter(line => line.trim() !== '') : [];
};

/** The signing key as ssh-keygen names it in "Good … signature … with ED25519 key SHA256:…": `ED25519 SHA256:…`. */
const keyOf = (said: string): string => / with (\S+) key (\S+)/.exec(said)?.slice(1).join(' ') ?? 'unknown key';

export type SshCheck = {ok: true; key: string} | {ok: false; why: string};

const checked = (result: SshResult): SshCheck => (result.ok ? {ok: true, key: keyOf(result.stdout)} : result);

/** Checks `sigFile` over `text` as made by `principal`'s key in allowed_signers; on success, the key. */
export const sshVerify = (text: string, sigFile: string, allowedSigners: string, principal: string, env: NodeJS.ProcessEnv): SshCheck =>
	checked(sshKeygen(['-Y', 'verify', '-f', allowedSigners, '-I', principal, '-n', SIGNATURE_NAMESPACE, '-s', sigFile], text, env));

/**
 * Checks that `sigFile` is a good signature over `text` by the key inside
 * it, whoever holds that key; on success, the key.
 */
export const sshCheckSignature = (text: string, sigFile: string, env: NodeJS.ProcessEnv): SshCheck =>
	checked(sshKeygen(['-Y', 'check-novalidate', '-n', SIGNATURE_NAMESPACE, '-s', sigFile], text, env));
