// Which Debian/Ubuntu package gives a command, for the fix `rampart doctor`
// prints. Only the commands Rampart and its bundled runbooks use; any other
// is looked up by the operator (the fix says how).

const PACKAGE_OF: Readonly<Record<string, string>> = {
	bash: 'bash',
	shellcheck: 'shellcheck',
	nft: 'nftables',
	ssh: 'openssh-client',
	'ssh-keygen': 'openssh-client',
	systemctl: 'systemd',
	sendmail: 'postfix',
	crontab: 'cron',
	dig: 'bind9-dnsutils',
	whois: 'whois',
	borg: 'borgbackup',
	ss: 'iproute2',
	ip: 'iproute2',
	flock: 'util-linux',
	setsid: 'util-linux',
	runuser: 'util-linux',
	su: 'util-linux',
	nginx: 'nginx',
	mariadb: 'mariadb-client',
	curl: 'curl',
	getent: 'libc-bin',
	useradd: 'passwd',
	usermod: 'passwd',
	groupadd: 'passwd',
	gpasswd: 'passwd',
	'pam-auth-update': 'libpam-runtime',
	'apt-get': 'apt',
	'apt-config': 'apt',
	dpkg: 'dpkg',
	'dpkg-query': 'dpkg',
	tar: 'tar',
	gzip: 'gzip',
	awk: 'mawk',
	grep: 'grep',
	find: 'findutils',
	xargs: 'findutils',
	diff: 'diffutils',
	sha256sum: 'coreutils',
	date: 'coreutils',
	sort: 'coreutils',
	stat: 'coreutils',
};

/** `apt-get install …` for these commands, or how to find the package of one this table does not know. */
export const installCommand = (commands: readonly string[]): string => {
	const known = [...new Set(commands.map(c => PACKAGE_OF[c]).filter((p): p is string => p !== undefined))];
	const unknown = commands.filter(c => PACKAGE_OF[c] === undefined);
	const parts = known.length ? [`apt-get install ${known.join(' ')}`] : [];
	if (unknown.length) parts.push(`find the package of ${unknown.join(', ')} with: apt-file search --regexp 'bin/(${unknown.join('|')})$'`);
	return parts.join('; ');
};
