import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {expandHostRange, hostVariables, parseIniInventory, parseYamlInventory, readInventory} from '../../source/remote/inventory.js';
import {fleetHostFromVars, resolveTargets, selectHosts} from '../../source/remote/targets.js';
import {fleetBatches} from '../../source/headless/fleet-run.js';

const INI = `
# a comment
mail.example.com

[webservers]
web[01:03].example.com ansible_user=deploy
www.example.com:2222 ansible_host=203.0.113.7 ansible_become=yes

[dbservers]
db-[a:b].example.com

[prod:children]
webservers
dbservers

[prod:vars]
ansible_user=ops
ansible_ssh_common_args='-o ProxyJump="bastion.example.com" -F /etc/x'

[all:vars]
ansible_port=22
`;

const YAML = `
all:
  hosts:
    mail.example.com:
  vars:
    ansible_port: 22
  children:
    webservers:
      hosts:
        web[01:03].example.com:
          ansible_user: deploy
        www.example.com:
          ansible_host: 203.0.113.7
          ansible_port: 2222
          ansible_become: true
    dbservers:
      hosts:
        db-[a:b].example.com:
    prod:
      children:
        webservers:
        dbservers:
      vars:
        ansible_user: ops
        ansible_ssh_common_args: -o ProxyJump="bastion.example.com" -F /etc/x
`;

describe('Ansible inventories', () => {
	it('expands host ranges with their width, letters and a step', () => {
		expect(expandHostRange('web[01:03].x')).toEqual(['web01.x', 'web02.x', 'web03.x']);
		expect(expandHostRange('db-[a:c]')).toEqual(['db-a', 'db-b', 'db-c']);
		expect(expandHostRange('n[1:10:4]')).toEqual(['n1', 'n5', 'n9']);
		expect(() => expandHostRange('n[1:10:0]')).toThrow(/step/);
	});

	for (const [format, parse] of [
		['INI', () => Promise.resolve(parseIniInventory(INI))],
		['YAML', () => parseYamlInventory(YAML)],
	] as const) {
		it(`reads groups, children and variables with Ansible's precedence (${format})`, async () => {
			const inv = await parse();
			expect(inv.hosts).toEqual(
				expect.arrayContaining(['mail.example.com', 'web01.example.com', 'web03.example.com', 'www.example.com', 'db-a.example.com', 'db-b.example.com']),
			);
			expect(inv.hosts).toHaveLength(7);
			// Host vars over child group vars over parent vars over all's.
			expect(hostVariables(inv, 'web01.example.com')).toMatchObject({ansible_user: 'deploy', ansible_port: '22'});
			expect(hostVariables(inv, 'db-a.example.com')).toMatchObject({ansible_user: 'ops'});
			const www = fleetHostFromVars('www.example.com', hostVariables(inv, 'www.example.com'));
			expect(www).toMatchObject({destination: '203.0.113.7', port: 2222, user: 'ops', become: true});
			expect(www.sshArgs).toEqual(['-o', 'ProxyJump=bastion.example.com', '-F', '/etc/x']);
			expect(await selectHosts(inv, 'prod:&webservers:!www.example.com')).toEqual(['web01.example.com', 'web02.example.com', 'web03.example.com']);
			expect(await selectHosts(inv, 'dbservers,mail.example.com')).toEqual(expect.arrayContaining(['mail.example.com', 'db-a.example.com', 'db-b.example.com']));
			expect(await selectHosts(inv, 'web0*')).toHaveLength(3);
			expect(await selectHosts(inv, '~^db-[ab]')).toEqual(['db-a.example.com', 'db-b.example.com']);
			await expect(selectHosts(inv, 'nosuchgroup')).rejects.toThrow(/no host or group of the inventory matches/);
		});
	}

	it('says where an inventory is wrong, and never runs on a host it could not read', async () => {
		expect(() => parseIniInventory('[web\nhost1', 'hosts.ini')).toThrow(/hosts.ini:1: a section header/);
		expect(() => parseIniInventory('[web]\nhost1 ansible_port', 'hosts.ini')).toThrow(/hosts.ini:2: expected name=value/);
		expect(() => parseIniInventory('[web]\nhost1 ansible_user="x', 'hosts.ini')).toThrow(/quote is not closed/);
		expect(() => parseIniInventory('[a:children]\nb\n[b:children]\na\n')).toThrow(/contains itself/);
		await expect(parseYamlInventory('all: [1, 2]', 'hosts.yml')).rejects.toThrow(/hosts.yml: all: a group holds/);
		await expect(parseYamlInventory('all:\n  hostz: {}\n', 'hosts.yml')).rejects.toThrow(/unknown key "hostz"/);
		expect(() => fleetHostFromVars('h', {ansible_port: 'ssh'})).toThrow(/ansible_port must be a number/);
	});

	it('takes --host names and an inventory file together, and refuses what would be an ssh option', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-inv-'));
		try {
			const file = path.join(dir, 'hosts.yml');
			fs.writeFileSync(file, YAML);
			const hosts = await resolveTargets({host: ['extra.example.com'], inventory: file, limit: 'dbservers', become: true});
			expect(hosts!.map(h => h.name)).toEqual(['extra.example.com', 'db-a.example.com', 'db-b.example.com']);
			expect(hosts!.every(h => h.become)).toBe(true);
			expect(await resolveTargets({})).toBeUndefined();
			await expect(resolveTargets({host: ['-oProxyCommand=touch /tmp/x']})).rejects.toThrow(/is not a host name/);
			await expect(resolveTargets({limit: 'web'})).rejects.toThrow(/give --inventory FILE too/);
			await expect(resolveTargets({inventory: path.join(dir, 'missing.ini')})).rejects.toThrow(/cannot read the inventory .*no such file/);
			await expect(resolveTargets({host: ['a', 'a']})).rejects.toThrow(/named twice/);
			expect((await readInventory(file)).hosts).toHaveLength(7);
		} finally {
			fs.rmSync(dir, {recursive: true, force: true});
		}
	});
});

describe('the order of a fleet run', () => {
	it('runs the canary alone first, then batches of --serial', () => {
		const hosts = ['a', 'b', 'c', 'd', 'e'];
		expect(fleetBatches(hosts, {canary: 1, serial: 2})).toEqual([
			{hosts: ['a'], canary: true},
			{hosts: ['b', 'c'], canary: false},
			{hosts: ['d', 'e'], canary: false},
		]);
		expect(fleetBatches(hosts, {canary: 0})).toEqual([{hosts, canary: false}]);
		expect(fleetBatches(['a'], {canary: 3})).toEqual([{hosts: ['a'], canary: true}]);
	});
});
