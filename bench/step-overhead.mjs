// 2. Per-step overhead: what one more step costs, headless. The marginal cost
// is (101-step run − 1-step run) / 100, so start-up and parsing cancel out.
// The floor is the cheapest way to run a step's command at all: a shell loop
// of `bash -c true`, measured the same way (101 iterations − 1) / 100.
// Then the whole 100-step run beside Ansible running 100 `/bin/true` tasks.
// Two more floors explain what a step cannot avoid (bench/floors.mjs): Node's
// own spawn of `bash -c true`, and one append + fsync on the same disk.

import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {availableParallelism, loadavg} from 'node:os';
import {benchEnv, cleanup, hasCommand, median, ms, node, rampart, rampartSync, root, runbookText, scratch, timed, timedWithCpu} from './lib.mjs';
import {isMain, printSection} from './section.mjs';

const floors = join(root, 'bench', 'floors.mjs');

const loop = n => ['-c', `for i in $(seq ${n}); do bash -c true; done`];

const playbook = tasks =>
	'- hosts: all\n  gather_facts: false\n  tasks:\n' + Array.from({length: tasks}, (_, i) => `    - name: step ${i + 1}\n      command: /bin/true\n`).join('');

export const stepOverhead = async ({reps = 5, ansibleReps = 3} = {}) => {
	const dir = scratch('steps');
	const runbooks = join(dir, 'runbooks');
	mkdirSync(runbooks);
	const env = benchEnv(join(dir, 'home'), runbooks);
	const file = n => join(runbooks, `steps-${n}.md`);
	for (const n of [1, 100, 101]) {
		writeFileSync(
			file(n),
			runbookText(
				`${n} steps`,
				Array.from({length: n}, () => 'true'),
			),
		);
		rampartSync(['approve', file(n), '--yes'], env);
	}
	const run = n => timed(node, [rampart, 'run', file(n), '--yes'], {env}).then(r => r.wall);

	const floorRun = (what, n) => timed(node, [floors, what, String(n), dir]).then(r => r.wall);
	const raw = {
		'rampart 1 step': [],
		'rampart 101 steps': [],
		'bash loop 1': [],
		'bash loop 101': [],
		'rampart 100 steps': [],
		'node spawn 1': [],
		'node spawn 101': [],
		'fsync 1': [],
		'fsync 101': [],
	};
	for (let i = 0; i < reps; i++) {
		raw['rampart 1 step'].push(await run(1));
		raw['bash loop 1'].push((await timed('bash', loop(1))).wall);
		raw['node spawn 1'].push(await floorRun('spawn', 1));
		raw['fsync 1'].push(await floorRun('fsync', 1));
		raw['rampart 101 steps'].push(await run(101));
		raw['bash loop 101'].push((await timed('bash', loop(101))).wall);
		raw['node spawn 101'].push(await floorRun('spawn', 101));
		raw['fsync 101'].push(await floorRun('fsync', 101));
		raw['rampart 100 steps'].push(await run(100));
	}
	// Per repetition, so each marginal cost comes from runs made side by side.
	const marginal = (many, one) => raw[many].map((t, i) => (t - raw[one][i]) / 100);
	raw['rampart per step'] = marginal('rampart 101 steps', 'rampart 1 step');
	raw['bash -c true per iteration'] = marginal('bash loop 101', 'bash loop 1');
	raw['node spawn per iteration'] = marginal('node spawn 101', 'node spawn 1');
	raw['append + fsync'] = marginal('fsync 101', 'fsync 1');
	const perStep = median(raw['rampart per step']);
	const floor = median(raw['bash -c true per iteration']);
	const nodeSpawn = median(raw['node spawn per iteration']);
	const fsync = median(raw['append + fsync']);
	const rows = [
		{
			measure: 'Per-step overhead (headless, every event fsynced)',
			value: ms(perStep),
			reference: `bash -c true per loop iteration: ${ms(floor)}`,
			ratio: perStep / floor,
			target: 2,
		},
		{
			measure: "Node's own spawn of bash -c true, a block's set-up (floor for any Node tool)",
			value: ms(nodeSpawn),
			reference: `bash -c true per loop iteration: ${ms(floor)}`,
			ratio: nodeSpawn / floor,
		},
		{measure: 'One append + fsync of a journal line (this disk)', value: ms(fsync), reference: '—'},
	];

	let skipped;
	if (hasCommand('ansible-playbook')) {
		writeFileSync(join(dir, 'play.yml'), playbook(100));
		const ansibleEnv = {
			...process.env,
			ANSIBLE_HOME: join(dir, 'ansible'),
			ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
			ANSIBLE_NOCOLOR: '1',
			ANSIBLE_RETRY_FILES_ENABLED: '0',
		};
		const ansibleRuns = {ansible: [], ours: []};
		const loads = [loadavg()[0]];
		for (let i = 0; i < ansibleReps; i++) {
			ansibleRuns.ansible.push(await timedWithCpu('ansible-playbook', ['-c', 'local', '-i', 'localhost,', join(dir, 'play.yml')], {env: ansibleEnv, cwd: dir}));
			ansibleRuns.ours.push(await timedWithCpu(node, [rampart, 'run', file(100), '--yes'], {env}));
			loads.push(loadavg()[0]);
		}
		raw['ansible-playbook 100 tasks, wall'] = ansibleRuns.ansible.map(r => r.wall);
		raw['ansible-playbook 100 tasks, CPU'] = ansibleRuns.ansible.map(r => r.cpu);
		raw['rampart 100 steps (beside ansible), wall'] = ansibleRuns.ours.map(r => r.wall);
		raw['rampart 100 steps (beside ansible), CPU'] = ansibleRuns.ours.map(r => r.cpu);
		raw['1-minute load average during the Ansible runs'] = loads;
		// The targets: 20× on a quiet machine, 15× on a busy one (load above half the cores).
		const busy = Math.max(...loads) > availableParallelism() / 2;
		const wall = {ansible: median(raw['ansible-playbook 100 tasks, wall']), ours: median(raw['rampart 100 steps (beside ansible), wall'])};
		const cpu = {ansible: median(raw['ansible-playbook 100 tasks, CPU']), ours: median(raw['rampart 100 steps (beside ansible), CPU'])};
		rows.push({
			measure: `100-step run vs Ansible, wall time (how many times faster; machine ${busy ? 'busy' : 'quiet'})`,
			value: ms(wall.ours),
			reference: `ansible-playbook, 100 tasks: ${ms(wall.ansible)}`,
			ratio: wall.ansible / wall.ours,
			target: busy ? 15 : 20,
			atLeast: true,
		});
		rows.push({
			measure: '100-step run vs Ansible, CPU time (user + system, with children)',
			value: ms(cpu.ours),
			reference: `ansible-playbook, 100 tasks: ${ms(cpu.ansible)}`,
			ratio: cpu.ansible / cpu.ours,
			atLeast: true,
		});
	} else {
		skipped =
			'Ansible comparison (wall and CPU time) skipped: ansible-playbook is not installed on this machine (apt-get install ansible); no Ansible ratio is claimed from this run.';
	}
	cleanup(dir);
	return {
		title: '2. Per-step overhead',
		command: 'node bench/step-overhead.mjs',
		method: `Generated runbooks of 1, 100 and 101 steps, each one \`sh\` block \`true\`, run with \`rampart run FILE --yes\` (listr2 output to /dev/null; each block is \`bash -Eeuo pipefail -c\` in its own process group; every journal event is fsynced; a step's start and a block's end share the fsync of the event that always follows them, which is made before the block may run or the step is shown as ended). ${reps} repetitions, interleaved with the floor, a \`bash -c 'for i in $(seq N); do bash -c true; done'\` loop of 1 and 101 iterations. Marginal cost = (101 − 1) / 100, per repetition, then the median. Two further floors, interleaved the same way, show what a step cannot avoid: \`node bench/floors.mjs spawn N\` (a bare Node process spawning \`bash -c true\` N times with a block's set-up: own process group, three pipes, bash's path resolved once) and \`node bench/floors.mjs fsync N DIR\` (N appends of a journal-sized line, each fsynced, in the benchmark's directory). Ansible (${ansibleReps} repetitions, interleaved with the 100-step run): \`ansible-playbook -c local -i localhost, play.yml\`, 100 tasks \`command: /bin/true\`, \`gather_facts: false\` (which only helps Ansible); the ratio is Ansible's time over Rampart's, by wall time and by CPU time (user + system of the process and everything it started, from bash's \`times\`). The wall target is 20× when the 1-minute load stayed at or below half the cores during those runs, 15× when the machine was busy.`,
		rows,
		raw,
		skipped,
	};
};

if (isMain(import.meta.url)) printSection(await stepOverhead());
