// What a block's environment holds: the operator's, minus Rampart's own
// variables, plus inputs; a secret only where the code may read it, as
// blockVariables decides for lint too.

import {describe, expect, it} from 'vitest';
import {baseEnvironment, blockEnvironment} from '../../source/engine/block-env.js';
import {lintRunbook} from '../../source/runbook/lint.js';
import {parseRunbookText} from '../../source/runbook/parse.js';
import type {InputSpec} from '../../source/runbook/model.js';

const spec = (name: string, type: InputSpec['type']): InputSpec => ({name, type, prompt: name, optional: false, position: {line: 1, column: 1}});
const inputs = [spec('TOKEN', 'secret'), spec('DB_PASSWORD', 'secret'), spec('DOMAIN', 'domain')];
const values = {TOKEN: 's3cret', DB_PASSWORD: 'pw', DOMAIN: 'example.org'};
const env = (code: string) => blockEnvironment(baseEnvironment({HOME: '/root', RAMPART_HOME: '/state', RAMPART_INPUT_X: 'y'}), inputs, values, {code});
/** The secrets a block is given. */
const secrets = (code: string): string[] => ['TOKEN', 'DB_PASSWORD'].filter(name => env(code)[name] !== undefined);

describe('blockEnvironment', () => {
	it("keeps the operator's environment but not Rampart's own variables", () => {
		const result = env('true');
		expect(result.HOME).toBe('/root');
		expect(result.RAMPART_HOME).toBeUndefined();
		expect(result.RAMPART_INPUT_X).toBeUndefined();
		expect(result.DOMAIN).toBe('example.org');
	});

	it('gives a secret to blocks that expand it', () => {
		for (const code of [
			'echo "$TOKEN"',
			'echo "${TOKEN}"',
			'echo "${#TOKEN}"',
			'x=${TOKEN:-none}',
			'echo $TOKEN',
			'x=$(printf %s "$TOKEN" | base64)',
			'x=`echo $TOKEN`',
			'cat <<EOF >/etc/app.conf\ntoken = $TOKEN\nEOF',
			'echo $(( TOKEN + 1 ))',
			'(( TOKEN > 0 )) && echo yes',
			'sh -c \'curl -H "Authorization: $TOKEN" example.org\'',
			'trap \'echo "$TOKEN" >/dev/null\' EXIT',
		]) {
			expect(secrets(code), code).toEqual(['TOKEN']);
		}
	});

	it('does not give a secret to blocks that only name it in text', () => {
		for (const code of [
			'echo hi',
			"echo 'set $TOKEN in the config'",
			'# uses $TOKEN later',
			'echo done # not $TOKEN',
			'echo \\$TOKEN',
			'echo "\\${TOKEN}"',
			"cat <<'EOF'\ntoken = $TOKEN\nEOF",
			'echo "$TOKEN_FILE" "${TOKENS}"',
			'echo TOKEN',
			"awk '{print $TOKEN}' file",
		]) {
			expect(secrets(code), code).toEqual([]);
		}
	});

	it('gives every secret to a block that may read a variable by a name made at run time', () => {
		for (const code of [
			'eval "$command"',
			'. ./settings.sh',
			'source /etc/app/env',
			'name=TOKEN; echo "${!name}"',
			'f() { local -n ref=$1; echo "$ref"; }',
			'declare -n ref=$1',
			'printenv "$1"',
			'bash -c "$script"',
		]) {
			expect(secrets(code), code).toEqual(['TOKEN', 'DB_PASSWORD']);
		}
	});

	it('gives a block that lists the environment the secrets it names, and no others', () => {
		for (const code of ['env', 'env > /tmp/dump', 'printenv | sort', 'export -p', 'set', 'compgen -v', 'declare -p', '# TOKEN\nenv']) {
			expect(secrets(code), code).toEqual([]);
		}
		for (const code of ['printenv TOKEN', "env | grep '^TOKEN=' | cut -d= -f2-", 'set | grep -c TOKEN']) {
			expect(secrets(code), code).toEqual(['TOKEN']);
		}
	});

	it('gives array keys ${!name[@]} nothing extra', () => {
		expect(secrets('declare -A seen=([a]=1)\nfor k in "${!seen[@]}"; do echo "$k"; done')).toEqual([]);
	});
});

describe('lint and secret delivery agree', () => {
	/** The code, whether lint sees $TOKEN used, and whether the block is given TOKEN. */
	const cases: Array<[code: string, linted: boolean, delivered: boolean]> = [
		['echo "$TOKEN"', true, true],
		['echo "${TOKEN:-x}"', true, true],
		['x=$(echo "$TOKEN")', true, true],
		['cat <<EOF\n$TOKEN\nEOF', true, true],
		['echo $(( TOKEN * 2 ))', true, true],
		["sh -c 'echo $TOKEN'", true, true],
		["bash <<'EOF'\necho $TOKEN\nEOF", true, true],
		["echo '$TOKEN'", false, false],
		['# $TOKEN', false, false],
		['echo \\$TOKEN', false, false],
		["cat <<'EOF'\n$TOKEN\nEOF", false, false],
		['echo "$TOKEN_X"', false, false],
		// Lint cannot see these uses, so the block gets every secret.
		['eval "echo \\$TOKEN"', false, true],
		['n=TOKEN; echo "${!n}"', false, true],
		['printenv TOKEN', false, true],
	];
	const runbook = (code: string) => `---\ntitle: T\n---\n\n## Step\n\n\`\`\`sh\n${code}\n\`\`\`\n`;

	it.each(cases)('%j', async (code, linted, delivered) => {
		const diagnostics = await lintRunbook(parseRunbookText('t.md', runbook(code)), {shellcheck: false});
		const lintSees = diagnostics.some(d => d.rule === 'undeclared-variable' && d.message.startsWith('$TOKEN '));
		const given = env(code).TOKEN !== undefined;
		expect({lintSees, given}).toEqual({lintSees: linted, given: delivered});
		// A use lint knows of is never one the block goes without.
		if (lintSees) expect(given).toBe(true);
	});
});
