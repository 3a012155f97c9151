// Printed at the end of `npm test`: the system tests are not part of it, and
// a reader should know why and how to run them.
const root = process.getuid?.() === 0 && process.platform === 'linux';
console.log(
	`\nSystem tests (each runbook that changes a server, on real nftables, sshd, nginx, PHP-FPM, MariaDB\n` +
		`and borg: ls test/system) are not part of npm test: they change the machine inside private namespaces\n` +
		`and need root on Linux. ${root ? 'Run them with: npm run test:system (CI does).' : 'This machine cannot run them (not root on Linux); CI runs them with npm run test:system.'}`,
);
