// The bundled credentials-rotation runbook, headless, with the outside
// services it talks to replaced by stand-ins on PATH: `aws` (an IAM user with
// access keys whose state a file holds, IAM's policy simulator, every call
// recorded with the key it was made with), `ssh` (a Git host that greets and
// answers git-receive-pack as GitHub does) and `mariadb` (a database server
// that is down until the test starts it). AWS, GitHub and a registrar cannot
// be reached from here; what is proven is the runbook's own logic against
// their documented answers.
//
// Proves: running the AWS swap again (after the database part failed, then
// resumed) never pushes the real old key out of the credentials file nor
// takes the new key for the old one; the key named for revocation, tested
// for refusal and removed is always the one recorded before the swap, and it
// is removed only once AWS refuses it. The scope checks find an account key
// used as a deploy key, a deploy key that can push, and an AWS key that may
// create access keys or list what a server does not need.
//
// It is a system test, not a unit test, because the runbook requires root
// and writes root's own files (/root/.aws/credentials, SECRETS_DIR under
// /root): each Rampart runs in a private mount namespace in which /root is a
// temporary directory of this test and /home an empty tmpfs, so the host's
// /root and home directories are never read or written.

import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {hasCommand, run} from './helpers/netns.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist', 'rampart.js');
const RUNBOOK = path.join(ROOT, 'runbooks', 'credentials-rotation.md');

const OLD_KEY = 'AKIAOLDKEY0000000001';
const NEW_KEY = 'AKIANEWKEY0000000002';
const OLD_SECRET = `${'oldSecret'.padEnd(39, '0')}A`;
const NEW_SECRET = `${'newSecret'.padEnd(39, '0')}B`;
const USER_ARN = 'arn:aws:iam::123456789012:user/web1';

const skipReason = (): string => {
	if (process.platform !== 'linux') return 'needs Linux';
	if (process.getuid?.() !== 0) return 'needs root (the runbook requires it, and /root is replaced in a private mount namespace)';
	const missing = ['unshare', 'mount', 'ssh-keygen', 'runuser', 'awk'].filter(c => !hasCommand(c));
	return missing.length > 0 ? `missing: ${missing.join(', ')} (CI installs them from .ci/apt-packages.txt)` : '';
};
const reason = skipReason();
if (reason !== '') console.warn(`credentials-rotation system test skipped: ${reason}`);

interface Result {
	code: number | null;
	events: Array<Record<string, unknown> & {type: string}>;
	/** Every line the blocks printed, then Rampart's own stderr. */
	text: string;
}

// aws: profiles from the credentials file ($HOME/.aws/credentials, as the CLI
// reads it), keys and their state from $FAKE/keys ("ID STATUS"). Each call is
// recorded as "profile<TAB>key id<TAB>arguments".
const FAKE_AWS = String.raw`#!/bin/bash
fake=${'$'}{FAKE_DIR:?}
profile=default
args=()
while (( $# > 0 )); do
	case $1 in
		--profile) profile=$2; shift 2 ;;
		--query | --output | --region) shift 2 ;;
		*) args+=("$1"); shift ;;
	esac
done
creds=${'$'}{AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}
key=$(awk -v p="[$profile]" '/^\[/ {in_p = ($0 == p)} in_p && /^[ \t]*aws_access_key_id/ {sub(/.*=[ \t]*/, ""); print; exit}' "$creds" 2>/dev/null)
printf '%s\t%s\t%s\n' "$profile" "$key" "${'$'}{args[*]}" >>"$fake/calls.log"
status=$(awk -v k="$key" '$1 == k {print $2}' "$fake/keys")
operation="${'$'}{args[0]} ${'$'}{args[1]}"
if [[ $status != Active ]]; then
	echo "An error occurred (InvalidClientTokenId) when calling the $operation operation: The security token included in the request is invalid." >&2
	exit 254
fi
case $operation in
	"sts get-caller-identity")
		echo "${USER_ARN}"
		;;
	"iam simulate-principal-policy")
		if [[ -e "$fake/no-simulate" ]]; then
			echo "An error occurred (AccessDenied) when calling the SimulatePrincipalPolicy operation: User: ${USER_ARN} is not authorized to perform: iam:SimulatePrincipalPolicy" >&2
			exit 254
		fi
		actions=() resources=() list=""
		for arg in "${'$'}{args[@]:2}"; do
			case $arg in
				--action-names) list=actions ;;
				--resource-arns) list=resources ;;
				--*) list="" ;;
				*) if [[ $list == actions ]]; then actions+=("$arg"); elif [[ $list == resources ]]; then resources+=("$arg"); fi ;;
			esac
		done
		for action in "${'$'}{actions[@]}"; do
			for resource in "${'$'}{resources[@]}"; do
				decision=implicitDeny
				if grep -qxF -- "$action" "$fake/allowed" 2>/dev/null; then decision=allowed; fi
				printf '%s\t%s\t%s\n' "$action" "$resource" "$decision"
			done
		done
		;;
	*)
		if grep -qxF -- "$operation" "$fake/answered" 2>/dev/null; then
			echo "{}"
			exit 0
		fi
		echo "An error occurred (AccessDenied) when calling the $operation operation: not authorized" >&2
		exit 254
		;;
esac
`;

// mariadb: down until $FAKE/db-up exists.
const FAKE_MARIADB = String.raw`#!/bin/sh
echo "$*" >>"${'$'}{FAKE_DIR:?}/mariadb.log"
if [ ! -e "$FAKE_DIR/db-up" ]; then
	echo "ERROR 2002 (HY000): Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)" >&2
	exit 1
fi
case " $* " in
	*" -e "*) ;;
	*) cat >/dev/null ;;
esac
echo "app@localhost"
`;

// ssh to a Git host that answers as GitHub: the key in -i decides. An old key
// (*.old: the operator deleted it at the host) is refused; otherwise "ssh -T"
// greets with $FAKE/greeting, and git-receive-pack answers as $FAKE/push says.
const FAKE_SSH = String.raw`#!/bin/bash
fake=${'$'}{FAKE_DIR:?}
key=""
remote=""
while (( $# > 0 )); do
	case $1 in
		-i) key=$2; shift 2 ;;
		-o | -p | -l | -F) shift 2 ;;
		-*) shift ;;
		*@*) shift; remote="$*"; break ;;
		*) shift ;;
	esac
done
fingerprint=$(ssh-keygen -l -f "$key" | awk '{print $2}')
printf '%s\t%s\n' "$fingerprint" "$remote" >>"$fake/ssh.log"
if [[ $key == *.old ]]; then
	echo "git@github.com: Permission denied (publickey)." >&2
	exit 255
fi
if [[ $remote == git-receive-pack* ]]; then
	if [[ $(cat "$fake/push") == write ]]; then
		printf '00a7%s refs/heads/main\0report-status delete-refs side-band-64k quiet atomic ofs-delta agent=git/github-g0\n0000' "0123456789abcdef0123456789abcdef01234567"
		exit 0
	fi
	echo "ERROR: The key you are authenticating with has been marked as read only." >&2
	exit 1
fi
echo "Hi $(cat "$fake/greeting")! You've successfully authenticated, but GitHub does not provide shell access." >&2
exit 1
`;

describe.skipIf(reason !== '')(`credentials-rotation with stand-ins for AWS, the Git host and the database${reason ? ` (skipped: ${reason})` : ''}`, () => {
	let tmp: string;
	let hostRootBefore: string[];

	const listRoot = () => fs.readdirSync('/root').sort();

	/** One scenario: its own /root, stand-ins and Rampart state. */
	const scenario = (name: string) => {
		const dir = path.join(tmp, name);
		const root = path.join(dir, 'root');
		const fake = path.join(dir, 'fake');
		const bin = path.join(dir, 'bin');
		for (const d of [root, fake, bin]) fs.mkdirSync(d, {recursive: true, mode: 0o700});
		fs.writeFileSync(path.join(bin, 'aws'), FAKE_AWS, {mode: 0o755});
		fs.writeFileSync(path.join(bin, 'mariadb'), FAKE_MARIADB, {mode: 0o755});
		fs.writeFileSync(path.join(bin, 'ssh'), FAKE_SSH, {mode: 0o755});
		const credentials = path.join(root, '.aws', 'credentials');
		const file = (relative: string) => path.join(fake, relative);

		/** `rampart run` or `rampart resume` in a mount namespace where /root is this scenario's. */
		const rampart = (args: readonly string[]): Promise<Result> =>
			new Promise(resolve => {
				const env: NodeJS.ProcessEnv = {
					...process.env,
					RAMPART_HOME: path.join(dir, 'rampart'),
					FAKE_DIR: fake,
					PATH: `${bin}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
					RAMPART_INPUT_NEW_AWS_SECRET_ACCESS_KEY: NEW_SECRET,
				};
				for (const key of Object.keys(env)) if (key.startsWith('AWS_')) delete env[key];
				const child = spawn(
					'unshare',
					[
						'-m',
						'--propagation',
						'private',
						'--',
						'sh',
						'-c',
						'mount --bind "$1" /root && mount -t tmpfs -o mode=0755 tmpfs /home && shift && exec "$@"',
						'sh',
						root,
						process.execPath,
						CLI,
						...args,
						'--yes',
						'--ack',
						'--json',
					],
					{cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe']},
				);
				let stdout = '';
				let stderr = '';
				child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
				child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
				child.on('close', code => {
					const events = stdout
						.split('\n')
						.filter(line => line.trim() !== '')
						.map(line => JSON.parse(line) as Result['events'][number]);
					const text = events
						.filter(e => e.type === 'output')
						.flatMap(e => (e.lines as string[] | undefined) ?? [])
						.concat(stderr)
						.join('\n');
					resolve({code, events, text});
				});
			});
		/** The aws calls so far: profile, the key id it used, the arguments. */
		const awsCalls = () =>
			fs.existsSync(file('calls.log'))
				? fs
						.readFileSync(file('calls.log'), 'utf8')
						.trim()
						.split('\n')
						.map(line => line.split('\t'))
				: [];
		/** The key id of each profile in the credentials file, as the test reads it. */
		const profiles = (): Record<string, string> => {
			const out: Record<string, string> = {};
			let current = '';
			for (const line of fs.readFileSync(credentials, 'utf8').split('\n')) {
				const section = /^\[(.+)\]$/.exec(line);
				if (section) current = section[1]!;
				const key = /^\s*aws_access_key_id\s*=\s*(\S+)/.exec(line);
				if (key) out[current] = key[1]!;
			}
			return out;
		};
		const setKeys = (keys: Record<string, 'Active' | 'Inactive'>) =>
			fs.writeFileSync(
				file('keys'),
				Object.entries(keys)
					.map(([id, status]) => `${id} ${status}\n`)
					.join(''),
			);
		return {dir, root, fake, file, credentials, rampart, awsCalls, profiles, setKeys};
	};

	const failedStep = (result: Result) => result.events.find(e => e.type === 'step-finished' && e.status === 'failed')?.step;
	const findings = (result: Result) =>
		result.events
			.filter(e => e.type === 'step-finished' && e.status === 'attention')
			.flatMap(e => ((e.findings as string[] | undefined) ?? []).map(f => `${String(e.step)}: ${f}`));
	const outcome = (result: Result) => result.events.find(e => e.type === 'run-finished')?.outcome;

	beforeAll(() => {
		hostRootBefore = listRoot();
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rprot-'));
	});

	afterAll(() => {
		if (tmp) fs.rmSync(tmp, {recursive: true, force: true});
		expect(listRoot(), "the host's /root changed").toEqual(hostRootBefore);
	});

	it('a second run of the AWS swap (after the database failed) never takes the new key for the old one; only the recorded old key is named, tested and removed, once AWS refuses it', async () => {
		const s = scenario('aws');
		// The server's profile holds the old key; the operator made the new one in IAM.
		fs.mkdirSync(path.dirname(s.credentials), {mode: 0o700});
		fs.writeFileSync(s.credentials, `[web1]\naws_access_key_id = ${OLD_KEY}\naws_secret_access_key = ${OLD_SECRET}\n`, {mode: 0o600});
		s.setKeys({[OLD_KEY]: 'Active', [NEW_KEY]: 'Active'});
		const inputs = ['--input', 'AWS_PROFILE_NAME=web1', '--input', `NEW_AWS_ACCESS_KEY_ID=${NEW_KEY}`, '--input', 'DB_USER=app'];

		// 1. The swap runs, then the database is down: the step fails after the swap.
		const first = await s.rampart(['run', RUNBOOK, ...inputs]);
		expect(first.code, first.text).toBe(1);
		expect(failedStep(first)).toBe('deploy-and-verify-the-new-credentials');
		expect(first.text).toContain("Can't connect to local server");
		expect(s.profiles()).toEqual({'web1-rotated': OLD_KEY, web1: NEW_KEY});
		const record = path.join(s.root, 'rampart-rotation', 'aws-web1.old-key-id');
		expect(fs.readFileSync(record, 'utf8')).toBe(`${OLD_KEY}\n`);

		// 2. The database is back; resuming runs the whole step again, swap included.
		fs.writeFileSync(s.file('db-up'), '');
		const second = await s.rampart(['resume']);
		expect(second.code, second.text).toBe(1);
		expect(second.text).toContain(`Profile web1 already uses the new key ${NEW_KEY}: nothing to swap.`);
		// The old key is still there, under its own name, with its own secret.
		expect(s.profiles()).toEqual({'web1-rotated': OLD_KEY, web1: NEW_KEY});
		expect(fs.readFileSync(s.credentials, 'utf8')).toContain(OLD_SECRET);
		expect(fs.readFileSync(record, 'utf8')).toBe(`${OLD_KEY}\n`);
		// The scope check ran against IAM's simulator (stand-in) for the key's user.
		expect(second.text).toContain("IAM's simulator denies every one of them, on *.");
		expect(
			s
				.awsCalls()
				.some(
					([profile, key, args]) =>
						profile === 'web1' && key === NEW_KEY && args?.startsWith(`iam simulate-principal-policy --policy-source-arn ${USER_ARN} --action-names iam:CreateAccessKey`),
				),
		).toBe(true);
		// The key named for revocation is the recorded old one, never the new one.
		expect(second.text).toContain(`Old AWS access key of ${USER_ARN}: ${OLD_KEY} (recorded before the swap).`);
		expect(second.text).toContain(`  aws iam update-access-key --user-name web1 --access-key-id ${OLD_KEY} --status Inactive`);
		expect(second.text).not.toMatch(new RegExp(`(update|delete)-access-key [^\\n]*${NEW_KEY}`));
		// The old key is not revoked yet, and the runbook says so.
		expect(failedStep(second)).toBe('confirm-the-old-credentials-fail');
		expect(second.text).toContain(`The old AWS key ${OLD_KEY} still works`);

		// 3. The operator deactivates the old key in IAM; the run finishes and removes it.
		s.setKeys({[OLD_KEY]: 'Inactive', [NEW_KEY]: 'Active'});
		const third = await s.rampart(['resume']);
		expect(third.code, third.text).toBe(0);
		expect(third.text).toContain(`The old AWS key ${OLD_KEY} is refused.`);
		expect(third.text).toContain(`Removed the old AWS key ${OLD_KEY} (profile web1-rotated)`);
		expect(s.profiles()).toEqual({web1: NEW_KEY});
		expect(fs.existsSync(record)).toBe(false);

		// Every call made with the "old" profile used the old key; the server
		// itself never revoked or deleted anything at AWS.
		const calls = s.awsCalls();
		const withOldProfile = calls.filter(([profile]) => profile === 'web1-rotated');
		expect(withOldProfile.length).toBeGreaterThanOrEqual(2);
		expect(new Set(withOldProfile.map(([, key]) => key))).toEqual(new Set([OLD_KEY]));
		expect(calls.filter(([, , args]) => /access-key/.test(args ?? ''))).toEqual([]);

		// 4. Once more, with everything done: nothing changes, nothing is removed.
		const again = await s.rampart(['run', RUNBOOK, ...inputs]);
		expect(again.code, again.text).toBe(0);
		expect(s.profiles()).toEqual({web1: NEW_KEY});
	});

	it('refuses to swap over an unfinished earlier rotation instead of dropping its old key', async () => {
		const s = scenario('unfinished');
		const older = 'AKIAOLDERKEY00000000';
		fs.mkdirSync(path.dirname(s.credentials), {mode: 0o700});
		fs.writeFileSync(
			s.credentials,
			`[web1-rotated]\naws_access_key_id = ${older}\naws_secret_access_key = ${OLD_SECRET}\n\n[web1]\naws_access_key_id = ${OLD_KEY}\naws_secret_access_key = ${OLD_SECRET}\n`,
			{mode: 0o600},
		);
		const before = fs.readFileSync(s.credentials, 'utf8');
		s.setKeys({[older]: 'Active', [OLD_KEY]: 'Active', [NEW_KEY]: 'Active'});
		const result = await s.rampart(['run', RUNBOOK, '--input', 'AWS_PROFILE_NAME=web1', '--input', `NEW_AWS_ACCESS_KEY_ID=${NEW_KEY}`]);
		expect(result.code, result.text).toBe(1);
		expect(failedStep(result)).toBe('deploy-and-verify-the-new-credentials');
		expect(result.text).toContain(`Refusing: [web1-rotated] in /root/.aws/credentials holds ${older}, left from a rotation that was not finished.`);
		expect(fs.readFileSync(s.credentials, 'utf8')).toBe(before);
	});

	it('scope checks: an account key used as a deploy key, a deploy key that can push, and an AWS key that may create access keys are findings', async () => {
		const s = scenario('scope');
		// A deploy key made earlier, owned by root (the stand-in ssh decides by key).
		fs.mkdirSync(path.join(s.root, '.ssh'), {mode: 0o700});
		const deployKey = path.join(s.root, '.ssh', 'id_deploy');
		run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'old deploy key', '-f', deployKey]);
		const oldFingerprint = run('ssh-keygen', ['-l', '-f', deployKey]).stdout.split(' ')[1]!;
		fs.writeFileSync(s.file('greeting'), 'deploy-bot');
		fs.writeFileSync(s.file('push'), 'write');
		// The profile holds the new key already (swapped in a run before); IAM would let it create keys.
		fs.mkdirSync(path.dirname(s.credentials), {mode: 0o700});
		fs.writeFileSync(s.credentials, `[web1]\naws_access_key_id = ${NEW_KEY}\naws_secret_access_key = ${NEW_SECRET}\n`, {mode: 0o600});
		s.setKeys({[NEW_KEY]: 'Active'});
		fs.writeFileSync(s.file('allowed'), 'iam:CreateAccessKey\n');

		const inputs = [
			'--input',
			`DEPLOY_KEY=/root/.ssh/id_deploy`,
			'--input',
			'GIT_REPO=acme/site',
			'--input',
			'AWS_PROFILE_NAME=web1',
			'--input',
			`NEW_AWS_ACCESS_KEY_ID=${NEW_KEY}`,
			'--input',
			'AWS_SCOPE_RESOURCES=arn:aws:s3:::backups-web1 arn:aws:s3:::backups-web1/*',
		];
		const result = await s.rampart(['run', RUNBOOK, ...inputs]);
		expect(result.code, result.text).toBe(1);
		expect(outcome(result)).toBe('needs-attention');
		expect(findings(result)).toEqual([
			expect.stringMatching(/^scope-of-the-new-deploy-key: .*github\.com knows this key as the account deploy-bot, not as a deploy key/),
			expect.stringMatching(/^scope-of-the-new-aws-key: .*IAM's simulator ALLOWS this key actions it should not have/),
		]);
		expect(result.text).toContain('The key can PUSH to acme/site');
		expect(result.text).toContain('  iam:CreateAccessKey on arn:aws:s3:::backups-web1/*');
		// The new key is in place, the old one named by its fingerprint and removed after the host refused it.
		expect(result.text).toContain(`Old deploy key (delete it in the repository's deploy keys at github.com; they list this fingerprint):`);
		expect(result.text).toContain(oldFingerprint);
		expect(result.text).toContain('The old deploy key is refused by github.com.');
		expect(fs.existsSync(`${deployKey}.old`)).toBe(false);
		expect(run('ssh-keygen', ['-l', '-f', deployKey]).stdout.split(' ')[1]).not.toBe(oldFingerprint);

		// Fixed at the host and in IAM; the simulator not allowed to this key: the read-only probes decide.
		fs.writeFileSync(s.file('greeting'), 'acme/site');
		fs.writeFileSync(s.file('push'), 'read-only');
		fs.rmSync(s.file('allowed'));
		fs.writeFileSync(s.file('no-simulate'), '');
		fs.writeFileSync(s.file('answered'), 's3api list-buckets\n');
		const again = await s.rampart(['run', RUNBOOK, ...inputs]);
		expect(again.code, again.text).toBe(1);
		expect(findings(again)).toEqual([expect.stringMatching(/^scope-of-the-new-aws-key: .*The key may call what a server rarely needs:\s+aws s3api list-buckets/)]);
		expect(again.text).toContain('github.com knows this key as a deploy key of acme/site only.');
		expect(again.text).toContain('The key cannot push to acme/site. github.com said: ERROR: The key you are authenticating with has been marked as read only.');
		expect(again.text).toContain('  refused, as it should be: aws iam list-users --max-items 1');
		expect(again.text).toContain(`  aws iam simulate-principal-policy --policy-source-arn ${USER_ARN} --action-names iam:CreateAccessKey`);
	});
});
