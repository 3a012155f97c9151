// `rampart run … --host/--inventory` on the built binary, without any sshd:
// what a fleet run says about bad targets and hosts it cannot reach.

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {cliHome, frontMatter, runCli, sh, writeRunbook, type CliResult} from '../engine/helpers.js';

const output = (result: CliResult) => `${result.stdout}\n${result.stderr}`;

/** A loopback port nothing listens on: ssh is refused at once. */
const closedPort = async (): Promise<number> => {
	const server = net.createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as net.AddressInfo;
	await new Promise(resolve => server.close(resolve));
	return port;
};

describe('fleet targets', () => {
	const badTargets: Array<[string, string[], RegExp]> = [
		['a missing inventory', ['--inventory', 'missing.ini'], /cannot read the inventory missing.ini: no such file/],
		['a bad port', ['--inventory', 'hosts.ini'], /web2: ansible_port must be a number/],
		['a limit that matches nothing', ['--inventory', 'good.ini', '--limit', 'db'], /--limit db: no host or group of the inventory matches it/],
		['a limit without an inventory', ['--limit', 'web', '--host', 'web1'], /give --inventory FILE too/],
		['an ssh option as a host', ['--host', '-oProxyCommand=touch pwned'], /is not a host name/],
		['no forks', ['--host', 'web1', '--forks', '0'], /--forks takes a whole number of hosts, at least 1/],
	];
	it.each(badTargets)('refuses %s before connecting to anything, with exit 2 and no stack trace', async (_what, args, message) => {
		const home = cliHome();
		writeRunbook(home.cwd, 'ok', frontMatter('Ok') + '## One\n\n' + sh('true'));
		fs.writeFileSync(path.join(home.cwd, 'hosts.ini'), '[web]\nweb1\nweb2 ansible_port=ssh\n');
		fs.writeFileSync(path.join(home.cwd, 'good.ini'), '[web]\nweb1\nweb2\n');
		const result = await runCli(['run', './ok.md', '--approve', '--yes', ...args], home);
		expect(result.code, output(result)).toBe(2);
		expect(result.stderr).toMatch(message);
		expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
		expect(fs.existsSync(path.join(home.cwd, 'pwned'))).toBe(false);
	});

	it('lists the hosts with --dry-run and runs nothing', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'ok', frontMatter('Ok') + '## One\n\n' + sh('touch ran'));
		fs.writeFileSync(path.join(home.cwd, 'hosts.yml'), 'web:\n  hosts:\n    web1:\n      ansible_host: 192.0.2.1\n    web2:\n      ansible_become: true\n');
		const result = await runCli(['run', './ok.md', '--approve', '--dry-run', '--inventory', 'hosts.yml'], home);
		expect(result.code, output(result)).toBe(0);
		expect(result.stdout).toMatch(/Hosts \(2\):\n {2}web1 \(192\.0\.2\.1\)\n {2}web2, through sudo -n/);
		expect(fs.existsSync(path.join(home.cwd, 'ran'))).toBe(false);
	});

	it('reports a host it cannot reach, records why, and exits 1', async () => {
		const home = cliHome();
		writeRunbook(home.cwd, 'ok', frontMatter('Ok') + '## One\n\n' + sh('true'));
		const port = await closedPort();
		fs.writeFileSync(path.join(home.cwd, 'hosts.ini'), `gone ansible_host=127.0.0.1 ansible_port=${port} ansible_ssh_common_args='-F /dev/null -o BatchMode=yes'\n`);
		const result = await runCli(['run', './ok.md', '--approve', '--yes', '--inventory', 'hosts.ini'], home);
		expect(result.code, output(result)).toBe(1);
		expect(result.stderr).toMatch(/0 of 1 host completed/);
		expect(result.stderr).toMatch(/gone\s+unreached[\s\S]*unreachable:[\s\S]*Connection refused/);
		const fleetId = /fleet run (\S+) of "Ok":/.exec(result.stderr)![1]!;
		const history = await runCli(['history', fleetId], home);
		expect(history.stdout).toMatch(/gone\s+not run\s+unreachable:/);
		const again = await runCli(['resume', fleetId, '--yes'], home);
		expect(again.code).toBe(1);
		expect(again.stderr).toMatch(/resuming fleet run .* on gone/);
	});
});
