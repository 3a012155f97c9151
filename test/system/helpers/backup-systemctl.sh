#!/usr/bin/env bash
# A stand-in for systemctl in the backups system test (machines without
# systemd). It knows the two units the backups runbook installs,
# rampart-borg-backup.service and .timer: daemon-reload, enable/disable
# (--now), start, stop, is-enabled, is-active, with their state under /run
# (the lab's own tmpfs). Starting the service runs its ExecStart in the
# foreground, as a oneshot unit does. Every other unit goes to the web
# stand-in (web-systemctl.sh, copied beside this file as web-systemctl).
set -Eeuo pipefail

here=$(dirname -- "$(readlink -f -- "$0")")
state=/run/test-systemctl
log() { printf 'systemctl (test stand-in): %s\n' "$*" >&2; }

now=false
quiet=false
args=()
for arg in "$@"; do
	case "$arg" in
	--now) now=true ;;
	-q | --quiet) quiet=true ;;
	--no-pager | --no-block) ;;
	-*) exec "$here/web-systemctl" "$@" ;;
	*) args+=("$arg") ;;
	esac
done
verb=${args[0]:-}
if [[ "$verb" == daemon-reload ]]; then
	mkdir -p "$state"
	date -u +%s >"$state/daemon-reload"
	exit 0
fi
(( ${#args[@]} >= 2 )) || { log "usage: systemctl VERB UNIT..."; exit 2; }
for unit in "${args[@]:1}"; do
	[[ "$unit" == rampart-borg-backup.service || "$unit" == rampart-borg-backup.timer ]] || exec "$here/web-systemctl" "$@"
done

mkdir -p "$state"
status=0
for unit in "${args[@]:1}"; do
	file=/etc/systemd/system/$unit
	rc=0
	case "$verb" in
	enable)
		[[ -f "$file" ]] || { log "Unit file $unit does not exist."; exit 1; }
		[[ -f "$state/daemon-reload" ]] || { log "$unit: daemon-reload was never run"; exit 1; }
		touch "$state/$unit.enabled"
		if [[ "$now" == true ]]; then touch "$state/$unit.active"; fi
		;;
	disable)
		rm -f "$state/$unit.enabled"
		if [[ "$now" == true ]]; then rm -f "$state/$unit.active"; fi
		;;
	start)
		[[ -f "$file" ]] || { log "Unit $unit not found."; exit 5; }
		if [[ "$unit" == *.service ]]; then
			exec_start=$(sed -n -e 's/^ExecStart=//p' "$file")
			# shellcheck disable=SC2086 # the command line, split as systemd splits it
			$exec_start || rc=$?
		else
			touch "$state/$unit.active"
		fi
		;;
	stop) rm -f "$state/$unit.active" ;;
	is-enabled)
		[[ -e "$state/$unit.enabled" ]] || rc=1
		if [[ "$quiet" == false ]]; then if (( rc == 0 )); then echo enabled; else echo disabled; fi; fi
		;;
	is-active)
		[[ -e "$state/$unit.active" ]] || rc=3
		if [[ "$quiet" == false ]]; then if (( rc == 0 )); then echo active; else echo inactive; fi; fi
		;;
	*) log "unsupported verb for $unit: $verb"; exit 2 ;;
	esac
	(( rc == 0 )) || status=$rc
done
exit "$status"
