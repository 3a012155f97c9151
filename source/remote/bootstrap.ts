// The bash that runs one block on a remote host. It is the same text for
// every block and every host, and holds no value: the block's code and its
// environment arrive after it on the connection's stdin, base64-encoded so
// that no byte is interpreted, and reach the block only as its environment
// (never an argument of any process, never a file). The block runs in its
// own session and process group, waits for Rampart's go byte (sent once the
// start is in the record) and is stopped, with everything that carries its
// marker, when Rampart says stop or the connection goes.

/** Identifies the protocol: a bootstrap only accepts the payload it was written for. */
export const REMOTE_PROTOCOL = 'rampart-remote 1';

/** Printed by the bootstrap on stdout, before the block may run: its process group. */
export const STARTED_PREFIX = 'rampart-started ';

/** Exit status of a bootstrap that could not start the block (a bad payload, no bash, no mktemp). */
export const REMOTE_SETUP_FAILED = 125;

/**
 * Reads values into shell variables only (not exported: the bootstrap's own
 * environment stays clean, so the marker finds the block's processes alone);
 * the block's subshell exports them and becomes the block.
 * Every field comes in one base64 line, NUL-terminated inside (no value of
 * the environment can hold a NUL), decoded by one `base64 -d` whose output
 * is read through a pipe: never a here-string, which older bash writes to a
 * temporary file. `read -d ''` keeps every byte, trailing newlines too.
 */
export const BOOTSTRAP = String.raw`set -u
trap '' PIPE
IFS= read -r __r_v && [[ $__r_v == '${REMOTE_PROTOCOL}' ]] || exit ${REMOTE_SETUP_FAILED}
IFS= read -r __r_tok && [[ $__r_tok =~ ^[A-Za-z0-9]+$ ]] || exit ${REMOTE_SETUP_FAILED}
IFS= read -r __r_grace && [[ $__r_grace =~ ^[0-9]+$ ]] || exit ${REMOTE_SETUP_FAILED}
IFS= read -r __r_blob || exit ${REMOTE_SETUP_FAILED}
__r_names=() __r_values=()
{
	IFS= read -r -d '' __r_cwd && IFS= read -r -d '' __r_n && [[ $__r_n =~ ^[0-9]+$ ]] || exit ${REMOTE_SETUP_FAILED}
	for ((__r_i = 0; __r_i < __r_n; __r_i++)); do
		IFS= read -r -d '' __r_k && [[ $__r_k =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] && IFS= read -r -d '' __r_e || exit ${REMOTE_SETUP_FAILED}
		__r_names+=("$__r_k") __r_values+=("$__r_e")
	done
	IFS= read -r -d '' __r_code || exit ${REMOTE_SETUP_FAILED}
} < <(printf %s "$__r_blob" | base64 -d)
unset __r_blob __r_e
if [[ -n $__r_cwd ]] && ! cd -- "$__r_cwd"; then echo "rampart: cannot enter the working directory $__r_cwd on ${'$'}{HOSTNAME:-the host}" >&2; exit ${REMOTE_SETUP_FAILED}; fi
command -v setsid >/dev/null && command -v mkfifo >/dev/null || { echo "rampart: setsid and mkfifo are needed on ${'$'}{HOSTNAME:-the host} (util-linux, coreutils)" >&2; exit ${REMOTE_SETUP_FAILED}; }
__r_t=$(mktemp -d) && mkfifo -m 600 "$__r_t/go" || exit ${REMOTE_SETUP_FAILED}
(
	for __r_i in "${'$'}{!__r_names[@]}"; do export "${'$'}{__r_names[__r_i]}=${'$'}{__r_values[__r_i]}"; done
	export RAMPART_BLOCK=$__r_tok
	exec setsid bash -Eeuo pipefail -c "$__r_code" rampart-block 3<>"$__r_t/go" </dev/null
) &
__r_p=$!
exec 4>"$__r_t/go"
rm -rf -- "$__r_t"
unset __r_values __r_code
# Stop the block's group and whatever carries its marker (except what asked to be left running).
__r_members() {
	local f
	for f in $(grep -lzxF "RAMPART_BLOCK=$__r_tok" /proc/[0-9]*/environ 2>/dev/null); do
		grep -qzxF RAMPART_DETACH=1 "$f" 2>/dev/null && continue
		f=${'$'}{f#/proc/}
		printf '%s\n' "${'$'}{f%/environ}"
	done
}
__r_signal() {
	local pid sent=1
	kill -"$1" -- "-$__r_p" 2>/dev/null && sent=0
	for pid in $(__r_members); do kill -"$1" "$pid" 2>/dev/null && sent=0; done
	return $sent
}
__r_stop() {
	local i
	__r_signal TERM || return 0
	for ((i = 0; i < __r_grace * 10; i++)); do
		sleep 0.1
		__r_signal 0 || return 0
	done
	for ((i = 0; i < 20; i++)); do __r_signal KILL || return 0; sleep 0.05; done
}
printf '${STARTED_PREFIX}%s\n' "$__r_p"
IFS= read -r -n 1 __r_go
if [[ $__r_go != g ]]; then __r_stop; wait "$__r_p"; exit ${REMOTE_SETUP_FAILED}; fi
printf g >&4
exec 4>&-
# Any byte or the end of stdin (Rampart said stop, or the connection went): stop the block.
exec 5<&0 0</dev/null
( IFS= read -r -n 1 -u 5 __r_x; __r_stop ) &
__r_w=$!
exec 5<&-
wait "$__r_p"
__r_s=$?
kill "$__r_w" 2>/dev/null
# What the block left running goes with it, as on the operator's machine.
__r_stop
exit $__r_s
`;
