// The command table. Each action loads its command lazily, so `rampart list`
// never pays for the engine's or the UI's modules, and only the commands a
// command line needs are defined before it is parsed. One exit path: every
// command returns an exit code; errors become a message, never a stack trace
// (unless --debug).

import {Argument, Command, CommanderError, Option} from 'commander';
import {RAMPART_VERSION} from '../version.js';
import {CliError, usageError} from './errors.js';
import {EXIT, EXIT_CODES_HELP} from './exit-codes.js';
import {guardClosedPipes, processContext, type CliContext} from './context.js';
import {SettingsError} from '../config/settings-error.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

const SIGN_KEY_HELP =
	'sign the record when this session ends with this SSH key (a private key, a .pub whose key the agent holds, or "agent"); default: sign.key in the settings';

/**
 * The one place that picks the front end: the TUI needs a terminal on both
 * ends and a run without --yes, --json, --check or --dry-run. Ink and React
 * are loaded only then, so headless commands never pay for them.
 */
const tuiWanted = (c: CliContext, options: {yes?: boolean; json?: boolean; check?: boolean; dryRun?: boolean} = {}) =>
	c.stdinIsTTY && c.stdoutIsTTY && !options.yes && !options.json && !options.check && !options.dryRun;

/** `c.signKey`: --sign-key, for the runs the TUI begins. */
const startTui = (c: CliContext & {signKey?: string}, initial: import('../ui/services.js').TuiStart): Promise<number> =>
	import('../ui/start-tui.js').then(m => m.startTui({ctx: c, initial}));

/**
 * A fleet run on a terminal: the hosts resolved, the flags checked and the
 * runbook made ready (approval asked on the terminal, inputs from --input,
 * --inputs or the environment) before the fleet view opens.
 */
const startFleetTui = async (
	c: CliContext,
	ref: string,
	options: import('./commands/run.js').RunOptions & import('./commands/fleet.js').FleetOptions & import('../remote/targets.js').TargetFlags,
) => {
	const [{fleetPlan}, {resolveTargets}, {InventoryError}, {readyRun}, {maxLogBytes}] = await Promise.all([
		import('./commands/fleet.js'),
		import('../remote/targets.js'),
		import('../remote/inventory.js'),
		import('./open-run.js'),
		import('./log-limit.js'),
	]);
	const {forks} = fleetPlan(options);
	const hosts = await resolveTargets(options).catch(error => {
		throw error instanceof InventoryError ? usageError(error.message) : error;
	});
	const ready = await readyRun(c, {runbook: ref}, {...options, interactive: true, remote: true});
	return startTui(c, {screen: 'fleet', ready, hosts: hosts ?? [], forks, maxLogBytes: maxLogBytes(options.maxLogBytes, c.env)});
};

export const buildProgram = (ctx: () => CliContext, setResult: (code: Promise<number>) => void, argv: readonly string[]): Command => {
	const program = new Command('rampart')
		.description('Walk a server through Markdown runbooks: run each step, show its output, record what was done.')
		.version(RAMPART_VERSION, '-V, --version', 'print the version')
		.option('--debug', 'print stack traces for unexpected errors')
		.addHelpText(
			'after',
			`
Examples:
  rampart                          open the runbook list (on a terminal)
  rampart lint runbooks/           check runbooks for mistakes
  rampart run firewall --yes --input SSH_ALLOW=203.0.113.7

Runbooks are found in the bundled runbooks/, ./runbooks, ~/.config/rampart/runbooks
and the directories in RAMPART_RUNBOOKS (colon-separated). Records are kept in the
state directory (RAMPART_HOME overrides it).

${EXIT_CODES_HELP}`,
		)
		.showSuggestionAfterError(true)
		// The root's own action (the TUI) would otherwise switch commander's
		// `help` command off, and `rampart help run` would be a usage error.
		.helpCommand('help [command]', 'show help for a command')
		.exitOverride()
		.configureOutput({
			writeOut: text => process.stdout.write(text),
			writeErr: text => process.stderr.write(text),
		});

	program.action(() => {
		if (tuiWanted(ctx())) {
			setResult(startTui(ctx(), {screen: 'home'}));
			return;
		}
		ctx().err('rampart: the interactive runbook list needs a terminal (stdin and stdout). The runbooks found:');
		setResult(import('./commands/list.js').then(m => m.listCommand(ctx(), {})));
	});

	for (const name of commandsNeeded(argv)) COMMANDS[name]!(program, ctx, setResult);
	return program;
};

/** How one command is defined: its arguments, options, help and action. */
type Define = (program: Command, ctx: () => CliContext, setResult: (code: Promise<number>) => void) => void;

const runOptions = (command: Command) =>
	command
		.option('-y, --yes', 'run without a terminal and confirm every block that asks for confirmation')
		.option('--ack', 'tick manual items and acknowledge manual steps (you have done them)')
		.option('--check', 'audit: run only check and verify blocks, change nothing')
		.option('-i, --input <NAME=VALUE>', 'an input value (repeatable)', collect, [])
		.option('--inputs <file.yaml>', 'input values from a YAML file')
		.option('--json', 'print every event as one JSON line on stdout')
		.option('--dry-run', 'print the plan (steps, commands, environment with secrets masked) and run nothing')
		.option('--approve', 'approve the runbook as it is now (recorded with your name) if it is new or changed, and run it')
		.option('--max-log-bytes <size>', 'per-step output log limit, e.g. 64M (default: RAMPART_MAX_LOG_BYTES, else 64M)')
		.option('--sign-key <file>', SIGN_KEY_HELP);

/** Where a run goes: this machine (the default), or hosts over SSH. */
const fleetOptions = (command: Command) =>
	fleetOrderOptions(
		command
			.option('--host <name>', 'run on this host over SSH (a name from ~/.ssh/config or a host name; repeatable)', collect, [])
			.option('--inventory <file>', 'run on the hosts of an Ansible inventory (INI or YAML) over SSH')
			.option('--limit <pattern>', "only the inventory's hosts that match (Ansible's patterns: web, web:&prod, all:!db3, ~re)")
			.option('--become', 'run blocks on the hosts through sudo -n (as ansible_become does)'),
	);

/** How many hosts of a fleet run at once; a resume reaches the same hosts, so it takes only these. */
const fleetOrderOptions = (command: Command) =>
	command
		.option('--forks <n>', 'hosts at a time, for a fleet run (default 5)')
		.option('--serial <n>', 'hosts per batch; a batch ends before the next starts')
		.option('--canary <n>', 'run the first n hosts alone first; stop if one of them does not complete');

/** Every command, in the order `rampart --help` lists them. */
const COMMANDS: Record<string, Define> = {
	list: (program, ctx, setResult) => {
		program
			.command('list')
			.description('list the runbooks found, with their state')
			.option('--json', 'print JSON')
			.addHelpText('after', '\nExample:\n  rampart list --json | jq -r ".[].id"')
			.action((options: {json?: boolean}) => {
				setResult(import('./commands/list.js').then(m => m.listCommand(ctx(), options)));
			});
	},
	lint: (program, ctx, setResult) => {
		program
			.command('lint')
			.description('check runbooks for mistakes (all found runbooks when no path is given)')
			.argument('[paths...]', 'runbook files or directories, or runbook ids')
			.option('--json', 'print the diagnostics as a JSON array')
			.addOption(new Option('--no-shellcheck', 'do not run shellcheck on shell blocks'))
			.addHelpText(
				'after',
				`
Each problem is printed as file:line:col: error|warning: message [rule].
shellcheck runs on every sh/bash block when it is on PATH.
Exit status: 0 no errors, 1 errors found, 2 usage error.

Examples:
  rampart lint
  rampart lint runbooks/firewall.md --json`,
			)
			.action((paths: string[], options: {json?: boolean; shellcheck: boolean}) => {
				setResult(import('./commands/lint.js').then(m => m.lintCommand(ctx(), paths, options)));
			});
	},
	run: (program, ctx, setResult) => {
		fleetOptions(
			runOptions(
				program.command('run').description('run a runbook (by id or path), here or on hosts over SSH').argument('<runbook>', 'runbook id or path to a .md file'),
			),
		)
			.addHelpText(
				'after',
				`
Inputs come from --input NAME=VALUE, --inputs FILE.yaml, or RAMPART_INPUT_NAME.
Every value is checked before anything runs.

Examples:
  rampart run account-security --yes --input DOMAIN=example.org --ack
  rampart run ./my-runbook.md --yes --json > events.jsonl
  rampart run web-permissions-audit --check
  rampart run firewall --inventory hosts.ini --limit web --canary 1 --yes --input ALLOW_SSH=203.0.113.7

With --host or --inventory, the runbook runs on each host over the system's
ssh (your ~/.ssh/config, keys, agent and known_hosts; one connection per
host), with one record per host under one fleet run. Hosts need only bash
and sshd. See docs/fleet.md.

${EXIT_CODES_HELP}`,
			)
			.action((ref: string, options) => {
				if ((options.host?.length ?? 0) > 0 || options.inventory !== undefined) {
					setResult(tuiWanted(ctx(), options) ? startFleetTui(ctx(), ref, options) : import('./commands/fleet.js').then(m => m.fleetCommand(ctx(), ref, options)));
					return;
				}
				if (tuiWanted(ctx(), options)) {
					const given = import('./prepare-run.js').then(m => m.gatherInputs(ctx(), options.input ?? [], options.inputs));
					setResult(
						given.then(g =>
							startTui({...ctx(), signKey: options.signKey}, {screen: 'run', runbookRef: ref, givenInputs: g.values, sources: g.sources, approve: options.approve}),
						),
					);
					return;
				}
				setResult(
					options.dryRun
						? import('./commands/plan.js').then(m => m.planCommand(ctx(), ref, options))
						: import('./commands/run.js').then(m => m.runCommand(ctx(), ref, options)),
				);
			});
	},
	resume: (program, ctx, setResult) => {
		fleetOrderOptions(
			runOptions(
				program
					.command('resume')
					.description('continue an unfinished run (the latest one when no run id is given)')
					.argument('[run-id]', 'the run to resume')
					.option('--skip <step>', 'skip this step (id, number or title) first; needs --reason')
					.option('--reason <text>', 'why the step is skipped (recorded)')
					.option('--note <text>', 'add a note to the run (recorded)')
					.option('--rerun-interrupted', 'run again a step that was cut off mid-way (you checked what it had done)'),
			),
		)
			.addHelpText(
				'after',
				`
Secret inputs are never recorded: pass them again. A step that was cut off
while it ran (Rampart was killed) is not run again without --rerun-interrupted:
its check runs first, then resume stops and says what it had done.

Examples:
  rampart resume --ack
  rampart resume --skip 3 --reason "done by the provider's support"`,
			)
			.action((runId: string | undefined, options) => {
				setResult(
					import('./fleet-of-run.js').then(({fleetOfRun}) => {
						// A fleet run, or one host's run of it, is resumed over SSH, headless.
						const remote = fleetOfRun(ctx(), runId);
						if (remote) return import('./commands/fleet.js').then(m => m.fleetResumeCommand(ctx(), remote.fleetId, options, remote.host));
						if (tuiWanted(ctx(), options)) return startTui({...ctx(), signKey: options.signKey}, {screen: 'resume', runId, approve: options.approve});
						return import('./commands/run.js').then(m => m.resumeCommand(ctx(), runId, options));
					}),
				);
			});
	},
	status: (program, ctx, setResult) => {
		program
			.command('status')
			.description('what is due or overdue; exit 1 when something is overdue (for cron and monitoring)')
			.option('--json', 'print JSON')
			.addHelpText('after', '\nExit status: 0 nothing overdue, 1 something overdue.\n\nExample (cron):\n  0 8 * * 1  rampart status || mail -s "runbooks overdue" root')
			.action((options: {json?: boolean}) => {
				setResult(import('./commands/status.js').then(m => m.statusCommand(ctx(), options)));
			});
	},
	history: (program, ctx, setResult) => {
		program
			.command('history')
			.description('runs recorded, newest first: who, when, how they ended')
			.argument('[runbook]', 'only runs of this runbook id')
			.option('--limit <n>', 'show at most n runs (default 20)')
			.option('--since <when>', 'only runs started since a date (2026-11-01, UTC) or a time ago (12h, 90d, 8w, 6m, 1y)')
			.option('--all', 'show every run')
			.option('--json', 'print JSON (an array; a note on stderr when the limit left runs out)')
			.addHelpText('after', '\nExamples:\n  rampart history firewall\n  rampart history --since 90d --limit 100\n  rampart history --all --json | jq -r ".[].outcome"')
			.action((runbook: string | undefined, options: {json?: boolean; limit?: string; since?: string; all?: boolean}) => {
				setResult(import('./commands/history.js').then(m => m.historyCommand(ctx(), runbook, options)));
			});
	},
	report: (program, ctx, setResult) => {
		program
			.command('report')
			.description('the audit or incident record of a run: timeline, operator, inputs, steps, output, hashes')
			.argument('<run-id>', 'the run (see rampart history)')
			.addOption(new Option('-f, --format <format>', 'md, json or html (one self-contained file that prints well)').default('md'))
			.option('-o, --output <file>', 'write to a file instead of stdout')
			.addHelpText('after', '\nExample:\n  rampart report 20261124T201500Z-firewall-a1b2 --format html -o incident.html')
			.action((runId: string, options: {format: string; output?: string}) => {
				setResult(import('./commands/report.js').then(m => m.reportCommand(ctx(), runId, options)));
			});
	},
	new: (program, ctx, setResult) => {
		program
			.command('new')
			.description('create a new runbook from a template (lint clean) in your runbook directory or at --path')
			.argument('<id>', 'the new runbook id: lowercase letters, digits and dashes')
			.option('-p, --path <path>', 'a file or directory to create it in')
			.option('-t, --title <title>', 'its title')
			.addHelpText('after', '\nExample:\n  rampart new nightly-backup-check --title "Nightly backup check"')
			.action((id: string, options: {path?: string; title?: string}) => {
				setResult(import('./commands/new.js').then(m => m.newCommand(ctx(), id, options)));
			});
	},
	approve: (program, ctx, setResult) => {
		program
			.command('approve')
			.description('read a runbook (or what changed since it was approved) and approve its exact content to run')
			.argument('<runbook>', 'runbook id or path to a .md file')
			.option('-y, --yes', 'approve without asking (needed without a terminal)')
			.addHelpText(
				'after',
				`
Runbooks shipped with Rampart are trusted as shipped. Any other runbook runs
only after its content (by SHA-256) is approved; the approval is recorded in
the state directory with who approved it and when.

Examples:
  rampart approve ./runbooks/backup.md
  rampart approve backup --yes`,
			)
			.action((ref: string, options: {yes?: boolean}) => {
				setResult(import('./commands/approve.js').then(m => m.approveCommand(ctx(), ref, options)));
			});
	},
	trust: (program, ctx, setResult) => {
		const trust = program.command('trust').description('runbooks approved to run here');
		trust
			.command('list')
			.description('the approved runbooks: by whom, when, and whether each file is unchanged')
			.option('--json', 'print JSON')
			.action((options: {json?: boolean}) => {
				setResult(import('./commands/trust.js').then(m => m.trustListCommand(ctx(), options)));
			});
	},
	rollback: (program, ctx, setResult) => {
		program
			.command('rollback')
			.description('undo an unfinished run: the rollback blocks of its done steps, latest first')
			.argument('[run-id]', 'the run (the latest unfinished one when omitted)')
			.option('-y, --yes', 'really roll back (without it, only the plan is shown)')
			.option('-i, --input <NAME=VALUE>', 'an input value, e.g. a secret (repeatable)', collect, [])
			.option('--inputs <file.yaml>', 'input values from a YAML file')
			.option('--approve', 'approve the runbook as it is now if it changed')
			.option('--json', 'print every event as one JSON line on stdout')
			.option('--sign-key <file>', SIGN_KEY_HELP)
			.addHelpText(
				'after',
				'\nStops at the first rollback that fails: undoing earlier steps on top of a\nhalf-undone later one may do harm.\n\nExample:\n  rampart rollback --yes',
			)
			.action((runId: string | undefined, options) => {
				setResult(import('./commands/manage.js').then(m => m.rollbackCommand(ctx(), runId, options)));
			});
	},
	stop: (program, ctx, setResult) => {
		program
			.command('stop')
			.description('end an unfinished run for good, with the reason (recorded); it can no longer be resumed')
			.argument('[run-id]', 'the run (the latest unfinished one when omitted)')
			.requiredOption('--reason <text>', 'why the run is stopped')
			.option('--approve', 'approve the runbook as it is now if it changed')
			.option('--sign-key <file>', SIGN_KEY_HELP)
			.addHelpText('after', '\nExample:\n  rampart stop --reason "moved to a new server instead"')
			.action((runId: string | undefined, options) => {
				setResult(import('./commands/manage.js').then(m => m.stopCommand(ctx(), runId, options)));
			});
	},
	journal: (program, ctx, setResult) => {
		const journal = program.command('journal').description('check the records of runs');
		journal
			.command('verify')
			.description("check each run's hash chain, output logs and signatures; says where a record was changed and who signed it")
			.argument('[run-id]', 'one run (all runs when omitted)')
			.option('--json', 'print JSON')
			.option('--allowed-signers <file>', 'OpenSSH allowed_signers file naming whose keys may sign (default: sign.allowedSigners in the settings)')
			.option('--require-signatures', 'fail a run that is unsigned or has events after its last signature')
			.option('--dir <dir>', 'check the records in this state directory (e.g. an unpacked rampart export) instead of your own')
			.addHelpText(
				'after',
				`
Each signature covers a run's events up to when it was made; events after the
last one are reported as an unsigned tail. Unsigned runs are reported, and
fail only with --require-signatures.

Exit status: 0 every record intact (and signed by an allowed key where signed),
1 a record was changed or damaged, or a signature does not verify.

Examples:
  rampart journal verify --allowed-signers /etc/rampart/allowed_signers
  rampart journal verify --dir evidence/state --allowed-signers evidence/allowed_signers`,
			)
			.action((runId: string | undefined, options: {json?: boolean; dir?: string; allowedSigners?: string; requireSignatures?: boolean}) => {
				setResult(import('./commands/journal.js').then(m => m.journalVerifyCommand(ctx(), runId, options)));
			});
		journal
			.command('sign')
			.description("sign a run's record as it stands now (e.g. after signing at the end of the run failed)")
			.argument('[run-id]', 'the run (the latest when omitted)')
			.option('--sign-key <file>', 'the SSH key to sign with (a private key, a .pub whose key the agent holds, or "agent"); default: sign.key in the settings')
			.addHelpText('after', '\nExample:\n  rampart journal sign 20261124T201500Z-firewall-a1b2 --sign-key ~/.ssh/id_ed25519')
			.action((runId: string | undefined, options: {signKey?: string}) => {
				setResult(import('./commands/journal.js').then(m => m.journalSignCommand(ctx(), runId, options)));
			});
	},
	schedule: (program, ctx, setResult) => {
		const schedule = program
			.command('schedule')
			.description('install, list or remove the timers that check what is due and run the check-only audits')
			.addHelpText(
				'after',
				`
Two kinds of job: a daily "rampart notify --due" (notifies when a runbook is due
or overdue, and writes the login message), and each periodic runbook whose every
shell block only checks (firewall-audit, web-permissions-audit) run with --check
on its period, notifying when it fails or finds something. systemd timers where
systemd runs (system-wide as root, your user manager otherwise); cron where it
does not, or with --cron (/etc/cron.d/rampart as root, else your crontab).
Installing again replaces; remove takes away only what Rampart wrote.

Examples:
  rampart schedule install --dry-run
  rampart schedule install
  rampart schedule list --json
  rampart schedule remove`,
			);
		const where = (command: Command) => command.option('--user', 'your own (user) timers or crontab, even as root').option('--cron', 'cron instead of systemd timers');
		where(schedule.command('install').description('install the schedule (replaces an earlier one)'))
			.option('--dry-run', 'print what would be written and run, change nothing')
			.action(options => {
				setResult(import('./commands/schedule.js').then(m => m.scheduleInstallCommand(ctx(), options)));
			});
		where(schedule.command('list').description('the jobs installed'))
			.option('--json', 'print JSON')
			.action(options => {
				setResult(import('./commands/schedule.js').then(m => m.scheduleListCommand(ctx(), options)));
			});
		where(schedule.command('remove').description("remove Rampart's timers, cron lines and login message"))
			.option('--dry-run', 'print what would be removed')
			.action(options => {
				setResult(import('./commands/schedule.js').then(m => m.scheduleRemoveCommand(ctx(), options)));
			});
	},
	notify: (program, ctx, setResult) => {
		program
			.command('notify')
			.description('notify about what is due, test the notification channels, or run an audit and notify on failure')
			.option('--due', 'notify when a runbook is due or overdue (the daily job); retries earlier failed deliveries')
			.option('--test', 'send a test message through each configured channel and say how each went')
			.option('--audit <runbook>', 'run the runbook with --check and notify when it fails or finds something')
			.option('-q, --quiet', 'print only failures (for cron, which mails what a job prints)')
			.addHelpText(
				'after',
				`
Channels come from the settings (rampart config --help): mail through sendmail,
a webhook (json, ntfy or slack format). A delivery that fails is reported on
stderr (exit 1) and kept in the state directory; the next --due tries it again.
With no channel configured, the notice is printed on stdout.

Examples:
  rampart notify --test
  rampart notify --due`,
			)
			.action(options => {
				setResult(import('./commands/notify.js').then(m => m.notifyCommand(ctx(), options)));
			});
	},
	config: (program, ctx, setResult) => {
		const config = program
			.command('config')
			.description('show or change the settings (notifications, signing) in config.yaml')
			.addHelpText(
				'after',
				`
Settings are read from /etc/rampart/config.yaml, then from the user's
~/.config/rampart/config.yaml (or the file RAMPART_CONFIG names); a key in
the second overrides the same key in the first. Keys:
  notify.email                 addresses to mail (through sendmail), comma-separated
  notify.webhook.url           where to POST a JSON body
  notify.webhook.format        json (default), ntfy or slack
  notify.webhook.headers.NAME  an extra HTTP header, e.g. Authorization
  notify.motd                  true: rampart schedule install adds a login message
  sign.key, sign.allowedSigners

Examples:
  rampart config set notify.email ops@example.org,oncall@example.org
  rampart config set notify.webhook.url https://ntfy.sh/my-servers --system
  rampart config get notify.webhook.url
  rampart config unset notify.motd`,
			);
		const system = (command: Command) => command.option('--system', 'the system-wide file /etc/rampart/config.yaml (as root) instead of yours');
		system(config.command('list').description('the settings in force').option('--json', 'print JSON')).action(options => {
			setResult(import('./commands/config.js').then(m => m.configListCommand(ctx(), options)));
		});
		config
			.command('get')
			.description('one setting in force (exit 1 when not set)')
			.argument('<key>', 'e.g. notify.webhook.url')
			.option('--json', 'print JSON')
			.action((key: string, options) => {
				setResult(import('./commands/config.js').then(m => m.configGetCommand(ctx(), key, options)));
			});
		system(config.command('set').description('set a key (checked before the file is written)').argument('<key>').argument('<value>')).action(
			(key: string, value: string, options) => {
				setResult(import('./commands/config.js').then(m => m.configSetCommand(ctx(), key, value, options)));
			},
		);
		system(config.command('unset').description('remove a key').argument('<key>')).action((key: string, options) => {
			setResult(import('./commands/config.js').then(m => m.configUnsetCommand(ctx(), key, options)));
		});
	},
	export: (program, ctx, setResult) => {
		program
			.command('export')
			.description('an evidence archive for an auditor: journals, logs, HTML reports, verification and signatures')
			.requiredOption('-o, --output <file.tar.gz>', 'the archive to write')
			.option('--since <when>', 'only runs started since a date (2026-11-01, UTC) or a time ago (12h, 90d, 8w, 6m, 1y); default: every run')
			.option('--allowed-signers <file>', 'the allowed_signers file to check with and include (default: sign.allowedSigners in the settings)')
			.option('--force', 'replace the archive if it exists')
			.addHelpText(
				'after',
				`
The archive's README.txt says how to check it on another machine, with
rampart journal verify --dir or with ssh-keygen -Y verify alone.

Example:
  rampart export --since 90d -o evidence.tar.gz`,
			)
			.action((options: {output: string; since?: string; allowedSigners?: string; force?: boolean}) => {
				setResult(import('./commands/export.js').then(m => m.exportCommand(ctx(), options)));
			});
	},
	doctor: (program, ctx, setResult) => {
		program
			.command('doctor')
			.description('what Rampart needs and finds on this host, each with the command that installs or fixes it')
			.option('--json', 'print JSON')
			.addHelpText(
				'after',
				`
Checks bash, shellcheck, nft, ssh and ssh-keygen, systemd, sendmail, the state
directory (owner, mode, free space) and the requires: of every runbook found.
Exit status: 0 everything Rampart needs is here (optional tools may be
missing), 3 something it needs is missing (bash, a usable state directory).

Example:
  rampart doctor`,
			)
			.action((options: {json?: boolean}) => {
				setResult(import('./commands/doctor.js').then(m => m.doctorCommand(ctx(), options)));
			});
	},
	completion: (program, ctx, setResult) => {
		program
			.command('completion')
			.description('print the bash or zsh completion script (or, as json, the command table it is made from)')
			.addArgument(new Argument('<shell>', 'bash, zsh or json').choices(['bash', 'zsh', 'json']))
			.addHelpText(
				'after',
				`
The .deb installs both. For the single executable:
  rampart completion bash > ~/.local/share/bash-completion/completions/rampart
  rampart completion zsh > ~/.zfunc/_rampart     (with fpath+=(~/.zfunc) in ~/.zshrc)`,
			)
			.action((shell: string) => {
				// Every command, whichever this command line needed.
				const everything = () => buildProgram(ctx, () => undefined, ['--help']);
				setResult(import('./commands/completion.js').then(m => m.completionCommand(ctx(), shell, everything)));
			});
	},
	__complete: (program, ctx, setResult) => {
		// For the completion scripts: runbook ids or run ids, one a line.
		program
			.command('__complete', {hidden: true})
			.argument('<what>', 'runbooks or runs')
			.action((what: string) => {
				setResult(import('./commands/completion.js').then(m => m.completeCommand(ctx(), what)));
			});
	},
};

/**
 * The commands a command line needs defined to be parsed: the one it starts
 * with (after --debug, the one option that may come first), none for
 * `rampart` alone (the runbook list), and all of them otherwise (`rampart
 * --help` lists them, a typo gets a suggestion). Defining every command's
 * options and help costs each start-up ~1 ms.
 */
const commandsNeeded = (argv: readonly string[]): string[] => {
	if (argv.length === 0) return [];
	const first = argv.find(arg => arg !== '--debug');
	return first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : Object.keys(COMMANDS);
};

const printError = (c: CliContext, error: unknown): number => {
	if (error instanceof CliError) {
		c.err(`rampart: ${error.message}`);
		if (error.hint) c.err(error.hint);
		if (c.debug && error.stack) c.err(error.stack);
		return error.exitCode;
	}
	// A configuration file that does not parse or fit: its name and key say what to fix.
	if (error instanceof SettingsError) {
		c.err(`rampart: ${error.message}`);
		return EXIT.usage;
	}
	const message = error instanceof Error ? error.message : String(error);
	c.err(`rampart: unexpected error: ${message}`);
	if (c.debug && error instanceof Error && error.stack) c.err(error.stack);
	else c.err('Run again with --debug to see where it happened, and please report it.');
	return EXIT.failed;
};

export const runCli = async (argv: string[]): Promise<number> => {
	guardClosedPipes();
	const debug = argv.includes('--debug');
	let context: CliContext | undefined;
	const ctx = () => (context ??= processContext(debug));
	let result: Promise<number> | undefined;
	const program = buildProgram(ctx, code => (result = code), argv);
	try {
		await program.parseAsync(argv, {from: 'user'});
		return result ? await result : EXIT.ok;
	} catch (error) {
		if (error instanceof CommanderError) {
			// Help and version exit 0; everything else commander rejects is usage.
			if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
			return EXIT.usage;
		}
		return printError(ctx(), error);
	}
};
