// `rampart completion` on the built binary: the bash script is made from the
// commands rampart accepts (every command --help lists), and it completes
// options, runbook ids and run ids by asking rampart itself, as bash does on Tab.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {RAMPART, cliHome, frontMatter, onlyRun, runCli, sh, tempDir, writeRunbook, type CliHome} from '../engine/helpers.js';

/** A `rampart` on PATH that starts the Rampart under test, as an installed one would be. */
const onPath = (): string => {
	const dir = tempDir('rampart-completion-bin-');
	fs.writeFileSync(path.join(dir, 'rampart'), `#!/bin/sh\nexec ${RAMPART.map(word => `'${word}'`).join(' ')} "$@"\n`, {mode: 0o755});
	return dir;
};

/** What the completion offers for the command line `words` (the last one is being typed). */
const complete = (script: string, home: CliHome, words: string[]): string[] => {
	const result = spawnSync(
		'bash',
		['-c', 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _rampart rampart; printf "%s\\n" "${COMPREPLY[@]}"', 'complete', script, ...words],
		{cwd: home.cwd, env: {...home.env, PATH: `${onPath()}:${home.env['PATH']}`}, encoding: 'utf8'},
	);
	expect(result.status, result.stderr).toBe(0);
	return result.stdout.split('\n').filter(Boolean).sort();
};

const bashScript = async (home: CliHome) => {
	const result = await runCli(['completion', 'bash'], home);
	expect(result.code, result.stderr).toBe(0);
	const file = path.join(home.cwd, 'rampart.bash');
	fs.writeFileSync(file, result.stdout);
	return file;
};

describe('rampart completion bash', () => {
	it('offers every command --help lists, and each command its own options', async () => {
		const home = cliHome();
		const script = await bashScript(home);
		const help = (await runCli(['--help'], home)).stdout;
		const listed = [
			...help
				.slice(help.indexOf('Commands:'))
				.split('\n\n')[0]!
				.matchAll(/^ {2}([a-z][\w-]*)/gm),
		]
			.map(m => m[1]!)
			.sort();
		expect(listed).toContain('doctor');
		expect(complete(script, home, ['rampart', ''])).toEqual(listed);
		expect(complete(script, home, ['rampart', 'run', '--dr'])).toEqual(['--dry-run']);
		expect(complete(script, home, ['rampart', 'completion', ''])).toEqual(['bash', 'json', 'zsh']);
		expect(complete(script, home, ['rampart', 'trust', ''])).toEqual(['help', 'list']);
	});

	it('completes runbook ids, including the project’s own, and run ids once runs are recorded', async () => {
		const home = cliHome();
		fs.mkdirSync(path.join(home.cwd, 'runbooks'));
		writeRunbook(path.join(home.cwd, 'runbooks'), 'fire-drill', frontMatter('Fire drill') + '## One\n\n' + sh('true'));
		const script = await bashScript(home);
		expect(complete(script, home, ['rampart', 'run', 'fire'])).toEqual(['fire-drill', 'firewall', 'firewall-audit']);
		expect(complete(script, home, ['rampart', 'report', ''])).toEqual([]);
		expect((await runCli(['run', 'fire-drill', '--yes', '--approve'], home)).code).toBe(0);
		expect(complete(script, home, ['rampart', 'report', ''])).toEqual([onlyRun(home.stateDir)]);
		expect(complete(script, home, ['rampart', 'journal', 'verify', ''])).toEqual([onlyRun(home.stateDir)]);
	});

	it('the zsh script is valid zsh', {skip: spawnSync('sh', ['-c', 'command -v zsh'], {stdio: 'ignore'}).status !== 0}, async () => {
		const home = cliHome();
		const result = await runCli(['completion', 'zsh'], home);
		const file = path.join(tempDir(), '_rampart');
		fs.writeFileSync(file, result.stdout);
		expect(result.stdout.startsWith('#compdef rampart\n')).toBe(true);
		expect(spawnSync('zsh', ['-n', file], {encoding: 'utf8'}).status).toBe(0);
	});
});
