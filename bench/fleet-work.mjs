// What the fleet benchmark runs, written once for both tools: a runbook of
// N steps and a playbook of the same N `ansible.builtin.shell` tasks with the
// very same shell text, and a private ansible.cfg (forks, pipelining, its own
// temporary and control-socket directories: ~/.ansible and /etc/ansible are
// never read or written). Also how each tool is started, and the clean-up
// Ansible needs between runs (its ControlPersist masters outlive it).

import {existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {benchEnv, node, rampart, runbookText, timedWithCpu} from './lib.mjs';

/**
 * Step `i`'s shell: write a file in the host's own directory (the hosts
 * share this machine's disk; the sshd address in $SSH_CONNECTION tells them
 * apart) and check it. POSIX sh, so Ansible's /bin/sh and Rampart's bash run
 * the same text; idempotent, so every repetition does the same work.
 */
const stepCode = (out, i) =>
	[
		'# shellcheck disable=SC2086 # its words are wanted',
		'set -- $SSH_CONNECTION',
		`mkdir -p "${out}/$3"`,
		`printf 'step ${i}\\n' > "${out}/$3/step-${i}"`,
		`grep -qx 'step ${i}' "${out}/$3/step-${i}"`,
	].join('\n');

const indent = (text, by) => text.replace(/^/gm, by);

export const writeWork = (dir, steps) => {
	const out = join(dir, 'out');
	mkdirSync(out);
	const codes = Array.from({length: steps}, (_, i) => stepCode(out, i + 1));
	const runbook = join(dir, 'fleet.md');
	writeFileSync(runbook, runbookText(`Fleet bench, ${steps} steps`, codes));
	const playbook = join(dir, 'fleet.yml');
	writeFileSync(
		playbook,
		'- hosts: all\n  gather_facts: false\n  tasks:\n' +
			codes.map((code, i) => `    - name: step ${i + 1}\n      ansible.builtin.shell: |\n${indent(code, '        ')}\n`).join(''),
	);
	return {runbook, playbook, out, codes};
};

/**
 * Wall and CPU time (ms) of a run whose output goes to `log`; a failed run
 * throws with the log's last lines (what the tool said about its hosts).
 */
const timedLogged = async (log, command, args, options) => {
	try {
		// `sh -c SCRIPT LOG CMD…`: $0 is the log; exec keeps the command a child bash's `times` counts.
		return await timedWithCpu('sh', ['-c', 'exec "$@" > "$0" 2>&1', log, command, ...args], options);
	} catch {
		const said = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-12).join('\n') : '';
		throw new Error(`${command === node ? 'rampart' : command} failed:\n${said}`);
	}
};

/** One Rampart fleet run, headless, in a state directory of its own; returns wall and CPU time (ms). */
export const rampartFleet = (runbook, inventory, home, forks) =>
	timedLogged(join(home, 'output.log'), node, [rampart, 'run', runbook, '--inventory', inventory, '--yes', '--approve', '--forks', String(forks)], {
		env: benchEnv(home),
	});

/** ssh processes whose arguments name `dir` (Ansible's masters there), ended. */
const endMasters = dir => {
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			if (args[0] === 'ssh' && args.some(arg => arg.includes(dir))) process.kill(Number(entry), 'SIGTERM');
		} catch {
			// Gone meanwhile.
		}
	}
};

let ansibleRuns = 0;

/**
 * One ansible-playbook run with a private ansible.cfg. Each run gets a fresh
 * control-socket directory and its masters are ended afterwards, so no run
 * finds a connection left open by the one before (Rampart opens its own per
 * run, too).
 */
export const ansibleFleet = async (dir, playbook, inventory, forks) => {
	const run = join(dir, `ansible-${++ansibleRuns}`);
	mkdirSync(run);
	const config = join(run, 'ansible.cfg');
	writeFileSync(
		config,
		[
			'[defaults]',
			`forks = ${forks}`,
			// The lab's ssh_config checks host keys against its own known_hosts.
			'host_key_checking = True',
			'gathering = explicit',
			// Debian's python3 on every host, named so interpreter discovery costs no extra round trip.
			'interpreter_python = /usr/bin/python3',
			`local_tmp = ${join(run, 'local-tmp')}`,
			`remote_tmp = ${join(run, 'remote-tmp')}`,
			'retry_files_enabled = False',
			'timeout = 120',
			'',
			'[ssh_connection]',
			'pipelining = True',
			`control_path_dir = ${join(run, 'cp')}`,
			'',
		].join('\n'),
	);
	const env = {...process.env, ANSIBLE_CONFIG: config, ANSIBLE_HOME: join(run, 'home'), ANSIBLE_NOCOLOR: '1'};
	try {
		return await timedLogged(join(run, 'output.log'), 'ansible-playbook', ['-i', inventory, playbook], {env, cwd: run});
	} finally {
		endMasters(run);
	}
};
