// `rampart doctor`: what Rampart needs and finds on this host, each with the
// command that installs or fixes it. Only bash and a usable state directory
// are required; everything else is what some feature or runbook needs.

import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {checkRequirements, currentHost, onPath, type Host} from '../engine/requirements.js';
import {defaultStateDir, resolveStateDir} from '../journal/state-dir.js';
import {discoverRunbooks} from '../runbook/discover.js';
import {parseFrontMatter} from '../runbook/front-matter.js';
import {frontMatterText} from '../runbook/header.js';
import type {Requires} from '../runbook/model.js';
import {decodeRunbookBytes} from '../runbook/read-source.js';
import {installCommand} from './packages.js';

export type CheckStatus = 'ok' | 'missing' | 'warning';

export interface DoctorCheck {
	group: 'tools' | 'state' | 'runbooks';
	name: string;
	status: CheckStatus;
	/** A missing required check makes doctor exit non-zero. */
	required: boolean;
	/** What was found: a version, a path, an owner and mode. */
	found?: string;
	/** What Rampart uses it for, or what is wrong. */
	detail: string;
	/** The command that installs or fixes it. */
	fix?: string;
}

export interface DoctorHost extends Host {
	env: NodeJS.ProcessEnv;
	cwd: string;
}

export const doctorHost = (env: NodeJS.ProcessEnv, cwd: string): DoctorHost => ({...currentHost(env), env, cwd});

/** The commands Rampart itself uses, and how each tells its version. */
const TOOLS: ReadonlyArray<{name: string; required?: boolean; detail: string; version?: string[]; pattern?: RegExp; sbin?: boolean}> = [
	{name: 'bash', required: true, detail: 'runs every block of every runbook', version: ['--version'], pattern: /version (\S+)/},
	{name: 'shellcheck', detail: 'rampart lint checks shell blocks with it', version: ['--version'], pattern: /version: (\S+)/},
	{name: 'nft', detail: 'the firewall runbooks', version: ['--version'], pattern: /v(\d\S*)/, sbin: true},
	{name: 'ssh', detail: 'runs runbooks on other hosts (--host, --inventory)', version: ['-V'], pattern: /OpenSSH_([^,\s]+)/},
	{name: 'ssh-keygen', detail: 'signs run records and verifies their signatures'},
	{name: 'sendmail', detail: 'rampart schedule mails what is due', sbin: true},
];

/** PATH, with the sbin directories a non-root PATH often lacks for tools that live there. */
const searchPath = (host: DoctorHost, sbin = false): string => (sbin ? `${host.path}:/usr/local/sbin:/usr/sbin:/sbin` : host.path);

const versionOf = (command: string, args: string[], pattern: RegExp, pathList: string): string | undefined => {
	const result = spawnSync(command, args, {encoding: 'utf8', env: {...process.env, PATH: pathList, LC_ALL: 'C'}, timeout: 5000});
	return pattern.exec(`${result.stdout ?? ''}${result.stderr ?? ''}`)?.[1];
};

const toolChecks = (host: DoctorHost): DoctorCheck[] =>
	TOOLS.map(tool => {
		const pathList = searchPath(host, tool.sbin);
		const base = {group: 'tools' as const, name: tool.name, required: tool.required === true, detail: tool.detail};
		if (!onPath(tool.name, pathList)) return {...base, status: 'missing', fix: installCommand([tool.name])};
		const version = tool.version && tool.pattern ? versionOf(tool.name, tool.version, tool.pattern, pathList) : undefined;
		return {...base, status: 'ok', found: version};
	});

const systemdCheck = (host: DoctorHost): DoctorCheck => {
	const base = {group: 'tools' as const, name: 'systemd', required: false};
	// sd_booted(3): systemd is the running init when this directory exists.
	if (fs.existsSync('/run/systemd/system')) return {...base, status: 'ok', detail: 'rampart schedule installs systemd timers'};
	const cron = onPath('crontab', searchPath(host, true));
	return {
		...base,
		status: 'warning',
		detail: `not running here: rampart schedule uses cron instead${cron ? '' : ', which is not installed either'}`,
		fix: cron ? undefined : installCommand(['crontab']),
	};
};

/** Free space (in bytes) on the file system that holds `dir`, or the nearest directory above it that exists. */
const freeBytes = (dir: string): number => {
	let existing = dir;
	while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
	const stats = fs.statfsSync(existing);
	return stats.bavail * stats.bsize;
};

const LOW_SPACE = 100 * 1024 * 1024;
const megabytes = (bytes: number) => `${Math.floor(bytes / (1024 * 1024)).toLocaleString('en')} MB free`;

const stateCheck = (host: DoctorHost): DoctorCheck => {
	const base = {group: 'state' as const, name: 'state directory', required: true};
	let dir: string;
	try {
		dir = resolveStateDir(host.env, host.uid);
	} catch (error) {
		return {...base, status: 'missing', detail: (error as Error).message};
	}
	const legacy = host.env['RAMPART_HOME'] ? undefined : defaultStateDir(host.uid).legacy;
	const free = freeBytes(dir);
	if (!fs.existsSync(dir)) {
		return {...base, status: free < LOW_SPACE ? 'warning' : 'ok', found: `${dir} (${megabytes(free)})`, detail: 'made (0700) when Rampart first records something'};
	}
	const info = fs.statSync(dir);
	const mode = (info.mode & 0o7777).toString(8).padStart(4, '0');
	const found = `${dir} (uid ${info.uid}, mode ${mode}, ${megabytes(free)})`;
	if (!info.isDirectory()) return {...base, status: 'missing', found, detail: 'is not a directory', fix: `mv ${dir} ${dir}.old`};
	if (info.uid !== host.uid) return {...base, status: 'missing', found, detail: 'belongs to another user', fix: `chown -R ${host.uid} ${dir}`};
	if (legacy) {
		return {
			...base,
			status: 'warning',
			found,
			detail: "root's records are still in its per-user directory, the old default; root's default is now /var/lib/rampart (FHS)",
			fix: `mv ${legacy} /var/lib/rampart`,
		};
	}
	if (free < LOW_SPACE)
		return {...base, status: 'warning', found, detail: 'little free space: a run that cannot write its record stops', fix: `free space on the file system of ${dir}`};
	if (mode !== '0700') return {...base, status: 'warning', found, detail: 'Rampart makes it 0700 the next time it records something', fix: `chmod 700 ${dir}`};
	return {...base, status: 'ok', found, detail: 'where runs are recorded'};
};

/** A runbook's `requires:`, from its front matter alone (the whole Markdown parse costs ten times as much); undefined when that has errors. */
const requiresOf = (file: string): Requires | undefined => {
	const decoded = decodeRunbookBytes(file, readFileSync(file));
	if (!decoded.ok) return undefined;
	const yaml = frontMatterText(decoded.source.text);
	if (yaml === undefined) return {root: false, os: [], commands: []};
	const {meta, diagnostics} = parseFrontMatter(file, yaml, 2);
	return diagnostics.some(d => d.severity === 'error')
		? undefined
		: {root: meta.requires?.root ?? false, os: meta.requires?.os ?? [], commands: meta.requires?.commands ?? []};
};

const runbookChecks = (host: DoctorHost): DoctorCheck[] =>
	discoverRunbooks(host.env, host.cwd).entries.map(entry => {
		const base = {group: 'runbooks' as const, name: entry.id, required: false, found: entry.origin};
		let requires;
		try {
			requires = requiresOf(entry.path);
		} catch (error) {
			return {...base, status: 'warning', detail: `cannot be read: ${(error as Error).message}`};
		}
		if (!requires) return {...base, status: 'warning', detail: 'has errors: rampart lint says which', fix: `rampart lint ${entry.path}`};
		const problems = checkRequirements(requires, host);
		if (problems.length === 0) return {...base, status: 'ok', detail: 'its requirements are met'};
		const commands = problems.flatMap(p => p.commands ?? []);
		const fixes = [
			...(problems.some(p => p.kind === 'root') ? [`run it as root: sudo rampart run ${entry.id}`] : []),
			...(commands.length ? [installCommand(commands)] : []),
		];
		return {...base, status: commands.length ? 'missing' : 'warning', detail: problems.map(p => p.message).join('; '), fix: fixes.join('; ') || undefined};
	});

export const runDoctor = (host: DoctorHost): DoctorCheck[] => [...toolChecks(host), systemdCheck(host), stateCheck(host), ...runbookChecks(host)];

/** True when something Rampart cannot work without is missing. */
export const requiredMissing = (checks: readonly DoctorCheck[]): boolean => checks.some(c => c.required && c.status === 'missing');
