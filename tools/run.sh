#!/bin/bash
# run.sh — `make run`: the demo box office on http://127.0.0.1:$PORT/ in
# the foreground: workers, nginx and the expiry job. Ctrl-C stops it all.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd) var=$root/var port=${PORT:-8080} workers=${WORKERS:-2}
db=$var/boxoffice.db sock=$var/boxoffice.sock
mkdir -p "$var"

exec 9>"$var/run.lock"
if ! flock -n 9; then
	echo "boxoffice is already running from this folder ($(cat "$var/run.info" 2>/dev/null))."
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

pids=""
stop() {
	trap - INT TERM EXIT
	echo "stopping boxoffice"
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -f "$var/run.pid" "$var/run.info"
	exit "${1:-0}"
}
trap stop INT TERM EXIT

build/boxoffice.fcgi --listen "unix:$sock" --workers "$workers" --db "$db" \
	--templates templates &
pids="$pids $!"
nginx -p "$var" -c "$var/nginx.conf" -e "$var/nginx-error.log" &
pids="$pids $!"
( while sleep 5; do build/boxoffice-expire --db "$db" >/dev/null || true; done ) &
pids="$pids $!"
echo $$ > "$var/run.pid"
echo "pid $$, http://127.0.0.1:$port/" > "$var/run.info"

sleep 0.5
for p in $pids; do
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
wait
