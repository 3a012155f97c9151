// Which hosts a fleet run goes to, and how to reach each: from --host names
// (resolved by the operator's ~/.ssh/config, as `ssh NAME` would) or from an
// Ansible inventory narrowed by --limit, with Ansible's connection variables.

import type {FleetHostSpec} from '../journal/fleet-record.js';
import {groupHosts, hostVariables, InventoryError, readInventory, splitWords, type Inventory} from './inventory.js';

/** A host and how to reach it; kept as it is in the fleet's record, so a resume reaches it the same way. */
export type FleetHost = FleetHostSpec;

const truthy = (value: string | undefined) => value !== undefined && /^(true|yes|on|1)$/i.test(value.trim());

/** Ansible's --limit: `a:b` or `a,b` union, `&a` intersection, `!a` exclusion; globs and `~regex` match names. */
export const selectHosts = async (inv: Inventory, pattern: string): Promise<string[]> => {
	const terms = pattern
		.split(/[:,]/)
		.map(t => t.trim())
		.filter(Boolean);
	if (terms.length === 0) throw new InventoryError('--limit is empty');
	const union = new Set<string>();
	const intersections: Set<string>[] = [];
	const exclusions = new Set<string>();
	for (const term of terms) {
		const kind = term.startsWith('&') ? 'and' : term.startsWith('!') ? 'not' : 'or';
		const matched = await matchTerm(inv, kind === 'or' ? term : term.slice(1));
		if (kind === 'or' && matched.size === 0) throw new InventoryError(`--limit ${term}: no host or group of the inventory matches it`);
		if (kind === 'or') for (const h of matched) union.add(h);
		else if (kind === 'and') intersections.push(matched);
		else for (const h of matched) exclusions.add(h);
	}
	if (union.size === 0) for (const h of inv.hosts) union.add(h);
	return inv.hosts.filter(h => union.has(h) && intersections.every(s => s.has(h)) && !exclusions.has(h));
};

const matchTerm = async (inv: Inventory, term: string): Promise<Set<string>> => {
	if (term === 'all' || term === '*') return new Set(inv.hosts);
	if (inv.groups.has(term)) return groupHosts(inv, term);
	if (inv.hostVars.has(term)) return new Set([term]);
	let test: (name: string) => boolean;
	if (term.startsWith('~')) {
		// Linear-time matching: a pattern from a script must not hang Rampart.
		const {RE2JS} = await import('re2js');
		let re: InstanceType<typeof RE2JS>;
		try {
			re = RE2JS.compile(term.slice(1));
		} catch (error) {
			throw new InventoryError(`--limit ${term}: not a valid regular expression (${(error as Error).message})`);
		}
		test = name => re.matcher(name).find();
	} else if (/[*?[]/.test(term)) {
		const glob = new RegExp(
			`^${term
				.replace(/[.+^${}()|\\]/g, '\\$&')
				.replaceAll('*', '.*')
				.replaceAll('?', '.')}$`,
		);
		test = name => glob.test(name);
	} else {
		return new Set();
	}
	const hosts = new Set(inv.hosts.filter(test));
	for (const name of inv.groups.keys()) if (test(name)) for (const h of groupHosts(inv, name)) hosts.add(h);
	return hosts;
};

export const fleetHostFromVars = (name: string, vars: Record<string, string>): FleetHost => {
	const connection = vars['ansible_connection'];
	if (connection !== undefined && !['ssh', 'smart', 'paramiko'].includes(connection.trim())) {
		throw new InventoryError(`${name}: ansible_connection=${connection} is not something Rampart connects by (only ssh); run on that machine without --inventory`);
	}
	const port = vars['ansible_port'] ?? vars['ansible_ssh_port'];
	if (port !== undefined && !/^\d{1,5}$/.test(port.trim())) throw new InventoryError(`${name}: ansible_port must be a number, not "${port}"`);
	const sshArgs = [
		...splitWords(vars['ansible_ssh_common_args'] ?? '', `${name}: ansible_ssh_common_args`),
		...splitWords(vars['ansible_ssh_extra_args'] ?? '', `${name}: ansible_ssh_extra_args`),
	];
	return {
		name,
		destination: vars['ansible_host'] ?? vars['ansible_ssh_host'] ?? name,
		...(port !== undefined ? {port: Number(port)} : {}),
		...((vars['ansible_user'] ?? vars['ansible_ssh_user']) ? {user: vars['ansible_user'] ?? vars['ansible_ssh_user']} : {}),
		...(vars['ansible_ssh_private_key_file'] ? {identityFile: vars['ansible_ssh_private_key_file']} : {}),
		sshArgs,
		become: truthy(vars['ansible_become']),
		...(vars['ansible_become_user'] ? {becomeUser: vars['ansible_become_user']} : {}),
	};
};

export interface TargetFlags {
	host?: string[];
	inventory?: string;
	limit?: string;
	/** --become: every host through sudo -n. */
	become?: boolean;
}

/** The hosts named by the flags; undefined when none are (a local run). */
export const resolveTargets = async (flags: TargetFlags): Promise<FleetHost[] | undefined> => {
	const named = flags.host ?? [];
	if (flags.limit !== undefined && flags.inventory === undefined) throw new InventoryError('--limit selects hosts of an inventory: give --inventory FILE too');
	if (named.length === 0 && flags.inventory === undefined) return undefined;
	const hosts: FleetHost[] = named.map(name => {
		if (!/^[\w.@:[\]-]+$/.test(name) || name.startsWith('-')) throw new InventoryError(`--host ${JSON.stringify(name)} is not a host name`);
		return fleetHostFromVars(name, {});
	});
	if (flags.inventory !== undefined) {
		const inv = await readInventory(flags.inventory);
		const names = await selectHosts(inv, flags.limit ?? 'all');
		if (names.length === 0) throw new InventoryError(`no host of ${flags.inventory} is selected${flags.limit ? ` by --limit ${flags.limit}` : ''}`);
		hosts.push(...names.map(name => fleetHostFromVars(name, hostVariables(inv, name))));
	}
	const seen = new Set<string>();
	for (const h of hosts) {
		if (seen.has(h.name)) throw new InventoryError(`host ${h.name} is named twice`);
		seen.add(h.name);
		if (flags.become) h.become = true;
	}
	return hosts;
};
