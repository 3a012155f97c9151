import path from 'node:path';
import {loadSettings, userConfigPath} from '../../config/settings.js';
import {ensurePrivateDir} from '../../journal/state-dir.js';
import {discoverRunbooks} from '../../runbook/discover.js';
import {chooseTarget, runTool, type Target} from '../../schedule/install.js';
import {scheduleJobs} from '../../schedule/jobs.js';
import {listSchedule} from '../../schedule/list.js';
import {applyPlan, installPlan, removePlan, type Action} from '../../schedule/plan.js';
import {assertPlainPath, selfCommand, UnplainPathError} from '../../schedule/self.js';
import type {JobRuntime} from '../../schedule/units.js';
import type {CliContext} from '../context.js';
import {CliError} from '../errors.js';
import {EXIT} from '../exit-codes.js';

export interface ScheduleOptions {
	user?: boolean;
	cron?: boolean;
	dryRun?: boolean;
	json?: boolean;
}

const isRoot = () => process.getuid?.() === 0;

/** What every job needs pinned: this rampart, this state directory, and the config file if RAMPART_CONFIG named one. */
const runtimeFor = async (ctx: CliContext, target: Target): Promise<JobRuntime> => {
	try {
		const stateDir = assertPlainPath('The state directory', path.resolve(ctx.stateDir()));
		const env: Record<string, string> = {RAMPART_HOME: stateDir};
		if (ctx.env['RAMPART_CONFIG']) env['RAMPART_CONFIG'] = assertPlainPath('RAMPART_CONFIG', userConfigPath(ctx.env));
		if (ctx.env['RAMPART_RUNBOOKS'])
			env['RAMPART_RUNBOOKS'] = ctx.env['RAMPART_RUNBOOKS']
				.split(':')
				.map(dir => assertPlainPath('A RAMPART_RUNBOOKS directory', path.resolve(dir)))
				.join(':');
		return {command: await selfCommand(), env, stateDir, scope: target.scope};
	} catch (error) {
		if (error instanceof UnplainPathError) throw new CliError(error.message, EXIT.requirements, 'Install Rampart, or set RAMPART_HOME, under a plain path.');
		throw error;
	}
};

const printPlan = (ctx: CliContext, actions: readonly Action[]) => {
	for (const action of actions) {
		ctx.out(`would ${action.describe}`);
		if (action.content) ctx.write(action.content.replace(/^/gm, '    '));
	}
};

const carryOut = (ctx: CliContext, actions: readonly Action[]): number => {
	let failed = 0;
	for (const {action, result} of applyPlan(actions)) {
		if (result.ok) ctx.out(action.describe);
		else {
			failed++;
			ctx.err(`rampart: ${action.describe} failed${result.output ? `: ${result.output}` : ''}`);
		}
	}
	return failed > 0 ? EXIT.failed : EXIT.ok;
};

const describeTarget = (t: Target) =>
	`${t.backend === 'systemd' ? 'systemd timers' : 'cron'} (${t.scope === 'system' ? 'system-wide' : 'this user'}${t.location ? `, ${t.location}` : ''})`;

export const scheduleInstallCommand = async (ctx: CliContext, options: ScheduleOptions): Promise<number> => {
	const root = isRoot() && !options.user;
	const target = chooseTarget(options, isRoot(), ctx.env);
	const runtime = await runtimeFor(ctx, target);
	const settings = loadSettings(ctx.env);
	const {jobs, skipped} = scheduleJobs(discoverRunbooks(ctx.env, ctx.cwd), {root});
	const actions = installPlan(target, jobs, runtime, settings.notify?.motd === true);
	ctx.out(`Schedule: ${describeTarget(target)}`);
	for (const job of jobs) ctx.out(`  ${job.name.padEnd(40)} ${job.period.name.padEnd(11)} rampart ${job.args.join(' ')}`);
	for (const s of skipped) ctx.out(`  not scheduled: ${s.id}: ${s.reason}`);
	if (settings.notify?.motd && target.scope !== 'system') ctx.out('  notify.motd: the login message is installed only system-wide, as root');
	if (options.dryRun) {
		printPlan(ctx, actions);
		return EXIT.ok;
	}
	// The units name it in ReadWritePaths: it must exist before they start.
	ensurePrivateDir(runtime.stateDir);
	const code = carryOut(ctx, actions);
	if (code === EXIT.ok && target.backend === 'systemd' && target.scope === 'user') ctx.out('For the timers to run while you are logged out: loginctl enable-linger');
	if (loadSettings(ctx.env).notify === undefined) ctx.out('No notification channel is configured yet: see rampart config --help, then rampart notify --test');
	return code;
};

export const scheduleRemoveCommand = async (ctx: CliContext, options: ScheduleOptions): Promise<number> => {
	const target = chooseTarget(options, isRoot(), ctx.env);
	const actions = removePlan(target, await runtimeFor(ctx, target));
	if (actions.length === 0) {
		ctx.out(`Nothing of Rampart's to remove: ${describeTarget(target)}`);
		return EXIT.ok;
	}
	if (options.dryRun) {
		printPlan(ctx, actions);
		return EXIT.ok;
	}
	return carryOut(ctx, actions);
};

export const scheduleListCommand = (ctx: CliContext, options: ScheduleOptions): number => {
	const target = chooseTarget(options, isRoot(), ctx.env);
	const entries = listSchedule(target, () => runTool('crontab', ['-l']));
	if (options.json) ctx.out(JSON.stringify({backend: target.backend, scope: target.scope, location: target.location, jobs: entries}, null, 2));
	else if (entries.length === 0) ctx.out(`No schedule installed: ${describeTarget(target)}. See: rampart schedule install --dry-run`);
	else {
		ctx.out(`${describeTarget(target)}:`);
		for (const e of entries) ctx.out(`  ${e.name.padEnd(40)} ${e.when.padEnd(28)} ${e.command}`);
	}
	return EXIT.ok;
};
