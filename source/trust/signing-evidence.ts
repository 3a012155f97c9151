// The texts that travel inside an evidence archive: a README for the auditor
// and a shell script that checks every signature with ssh-keygen, sed and
// sha256sum alone, so checking needs no Rampart (and no trust in it).

import {SIGNATURE_NAMESPACE} from '../journal/signature-store.js';

export const CHECK_SCRIPT_NAME = 'check-with-ssh-keygen.sh';

export const evidenceReadme = (facts: {createdAt: string; host: string; since?: string; runs: number; allowedSigners: boolean}): string => `Rampart evidence archive
========================

Made ${facts.createdAt} on ${facts.host}; ${facts.runs} run${facts.runs === 1 ? '' : 's'}${facts.since ? ` started since ${facts.since}` : ''}.

  state/runs/RUN.jsonl          each run's journal: one JSON event a line; each line
                                holds the SHA-256 of the line before ("prev")
  state/logs/RUN/               what each step printed (secret inputs masked)
  state/signatures/RUN/N.sig    SSH signature (namespace "${SIGNATURE_NAMESPACE}") over N.msg
  state/signatures/RUN/N.msg    the signed text: run id, N (events covered), and the
                                SHA-256 of event N, which through the chain covers 1..N
  reports/RUN.html              each run's report, readable in a browser
  verification.txt, .json       what "rampart journal verify" said when this was made
${facts.allowedSigners ? '  allowed_signers               whose keys may sign (OpenSSH format), as used here\n' : '  (no allowed_signers file was configured: bring your own)\n'}  ${CHECK_SCRIPT_NAME}      the check below, as a script

Check it with Rampart
---------------------

  rampart journal verify --dir state --allowed-signers allowed_signers

It checks every journal's chain, every step log's hash, and every signature,
names who signed each run, and reports unsigned runs and events after a
run's last signature ("unsigned tail"). Add --require-signatures to fail them.

Check it with ssh-keygen alone
------------------------------

Use an allowed_signers file you trust (the one here came with the evidence):

  sh ${CHECK_SCRIPT_NAME} [ALLOWED_SIGNERS]

For each signature it does, with sed, sha256sum and ssh-keygen only:

  1. ssh-keygen -Y find-principals -s state/signatures/RUN/N.sig -f allowed_signers -n ${SIGNATURE_NAMESPACE}
     ssh-keygen -Y verify -f allowed_signers -I PRINCIPAL -n ${SIGNATURE_NAMESPACE} \\
         -s state/signatures/RUN/N.sig < state/signatures/RUN/N.msg
  2. the "last" hash in N.msg is that of line N of state/runs/RUN.jsonl:
         sed -n Np state/runs/RUN.jsonl | tr -d '\\n' | sha256sum
  3. lines 1..N form the chain: line 1's "prev" is 64 zeros, each later
     line's "prev" is the SHA-256 of the line before it (without its newline).

What a signature proves: the holder of that key saw this exact chain of
events when the run (or a resumed session of it) ended. It does not prove
that what the commands printed was true, it says nothing of runs that were
never signed or of events after the last signature, and a stolen key can
sign anything.
`;

/** POSIX sh; run from anywhere, checks the archive it sits in. */
export const checkScript = (): string => `#!/bin/sh
# Checks every Rampart signature in this archive with ssh-keygen alone.
# Usage: sh ${CHECK_SCRIPT_NAME} [ALLOWED_SIGNERS]   (default: ./allowed_signers)
set -u
here=$(cd "$(dirname "$0")" && pwd)
signers=$(cd "$(dirname "\${1:-$here/allowed_signers}")" && pwd)/$(basename "\${1:-allowed_signers}")
cd "$here/state" || exit 2
zero=0000000000000000000000000000000000000000000000000000000000000000
status=0
checked=0
fail() { echo "FAIL $1"; status=1; }
for sig in signatures/*/*.sig; do
	[ -e "$sig" ] || continue
	run=$(basename "$(dirname "$sig")")
	msg=\${sig%.sig}.msg
	journal=runs/$run.jsonl
	events=$(sed -n 's/^events \\([0-9][0-9]*\\)$/\\1/p' "$msg")
	last=$(sed -n 's/^last \\([0-9a-f]\\{64\\}\\)$/\\1/p' "$msg")
	if ! grep -qx "run $run" "$msg" || [ -z "$events" ] || [ -z "$last" ]; then fail "$sig: $msg is not the text of a signature of run $run"; continue; fi
	principal=$(ssh-keygen -Y find-principals -s "$sig" -f "$signers" -n ${SIGNATURE_NAMESPACE} 2>/dev/null | head -n 1)
	if [ -z "$principal" ]; then fail "$sig: made by a key $signers does not list"; continue; fi
	if ! ssh-keygen -Y verify -f "$signers" -I "$principal" -n ${SIGNATURE_NAMESPACE} -s "$sig" < "$msg" > /dev/null 2>&1; then fail "$sig: does not verify over $msg"; continue; fi
	prev=$zero
	n=0
	broken=
	while [ "$n" -lt "$events" ] && IFS= read -r line; do
		n=$((n + 1))
		recorded=$(printf '%s\\n' "$line" | sed -n 's/^{"seq":[0-9]*,"prev":"\\([0-9a-f]*\\)".*/\\1/p')
		if [ "$recorded" != "$prev" ]; then broken="line $n of $journal does not hold the hash of the line before it"; break; fi
		prev=$(printf '%s' "$line" | sha256sum | cut -d ' ' -f 1)
	done < "$journal"
	if [ -z "$broken" ] && [ "$n" -lt "$events" ]; then broken="$journal has only $n of the $events events signed"; fi
	if [ -z "$broken" ] && [ "$prev" != "$last" ]; then broken="line $events of $journal is not the line that was signed"; fi
	if [ -n "$broken" ]; then fail "$sig (signed by $principal): $broken"; continue; fi
	echo "ok   $sig: signed by $principal, events 1-$events of $journal"
	checked=$((checked + 1))
done
[ "$checked" -gt 0 ] || [ "$status" -ne 0 ] || echo "no signatures to check"
exit $status
`;
