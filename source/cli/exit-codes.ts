// The exit codes (source/types/exit-codes.ts) and how `rampart --help` explains them.
export {EXIT} from '../types/exit-codes.js';

export const EXIT_CODES_HELP = `Exit codes:
  0    success
  1    a step failed, a finding needs attention, a check failed, or something is overdue
  2    usage error, invalid runbook, or a runbook not approved (see --approve)
  3    requirements not met (e.g. needs root), or a runbook others could change, as root
  130  interrupted`;
