// Ansible inventories, INI and YAML, read as Ansible reads them: groups,
// children, `all`, host ranges (www[01:20]) and variables, host variables
// over child groups' over parents' over `all`'s. Only the connection
// variables mean anything to Rampart (see fleet-host.ts); the rest is kept.

import {readFileSync} from 'node:fs';
import {parse} from 'yaml';

export type Vars = Record<string, string>;

export interface Inventory {
	/** Hosts in the order they first appear. */
	hosts: string[];
	/** Group name → its direct hosts and child groups. */
	groups: Map<string, {hosts: Set<string>; children: Set<string>; vars: Vars}>;
	hostVars: Map<string, Vars>;
}

export class InventoryError extends Error {
	override name = 'InventoryError';
}

const emptyInventory = (): Inventory => ({hosts: [], groups: new Map([['all', {hosts: new Set(), children: new Set(), vars: {}}]]), hostVars: new Map()});

const group = (inv: Inventory, name: string) => {
	let g = inv.groups.get(name);
	if (!g) inv.groups.set(name, (g = {hosts: new Set(), children: new Set(), vars: {}}));
	return g;
};

const addHost = (inv: Inventory, name: string, groupName: string, vars: Vars) => {
	if (!inv.hostVars.has(name)) {
		inv.hosts.push(name);
		inv.hostVars.set(name, {});
	}
	Object.assign(inv.hostVars.get(name)!, vars);
	group(inv, groupName).hosts.add(name);
};

/** `www[01:03].example.com` → www01…, www03 (numbers keep their width; letters too; an optional :step). */
export const expandHostRange = (pattern: string): string[] => {
	const match = /^(.*?)\[([0-9a-z]+):([0-9a-z]+)(?::(\d+))?\](.*)$/i.exec(pattern);
	if (!match) return [pattern];
	const [, head, from, to, stepText, tail] = match as unknown as [string, string, string, string, string | undefined, string];
	const step = stepText === undefined ? 1 : Number(stepText);
	if (step < 1) throw new InventoryError(`host range ${pattern}: the step must be 1 or more`);
	const names: string[] = [];
	if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
		const width = from.length > 1 && from.startsWith('0') ? from.length : 0;
		for (let n = Number(from); n <= Number(to); n += step) names.push(String(n).padStart(width, '0'));
	} else if (/^[a-z]$/i.test(from) && /^[a-z]$/i.test(to)) {
		for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c += step) names.push(String.fromCharCode(c));
	} else {
		throw new InventoryError(`host range ${pattern}: expected [01:20] or [a:f]`);
	}
	if (names.length === 0) throw new InventoryError(`host range ${pattern} is empty`);
	if (names.length > 10_000) throw new InventoryError(`host range ${pattern} makes more than 10,000 hosts`);
	return names.flatMap(n => expandHostRange(`${head}${n}${tail}`));
};

/** `k=v k2="a b"` as Ansible's INI reader splits it (shell-like words, quotes removed). */
export const splitWords = (text: string, where: string): string[] => {
	const words: string[] = [];
	let word = '';
	let quote: string | undefined;
	let inWord = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i]!;
		if (quote) {
			if (c === quote) quote = undefined;
			else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
			else word += c;
		} else if (c === '"' || c === "'") {
			quote = c;
			inWord = true;
		} else if (/\s/.test(c)) {
			if (inWord) words.push(word);
			word = '';
			inWord = false;
		} else if (c === '#' && !inWord) {
			break;
		} else {
			word += c;
			inWord = true;
		}
	}
	if (quote) throw new InventoryError(`${where}: a quote is not closed`);
	if (inWord) words.push(word);
	return words;
};

const keyValues = (words: string[], where: string): Vars => {
	const vars: Vars = {};
	for (const word of words) {
		const eq = word.indexOf('=');
		if (eq <= 0) throw new InventoryError(`${where}: expected name=value, found "${word}"`);
		vars[word.slice(0, eq)] = word.slice(eq + 1);
	}
	return vars;
};

export const parseIniInventory = (text: string, file = 'inventory'): Inventory => {
	const inv = emptyInventory();
	let section: {name: string; kind: 'hosts' | 'children' | 'vars'} = {name: 'ungrouped', kind: 'hosts'};
	const lines = text.split(/\r?\n/);
	for (let n = 0; n < lines.length; n++) {
		const line = lines[n]!.trim();
		const where = `${file}:${n + 1}`;
		if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
		const header = /^\[([^\]:\s]+)(?::(children|vars))?\]$/.exec(line);
		if (header) {
			section = {name: header[1]!, kind: (header[2] as 'children' | 'vars' | undefined) ?? 'hosts'};
			group(inv, section.name);
			continue;
		}
		if (line.startsWith('[')) throw new InventoryError(`${where}: a section header reads [group], [group:children] or [group:vars]`);
		if (section.kind === 'vars') {
			const eq = line.indexOf('=');
			if (eq <= 0) throw new InventoryError(`${where}: expected name=value in [${section.name}:vars]`);
			group(inv, section.name).vars[line.slice(0, eq).trim()] = splitWords(line.slice(eq + 1), where).join(' ');
		} else if (section.kind === 'children') {
			const [child, ...rest] = splitWords(line, where);
			if (rest.length > 0 || !child) throw new InventoryError(`${where}: one group name per line in [${section.name}:children]`);
			group(inv, section.name).children.add(child);
			group(inv, child);
		} else {
			const [first, ...rest] = splitWords(line, where);
			const vars = keyValues(rest, where);
			// `host:2222` is the port, as in Ansible (not for bare IPv6 addresses).
			const portMatch = /^([^:]+):(\d+)$/.exec(first!);
			if (portMatch) vars['ansible_port'] ??= portMatch[2]!;
			for (const host of expandHostRange(portMatch ? portMatch[1]! : first!)) addHost(inv, host, section.name, vars);
		}
	}
	return link(inv);
};

const scalar = (value: unknown, where: string): string => {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	if (value === null || value === undefined) return '';
	if (Array.isArray(value)) return value.map(v => scalar(v, where)).join(' ');
	throw new InventoryError(`${where}: only plain values are supported`);
};

const varsOf = (value: unknown, where: string): Vars => {
	if (value === null || value === undefined) return {};
	if (typeof value !== 'object' || Array.isArray(value)) throw new InventoryError(`${where}: expected a mapping`);
	return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scalar(v, `${where}.${k}`)]));
};

export const parseYamlInventory = async (text: string, file = 'inventory'): Promise<Inventory> => {
	// Loaded with the CLI already (inputs files): a static import costs nothing more.
	let doc: unknown;
	try {
		doc = parse(text);
	} catch (error) {
		throw new InventoryError(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
	}
	const inv = emptyInventory();
	if (doc === null || doc === undefined) return inv;
	if (typeof doc !== 'object' || Array.isArray(doc)) throw new InventoryError(`${file}: expected groups at the top (all:, webservers:, …)`);
	const walk = (name: string, body: unknown, where: string) => {
		group(inv, name);
		if (body === null || body === undefined) return;
		if (typeof body !== 'object' || Array.isArray(body)) throw new InventoryError(`${where}: a group holds hosts:, children: and vars:`);
		for (const [key, value] of Object.entries(body)) {
			if (key === 'hosts') {
				if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value)))
					throw new InventoryError(`${where}.hosts: expected host names as keys`);
				for (const [host, vars] of Object.entries((value ?? {}) as object)) {
					const hostVars = varsOf(vars, `${where}.hosts.${host}`);
					for (const h of expandHostRange(host)) addHost(inv, h, name, hostVars);
				}
			} else if (key === 'children') {
				for (const [child, childBody] of Object.entries((value ?? {}) as object)) {
					group(inv, name).children.add(child);
					walk(child, childBody, `${where}.children.${child}`);
				}
			} else if (key === 'vars') {
				Object.assign(group(inv, name).vars, varsOf(value, `${where}.vars`));
			} else {
				throw new InventoryError(`${where}: unknown key "${key}" (a group holds hosts:, children: and vars:)`);
			}
		}
	};
	for (const [name, body] of Object.entries(doc)) walk(name, body, `${file}: ${name}`);
	return link(inv);
};

/** Every group is a child of `all`; hosts in no group are `ungrouped`; a group may not contain itself. */
const link = (inv: Inventory): Inventory => {
	const all = group(inv, 'all');
	for (const name of inv.groups.keys()) if (name !== 'all' && !isDescendant(inv, name, 'all', new Set())) all.children.add(name);
	for (const name of inv.groups.keys()) if (isDescendant(inv, name, name, new Set(), true)) throw new InventoryError(`group ${name} contains itself`);
	return inv;
};

/** Is `name` reachable from `from` through children? */
const isDescendant = (inv: Inventory, name: string, from: string, seen: Set<string>, strict = false): boolean => {
	if (!strict && name === from) return true;
	if (seen.has(from)) return false;
	seen.add(from);
	return [...(inv.groups.get(from)?.children ?? [])].some(child => isDescendant(inv, name, child, seen));
};

/** The hosts of a group, its children's included. */
export const groupHosts = (inv: Inventory, name: string, seen = new Set<string>()): Set<string> => {
	const g = inv.groups.get(name);
	const hosts = new Set<string>(name === 'all' ? inv.hosts : []);
	if (!g || seen.has(name)) return hosts;
	seen.add(name);
	for (const h of g.hosts) hosts.add(h);
	for (const child of g.children) for (const h of groupHosts(inv, child, seen)) hosts.add(h);
	return hosts;
};

/** Depth of each group below `all` (all = 0), for variable precedence: deeper groups win. */
const depths = (inv: Inventory): Map<string, number> => {
	const depth = new Map<string, number>([['all', 0]]);
	const visit = (name: string, d: number) => {
		for (const child of inv.groups.get(name)?.children ?? []) {
			if ((depth.get(child) ?? -1) >= d + 1) continue;
			depth.set(child, d + 1);
			visit(child, d + 1);
		}
	};
	visit('all', 0);
	return depth;
};

/** A host's variables: `all`, then its groups from parents to children (same depth: by name), then its own. */
export const hostVariables = (inv: Inventory, host: string): Vars => {
	const depth = depths(inv);
	const groups = [...inv.groups.keys()]
		.filter(name => name !== 'all' && groupHosts(inv, name).has(host))
		.sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || a.localeCompare(b));
	return Object.assign({}, inv.groups.get('all')?.vars, ...groups.map(g => inv.groups.get(g)!.vars), inv.hostVars.get(host));
};

/** Reads an inventory file: YAML when it says so by its name or its first line, INI otherwise (as Ansible guesses). */
export const readInventory = async (file: string): Promise<Inventory> => {
	let text: string;
	try {
		text = readFileSync(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new InventoryError(
			`cannot read the inventory ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message}`,
		);
	}
	const firstLine = text.split('\n').find(l => l.trim() !== '' && !l.trim().startsWith('#')) ?? '';
	const yaml = /\.ya?ml$/i.test(file) || firstLine.trim() === '---' || /^[\w.-]+:\s*$/.test(firstLine.trim());
	return yaml ? parseYamlInventory(text, file) : parseIniInventory(text, file);
};
