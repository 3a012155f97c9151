// The bash that runs blocks on a remote host: one agent per host, started
// once over the connection (so the host's login shell is paid for once, not
// per block), that runs the blocks it is sent one after another. It is the
// same text for every host and holds no value: each block's code and
// environment arrive on the connection's stdin, escaped so that no byte is
// interpreted by the shell, and reach the block only as its environment
// (never an argument of any process, never a file). Each block is sent only
// once its start is in the record, runs in its own process group, and is
// stopped, with everything that carries its marker, when Rampart says stop or
// the connection goes.
//
// Requests (stdin): per block a header of fixed width, `@TOKEN GRACE LENGTH`
// (16 letters or digits, 6 and 10 digits) and a newline, then LENGTH bytes of
// fields `=CWD =CODE [=NAME =VALUE]…` separated by blanks, each `=` then
// printf %b escapes (so no field holds a blank); the block starts at
// once, and while it runs any byte or the end of stdin stops it. A header
// that begins with `?` asks what the host has (for `requires`), its fields the
// commands to look for: the agent answers it itself, as a block that printed
// the facts (see FACTS_SEPARATOR), with no process made. Answers:
// records `RS TOKEN KIND [ARG]` + newline, written once nothing of the block
// can still write before them: `s PGID` on stdout (started), `e` on stderr (no
// more of its stderr) and `x STATUS` on stdout (it ended; 125 without `s`: it
// never started).

import {NOT_STARTED_EXIT} from '../engine/execute-block.js';

/** Identifies the protocol: an agent only accepts requests it was written for. */
export const REMOTE_PROTOCOL = 'rampart-agent 4';

/** Opens every record the agent writes: ASCII RS, never in a block's output next to its random token. */
export const RECORD = '\x1e';

/** The command ssh asks the host's login shell to run to start the agent: constant, no value in it. */
export const agentCommand = (become: boolean, becomeUser?: string): string => {
	if (becomeUser !== undefined && !/^[a-z_][a-z0-9_.-]*$/i.test(becomeUser)) throw new Error(`ansible_become_user "${becomeUser}" is not a user name`);
	const sudo = become ? `sudo -n ${becomeUser ? `-u ${becomeUser} ` : ''}-- ` : '';
	// The agent's length, then the agent: read in one go (a line or a NUL-ended read takes a system call per byte from a pipe).
	return `exec ${sudo}bash --noprofile --norc -c 'IFS= read -r __r_n && IFS= read -r -N "$__r_n" __r_b && eval "$__r_b"' rampart-remote`;
};

/** What a block that could not be started ends with (a bad request, no such directory). */
export const REMOTE_SETUP_FAILED = NOT_STARTED_EXIT;

/** Between the facts a `?` request is answered with: the user id, /etc/os-release, the places of the commands missing. */
export const FACTS_SEPARATOR = '--rampart-facts--';

/** The width of a request's header: `@` (or `?`), a 16-character token, 6 digits of grace (s), 10 of length, two blanks and a newline. */
export const HEADER_WIDTH = 36;

/**
 * Everything is read with bash builtins (a request: three `read`s; each field:
 * one `printf -v … %b`), so a block costs the host a fork for the block (and,
 * past its first half second, one for a stop watcher): no login shell, no decoder,
 * no exec of setsid, no temporary file, and the sweep for leftovers reads
 * /proc with builtins. Each system call counts (a loaded host pays dearly for
 * them), so the agent's own stderr is /dev/null once it runs (no redirection
 * per command), and the blocks' stderr is kept on fd 5.
 * SIGPIPE is ignored by the agent (it must outlive a closed connection long
 * enough to stop the block) and given back to each block.
 */
export const BOOTSTRAP = String.raw`set -u
trap '' PIPE
IFS= read -r __r_v && [[ $__r_v == '${REMOTE_PROTOCOL}' ]] || exit ${REMOTE_SETUP_FAILED}
((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 404)) || { echo "rampart: bash 4.4 or later is needed on ${'$'}{HOSTNAME:-the host} (it has $BASH_VERSION)" >&2; exit ${REMOTE_SETUP_FAILED}; }
# A pipe nobody writes, opened read-write through /dev/fd (Linux, no file made): a timed
# read of it is a pause that costs no process.
exec 4<> <(:) || exit ${REMOTE_SETUP_FAILED}
exec 5>&2 2>/dev/null
__r_home=$PWD
read -r __r_pidmax </proc/sys/kernel/pid_max || __r_pidmax=0
# Where the host is in giving out process ids: the last one (__r_last) and how
# many it has forked since it booted (__r_fk).
__r_ids() {
	local l st=()
	read -r __r_last </proc/sys/kernel/ns_last_pid || __r_last=
	__r_fk=
	mapfile -t st </proc/stat
	for l in "${'$'}{st[@]}"; do [[ $l == 'processes '* ]] && { __r_fk=${'$'}{l#processes }; return; }; done
}
# The block's processes, found by its marker, except what asked to be left running
# (into __r_m). Only processes born after the block can carry it, and ids are given
# out in rising order until they wrap: the cursor moves at most once per fork plus
# once per id in use, so while the ids left above the block's outnumber both, the
# block's processes all lie between its id and the last one given out; otherwise
# (near the wrap, or /proc says too little) every process is a candidate. A few
# candidates are read by a builtin (mapfile), costing the host no process; many
# are narrowed down by one grep first.
__r_members() {
	local d s tasks l0=$__r_l0 f0=$__r_f0 all=1 c=() env=()
	__r_m=()
	__r_ids
	read -r _ _ _ tasks _ </proc/loadavg && tasks=${'$'}{tasks#*/} || tasks=
	[[ -n $l0 && -n $f0 && -n $__r_last && -n $__r_fk && -n $tasks ]] && ((__r_pidmax - l0 > __r_fk - f0 + 2 * tasks + 1000)) && all=0
	if ((all || __r_last - __r_p > tasks)); then
		for d in /proc/[0-9]*; do
			((all || (${'$'}{d#/proc/} >= __r_p && ${'$'}{d#/proc/} <= __r_last))) && c+=("$d/environ")
		done
	else
		# Fewer ids given out than processes listed: ask for each (no listing, no sort).
		for ((d = __r_p; d <= __r_last; d++)); do [[ -e /proc/$d ]] && c+=("/proc/$d/environ"); done
	fi
	((${'$'}{#c[@]} > 64)) && mapfile -t c < <(grep -lzxF "RAMPART_BLOCK=$__r_tok" "${'$'}{c[@]}")
	# Each environment joined by a byte no name has: one match per process, not one per variable.
	local IFS=$'\x1f'
	for d in "${'$'}{c[@]}"; do
		mapfile -d '' env <"$d" || continue
		s=$'\x1f'"${'$'}{env[*]}"$'\x1f'
		[[ $s == *$'\x1f'"RAMPART_BLOCK=$__r_tok"$'\x1f'* && $s != *$'\x1f'RAMPART_DETACH=1$'\x1f'* ]] || continue
		d=${'$'}{d#/proc/}
		__r_m+=("${'$'}{d%/environ}")
	done
}
__r_signal() {
	local pid sent=1
	# The block's group exists from its fork on (monitor mode sets it in both processes).
	kill -"$1" -- "-$__r_p" && sent=0
	__r_members
	for pid in "${'$'}{__r_m[@]}"; do kill -"$1" "$pid" && sent=0; done
	return $sent
}
# TERM to the block's group and marked processes, KILL after the grace.
__r_stop() {
	local i
	__r_signal TERM || return 0
	for ((i = 0; i < __r_grace * 10; i++)); do
		sleep 0.1
		__r_signal 0 || return 0
	done
	for ((i = 0; i < 20; i++)); do __r_signal KILL || return 0; sleep 0.05; done
}
# What the host has, from builtins alone: who the blocks run as, its /etc/os-release,
# and which of the commands named in the request's fields are not on the PATH (by
# their place among the fields: a name may hold any byte).
__r_facts() {
	local l c i out="$EUID"$'\n'"${FACTS_SEPARATOR}"$'\n'
	if [[ -r /etc/os-release ]]; then
		while IFS= read -r l || [[ -n $l ]]; do out+="$l"$'\n'; done </etc/os-release
	fi
	out+="${FACTS_SEPARATOR}"$'\n'
	for ((i = 0; i < ${'$'}{#__r_f[@]}; i++)); do
		printf -v c %b "${'$'}{__r_f[i]#=}"
		command -v -- "$c" >/dev/null || out+="$i"$'\n'
	done
	printf '${RECORD}%s s 0\n%s' "$__r_tok" "$out"
	__r_end 0
}
__r_end() {
	printf '${RECORD}%s e\n' "$__r_tok" >&5
	printf '${RECORD}%s x %s\n' "$__r_tok" "$1"
}
while :; do
	# A stop byte that crossed its block's end comes before the next request: skipped.
	IFS= read -r -n 1 __r_c || exit 0
	[[ $__r_c == [@?] ]] || continue
	# The header at once (a line would be read a byte at a time), then the fields.
	IFS= read -r -N ${HEADER_WIDTH - 1} __r_h || exit 0
	__r_tok=${'$'}{__r_h:0:16} __r_grace=${'$'}{__r_h:17:6} __r_len=${'$'}{__r_h:24:10}
	[[ $__r_tok =~ ^[A-Za-z0-9]{16}$ && $__r_grace =~ ^[0-9]{6}$ && $__r_len =~ ^[0-9]{10}$ ]] || exit ${REMOTE_SETUP_FAILED}
	__r_grace=$((10#$__r_grace)) __r_len=$((10#$__r_len))
	# None of the fields holds a blank.
	IFS= read -r -N "$__r_len" __r_body || exit 0
	set -f
	__r_f=($__r_body)
	set +f
	unset __r_body
	[[ $__r_c == '?' ]] && { __r_facts; continue; }
	((${'$'}{#__r_f[@]} >= 2)) || exit ${REMOTE_SETUP_FAILED}
	printf -v __r_cwd %b "${'$'}{__r_f[0]#=}"
	if ! cd -- "${'$'}{__r_cwd:-$__r_home}"; then
		echo "rampart: cannot enter the working directory $__r_cwd on ${'$'}{HOSTNAME:-the host}" >&5
		__r_end ${REMOTE_SETUP_FAILED}
		continue
	fi
	__r_ids
	__r_l0=$__r_last __r_f0=$__r_fk
	# Monitor mode for the fork alone: the block gets a process group of its own with no
	# exec of setsid (an exec costs a loaded host dearly); off again before any job notice is due.
	set -m
	(
		trap - PIPE
		printf -v __r_code %b "${'$'}{__r_f[1]#=}"
		for ((__r_i = 2; __r_i + 1 < ${'$'}{#__r_f[@]}; __r_i += 2)); do
			printf -v __r_k %b "${'$'}{__r_f[__r_i]#=}"
			[[ $__r_k =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || exit ${REMOTE_SETUP_FAILED}
			printf -v __r_e %b "${'$'}{__r_f[__r_i + 1]#=}"
			export "$__r_k=$__r_e"
		done
		unset __r_f __r_e
		export RAMPART_BLOCK=$__r_tok
		exec bash -Eeuo pipefail -c "$__r_code" rampart-block </dev/null 2>&5 4<&- 5>&-
	) &
	__r_p=$!
	set +m
	unset __r_f
	printf '${RECORD}%s s %s\n' "$__r_tok" "$__r_p"
	# Any byte or the end of stdin (Rampart said stop, or the connection went) stops the
	# block. Most blocks end within moments: for those, the agent itself polls stdin and
	# the block's state, every 5 ms for 100 ms, then every 20 ms up to half a second (a
	# loaded host stretches short blocks); a longer one gets a watcher process. Stdin is only
	# ever read without a timer: a timed read drops the byte that arrives as its time
	# runs out (bash discards it on the alarm), and that byte is the stop.
	__r_done=0 __r_pace=0.005
	for ((__r_i = 0; __r_i < 40; __r_i++)); do
		read -r -t 0 && { IFS= read -r -n 1 __r_x; __r_stop; break; }
		# Ended, and reaped by the shell (which it does as the child ends).
		kill -0 "$__r_p" || { __r_done=1; break; }
		read -r -t "$__r_pace" -u 4 _
		((__r_i == 19)) && __r_pace=0.02
	done
	__r_w=
	if ((!__r_done && __r_i == 40)); then
		# (Its stdin named: bash gives a background job /dev/null otherwise.)
		( IFS= read -r -n 1 __r_x; __r_stop ) <&0 &
		__r_w=$!
	fi
	wait "$__r_p"
	__r_s=$?
	[[ -n $__r_w ]] && { kill "$__r_w"; wait "$__r_w"; }
	# What the block left running goes with it, as on the operator's machine.
	__r_stop
	__r_end "$__r_s"
done
`;
