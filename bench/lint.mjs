// 4. Lint: 200 generated runbooks of realistic size (8 steps, 16 shell
// blocks, prose, typed inputs, about 6 KB; the bundled ones have 5 to 31
// blocks), with and without shellcheck. With shellcheck, the reference is
// shellcheck itself run on the same blocks the way lint runs it (one process
// per block, as many at once as there are cores): what lint adds on top.

import {copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {availableParallelism} from 'node:os';
import {join} from 'node:path';
import {benchEnv, cleanup, hasCommand, median, ms, node, rampart, root, scratch, timed} from './lib.mjs';
import {isMain, printSection} from './section.mjs';

const RUNBOOKS = 200;
const STEPS = 8;

const step = (n, i) => {
	const check = `systemctl is-active --quiet "bench-${n}-${i}" && test -f "/etc/bench/${n}/${i}.conf"`;
	const run = [
		`install -d -m 0755 -- "/etc/bench/${n}"`,
		`cat > "/etc/bench/${n}/${i}.conf" <<EOF`,
		`# Written by the benchmark runbook ${n}, step ${i}.`,
		'server_name $DOMAIN;',
		'listen $PORT;',
		'EOF',
		`if ! grep -q -- "$DOMAIN" "/etc/bench/${n}/${i}.conf"; then`,
		'  echo "the domain is missing from the file just written" >&2',
		'  exit 1',
		'fi',
		`for unit in "bench-${n}-${i}" "bench-${n}-${i}-worker"; do`,
		'  systemctl reload-or-restart "$unit" || true',
		'done',
	].join('\n');
	return [
		`## Configure part ${i} of service ${n}`,
		'',
		`This step writes the configuration of part ${i} to its own drop-in file and reloads`,
		'the units that read it. The check makes a second run skip the step when the file',
		'is already in place and the service is running, so the step is safe to repeat.',
		'Keep a second session open while it runs: a mistake here takes the site down.',
		'',
		'```sh {role=check}',
		check,
		'```',
		'',
		`\`\`\`sh {name="Write /etc/bench/${n}/${i}.conf" timeout=30s}`,
		run,
		'```',
		'',
	].join('\n');
};

const runbook = n =>
	[
		'---',
		`title: Benchmark service ${n}`,
		`summary: Configure the ${STEPS} parts of benchmark service ${n} and prove each is in place.`,
		'tags: [bench, nginx]',
		'every: 30d',
		'inputs:',
		'  DOMAIN:',
		'    type: domain',
		'    prompt: Domain the service answers for',
		'  PORT:',
		'    type: port',
		'    prompt: Port to listen on',
		'    default: 8080',
		'---',
		'',
		`# Benchmark service ${n}`,
		'',
		'A generated runbook of the size and shape of the bundled ones, for timing lint.',
		'',
		...Array.from({length: STEPS}, (_, i) => step(n, i + 1)),
	].join('\n');

// The target (issue 15): linting a bundled runbook, without shellcheck, costs at most this much.
const BUNDLED_TARGET_MS = 30;
const COPIES = 25;

/**
 * The bundled runbooks, linted in one process (what \`rampart lint\` on them
 * costs: start-up shared, every parse cold), and 25 copies of each in one
 * process (the parser warm: what each costs once the JIT has caught up).
 */
const bundled = async (dir, env, reps) => {
	const source = join(root, 'runbooks');
	const names = readdirSync(source).filter(name => name.endsWith('.md'));
	const copies = join(dir, 'bundled-copies');
	mkdirSync(copies);
	for (let c = 1; c <= COPIES; c++) for (const name of names) copyFileSync(join(source, name), join(copies, `${c}-${name}`));
	const raw = {'node -e 0 (bundled)': [], 'lint bundled, one process': [], [`lint ${COPIES} copies of each bundled`]: []};
	for (let i = 0; i < reps; i++) {
		raw['node -e 0 (bundled)'].push((await timed(node, ['-e', '0'])).wall);
		raw['lint bundled, one process'].push((await timed(node, [rampart, 'lint', source, '--no-shellcheck'], {env})).wall);
		raw[`lint ${COPIES} copies of each bundled`].push((await timed(node, [rampart, 'lint', copies, '--no-shellcheck'], {env, exitCodes: [0, 1]})).wall);
	}
	const floor = median(raw['node -e 0 (bundled)']);
	const once = (median(raw['lint bundled, one process']) - floor) / names.length;
	const warm = (median(raw[`lint ${COPIES} copies of each bundled`]) - floor) / (names.length * COPIES);
	const rows = [
		{
			measure: `Lint the ${names.length} bundled runbooks, no shellcheck: per runbook, above node -e 0`,
			value: ms(once),
			reference: `node -e 0: ${ms(floor)}`,
			targetText: `≤ ${BUNDLED_TARGET_MS} ms`,
			verdict: once <= BUNDLED_TARGET_MS ? 'pass' : '**miss**',
		},
		{
			measure: `Lint ${COPIES} copies of each bundled runbook (${names.length * COPIES}), no shellcheck: per runbook, above node -e 0`,
			value: ms(warm),
			reference: `node -e 0: ${ms(floor)}`,
		},
	];
	const texts = names.map(name => readFileSync(join(source, name), 'utf8'));
	const blocks = texts.map(text => (text.match(/^\s*```(?:sh|bash)\b/gm) ?? []).length);
	const kb = texts.map(text => Buffer.byteLength(text) / 1024);
	const span = values => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
	return {rows, raw, count: names.length, shape: `${span(blocks)} shell blocks, ${span(kb)} KB`};
};

// Lint runs at most this many shellcheck processes at once (source/runbook/shellcheck.ts).
const parallel = Math.max(1, Math.min(8, availableParallelism()));

export const lint = async ({reps = 3} = {}) => {
	const dir = scratch('lint');
	const runbooks = join(dir, 'runbooks');
	const blocks = join(dir, 'blocks');
	mkdirSync(runbooks);
	mkdirSync(blocks);
	let bytes = 0;
	for (let n = 1; n <= RUNBOOKS; n++) {
		const text = runbook(n);
		bytes += Buffer.byteLength(text);
		writeFileSync(join(runbooks, `service-${n}.md`), text);
		// The same blocks as lone scripts, for shellcheck on its own.
		for (const [i, match] of [...text.matchAll(/```sh[^\n]*\n([\s\S]*?)```/g)].entries()) writeFileSync(join(blocks, `${n}-${i}.sh`), match[1]);
	}
	const env = benchEnv(join(dir, 'home'), '');
	const shellcheck = hasCommand('shellcheck');
	const raw = {'node -e 0': [], 'lint --no-shellcheck': []};
	if (shellcheck) Object.assign(raw, {'lint (with shellcheck)': [], 'shellcheck alone, same blocks': []});
	for (let i = 0; i < reps; i++) {
		raw['node -e 0'].push((await timed(node, ['-e', '0'])).wall);
		raw['lint --no-shellcheck'].push((await timed(node, [rampart, 'lint', runbooks, '--no-shellcheck'], {env})).wall);
		if (shellcheck) {
			raw['lint (with shellcheck)'].push((await timed(node, [rampart, 'lint', runbooks], {env})).wall);
			const xargs = `ls | xargs -P ${parallel} -n 1 sh -c 'shellcheck --format=json1 --shell=bash --exclude=SC2154 --norc - < "$0"'`;
			raw['shellcheck alone, same blocks'].push((await timed('sh', ['-c', xargs], {cwd: blocks, exitCodes: [0, 123]})).wall);
		}
	}
	const shipped = await bundled(dir, env, Math.max(reps, 5));
	Object.assign(raw, shipped.raw);
	cleanup(dir);
	const without = median(raw['lint --no-shellcheck']);
	const rows = [
		...shipped.rows,
		{
			measure: `Lint ${RUNBOOKS} runbooks, no shellcheck (${ms(without / RUNBOOKS)} per runbook)`,
			value: ms(without),
			reference: `node -e 0: ${ms(median(raw['node -e 0']))}`,
			ratio: without / median(raw['node -e 0']),
		},
	];
	if (shellcheck) {
		const withSc = median(raw['lint (with shellcheck)']);
		const alone = median(raw['shellcheck alone, same blocks']);
		rows.push({
			measure: `Lint ${RUNBOOKS} runbooks with shellcheck (${ms(withSc / RUNBOOKS)} per runbook)`,
			value: ms(withSc),
			reference: `shellcheck alone on the ${RUNBOOKS * STEPS * 2} blocks: ${ms(alone)}`,
			ratio: withSc / alone,
		});
	}
	return {
		title: '4. Lint',
		command: 'node bench/lint.mjs',
		method: `${RUNBOOKS} generated runbooks (${STEPS} steps, ${STEPS * 2} \`sh\` blocks, typed inputs, ${(bytes / RUNBOOKS / 1024).toFixed(1)} KB each on average; all valid), linted in one \`rampart lint DIR\` call, ${reps} repetitions, median. Without shellcheck beside \`node -e 0\`; with shellcheck beside shellcheck alone on the same ${RUNBOOKS * STEPS * 2} blocks, one process per block, ${parallel} at a time (as lint runs it: at most min(8, cores)). The bundled runbooks (${shipped.count}, ${shipped.shape}) are linted without shellcheck in one \`rampart lint runbooks/\` call, ${Math.max(reps, 5)} repetitions: (median wall − median \`node -e 0\`) / ${shipped.count} is the cost per runbook, start-up included, with the parser cold (target ≤ ${BUNDLED_TARGET_MS} ms); and ${COPIES} copies of each in one call, the same way, for the cost once the parser is warm. The other figures have no target; they are recorded to catch regressions.`,
		rows,
		raw,
		skipped: shellcheck ? undefined : 'Lint with shellcheck skipped: shellcheck is not installed (apt-get install shellcheck).',
	};
};

if (isMain(import.meta.url)) printSection(await lint());
