// The text of what the schedule installs: systemd service and timer units,
// and the cron lines used where systemd is absent. Generated from the job
// list alone, so the same jobs always give the same files.

import {MARKER} from '../notify/login.js';
import type {Job} from './jobs.js';

export type Scope = 'system' | 'user';

export interface JobRuntime {
	/** The absolute rampart command (node and script, or the one executable). */
	command: string[];
	/** Environment pinned at install time: the state directory, and the config file if one was named. */
	env: Record<string, string>;
	stateDir: string;
	scope: Scope;
}

/** Where sendmail implementations queue mail: writable for the job when they exist (the `-` skips a missing one). */
const MAIL_SPOOLS = ['-/var/spool/postfix', '-/var/spool/exim4', '-/var/spool/nullmailer', '-/var/spool/mqueue', '-/var/spool/clientmqueue'];

/**
 * Sandboxing for the system-wide jobs. They read the system (audits look at
 * /etc, /srv, the firewall) and write only the state directory and a mail
 * spool. Not here, on purpose: MemoryDenyWriteExecute (Node's JIT needs it),
 * a capability bound (audits need root's read-everything and nft's netlink),
 * PrivateNetwork (webhooks, and nft talks to the host's netfilter).
 */
const systemHardening = (stateDir: string): string[] => [
	'NoNewPrivileges=yes',
	'PrivateTmp=yes',
	'ProtectSystem=strict',
	'ProtectHome=read-only',
	`ReadWritePaths=${stateDir}`,
	`ReadWritePaths=${MAIL_SPOOLS.join(' ')}`,
	'PrivateDevices=yes',
	'ProtectKernelTunables=yes',
	'ProtectKernelModules=yes',
	'ProtectKernelLogs=yes',
	'ProtectControlGroups=yes',
	'ProtectClock=yes',
	'ProtectHostname=yes',
	'RestrictSUIDSGID=yes',
	'RestrictRealtime=yes',
	'RestrictNamespaces=yes',
	'LockPersonality=yes',
	'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
	'SystemCallArchitectures=native',
	'UMask=0077',
];

/** A user manager cannot set up mount namespaces without user namespaces: only what works unprivileged. */
const userHardening = (): string[] => ['NoNewPrivileges=yes', 'LockPersonality=yes', 'RestrictRealtime=yes', 'UMask=0077'];

export const serviceUnit = (job: Job, runtime: JobRuntime): string =>
	[
		`# ${MARKER}`,
		'[Unit]',
		`Description=${job.description}`,
		...(runtime.scope === 'system' ? ['Wants=network-online.target', 'After=network-online.target'] : []),
		'',
		'[Service]',
		'Type=oneshot',
		`ExecStart=${[...runtime.command, ...job.args].join(' ')}`,
		...Object.entries(runtime.env).map(([name, value]) => `Environment=${name}=${value}`),
		...(runtime.scope === 'system' ? systemHardening(runtime.stateDir) : userHardening()),
		'',
	].join('\n');

export const timerUnit = (job: Job): string =>
	[
		`# ${MARKER}`,
		'[Unit]',
		`Description=${job.description} (${job.period.name})`,
		'',
		'[Timer]',
		`OnCalendar=${job.period.calendar(job.time)}`,
		// A host that was off at the time runs the job when it is back.
		'Persistent=true',
		'RandomizedDelaySec=10min',
		'',
		'[Install]',
		'WantedBy=timers.target',
		'',
	].join('\n');

/** The files for systemd, by name. */
export const systemdUnits = (jobs: readonly Job[], runtime: JobRuntime): Map<string, string> =>
	new Map(jobs.flatMap(job => [[`${job.name}.service`, serviceUnit(job, runtime)] as const, [`${job.name}.timer`, timerUnit(job)] as const]));

const cronCommand = (job: Job, runtime: JobRuntime) =>
	[...Object.entries(runtime.env).map(([name, value]) => `${name}=${value}`), ...runtime.command, ...job.args].join(' ');

/** /etc/cron.d/rampart: lines with a user field. */
export const cronDFile = (jobs: readonly Job[], runtime: JobRuntime): string =>
	[
		`# ${MARKER}`,
		'SHELL=/bin/sh',
		'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
		...jobs.map(job => `${job.period.cron(job.time)} root ${cronCommand(job, runtime)}`),
		'',
	].join('\n');

export const CRONTAB_BEGIN = '# BEGIN rampart schedule';
export const CRONTAB_END = '# END rampart schedule';

/** The user's crontab with Rampart's block replaced (or removed, with no jobs); every other line kept as it was. */
export const mergeCrontab = (current: string, jobs: readonly Job[], runtime: JobRuntime): string => {
	const lines = current.split('\n');
	const begin = lines.indexOf(CRONTAB_BEGIN);
	const end = lines.indexOf(CRONTAB_END, begin);
	const kept = begin >= 0 && end > begin ? [...lines.slice(0, begin), ...lines.slice(end + 1)] : lines;
	while (kept.length > 0 && kept.at(-1) === '') kept.pop();
	const block = jobs.length === 0 ? [] : [CRONTAB_BEGIN, `# ${MARKER}`, ...jobs.map(job => `${job.period.cron(job.time)} ${cronCommand(job, runtime)}`), CRONTAB_END];
	const merged = [...kept, ...block];
	return merged.length === 0 ? '' : `${merged.join('\n')}\n`;
};
