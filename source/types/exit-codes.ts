// Rampart's exit codes: documented in README.md and `rampart --help`;
// scripts and cron depend on them. Both front ends end with one of these.
export const EXIT = {
	ok: 0,
	/** A step failed, a finding needs attention, a check failed, or something is overdue. */
	failed: 1,
	/** Bad usage, or an invalid runbook. */
	usage: 2,
	/** Requirements not met (e.g. needs root). */
	requirements: 3,
	/** Interrupted (Ctrl-C / SIGINT). */
	interrupted: 130,
} as const;
