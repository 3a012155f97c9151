// 6. Fleet: one runbook of 10 steps on 20 hosts over OpenSSH, Rampart
// headless beside ansible-playbook running the same shell as 10 tasks with
// the same inventory (issue 17: Rampart at least 10× faster by wall time),
// and Rampart's curve from 1 to 20 hosts. The hosts are real sshd on
// loopback addresses (bench/fleet-lab.mjs), run twice: with a quick login
// shell (an empty ~/.bashrc for the lab's sessions only) and with this
// machine's own ~/.bashrc, which every remote command of both tools pays for.

import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {loadavg} from 'node:os';
import {cleanup, hasCommand, median, ms, scratch} from './lib.mjs';
import {startFleetLab, fleetLabMissing} from './fleet-lab.mjs';
import {phaseMedians, phases, plainSshFloor, sshExecFloor} from './fleet-profile.mjs';
import {ansibleFleet, rampartFleet, writeWork} from './fleet-work.mjs';
import {isMain, printSection} from './section.mjs';

const TITLE = '6. Fleet: 20 hosts over SSH, against ansible-playbook';
const COMMAND = 'node bench/fleet.mjs';

const s = value => `${(value / 1000).toFixed(1)} s`;

export const fleet = async ({reps = 3, bashrcReps = 2, hosts = 20, steps = 10, curve = [1, 2, 5, 10]} = {}) => {
	const missing = fleetLabMissing();
	if (missing) return {title: TITLE, command: COMMAND, method: '', rows: [], skipped: `skipped: ${missing}`};
	const ansible = hasCommand('ansible-playbook');
	const dir = scratch('fleet');
	const work = writeWork(dir, steps);
	const raw = {};
	const series = name => (raw[name] ??= []);
	let homes = 0;
	/** A Rampart run in a fresh state directory; its records' phases go to `profile` when given. */
	const rampartRun = async (inventory, profile) => {
		const home = join(dir, `home-${++homes}`);
		mkdirSync(home);
		const began = Date.now();
		try {
			const result = await rampartFleet(work.runbook, inventory, home, hosts);
			profile?.push(phases(home, began));
			return result;
		} finally {
			cleanup(home);
		}
	};
	// A run that fails (a host refused or timed out on a loaded machine) is a result too: it is
	// listed with what the tool said, and left out of the medians instead of ending the section.
	const failures = [];
	const measured = async (name, run) => {
		try {
			const result = await run();
			series(`${name}, wall`).push(result.wall);
			series(`${name}, CPU`).push(result.cpu);
		} catch (error) {
			failures.push(`- ${name}, at a 1-minute load of ${loadavg()[0].toFixed(1)}: ${error.message.replaceAll('\n', '\n  ')}`);
		}
	};
	const profiles = {1: [], [hosts]: []};
	// A condition asked for no runs (reps 0) is left out altogether.
	const conditions = [
		{name: 'quick', label: 'quick login shell', quickShell: true, reps},
		{name: 'bashrc', label: "this machine's ~/.bashrc", quickShell: false, reps: bashrcReps},
	].filter(condition => condition.reps > 0);
	let floor = [];
	try {
		for (const condition of conditions) {
			const lab = await startFleetLab(hosts, {quickShell: condition.quickShell});
			try {
				const sizes = condition.quickShell ? [...curve, hosts] : [hosts];
				const inventories = Object.fromEntries(sizes.map(n => [n, lab.inventory(join(dir, `${condition.name}-${n}.ini`), n)]));
				for (let i = 0; i < condition.reps; i++) {
					series(`1-minute load before each run (${condition.name})`).push(loadavg()[0]);
					// Which tool goes first alternates, so that neither always runs on the other's heels.
					const order = i % 2 ? ['ansible', 'rampart', 'plain'] : ['plain', 'rampart', 'ansible'];
					for (const tool of order) {
						if (tool === 'ansible' && !ansible) continue;
						if (tool === 'plain') {
							try {
								series(`plain ssh ${hosts} hosts (${condition.name}), wall`).push(await plainSshFloor(lab, work.codes, hosts));
							} catch (error) {
								failures.push(`- plain ssh, ${condition.name}: ${error.message}`);
							}
							continue;
						}
						await measured(`${tool} ${hosts} hosts (${condition.name})`, () =>
							tool === 'rampart'
								? rampartRun(inventories[hosts], condition.quickShell ? profiles[hosts] : undefined)
								: ansibleFleet(dir, work.playbook, inventories[hosts], hosts),
						);
					}
					if (!condition.quickShell) continue;
					for (const n of curve) await measured(`rampart ${n} hosts (quick)`, () => rampartRun(inventories[n], n === 1 ? profiles[1] : undefined));
				}
				if (condition.quickShell) floor = await sshExecFloor(lab, 10);
			} finally {
				lab.stop();
			}
		}
	} finally {
		cleanup(dir);
	}
	for (const key of Object.keys(raw)) if (raw[key].length === 0) delete raw[key];
	raw['ssh HOST true through an open master (quick)'] = floor;

	const m = name => median(raw[name] ?? []);
	const rows = [];
	for (const condition of conditions) {
		const ours = m(`rampart ${hosts} hosts (${condition.name}), wall`);
		const theirs = m(`ansible ${hosts} hosts (${condition.name}), wall`);
		const loads = raw[`1-minute load before each run (${condition.name})`];
		const loadRange = `load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`;
		rows.push({
			measure: `Fleet, ${hosts} hosts × ${steps} steps, wall time, ${condition.label} (how many times faster; ${loadRange})`,
			value: Number.isNaN(ours) ? 'every run failed (see below)' : s(ours),
			reference: ansible ? `ansible-playbook, forks ${hosts}, pipelining: ${s(theirs)}` : 'ansible-playbook not installed',
			ratio: ansible ? theirs / ours : undefined,
			target: ansible ? 10 : undefined,
			atLeast: true,
		});
		const plain = m(`plain ssh ${hosts} hosts (${condition.name}), wall`);
		rows.push({
			measure: `Fleet, ${hosts} hosts × ${steps} steps, wall time against the floor, ${condition.label}`,
			value: Number.isNaN(ours) ? 'every run failed (see below)' : s(ours),
			reference: `plain ssh, one connection per host running the ${steps} steps' text in turn: ${s(plain)}${ansible ? ` (ansible-playbook is ${(theirs / plain).toFixed(1)}× it)` : ''}`,
			ratio: ours / plain,
		});
		if (ansible) {
			const cpu = {ours: m(`rampart ${hosts} hosts (${condition.name}), CPU`), theirs: m(`ansible ${hosts} hosts (${condition.name}), CPU`)};
			rows.push({
				measure: `Fleet, ${hosts} hosts, CPU time of the operator's side (the tool, its ssh clients), ${condition.label}`,
				value: s(cpu.ours),
				reference: `ansible-playbook: ${s(cpu.theirs)}`,
				ratio: cpu.theirs / cpu.ours,
				atLeast: true,
			});
		}
	}
	const one = m('rampart 1 hosts (quick), wall');
	for (const n of [...curve, hosts]) {
		const wall = m(`rampart ${n} hosts (quick), wall`);
		rows.push({
			measure: `Fleet curve, quick login shell: ${n} host${n === 1 ? '' : 's'} × ${steps} steps (wall; per host-step)`,
			value: `${s(wall)}; ${ms(wall / (n * steps))}`,
			reference: `1 host: ${s(one)}`,
			ratio: wall / one,
		});
	}
	const profileRows = (n, runs) =>
		Object.entries(phaseMedians(runs)).map(([phase, value]) => ({
			measure: `Fleet profile, ${n} host${n === 1 ? '' : 's'}, quick login shell: ${phase}${phase.startsWith('connect') ? ' (per host)' : ' (per block)'}`,
			value: ms(value),
			reference: `ssh HOST true through an open master: ${ms(median(floor))}`,
			ratio: value / median(floor),
		}));
	rows.push(...profileRows(1, profiles[1]), ...profileRows(hosts, profiles[hosts]));
	return {
		title: TITLE,
		command: COMMAND,
		method: [
			`${hosts} real sshd on 127.0.0.2 … 127.0.0.${hosts + 1}, each with its own host key and config, key-only, logging in as root (bench/fleet-lab.mjs, the recipe of the fleet system tests); the client side is an ssh_config of the benchmark's own (key, known_hosts, StrictHostKeyChecking yes) that both tools get from the same Ansible INI inventory (\`ansible_ssh_common_args='-F FILE'\`). A runbook of ${steps} steps, each one POSIX shell block that writes a file in the host's own directory and checks it (idempotent), and a playbook of the same ${steps} \`ansible.builtin.shell\` tasks with the very same text.`,
			`Rampart: \`node dist/rampart.js run RUNBOOK --inventory INV --yes --approve --forks ${hosts}\`, each run in a fresh state directory (so every run records and fsyncs its own journals from nothing), output to /dev/null. Ansible (ansible-core, \`ansible-playbook -i INV PLAYBOOK\`): \`gather_facts: false\`, and a private ansible.cfg named by ANSIBLE_CONFIG: \`forks = ${hosts}\`, \`pipelining = True\`, \`host_key_checking = True\` (the inventory's ssh_config checks the keys), \`interpreter_python = /usr/bin/python3\` (no discovery round trip), its local and remote temporary directories and its ControlPersist sockets in the benchmark's directory (a fresh one per run, its masters ended after the run, so no run reuses the connections of the one before); ~/.ansible and /etc/ansible are not used. Wall time and CPU time (user + system of the tool and every process it waited for, from bash's \`times\`: the operator's side, not the hosts' sshd sessions) per run; ${reps} runs of each with a quick login shell, ${bashrcReps} with this machine's ~/.bashrc, the tools alternating which goes first; medians.`,
			"The two login shells. sshd runs every remote command through the user's shell, and bash then reads ~/.bashrc; root's ~/.bashrc here starts pyenv, which costs each remote command (every block of Rampart's, every task of Ansible's) about 0.5 s on a quiet machine and 1.5–2 s at a load of 7. So everything is measured twice. Quick login shell: each lab sshd is started inside its own mount namespace (`unshare -m --propagation private`) with an empty file bind-mounted over /root/.bashrc, so the sessions it serves read an empty ~/.bashrc while the machine's own file and every other process are untouched. Then the same with the sshd started plainly, reading the real ~/.bashrc. Both tools always talk to the same sshd.",
			`The curve: Rampart with the first 1, ${curve.slice(1).join(', ')} and ${hosts} hosts of the same lab (quick login shell, \`--forks ${hosts}\`, ${reps} runs each, interleaved with the runs above); per host-step is the wall time over hosts × steps; the ratio is against 1 host. The floor rows: all ${hosts} hosts at once, each over one plain \`ssh HOST 'bash -c STEP1 </dev/null && … && bash -c STEP${steps} </dev/null'\` (the steps' very text, each in a fresh bash with stdin from /dev/null as a block is: a bash whose stdin is the ssh session would read ~/.bashrc; no record, no start gate, nothing kept), run in the same rotation as the two tools: the least any tool that runs each step in its own shell over one connection per host could take here. The profile rows read each host's journal of those runs (every event's time, to the ms): from the process's start to the host's run-started (connect, the requires probe), and per block the phases named, against the floor \`ssh HOST true\` through an open ControlMaster (10 in a row, one host, no other load of ours).`,
		].join('\n\n'),
		rows,
		raw,
		notes: failures.length ? [`Failed runs, left out of the medians (${failures.length}):`, '', ...failures].join('\n') : undefined,
		skipped: ansible
			? undefined
			: 'Ansible comparison skipped: ansible-playbook is not installed (apt-get install ansible-core); no Ansible ratio is claimed from this run.',
	};
};

if (isMain(import.meta.url)) printSection(await fleet());
