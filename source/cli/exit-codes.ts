// Documented in README.md and `rampart --help`; scripts and cron depend on them.
export const EXIT = {
	ok: 0,
	/** A step failed, a check failed, or something is overdue. */
	failed: 1,
	/** Bad usage, or an invalid runbook. */
	usage: 2,
	/** Requirements not met (e.g. needs root). */
	requirements: 3,
	/** Interrupted (Ctrl-C / SIGINT). */
	interrupted: 130,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0    success
  1    a step failed, a check failed, or something is overdue
  2    usage error, invalid runbook, or a runbook not approved (see --approve)
  3    requirements not met (e.g. needs root), or a runbook others could change, as root
  130  interrupted`;
