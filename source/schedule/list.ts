// `rampart schedule list`: what is installed, read back from the files
// themselves (the units or the cron lines), not from a record of our own.

import fs from 'node:fs';
import path from 'node:path';
import {isOurs, ourUnits, type CommandResult, type Target} from './install.js';
import {CRONTAB_BEGIN, CRONTAB_END} from './units.js';

export interface ScheduledJob {
	name: string;
	/** OnCalendar, or the cron time fields. */
	when: string;
	command: string;
}

const valueOf = (text: string, key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1] ?? '';

const CRON_LINE = /^(\S+ \S+ \S+ \S+ \S+) (?:root )?(.*)$/;

const fromCronLines = (lines: readonly string[]): ScheduledJob[] =>
	lines.flatMap(line => {
		const match = CRON_LINE.exec(line);
		if (!match || line.startsWith('#') || /^[A-Z]+=/.test(line)) return [];
		const command = match[2]!;
		const name = / notify --audit (\S+)/.exec(command)?.[1] ?? 'notify-due';
		return [{name: `rampart-${name.startsWith('notify') ? name : `audit-${name}`}`, when: match[1]!, command}];
	});

export const listSchedule = (target: Target, crontab: () => CommandResult): ScheduledJob[] => {
	if (target.backend === 'systemd') {
		const dir = target.location!;
		return ourUnits(dir)
			.filter(name => name.endsWith('.timer'))
			.map(timer => {
				const name = timer.slice(0, -'.timer'.length);
				const service = path.join(dir, `${name}.service`);
				return {
					name,
					when: valueOf(fs.readFileSync(path.join(dir, timer), 'utf8'), 'OnCalendar'),
					command: fs.existsSync(service) ? valueOf(fs.readFileSync(service, 'utf8'), 'ExecStart') : '(service missing)',
				};
			});
	}
	if (target.scope === 'system') return isOurs(target.location!) ? fromCronLines(fs.readFileSync(target.location!, 'utf8').split('\n')) : [];
	const listed = crontab();
	if (!listed.ok) return [];
	const lines = listed.output.split('\n');
	const begin = lines.indexOf(CRONTAB_BEGIN);
	return begin < 0 ? [] : fromCronLines(lines.slice(begin + 1, lines.indexOf(CRONTAB_END, begin)));
};
