// rampart(1), written from the command table the built rampart prints
// (`rampart completion json`: commander's own commands, arguments, options
// and help texts), so the man page says what --help says and never drifts.
// Usage: node scripts/man.mjs [OUT] (default dist/rampart.1); the date is
// SOURCE_DATE_EPOCH's, else the last commit's, so a rebuild gives the same page.
import {execFileSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Text for roff: backslashes shown as themselves, dashes as ASCII minus, no line read as a request. */
const escape = text =>
	text
		.replaceAll('\\', '\\e')
		.replaceAll('-', '\\-')
		.replace(/^([.'])/gm, '\\&$1');
const bold = text => `\\fB${escape(text)}\\fR`;

/** Help text kept as laid out (examples, tables). */
const verbatim = text => (text.trim() ? ['.nf', '.RS 4', escape(text.replace(/^\n+|\s+$/g, '')), '.RE', '.fi'] : []);

const optionItems = options =>
	options.flatMap(option => [
		'.TP',
		option.flags.replace(/(-{1,2}[\w-]+)|([<[][^>\]]+[>\]])/g, (m, flag, value) => (flag ? bold(flag) : `\\fI${escape(value)}\\fR`)),
		escape(option.description),
	]);

const argumentItems = args => args.flatMap(arg => ['.TP', `\\fI${escape(arg.name)}\\fR`, escape(arg.description)]);

const flatten = spec => [spec, ...spec.commands.flatMap(flatten)];

const commandSection = spec => [
	`.SS "${escape(spec.path.join(' '))}"`,
	`${bold(spec.usage)}`,
	'.PP',
	escape(spec.description),
	...argumentItems(spec.arguments),
	...optionItems(spec.options.filter(o => !o.names.includes('--help'))),
	...(spec.more ? ['.PP', ...verbatim(spec.more)] : []),
];

const pageDate = () => {
	if (process.env.SOURCE_DATE_EPOCH) return new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000).toISOString().slice(0, 10);
	try {
		return execFileSync('git', ['log', '-1', '--format=%cs'], {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim();
	} catch {
		return new Date().toISOString().slice(0, 10);
	}
};

export const manPage = (spec, version, date) => {
	const [more, exitCodes = ''] = spec.more.split(/^(?=Exit codes:)/m);
	const commands = flatten(spec)
		.slice(1)
		.filter(c => c.path[0] !== 'help');
	return [
		`.TH RAMPART 1 "${date}" "rampart ${escape(version)}" "User Commands"`,
		'.SH NAME',
		`rampart \\- ${escape(spec.description.replace(/\.$/, ''))}`,
		'.SH SYNOPSIS',
		bold('rampart'),
		'[\\fIoptions\\fR] [\\fIcommand\\fR] [\\fIarguments\\fR]',
		'.SH DESCRIPTION',
		escape(spec.description),
		'Run with no command on a terminal, it opens the runbook list; every command',
		'below also prints its own help with',
		`${bold('--help')}.`,
		'.SH OPTIONS',
		...optionItems(spec.options),
		'.SH COMMANDS',
		...commands.flatMap(commandSection),
		'.SH EXAMPLES AND RUNBOOK DIRECTORIES',
		...verbatim(more),
		'.SH EXIT STATUS',
		...verbatim(exitCodes.replace(/^Exit codes:\n/, '')),
		'.SH ENVIRONMENT',
		...[
			['RAMPART_HOME', 'the state directory, where runs are recorded (default: /var/lib/rampart for root, $XDG_DATA_HOME/rampart for anyone else)'],
			['RAMPART_RUNBOOKS', 'more runbook directories, colon-separated'],
			['RAMPART_CONFIG', "the operator's settings file (default: $XDG_CONFIG_HOME/rampart/config.yaml)"],
			['RAMPART_INPUT_\\fINAME\\fR', 'a runbook input value, as --input NAME=VALUE'],
			['RAMPART_MAX_LOG_BYTES', 'the per-step output log limit (default 64M)'],
			['NO_COLOR', 'no colours'],
		].flatMap(([name, text]) => ['.TP', `\\fB${name}\\fR`, escape(text)]),
		'.SH FILES',
		...[
			['/usr/share/rampart/runbooks', 'the bundled runbooks (the .deb), trusted as shipped'],
			['/etc/rampart/config.yaml', "system-wide settings, read before the operator's own"],
			['/var/lib/rampart', "root's records (journals, output logs, approvals); apt-get purge leaves it"],
			['~/.config/rampart/runbooks', "the operator's own runbooks"],
		].flatMap(([name, text]) => ['.TP', `\\fI${escape(name)}\\fR`, escape(text)]),
		'.SH SEE ALSO',
		`${bold('bash')}(1), ${bold('shellcheck')}(1), ${bold('nft')}(8), ${bold('ssh')}(1)`,
		'',
	].join('\n');
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const out = process.argv[2] ?? join(root, 'dist', 'rampart.1');
	const spec = JSON.parse(execFileSync(process.execPath, [join(root, 'dist', 'rampart.js'), 'completion', 'json'], {encoding: 'utf8'}));
	const version = execFileSync(process.execPath, [join(root, 'dist', 'rampart.js'), '--version'], {encoding: 'utf8'}).trim();
	writeFileSync(out, manPage(spec, version, pageDate()));
	process.stdout.write(`${out}\n`);
}
