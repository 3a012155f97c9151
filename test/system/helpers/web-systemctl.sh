#!/usr/bin/env bash
# A stand-in for systemctl on test machines without systemd. The system tests
# put it first on PATH inside their private mount namespace, so that the
# runbooks' "systemctl reload nginx" and the like do what systemd's units do on
# Debian: start, stop, reload and report nginx, php*-fpm, mariadb and ssh.
#
# Only the units and verbs the web runbooks use are known; anything else fails
# loudly, so that a runbook calling something new shows up in the tests.
# Services start with RAMPART_DETACH=1: systemd starts them outside the
# block that called systemctl, so Rampart must not stop them with the block.
set -Eeuo pipefail

log() { printf 'systemctl (test stand-in): %s\n' "$*" >&2; }

pid_alive() { # pid file
	local pid
	[[ -s "$1" ]] || return 1
	pid=$(<"$1")
	[[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

# shellcheck disable=SC2317 # called through wait_for
gone() { ! kill -0 "$1" 2>/dev/null; }

wait_for() { # seconds command...
	local tries=$(( $1 * 10 ))
	shift
	for (( i = 0; i < tries; i++ )); do
		if "$@"; then return 0; fi
		sleep 0.1
	done
	return 1
}

# --- nginx: the Debian unit runs the master as a daemon with /run/nginx.pid.
nginx_pid=/run/nginx.pid
nginx_unit() {
	case "$1" in
	start)
		pid_alive "$nginx_pid" && return 0
		nginx -t -q
		RAMPART_DETACH=1 nginx
		wait_for 10 pid_alive "$nginx_pid"
		;;
	stop)
		pid_alive "$nginx_pid" || return 0
		local pid
		pid=$(<"$nginx_pid")
		nginx -s quit
		wait_for 10 gone "$pid"
		;;
	reload)
		pid_alive "$nginx_pid" || { log "nginx is not running"; return 1; }
		nginx -t -q
		nginx -s reload
		;;
	restart) nginx_unit stop && nginx_unit start ;;
	is-active) pid_alive "$nginx_pid" ;;
	*) log "unsupported verb for nginx: $1"; return 2 ;;
	esac
}

# --- php-fpm: ExecStart php-fpmX.Y --fpm-config ..., ExecReload kill -USR2.
fpm_unit() { # verb version
	local verb=$1 version=$2 pidfile=/run/php/php$2-fpm.pid
	local bin=/usr/sbin/php-fpm$version config=/etc/php/$version/fpm/php-fpm.conf
	case "$verb" in
	start)
		pid_alive "$pidfile" && return 0
		mkdir -p /run/php
		"$bin" -t --fpm-config "$config" 2>/dev/null
		RAMPART_DETACH=1 "$bin" --fpm-config "$config"
		wait_for 10 pid_alive "$pidfile"
		;;
	stop)
		pid_alive "$pidfile" || return 0
		local pid
		pid=$(<"$pidfile")
		kill -QUIT "$pid"
		wait_for 10 gone "$pid"
		;;
	reload)
		pid_alive "$pidfile" || { log "php$version-fpm is not running"; return 1; }
		kill -USR2 "$(<"$pidfile")"
		;;
	restart) fpm_unit stop "$version" && fpm_unit start "$version" ;;
	is-active) pid_alive "$pidfile" ;;
	*) log "unsupported verb for php$version-fpm: $verb"; return 2 ;;
	esac
}

# --- mariadb: Debian's config (datadir /var/lib/mysql, socket
# /run/mysqld/mysqld.sock, bind-address 127.0.0.1) without systemd.
db_pid=/run/mysqld/mysqld.pid
db_up() { mysqladmin --protocol=socket ping >/dev/null 2>&1; }
db_unit() {
	case "$1" in
	start)
		pid_alive "$db_pid" && return 0
		install -d -o mysql -g mysql -m 0755 /run/mysqld
		if [[ ! -d /var/lib/mysql/mysql ]]; then
			mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
		fi
		RAMPART_DETACH=1 setsid mariadbd --user=mysql --pid-file="$db_pid" >/var/log/mysql-standin.log 2>&1 </dev/null &
		wait_for 60 db_up
		;;
	stop)
		pid_alive "$db_pid" || return 0
		local pid
		pid=$(<"$db_pid")
		kill -TERM "$pid"
		wait_for 60 gone "$pid"
		;;
	restart) db_unit stop && db_unit start ;;
	reload) db_up && mysqladmin flush-privileges ;;
	is-active) pid_alive "$db_pid" ;;
	*) log "unsupported verb for mariadb: $1"; return 2 ;;
	esac
}

# --- ssh: Debian's unit runs sshd with /run/sshd.pid; ExecReload is sshd -t,
# then HUP (sshd re-executes itself with the arguments it was started with).
ssh_pid=/run/sshd.pid
ssh_unit() {
	case "$1" in
	start)
		pid_alive "$ssh_pid" && return 0
		install -d -m 0755 /run/sshd
		/usr/sbin/sshd -t
		RAMPART_DETACH=1 /usr/sbin/sshd
		wait_for 10 pid_alive "$ssh_pid"
		;;
	stop)
		pid_alive "$ssh_pid" || return 0
		local pid
		pid=$(<"$ssh_pid")
		kill -TERM "$pid"
		wait_for 10 gone "$pid"
		;;
	reload)
		pid_alive "$ssh_pid" || { log "ssh is not running"; return 1; }
		/usr/sbin/sshd -t
		kill -HUP "$(<"$ssh_pid")"
		;;
	restart) ssh_unit stop && ssh_unit start ;;
	is-active) pid_alive "$ssh_pid" ;;
	*) log "unsupported verb for ssh: $1"; return 2 ;;
	esac
}

unit_of() {
	local name=${1%.service}
	case "$name" in
	nginx) echo nginx ;;
	php*-fpm) echo fpm ;;
	mariadb | mysql) echo db ;;
	ssh | sshd) echo ssh ;;
	*) echo unknown ;;
	esac
}

quiet=false
args=()
for arg in "$@"; do
	case "$arg" in
	-q | --quiet) quiet=true ;;
	--no-pager | --no-block) ;;
	-*) log "unsupported option: $arg"; exit 2 ;;
	*) args+=("$arg") ;;
	esac
done
(( ${#args[@]} >= 2 )) || { log "usage: systemctl VERB UNIT..."; exit 2; }
verb=${args[0]}
status=0
for unit in "${args[@]:1}"; do
	name=${unit%.service}
	rc=0
	case "$(unit_of "$name")" in
	nginx) nginx_unit "$verb" || rc=$? ;;
	fpm)
		version=${name#php}
		version=${version%-fpm}
		[[ "$version" =~ ^[0-9]+\.[0-9]+$ ]] || { log "unknown unit $unit"; exit 2; }
		fpm_unit "$verb" "$version" || rc=$?
		;;
	db) db_unit "$verb" || rc=$? ;;
	ssh) ssh_unit "$verb" || rc=$? ;;
	*) log "unknown unit $unit"; exit 2 ;;
	esac
	if [[ "$verb" == is-active && "$quiet" == false ]]; then
		if (( rc == 0 )); then echo active; else echo inactive; fi
	fi
	(( rc == 0 )) || status=$rc
done
exit "$status"
