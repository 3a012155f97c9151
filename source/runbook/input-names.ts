// Which names an input may not have. An input reaches every block as an
// environment variable, so a name that bash, the loader, the C library, a
// language runtime or a common tool reads would let a value change how the
// commands run, not just what they are given: GCONV_PATH or LD_PRELOAD load
// code into every program, PERL5OPT or NODE_OPTIONS into every script,
// EXECIGNORE or POSIXLY_CORRECT change bash itself. No list of names can be
// complete, so names are refused by class (prefixes and suffixes), and the
// docs name the classes (docs/runbook-format.md, "Names").

interface NameClass {
	/** Completes "input name "X" is reserved: …". */
	reason: string;
	names?: readonly string[];
	prefixes?: readonly string[];
	/** For names not covered by the lists. */
	test?: (name: string) => boolean;
}

const CLASSES: readonly NameClass[] = [
	{reason: "Rampart's own variables (RAMPART_*) are never passed to blocks", prefixes: ['RAMPART_']},
	{
		reason: 'the dynamic loader or the C library reads it in every program',
		prefixes: ['LD_', 'DYLD_', 'GCONV_', 'GLIBC_', 'MALLOC_'],
		// glibc's own list of variables it removes for setuid programs (unsecvars.h).
		names: ['GETCONF_DIR', 'HOSTALIASES', 'LOCALDOMAIN', 'LOCPATH', 'NIS_PATH', 'NLSPATH', 'RESOLV_HOST_CONF', 'RES_OPTIONS', 'TZ', 'TZDIR'],
	},
	{reason: 'it sets the locale of every program', prefixes: ['LC_'], names: ['LANG', 'LANGUAGE']},
	{reason: 'programs create their temporary files where it says', names: ['TMPDIR', 'TMP', 'TEMP', 'TEMPDIR']},
	{
		reason: 'it is part of the login environment every program relies on',
		prefixes: ['XDG_', 'TERMINFO'],
		names: ['HOME', 'PATH', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'TERMCAP', 'PWD', 'OLDPWD', 'MAIL', 'MAILPATH', 'MAILCHECK', 'HOSTNAME', 'COLUMNS', 'LINES', 'DISPLAY'],
	},
	{
		reason: 'bash gives it a meaning: it changes how every block runs, or bash sets it itself',
		prefixes: ['BASH_', 'COMP_', 'READLINE_'],
		names: [
			...['BASH', 'BASHOPTS', 'BASHPID', 'SHELLOPTS', 'ENV', 'IFS', 'CDPATH', 'EXECIGNORE', 'FIGNORE', 'GLOBIGNORE', 'GLOBSORT', 'POSIXLY_CORRECT'],
			...['PROMPT_COMMAND', 'PROMPT_DIRTRIM', 'PS0', 'PS1', 'PS2', 'PS3', 'PS4', 'COMPREPLY', 'INPUTRC', 'FUNCNEST', 'FUNCNAME', 'TIMEFORMAT', 'TMOUT'],
			...['SHLVL', 'OPTIND', 'OPTARG', 'OPTERR', 'REPLY', 'RANDOM', 'SRANDOM', 'SECONDS', 'LINENO', 'EPOCHSECONDS', 'EPOCHREALTIME', 'UID', 'EUID', 'PPID'],
			...[
				'GROUPS',
				'HOSTTYPE',
				'MACHTYPE',
				'OSTYPE',
				'PIPESTATUS',
				'DIRSTACK',
				'MAPFILE',
				'COPROC',
				'IGNOREEOF',
				'FCEDIT',
				'HOSTFILE',
				'CHILD_MAX',
				'EMACS',
				'INSIDE_EMACS',
			],
			...['HISTFILE', 'HISTFILESIZE', 'HISTSIZE', 'HISTCONTROL', 'HISTIGNORE', 'HISTTIMEFORMAT', 'HISTCMD'],
		],
	},
	{
		reason: 'a language runtime or build tool reads it: search paths and options (PYTHONPATH, PERL5OPT, NODE_OPTIONS, …) decide what code it loads',
		prefixes: [
			...['PYTHON', 'PERL', 'RUBY', 'NODE_', 'NPM_CONFIG_', 'JAVA_', 'JDK_', 'GEM_', 'BUNDLE_', 'LUA_', 'GUILE_', 'TCL', 'JULIA_', 'R_LIBS', 'R_PROFILE', 'R_ENVIRON'],
			...['OCAML', 'ERL_', 'DOTNET_', 'CORECLR_', 'CGO_', 'PKG_CONFIG_', 'PIP_'],
		],
		names: ['CLASSPATH', 'PHPRC', 'PHP_INI_SCAN_DIR', 'LIBRARY_PATH', 'COMPILER_PATH'],
		test: name =>
			// Go's variables have no underscore: GOPATH, GOFLAGS, GOTOOLCHAIN.
			/^GO[A-Z0-9]+$/.test(name) ||
			// A search path glued to its owner's name (PYTHONPATH, MANPATH, LUA_CPATH), or a compiler's or loader's.
			/[A-Z0-9]PATH$/.test(name) ||
			/_(LIBRARY|INCLUDE|LOAD|PLUGIN|MODULE)_PATH$/.test(name) ||
			/(OPT|OPTS|OPTIONS|FLAGS|LIB|LIBS|HOME)$/.test(name),
	},
	{
		reason: 'tools read it to choose a program to start, a configuration, certificates or a proxy',
		prefixes: ['GIT_CONFIG', 'SYSTEMD_', 'DEBCONF_', 'OPENSSL_', 'LESS'],
		names: [
			...['VISUAL', 'BROWSER', 'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_PROXY_COMMAND', 'GIT_EXTERNAL_DIFF', 'GIT_EXEC_PATH', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_TEMPLATE_DIR'],
			...['RSYNC_RSH', 'RSYNC_CONNECT_PROG', 'CVS_RSH', 'APT_CONFIG', 'DEBIAN_FRONTEND', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'CURL_CA_BUNDLE', 'REQUESTS_CA_BUNDLE'],
			...['WGETRC', 'KRB5_CONFIG', 'KRB5CCNAME'],
		],
		test: name => /(EDITOR|PAGER|ASKPASS|_PROXY)$/.test(name),
	},
	{
		reason: 'OpenSSH sets or reads it',
		names: [
			'SSH_CLIENT',
			'SSH_CONNECTION',
			'SSH_TTY',
			'SSH_AUTH_SOCK',
			'SSH_AGENT_PID',
			'SSH_ORIGINAL_COMMAND',
			'SSH_ASKPASS_REQUIRE',
			'SSH_SK_PROVIDER',
			'SSH_USER_AUTH',
		],
	},
	{reason: 'sudo sets or reads it (SUDO_USER, SUDO_UID, SUDO_ASKPASS, …)', prefixes: ['SUDO_']},
];

const BY_NAME = new Map<string, string>();
for (const c of CLASSES) for (const name of c.names ?? []) if (!BY_NAME.has(name)) BY_NAME.set(name, c.reason);

/** Why an input may not have this name, or undefined if it may. */
export const reservedInputName = (name: string): string | undefined => {
	const named = BY_NAME.get(name);
	if (named) return named;
	return CLASSES.find(c => c.prefixes?.some(prefix => name.startsWith(prefix)) || c.test?.(name))?.reason;
};
