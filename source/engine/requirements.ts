// `requires:` checked before the first step, with a message that says exactly
// what is missing and what to do.

import {accessSync, constants, readFileSync} from 'node:fs';
import {delimiter, join} from 'node:path';
import type {Requires} from '../runbook/model.js';

export interface Host {
	uid: number;
	/** Contents of /etc/os-release, or undefined when there is none. */
	osRelease?: string;
	path: string;
	/** Whether a command is there, when the host was asked directly (a remote host); else PATH is searched here. */
	has?: (command: string) => boolean;
}

export const currentHost = (env: NodeJS.ProcessEnv = process.env): Host => {
	let osRelease: string | undefined;
	try {
		osRelease = readFileSync('/etc/os-release', 'utf8');
	} catch {
		osRelease = undefined;
	}
	return {uid: process.getuid?.() ?? -1, osRelease, path: env.PATH ?? ''};
};

/** ID and ID_LIKE from os-release, lowercased, e.g. ['ubuntu', 'debian']. */
export const osFamilies = (osRelease: string | undefined): string[] => {
	if (!osRelease) return [];
	const families: string[] = [];
	for (const line of osRelease.split('\n')) {
		const [key, ...rest] = line.split('=');
		if (key !== 'ID' && key !== 'ID_LIKE') continue;
		const value = rest
			.join('=')
			.trim()
			.replace(/^["']|["']$/g, '');
		families.push(...value.toLowerCase().split(/\s+/).filter(Boolean));
	}
	return families;
};

export const onPath = (command: string, path: string): boolean =>
	path.split(delimiter).some(dir => {
		if (!dir) return false;
		try {
			accessSync(join(dir, command), constants.X_OK);
			return true;
		} catch {
			return false;
		}
	});

export interface RequirementProblem {
	kind: 'root' | 'os' | 'commands';
	message: string;
	/** The commands not found (kind 'commands'), for a fix that names their packages. */
	commands?: string[];
}

export const checkRequirements = (requires: Requires, host: Host): RequirementProblem[] => {
	const problems: RequirementProblem[] = [];
	if (requires.root && host.uid !== 0) {
		problems.push({kind: 'root', message: 'this runbook needs root: run it again with sudo (Rampart never calls sudo itself)'});
	}
	if (requires.os.length > 0) {
		const families = osFamilies(host.osRelease);
		const wanted = requires.os.map(o => o.toLowerCase());
		if (!wanted.some(o => families.includes(o))) {
			const here = families.length ? families.join('/') : 'unknown (no /etc/os-release)';
			problems.push({kind: 'os', message: `this runbook is for ${wanted.join(' or ')}; this system is ${here}`});
		}
	}
	const missing = requires.commands.filter(c => !(host.has ? host.has(c) : onPath(c, host.path)));
	if (missing.length > 0) {
		problems.push({
			kind: 'commands',
			message: `commands not found on PATH: ${missing.join(', ')} (install them first, e.g. with apt-get install)`,
			commands: missing,
		});
	}
	return problems;
};
