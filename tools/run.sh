#!/bin/bash
# run.sh — `make run`: the demo box office on http://127.0.0.1:$PORT/ in
# the foreground: workers, nginx and the expiry job, supervised. Ctrl-C
# (or SIGTERM) stops it all.
#
# If the FastCGI master or the expiry loop is killed, it is started again
# with a message, after a pause that doubles while it keeps dying young (1 s
# up to 30 s), so a crash loop does not spin; the master's workers end with
# it. If one of them exits by itself (a start-up error), or nginx dies,
# everything stops and says why: repeating would not help, and a killed
# nginx leaves its workers holding the port (they go too: nginx runs in a
# process group of its own).
#
# BOXOFFICE_VAR picks the folder for the database, socket, logs and lock
# (default ./var), so a test can run its own copy beside a developer's.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd) var=${BOXOFFICE_VAR:-$root/var} port=${PORT:-8080} workers=${WORKERS:-2}
mkdir -p "$var"
var=$(cd "$var" && pwd)
db=$var/boxoffice.db sock=$var/boxoffice.sock

exec 9>"$var/run.lock"
if ! flock -n 9; then
	echo "boxoffice is already running from $var ($(cat "$var/run.info" 2>/dev/null))."
	echo "Stop it with Ctrl-C in its terminal, or kill $(cat "$var/run.pid" 2>/dev/null)."
	exit 1
fi
if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
	echo "Port $port is taken by another program. Try: PORT=8081 make run"
	exit 1
fi

if [ ! -f "$db" ]; then
	build/boxoffice-admin --db "$db" init
	build/boxoffice-admin --db "$db" demo
else
	build/boxoffice-admin --db "$db" init >/dev/null
fi
tools/nginx-conf.sh "$var" "$port" "$sock" > "$var/nginx.conf"

# The children; the lock (fd 9) stays with this script alone, so a child
# left behind never blocks the next `make run`.
fcgi_pid="" nginx_pid="" expire_pid=""
start_fcgi() {
	build/boxoffice.fcgi --listen "unix:$sock" --workers "$workers" --db "$db" \
		--templates templates --catalogs build/locale 9>&- &
	fcgi_pid=$!
	echo "$fcgi_pid" > "$var/fcgi.pid"
}
start_nginx() { # in its own process group: its workers can be found
	setsid nginx -p "$var" -c "$var/nginx.conf" -e "$var/nginx-error.log" 9>&- &
	nginx_pid=$!
}
start_expire() {
	(
		trap 'kill $nap 2>/dev/null; exit 0' TERM
		while :; do
			sleep 5 & nap=$!
			wait $nap
			build/boxoffice-expire --db "$db" >/dev/null || true
		done
	) 9>&- &
	expire_pid=$!
}

stop() {
	trap - INT TERM EXIT
	echo "stopping boxoffice"
	for p in $fcgi_pid $expire_pid; do kill "$p" 2>/dev/null || true; done
	# nginx and its workers, even orphaned by a killed nginx master
	[ -z "$nginx_pid" ] || kill -- -"$nginx_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -f "$var/run.pid" "$var/run.info" "$var/fcgi.pid"
	exit "${1:-0}"
}
trap stop INT TERM EXIT

start_fcgi
start_nginx
start_expire
echo $$ > "$var/run.pid"
echo "pid $$, http://127.0.0.1:$port/" > "$var/run.info"

sleep 0.5
for p in $fcgi_pid $nginx_pid $expire_pid; do
	if ! kill -0 "$p" 2>/dev/null; then
		echo "boxoffice did not start: see the messages above and $var/nginx-error.log"
		stop 1
	fi
done
echo
echo "  boxoffice is running: http://127.0.0.1:$port/"
echo "  database: $db   logs: $var/nginx-error.log and this terminal"
echo "  Ctrl-C stops everything."
echo

# What died, how ($? of wait: 128+N for signal N), and what to do.
declare -A started=([fcgi]=$SECONDS [expire]=$SECONDS) pause=([fcgi]=1 [expire]=1)
declare -A what=([fcgi]="the FastCGI master (boxoffice.fcgi)" [expire]="the expiry loop")
restart() { # NAME STATUS
	local name=$1 status=$2
	if [ "$status" -le 128 ]; then
		echo "boxoffice: ${what[$name]} exited by itself (status $status); stopping everything (see the messages above)"
		stop 1
	fi
	# A run of 30 s or more counts as healthy: the pause starts again at 1 s.
	if [ $((SECONDS - started[$name])) -ge 30 ]; then pause[$name]=1; fi
	echo "boxoffice: ${what[$name]} was killed (signal $((status - 128))); starting it again in ${pause[$name]} s"
	sleep "${pause[$name]}" & wait $!
	pause[$name]=$((pause[$name] * 2 > 30 ? 30 : pause[$name] * 2))
	started[$name]=$SECONDS
	"start_$name"
}
while :; do
	dead="" status=0
	wait -n -p dead || status=$?
	case "$dead" in
	"$fcgi_pid") restart fcgi "$status" ;;
	"$expire_pid") restart expire "$status" ;;
	"$nginx_pid")
		if [ "$status" -gt 128 ]; then how="was killed (signal $((status - 128)))"; else how="exited (status $status)"; fi
		echo "boxoffice: nginx $how; stopping everything (see $var/nginx-error.log)"
		stop 1 ;;
	esac
done
