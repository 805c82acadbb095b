#!/bin/bash
# bench.sh — `make bench`: how fast is boxoffice, compared with the
# cheapest thing this machine can do of the same kind?
#
# In a temporary folder it creates the demo database, starts
# boxoffice.fcgi and the baseline build/hello.fcgi (same prefork model,
# fixed page: tests/bench/hello.c) with $WORKERS workers each, and ONE
# nginx (config from tools/nginx-conf.sh) serving both on two free ports.
# Then, in one table with five sections, each row with its baseline:
#
#   pages     the pages of $ENDPOINTS below (one buyer signed up over
#             HTTP), with wrk; baseline: hello.fcgi, measured first and last
#   queue     the waiting room's poll, /concerts/C/queue.json, every request
#             from another of $BENCH_WAITING waiting buyers (wrk with
#             tests/bench/buyers.lua); baseline: hello.fcgi
#   writes    the raw SQLite commit rate with the application's own pragmas
#             (build/bench-commits, tests/bench/commits.c), then seat holds
#             over HTTP (the browser's form, POST /performances/P/holds with
#             the buyer's CSRF token), every request a different free seat;
#             ratio: holds/s / raw commits/s
#   sell-out  a 2,000-seat performance sold out by 2,000 admitted buyers,
#             each holding and paying over HTTP, $BENCH_CONNECTIONS at once
#             (tests/bench/sellout.mjs, node); then the oversell count and
#             the seats sold, read from the database
#   API       /api/v1/performances/1/seats and /api/v1/queue/status (the
#             latter from the waiting buyers); baseline: hello.fcgi
#
# The load-test buyers come from `boxoffice-admin loadtest-buyers` (one
# shared scrypt hash, a session, a queue ticket and money each), not from
# sign-ups. The pages are measured first, before any load-test data exists.
# The table is printed and written to var/bench/report.md.
#
# Settings (environment): WORKERS (fcgi workers of each program, default
# nproc), NGINX_WORKERS (default 1, see below), BENCH_SECONDS (default 5),
# BENCH_CONNECTIONS (default 64), BENCH_THREADS (default 2), BENCH_WAITING
# (waiting buyers of the queue rows, default 2000), BENCH_SOLD (seats of the
# sell-out, a multiple of 100 up to 2600, default 2000); KEEP_TMP=1 keeps
# the temporary folder (logs, nginx.conf, database, raw outputs).
# It exits non-zero only when the stack cannot be started or the first
# buyer cannot be set up; a missed target, or a section that could not be
# set up, is reported, not failed: this is a benchmark, not a test.
set -eu

# The pages, one per line: name | path | access | gzip | target
#   access  -        anyone
#           login    the benchmark's buyer (session cookie bo_s)
#           queue N  the buyer, let in through the queue of concert N
#   gzip    yes: send "Accept-Encoding: gzip" as browsers do (nginx then
#           compresses text/html); no: plain, as wrk does by default
#   target  least ratio to the baseline's req/s, or - for none
ENDPOINTS='
concert list          | /                | -       | no  | 0.40
concert page          | /concerts/1      | -       | no  | -
1,000-seat map        | /performances/1  | queue 1 | no  | 0.25
1,000-seat map, gzip  | /performances/1  | queue 1 | yes | -
'

cd "$(dirname "$0")/.."
root=$(pwd)
workers=${WORKERS:-$(nproc 2>/dev/null || echo 2)}
# On 2 cores, 1 and 2 nginx workers gave the same baseline within the
# noise (about 25k req/s each): one worker leaves the cores to the fcgi
# workers and wrk, and its numbers vary less.
export NGINX_WORKERS=${NGINX_WORKERS:-1}
seconds=${BENCH_SECONDS:-5}
conns=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
waiting=${BENCH_WAITING:-2000}
sold_seats=${BENCH_SOLD:-2000}
report=$root/var/bench/report.md

dir="" db="" app_pid="" hello_pid="" nginx_pid=""
session="" joined=" " results=""
hold_buyers=0 hold_seats=0

die() {
	echo "bench: $*" >&2
	exit 1
}

warn() {
	echo "bench: warning: $*" >&2
}

# stop SIGNAL PID: signals a process we started and waits for it; KILL
# after 5 s (a signal sent while nginx is still starting can be lost).
# shellcheck disable=SC2317 # called by cleanup
stop() {
	[ -n "$2" ] || return 0
	kill -"$1" "$2" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$2" 2>/dev/null
	wait "$2" 2>/dev/null
	return 0
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	trap - EXIT INT TERM
	set +e # a process that already died must not stop the cleaning
	stop TERM "$app_pid"
	stop TERM "$hello_pid"
	stop QUIT "$nginx_pid"
	if [ -n "$dir" ] && [ -n "${KEEP_TMP:-}" ]; then
		echo "bench: kept $dir (logs, nginx.conf, database, raw outputs)" >&2
	elif [ -n "$dir" ]; then
		rm -rf "$dir"
	fi
	return 0
}

# free_port: prints a TCP port nobody listens on.
free_port() {
	local port
	if port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null); then
		echo "$port"
		return
	fi
	for _ in $(seq 100); do
		port=$((20000 + RANDOM % 40000))
		if ! (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
			echo "$port"
			return
		fi
	done
	die "no free TCP port found"
}

# show_logs: the end of what the stack said, after a failed start.
show_logs() {
	local f
	for f in "$dir/boxoffice.log" "$dir/hello.log" "$dir/nginx-error.log"; do
		if [ -s "$f" ]; then
			echo "--- $f (last lines)"
			tail -n 8 "$f"
		fi
	done >&2
	return 0
}

# stack_alive: the fcgi parents and nginx are all still running.
stack_alive() {
	local p
	for p in $app_pid $hello_pid $nginx_pid; do
		kill -0 "$p" 2>/dev/null || return 1
	done
}

# wait_up URL: waits up to 5 s for URL to answer 200, while the stack lives.
wait_up() {
	for _ in $(seq 50); do
		stack_alive || return 1
		if [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null)" = 200 ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# admin ARGS...: boxoffice-admin on the benchmark's database; its
# messages go to admin.log.
admin() {
	build/boxoffice-admin --db "$db" "$@" 2>>"$dir/admin.log"
}

# sql QUERY: one read of the benchmark's database (sqlite3 shell).
sql() {
	sqlite3 -batch -cmd '.timeout 5000' "$db" "$1" 2>>"$dir/admin.log"
}

start_stack() {
	local sock hello_sock
	dir=$(mktemp -d "${TMPDIR:-/tmp}/boxoffice-bench.XXXXXX")
	db=$dir/boxoffice.db sock=$dir/boxoffice.sock hello_sock=$dir/hello.sock
	port=$(free_port)
	hello_port=$(free_port)
	while [ "$hello_port" = "$port" ]; do hello_port=$(free_port); done

	admin demo >"$dir/admin.out" ||
		{ cat "$dir/admin.log" >&2; die "could not create the demo database"; }
	# A turn through the queue must outlast the whole run, a waiting buyer
	# must not be dropped between two benchmark rows, and a hold must not
	# lapse before it is paid; a load-test buyer holds up to 50 seats.
	{ admin set active_ttl 86400 && admin set abandon_after 3600 &&
		admin set hold_seconds 3600 && admin set max_holds 50; } >>"$dir/admin.out" ||
		warn "could not change the settings (see $dir/admin.log)"

	build/boxoffice.fcgi --listen "unix:$sock" --workers "$workers" \
		--db "$db" --templates templates 2>"$dir/boxoffice.log" &
	app_pid=$!
	build/hello.fcgi --listen "unix:$hello_sock" --workers "$workers" \
		2>"$dir/hello.log" &
	hello_pid=$!

	cat >"$dir/baseline.conf" <<-EOF
	# The benchmark's baseline: tests/bench/hello.c behind the same nginx.
	server {
	    listen 127.0.0.1:$hello_port;
	    location / {
	        include /etc/nginx/fastcgi_params;
	        fastcgi_pass unix:$hello_sock;
	        fastcgi_keep_conn off;
	    }
	}
	EOF
	# No sign-up rate limit: the benchmark signs up from 127.0.0.1.
	tools/nginx-conf.sh "$dir" "$port" "$sock" 100000r/s "$dir/baseline.conf" \
		>"$dir/nginx.conf"
	nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/nginx-error.log" \
		>"$dir/nginx.out" 2>&1 &
	nginx_pid=$!

	if ! wait_up "http://127.0.0.1:$port/" || ! wait_up "http://127.0.0.1:$hello_port/"; then
		show_logs
		stack_alive || echo "bench: a process of the stack exited (see above)" >&2
		die "the stack did not start (boxoffice on :$port, baseline on :$hello_port)"
	fi
}

# csrf_of PATH: the csrf hidden field of a page, fetched with the buyer's
# cookie jar (which also receives the bo_csrf cookie).
csrf_of() {
	curl -s -b "$dir/cookies" -c "$dir/cookies" "http://127.0.0.1:$port$1" |
		sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1
}

# post PATH FIELD=VALUE...: posts a urlencoded form with the buyer's
# cookies; prints the status and the Location header.
post() {
	local path=$1 f
	local -a data=()
	shift
	for f in "$@"; do data+=(--data-urlencode "$f"); done
	curl -s -b "$dir/cookies" -c "$dir/cookies" -o /dev/null \
		-H 'Content-Type: application/x-www-form-urlencoded' \
		-w '%{http_code} %{redirect_url}\n' "${data[@]}" \
		"http://127.0.0.1:$port$path"
}

# signup: creates the buyer over HTTP; sets $session to its bo_s cookie.
signup() {
	local csrf answer
	csrf=$(csrf_of /signup)
	[ -n "$csrf" ] || die "GET /signup: no csrf field in the page"
	answer=$(post /signup "email=bench-$$@example.com" \
		"password=correct horse battery staple" "csrf=$csrf")
	session=$(awk '$6 == "bo_s" { v = $7 } END { print v }' "$dir/cookies")
	[ -n "$session" ] || die "POST /signup answered '$answer' and set no bo_s cookie"
}

# join_queue CONCERT: lets the buyer in through the queue of a concert.
join_queue() {
	local id=$1 csrf answer
	case $joined in *" $id "*) return ;; esac
	csrf=$(csrf_of "/concerts/$id")
	[ -n "$csrf" ] || die "GET /concerts/$id: no csrf field (is the buyer logged in?)"
	answer=$(post "/concerts/$id/queue" "csrf=$csrf")
	case $answer in
	303*) joined="$joined$id " ;; # let in, or not: the page's status tells
	*) die "POST /concerts/$id/queue answered '$answer', not 303: the buyer could not join the queue" ;;
	esac
}

# to_ms VALUE: wrk's "1.23ms", "456.00us", "1.20s", "1.00m" in milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u); sub(/,$/, "", u)
		f = -1
		if (u == "us") f = 0.001; else if (u == "ms") f = 1
		else if (u == "s") f = 1000; else if (u == "m") f = 60000
		else if (u == "h") f = 3600000
		if (f < 0) print "?"; else printf "%.2f", n * f
	}'
}

# cpu_ticks PID...: CPU ticks (user+system) used so far by these processes
# and their children (nginx's and the fcgi programs' workers).
cpu_ticks() {
	local p all=""
	for p in "$@"; do
		all="$all $p $(pgrep -P "$p" 2>/dev/null | tr '\n' ' ' || true)"
	done
	for p in $all; do
		# with "pid (comm) " cut off, utime and stime are fields 12 and 13
		sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null || true
	done | awk '{ t += $12 + $13 } END { print t + 0 }'
}

# driver_ticks: CPU ticks of this script's finished children (wrk, node,
# bench-commits: cutime + cstime, fields 14 and 15 as above).
driver_ticks() {
	sed 's/^.*) //' "/proc/$$/stat" | awk '{ print $14 + $15 }'
}

# cores BEFORE AFTER SECONDS: CPU ticks as cores busy over a run.
cores() {
	awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" -v s="$3" \
		'BEGIN { if (s > 0) printf "%.2f", (b - a) / hz / s; else print "-" }'
}

now_s() {
	date +%s.%N
}

# add_row SECTION NAME PATH VALUE UNIT P50 P99 KIND TARGET BYTES NGINX FCGI
#         DRIVER NOTES: one row of the table (see table() for KIND and
#         TARGET). A VALUE of - means not measured.
add_row() {
	local IFS='|'
	results="$results$*
"
}

# skip_row SECTION NAME PATH KIND TARGET WHY: a row that could not be measured.
skip_row() {
	warn "$2: $6: not measured"
	add_row "$1" "$2" "$3" - - - - "$4" "$5" - - - - "$6: NOT MEASURED"
}

# wrk_run URL FCGI_PID: one wrk run of $seconds with the options in the
# array wrk_opts and the script arguments in lua_args. Sets W_rps, W_p50,
# W_p99, W_secs, W_note, W_lua (the script's last line), W_ncpu, W_fcpu,
# W_dcpu; the raw output goes to $dir/wrk-$W_name.txt. Returns 1 when wrk
# fails or says nothing readable.
wrk_run() {
	local url=$1 fcgi_pid=$2 out n0 n1 f0 f1 d0 d1 t0 t1
	local -a cmd=(wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency "${wrk_opts[@]}" "$url")
	[ ${#lua_args[@]} -eq 0 ] || cmd+=(-- "${lua_args[@]}")
	n0=$(cpu_ticks "$nginx_pid") f0=$(cpu_ticks "$fcgi_pid") d0=$(driver_ticks) t0=$(now_s)
	out=$("${cmd[@]}" 2>&1) || { echo "$out" >&2; return 1; }
	n1=$(cpu_ticks "$nginx_pid") f1=$(cpu_ticks "$fcgi_pid") d1=$(driver_ticks) t1=$(now_s)
	printf '%s\n' "$out" >"$dir/wrk-$(printf '%s' "$W_name" | tr -c 'a-zA-Z0-9' '_').txt"
	W_rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ { printf "%.0f", $2 }')
	[ -n "$W_rps" ] || { echo "$out" >&2; return 1; }
	W_p50=$(to_ms "$(printf '%s\n' "$out" | awk '$1 == "50%" { print $2 }')")
	W_p99=$(to_ms "$(printf '%s\n' "$out" | awk '$1 == "99%" { print $2 }')")
	W_secs=$(to_ms "$(printf '%s\n' "$out" | awk '/ requests in / { print $4 }')")
	W_secs=$(awk -v ms="$W_secs" 'BEGIN { printf "%.3f", ms / 1000 }')
	W_note=$(printf '%s\n' "$out" | awk '
		/Non-2xx or 3xx responses:/ { n = n (n ? "; " : "") $NF " non-2xx/3xx" }
		/Socket errors:/ { sub(/.*Socket errors: /, ""); n = n (n ? "; " : "") "socket errors: " $0 }
		END { print n }')
	W_lua=$(printf '%s\n' "$out" | grep '^buyers.lua:' | tail -n 1 || true)
	W_ncpu=$(cores "$n0" "$n1" "$seconds") W_fcpu=$(cores "$f0" "$f1" "$seconds")
	W_dcpu=$(cores "$d0" "$d1" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
}

# measure SECTION NAME PATH URL FCGI_PID KIND TARGET: a GET row with wrk.
# The arrays check_opts (curl options: headers) and check_url (may differ
# from URL when a Lua script builds the requests) make one request first,
# which must answer 200; then a 1 s warm-up and the run (wrk_opts,
# lua_args as for wrk_run).
measure() {
	local section=$1 name=$2 path=$3 url=$4 fcgi_pid=$5 kind=$6 target=$7
	local code bytes where
	local -a warm=(wrk -t"$threads" -c"$conns" -d1s "${wrk_opts[@]}" "$url")
	[ ${#lua_args[@]} -eq 0 ] || warm+=(-- "${lua_args[@]}")

	read -r code bytes where < <(curl -s -o /dev/null "${check_opts[@]}" \
		-w '%{http_code} %{size_download} %{redirect_url}\n' "${check_url:-$url}")
	if [ "$code" != 200 ]; then
		where=${where#http://127.0.0.1:"$port"}
		warn "$name ($path) answers $code${where:+ to $where}, not 200: not measured"
		add_row "$section" "$name" "$path" - - - - "$kind" "$target" "$bytes" - - - \
			"answers $code${where:+ to $where}: NOT MEASURED"
		return
	fi
	"${warm[@]}" >/dev/null 2>&1 || true
	W_name=$name
	if ! wrk_run "$url" "$fcgi_pid"; then
		skip_row "$section" "$name" "$path" "$kind" "$target" "wrk failed"
		return
	fi
	add_row "$section" "$name" "$path" "$W_rps" req/s "$W_p50" "$W_p99" "$kind" \
		"$target" "$bytes" "$W_ncpu" "$W_fcpu" "$W_dcpu" "$W_note"
	printf '  %-30s %8s req/s  p99 %s ms\n' "$name" "$W_rps" "$W_p99" >&2
}

# baseline NAME: the hello-world page with plain wrk.
baseline() {
	wrk_opts=() lua_args=() check_opts=() check_url=""
	measure pages "$1" / "http://127.0.0.1:$hello_port/" "$hello_pid" hello-base -
}

# run_pages: every page of $ENDPOINTS.
run_pages() {
	local name path access gzip target
	while IFS='|' read -r name path access gzip target; do
		name=$(echo "$name" | xargs) path=$(echo "$path" | xargs)
		access=$(echo "$access" | xargs) gzip=$(echo "$gzip" | xargs)
		target=$(echo "$target" | xargs)
		[ -n "$name" ] || continue
		wrk_opts=() lua_args=() check_opts=() check_url=""
		case $access in
		-) ;;
		login) wrk_opts+=(-H "Cookie: bo_s=$session") ;;
		"queue "*) join_queue "${access#queue }"; wrk_opts+=(-H "Cookie: bo_s=$session") ;;
		*) die "endpoint '$name': unknown access '$access'" ;;
		esac
		[ "$gzip" = yes ] && wrk_opts+=(-H "Accept-Encoding: gzip")
		check_opts=("${wrk_opts[@]}")
		[ "$target" = - ] || target="ratio>=$target"
		measure pages "$name" "$path" "http://127.0.0.1:$port$path" "$app_pid" hello "$target"
	done <<<"$ENDPOINTS"
}

# new_concert TITLE: a concert with one date on sale (a small hall) for the
# load tests; prints its id.
new_concert() {
	local c now
	now=$(date +%s)
	c=$(admin add-concert "$1" "Load test" "Bench Hall") || return 1
	admin add-performance "$c" $((now + 30 * 86400)) $((now - 3600)) \
		$((now + 29 * 86400)) GA:A-E:10:10000 >/dev/null || return 1
	echo "$c"
}

# new_performance CONCERT BLOCK...: a date of CONCERT on sale now; prints
# its id.
new_performance() {
	local c=$1 now
	shift
	now=$(date +%s)
	admin add-performance "$c" $((now + 30 * 86400)) $((now - 3600)) \
		$((now + 29 * 86400)) "$@"
}

# first_buyer FILE: sets b_session and b_queue from FILE's first line.
first_buyer() {
	IFS=$'\t' read -r b_session _ b_queue <"$1"
}

# run_queue: the waiting room's poll and /api/v1/queue/status, every
# request from another of $waiting WAITING buyers of a new concert.
run_queue() {
	local qc cap state path
	local -a poll_args
	echo "bench: queue: creating $waiting waiting load-test buyers" >&2
	if ! cap=$(admin get queue_capacity) || ! qc=$(new_concert "Bench Queue") ||
		! admin loadtest-buyers $((waiting + cap)) "$qc" >"$dir/queue-all.txt"; then
		skip_row queue "poll, $waiting waiting buyers" /concerts/C/queue.json hello - "setup failed (see $dir/admin.log)"
		skip_row API "queue status, $waiting waiting" /api/v1/queue/status hello - "setup failed"
		return 0
	fi
	# The first queue_capacity buyers were let in at once; the rest wait.
	tail -n +$((cap + 1)) "$dir/queue-all.txt" >"$dir/queue-waiting.txt"
	first_buyer "$dir/queue-waiting.txt"
	path="/concerts/$qc/queue.json?token={queue}"
	state=$(curl -s -H "Cookie: bo_s=$b_session" \
		"http://127.0.0.1:$port/concerts/$qc/queue.json?token=$b_queue" |
		sed -n 's/^{"state":"\([a-z]*\)".*/\1/p')
	[ "$state" = waiting ] || warn "the first load-test buyer's poll says '$state', not 'waiting'"
	poll_args=("file=$dir/queue-waiting.txt" "threads=$threads" "path=$path"
		"header=Cookie: bo_s={session}")

	# The same requests built by the same script, answered by hello: what
	# the Lua driver costs.
	wrk_opts=(-s tests/bench/buyers.lua) lua_args=("${poll_args[@]}")
	check_opts=() check_url=""
	measure queue "baseline, Lua driver" "/ (as the poll)" "http://127.0.0.1:$hello_port/" \
		"$hello_pid" hello -
	check_opts=(-H "Cookie: bo_s=$b_session")
	check_url="http://127.0.0.1:$port/concerts/$qc/queue.json?token=$b_queue"
	measure queue "poll, $waiting waiting buyers" "/concerts/$qc/queue.json?token=T" \
		"http://127.0.0.1:$port/" "$app_pid" hello "ratio>=0.70;p99<=10"

	lua_args=("file=$dir/queue-waiting.txt" "threads=$threads" path=/api/v1/queue/status
		"header=Authorization: Bearer {session}" "header=X-Queue-Token: {queue}")
	check_opts=(-H "Authorization: Bearer $b_session" -H "X-Queue-Token: $b_queue")
	check_url="http://127.0.0.1:$port/api/v1/queue/status"
	measure API "queue status, $waiting waiting" /api/v1/queue/status \
		"http://127.0.0.1:$port/" "$app_pid" hello "ratio>=0.70;p99<=10"
}

# run_api_seats: the 1,000-seat hall through the API, as the benchmark's
# buyer (its session is also a bearer token; its queue token from
# POST /api/v1/tokens, which answers the ticket it has).
run_api_seats() {
	local qtoken
	join_queue 1
	qtoken=$(curl -s -X POST -H "Authorization: Bearer $session" \
		-H 'Content-Type: application/json' -d '{"concertId":1}' \
		"http://127.0.0.1:$port/api/v1/tokens" |
		sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
	if [ -z "$qtoken" ]; then
		skip_row API "seats, 1,000-seat hall" /api/v1/performances/1/seats hello "ratio>=0.25" \
			"POST /api/v1/tokens gave no queue token"
		return 0
	fi
	wrk_opts=(-H "Authorization: Bearer $session" -H "X-Queue-Token: $qtoken")
	lua_args=() check_opts=("${wrk_opts[@]}") check_url=""
	measure API "seats, 1,000-seat hall" /api/v1/performances/1/seats \
		"http://127.0.0.1:$port/api/v1/performances/1/seats" "$app_pid" hello "ratio>=0.25"
}

# commits WRITERS: the raw commit rate (build/bench-commits); sets C_rate,
# C_busy, C_dcpu; returns 1 when it fails.
commits() {
	local out d0 d1 secs=3
	d0=$(driver_ticks)
	out=$(build/bench-commits "$dir/commits-$1.db" "$secs" "$1" 2>&1) ||
		{ echo "$out" >&2; return 1; }
	d1=$(driver_ticks)
	rm -f "$dir/commits-$1.db"*
	C_rate=$(printf '%s\n' "$out" | awk '$1 == "commits" { print $6 }')
	C_busy=$(printf '%s\n' "$out" | awk '$1 == "commits" { print $10 }')
	C_dcpu=$(cores "$d0" "$d1" "$secs")
	[ -n "$C_rate" ]
}

# run_writes: the raw commit rate, then seat holds over HTTP on a hall big
# enough that every request of the run finds its own free seat.
run_writes() {
	local raw=0 blocks perf first count max_holds ok other wrapped held i
	local -a spec=()
	raw_commits before && raw=$C_rate
	if commits "$workers"; then
		add_row writes "raw commits, $workers writers" "(tests/bench/commits.c)" "$C_rate" commits/s \
			- - commit - - - - "$C_dcpu" "one process per fcgi worker; $C_busy busy"
		printf '  %-30s %8s commits/s\n' "raw commits, $workers writers" "$C_rate" >&2
	fi

	# Every load-test buyer from here on is let in at once.
	admin set queue_capacity 100000 >>"$dir/admin.out" ||
		warn "could not raise queue_capacity"
	# Seats for 1.2 times the raw rate (at least 3,000/s: the shared disk
	# varies) over the run, in blocks of 26 rows of 200 (5,200 seats), at
	# most 15 blocks.
	blocks=$(awk -v r="${raw:-0}" -v s="$seconds" 'BEGIN {
		if (r < 3000) r = 3000
		b = int(r * s * 1.2 / 5200) + 1
		print (b > 15 ? 15 : b) }')
	for i in $(seq "$blocks"); do spec+=("H$i:A-Z:200:10000"); done
	max_holds=$(admin get max_holds) || max_holds=4
	echo "bench: writes: a hall of $((blocks * 5200)) seats, $(((blocks * 5200 + max_holds - 1) / max_holds)) load-test buyers" >&2
	if ! sale_concert=$(new_concert "Bench Sale") ||
		! perf=$(new_performance "$sale_concert" "${spec[@]}") ||
		! read -r first count < <(sql "SELECT min(id), count(*) FROM seat WHERE performance_id = $perf" | tr '|' ' ') ||
		! hold_buyers=$(((count + max_holds - 1) / max_holds)) ||
		! admin loadtest-buyers "$hold_buyers" "$sale_concert" >"$dir/holders.txt"; then
		skip_row writes "seat holds (form POST)" /performances/P/holds commit "ratio>=0.50" \
			"setup failed (see $dir/admin.log)"
		return 0
	fi
	hold_seats=$count
	# Request i takes seat first + i, as buyer i mod buyers: no buyer
	# holds more than max_holds. No warm-up: it would use seats.
	wrk_opts=(-s tests/bench/buyers.lua)
	lua_args=("file=$dir/holders.txt" "threads=$threads" method=POST
		"path=/performances/$perf/holds" "body=seat={seat}&csrf={csrf}"
		"header=Cookie: bo_s={session}" "seat_first=$first" "seats=$count"
		ok_status=303 ok_location=/holds/)
	W_name="seat holds"
	if ! wrk_run "http://127.0.0.1:$port/" "$app_pid" || [ -z "$W_lua" ]; then
		skip_row writes "seat holds (form POST)" "/performances/$perf/holds" commit "ratio>=0.50" "wrk failed"
		raw_commits after
		return 0
	fi
	read -r ok other wrapped < <(printf '%s\n' "$W_lua" | awk '{ print $3, $5, $9 }')
	held=$(sql "SELECT count(*) FROM hold WHERE performance_id = $perf AND state = 'HELD'") || held=0
	add_row writes "seat holds (form POST)" "/performances/$perf/holds" \
		"$(awk -v n="$ok" -v s="$W_secs" 'BEGIN { printf "%.0f", n / s }')" holds/s \
		"$W_p50" "$W_p99" commit "ratio>=0.50" - "$W_ncpu" "$W_fcpu" "$W_dcpu" \
		"$ok held (303), $other other answers; $held HELD in the database ($((held - ok)) answered after wrk stopped)$([ "${wrapped:-0}" = 0 ] || echo "; $wrapped found no free seat")"
	printf '  %-30s %8s holds (%s other) in %s s\n' "seat holds" "$ok" "$other" "$W_secs" >&2
	# The disk is shared: the raw rate again, right after.
	raw_commits after
}

# raw_commits WHEN: a baseline row of the writes, 1 writer.
raw_commits() {
	if commits 1; then
		add_row writes "raw commits, $1" "(tests/bench/commits.c)" "$C_rate" commits/s \
			- - commit-base - - - - "$C_dcpu" "1 writer: BEGIN IMMEDIATE; INSERT 1 row; COMMIT"
		printf '  %-30s %8s commits/s\n' "raw commits, $1" "$C_rate" >&2
	else
		skip_row writes "raw commits, $1" "(tests/bench/commits.c)" commit-base - "bench-commits failed"
		return 1
	fi
}

# json_field NAME JSON: a number from sellout.mjs's line.
json_field() {
	printf '%s\n' "$2" | sed -n "s/.*\"$1\":\([-0-9.]*\).*/\1/p"
}

# sellout URL FCGI_PID [--dry]: one run of tests/bench/sellout.mjs; sets
# S_json, S_ncpu, S_fcpu, S_dcpu.
sellout() {
	local url=$1 fcgi_pid=$2 n0 n1 f0 f1 d0 d1 t0 t1 wall
	shift 2
	n0=$(cpu_ticks "$nginx_pid") f0=$(cpu_ticks "$fcgi_pid") d0=$(driver_ticks) t0=$(now_s)
	S_json=$(node tests/bench/sellout.mjs "$url" "$S_perf" "$S_first" \
		"$dir/sellers.txt" "$conns" "$@" 2>>"$dir/sellout.log" | tail -n 1) || return 1
	n1=$(cpu_ticks "$nginx_pid") f1=$(cpu_ticks "$fcgi_pid") d1=$(driver_ticks) t1=$(now_s)
	printf '%s\n' "$S_json" >>"$dir/sellout.log"
	[ -n "$(json_field per_second "$S_json")" ] || return 1
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	S_ncpu=$(cores "$n0" "$n1" "$wall") S_fcpu=$(cores "$f0" "$f1" "$wall")
	S_dcpu=$(cores "$d0" "$d1" "$wall")
}

# run_sellout: $sold_seats seats (rows of 100), one buyer each, admitted
# and with the price in the wallet, holding and paying over HTTP.
run_sellout() {
	local rows last perf fails oversold sold letters=ABCDEFGHIJKLMNOPQRSTUVWXYZ
	local name="purchases (hold + pay)" path="POST /performances/P/holds, /holds/H/pay"
	if ! command -v node >/dev/null 2>&1; then
		skip_row sell-out "$name" "$path" - "value>=1000" "node is not installed"
		return 0
	fi
	rows=$((sold_seats / 100))
	[ "$rows" -ge 1 ] && [ "$rows" -le 26 ] || rows=20
	last=${letters:rows-1:1}
	if [ -z "${sale_concert:-}" ] && ! sale_concert=$(new_concert "Bench Sale"); then
		skip_row sell-out "$name" "$path" - "value>=1000" "setup failed (see $dir/admin.log)"
		return 0
	fi
	echo "bench: sell-out: $((rows * 100)) seats, as many admitted load-test buyers with money" >&2
	if ! perf=$(new_performance "$sale_concert" "GA:A-$last:100:50000") ||
		! read -r S_first count < <(sql "SELECT min(id), count(*) FROM seat WHERE performance_id = $perf" | tr '|' ' ') ||
		! admin loadtest-buyers "$count" "$sale_concert" 50000 >"$dir/sellers.txt"; then
		skip_row sell-out "$name" "$path" - "value>=1000" "setup failed (see $dir/admin.log)"
		return 0
	fi
	S_perf=$perf

	# The same driver against hello.fcgi (200 to anything): the most this
	# driver, nginx and FastCGI carry here with no application at all.
	if sellout "http://127.0.0.1:$hello_port" "$hello_pid" --dry; then
		add_row sell-out "driver ceiling (hello)" "(the same requests)" \
			"$(json_field per_second "$S_json")" purchases/s "$(json_field p50_ms "$S_json")" \
			"$(json_field p99_ms "$S_json")" - - - "$S_ncpu" "$S_fcpu" "$S_dcpu" \
			"sellout.mjs --dry: the buyers 5 times over, $conns at once"
	fi

	if ! sellout "http://127.0.0.1:$port" "$app_pid"; then
		skip_row sell-out "$name" "$path" - "value>=1000" "sellout.mjs failed (see $dir/sellout.log)"
		return 0
	fi
	fails=$(printf '%s\n' "$S_json" | sed -n 's/.*"failures":{\([^}]*\)}.*/\1/p' | tr -d '"' | tr ',' ' ')
	add_row sell-out "$name" "$path" "$(json_field per_second "$S_json")" purchases/s \
		"$(json_field p50_ms "$S_json")" "$(json_field p99_ms "$S_json")" commit2 "value>=1000" - \
		"$S_ncpu" "$S_fcpu" "$S_dcpu" \
		"$(json_field purchases "$S_json") of $count in $(json_field seconds "$S_json") s; latency = hold + pay; $(json_field retries "$S_json") retries${fails:+; failed: $fails}"
	printf '  %-30s %8s purchases/s  p99 %s ms\n' "sell-out" \
		"$(json_field per_second "$S_json")" "$(json_field p99_ms "$S_json")" >&2

	# Read back from the database: a seat sold twice, or a payment whose
	# hold is not PAID, is an oversell (anywhere in the database).
	oversold=$(sql "SELECT (SELECT count(*) FROM (SELECT seat_id FROM hold
		WHERE state = 'PAID' GROUP BY seat_id HAVING count(*) > 1)) +
		(SELECT count(*) FROM payment p JOIN hold h ON h.id = p.hold_id
		WHERE h.state <> 'PAID')") || oversold=-
	sold=$(sql "SELECT count(*) FROM hold WHERE performance_id = $perf AND state = 'PAID'") || sold=-
	add_row sell-out "oversell count" "(database)" "$oversold" seats - - - "value==0" - - - - \
		"seats with 2+ PAID holds + payments of a hold not PAID"
	add_row sell-out "sold seats" "(database)" "$sold" seats - - - "value==$count" - - - - \
		"PAID holds of performance $perf, of $count seats"
}

# table FORMAT: the results as aligned text (text) or markdown (md), the
# sections in their order. KIND: hello-base (a hello.fcgi baseline row),
# hello (ratio to the mean of those), commit-base (a raw commit rate),
# commit (ratio to their mean), commit2 (twice the value to their mean: a
# purchase is two write transactions), - (no ratio). TARGET: conditions joined by ";",
# each ratio>=X, p99<=X (ms), value>=X or value==X.
table() {
	printf '%s' "$results" | awk -F'|' -v fmt="$1" '
	function target(spec, value, ratio, p99,   n, i, c, name, op, lim, x, res, txt, out, parts) {
		if (spec == "" || spec == "-") return "-"
		n = split(spec, parts, ";")
		for (i = 1; i <= n; i++) {
			c = parts[i]
			match(c, />=|<=|==/)
			name = substr(c, 1, RSTART - 1); op = substr(c, RSTART, RLENGTH)
			lim = substr(c, RSTART + RLENGTH) + 0
			x = name == "ratio" ? ratio : name == "p99" ? p99 : value
			if (x == "-" || x == "?" || x == "") res = "n/a"
			else if (op == ">=") res = x + 0 >= lim ? "met" : "MISSED"
			else if (op == "<=") res = x + 0 <= lim ? "met" : "MISSED"
			else res = x + 0 == lim ? "met" : "MISSED"
			if (name == "ratio") txt = sprintf(">= %.2f", lim)
			else if (name == "p99") txt = sprintf("p99 <= %g ms", lim)
			else txt = sprintf("%s %g", op == "==" ? "=" : op, lim)
			out = out (out ? "; " : "") txt " " res
		}
		return out
	}
	BEGIN {
		split("endpoint|path|value|unit|p50 ms|p99 ms|ratio|target|bytes|nginx cpu|fcgi cpu|driver cpu|notes", h, "|")
		split("l|l|r|l|r|r|r|l|r|r|r|r|l", align, "|")
		cols = 13
		nsec = split("pages|queue|writes|sell-out|API", secs, "|")
	}
	NF < 14 { next }
	{ rec[++nr] = $0 }
	$8 == "hello-base" && $4 != "-" { bsum += $4; nb++ }
	$8 == "commit-base" && $4 != "-" { csum += $4; nc++ }
	END {
		base = nb ? bsum / nb : 0
		cbase = nc ? csum / nc : 0
		rows = 0
		for (s = 1; s <= nsec; s++) {
			first = 1
			for (r = 1; r <= nr; r++) {
				split(rec[r], f, "|")
				if (f[1] != secs[s]) continue
				if (first) { rows++; sect[rows] = secs[s]; first = 0 }
				ratio = "-"
				if (f[4] != "-") {
					if (f[8] == "hello-base" || f[8] == "hello")
						ratio = base > 0 ? sprintf("%.2f", f[4] / base) : "?"
					else if (f[8] == "commit-base" || f[8] == "commit")
						ratio = cbase > 0 ? sprintf("%.2f", f[4] / cbase) : "?"
					else if (f[8] == "commit2")
						ratio = cbase > 0 ? sprintf("%.2f", 2 * f[4] / cbase) : "?"
				}
				if (f[8] ~ /-base$/) tcell = f[4] == "-" ? "(baseline) n/a" : "(baseline)"
				else tcell = target(f[9], f[4], ratio, f[7])
				rows++
				split(f[2] "|" f[3] "|" f[4] "|" f[5] "|" f[6] "|" f[7] "|" ratio "|" tcell "|" f[10] "|" f[11] "|" f[12] "|" f[13] "|" f[14], v, "|")
				for (c = 1; c <= cols; c++) row[rows, c] = v[c]
			}
		}
		for (c = 1; c <= cols; c++) {
			w[c] = length(h[c])
			for (r = 1; r <= rows; r++)
				if (!(r in sect) && length(row[r, c]) > w[c] && c < cols) w[c] = length(row[r, c])
		}
		if (fmt == "md") {
			line = "|"; sep = "|"
			for (c = 1; c <= cols; c++) {
				line = line " " h[c] " |"
				sep = sep (align[c] == "r" ? " ---: |" : " --- |")
			}
			print line; print sep
			for (r = 1; r <= rows; r++) {
				if (r in sect) {
					line = "| **" sect[r] "** |"
					for (c = 2; c <= cols; c++) line = line " |"
					print line
					continue
				}
				line = "|"
				for (c = 1; c <= cols; c++)
					line = line " " (c == 2 && row[r, c] ~ /^\// ? "`" row[r, c] "`" : row[r, c]) " |"
				print line
			}
			exit
		}
		for (r = 0; r <= rows; r++) {
			if (r in sect) { print "-- " sect[r]; continue }
			line = ""
			for (c = 1; c <= cols; c++) {
				cell = r == 0 ? h[c] : row[r, c]
				if (c == cols) line = line cell
				else line = line sprintf(align[c] == "r" ? "%*s  " : "%-*s  ", w[c], cell)
			}
			sub(/ +$/, "", line)
			print line
		}
	}'
}

# report FORMAT: the heading, the table and the notes (text or md).
report() {
	local fmt=$1 model when scale
	model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	when=$(date '+%Y-%m-%d %H:%M:%S %z')
	scale="$waiting waiting buyers (queue, API); $hold_buyers buyers holding up to $(admin get max_holds 2>/dev/null || echo '?') seats each of a $hold_seats-seat hall (writes); $sold_seats buyers of $sold_seats seats (sell-out)"
	if [ "$fmt" = md ]; then
		echo "# boxoffice benchmark"
		echo
		echo "- date: $when"
		echo "- machine: $(nproc) cores, ${model:-unknown CPU}"
		echo "- fcgi workers: $workers (each of boxoffice.fcgi and hello.fcgi); nginx workers: $NGINX_WORKERS"
		echo "- wrk: $threads threads, $conns connections, ${seconds} s per row (after a 1 s warm-up for the GET rows); sell-out: $conns buyers at once"
		echo "- load-test data: $scale"
		echo "- load average before the run: $load_before; after: $load_after (other programs running skew the numbers)"
		echo "- pressure stall (some, avg10) before: $psi_before; after: $psi_after"
		echo
		table md
		echo
		notes
	else
		echo
		echo "boxoffice benchmark — $when"
		echo "machine: $(nproc) cores, ${model:-unknown CPU}"
		echo "fcgi workers: $workers   nginx workers: $NGINX_WORKERS   wrk: $threads threads, $conns connections, ${seconds} s (+1 s warm-up for GETs)"
		echo "load-test data: $scale"
		echo "load average before the run: $load_before; after: $load_after"
		echo "pressure stall (some, avg10) before: $psi_before; after: $psi_after"
		echo
		table text
		echo
		notes | fold -s -w 100
	fi
}

notes() {
	cat <<-EOF
	ratio: pages, queue and API rows: req/s / mean req/s of the two hello.fcgi baselines (plain wrk, measured first and last: when they differ much, something else was using the machine); writes: / mean of the two raw commit rates of 1 writer (measured just before and after the holds: the disk is shared); sell-out purchases: 2 x purchases/s / that mean (a purchase is two write transactions).
	queue and API queue status: every request from another waiting buyer (tests/bench/buyers.lua); "baseline, Lua driver" is hello.fcgi driven by the same script: its ratio is what the driver costs. A waiting buyer's poll also writes its last-seen mark at most every 30 s.
	writes: every hold request takes another free seat, so all succeed (303) unless something fails; the database count of HELD rows confirms them (with the requests still in flight when wrk stopped). p50/p99 are per request.
	sell-out: each buyer's hold then pay as a browser (303s), $conns buyers in flight; latency = hold + pay; oversell and sold seats read from the database after the run; "driver ceiling" is the same driver against hello.fcgi; its driver cpu is what the driver costs per purchase at that rate.
	API seats targets as the HTML map (>= 0.25), API queue status as the poll; both with a bearer token and X-Queue-Token.
	bytes: one response as sent.  cpu: cores busy on average during the row, of $(nproc): nginx, the fcgi program (boxoffice or hello), and the driver (wrk, node or bench-commits).
	EOF
}

for tool in wrk nginx curl sqlite3; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (see tools/deps.sh)"
done
for bin in build/boxoffice.fcgi build/boxoffice-admin build/hello.fcgi build/bench-commits; do
	[ -x "$bin" ] || die "$bin is missing: run 'make bench'"
done

# pressure: the share of time some task waited for the CPU or the disk
# over the last 10 s (Linux PSI), when the kernel tells.
pressure() {
	local r cpu io
	cpu=$(sed -n 's/^some avg10=\([0-9.]*\).*/\1/p' /proc/pressure/cpu 2>/dev/null) || cpu=""
	io=$(sed -n 's/^some avg10=\([0-9.]*\).*/\1/p' /proc/pressure/io 2>/dev/null) || io=""
	r="cpu ${cpu:-?}%, io ${io:-?}%"
	echo "$r"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
psi_before=$(pressure)
if awk -v l="${load_before%% *}" 'BEGIN { exit !(l > 1) }'; then
	warn "load average $load_before: other programs are busy, the numbers will be low and noisy"
fi
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_stack
signup
echo "bench: ${seconds} s per row, $conns connections, $workers fcgi workers, $NGINX_WORKERS nginx worker(s)" >&2
baseline "baseline, before"
run_pages
run_queue
run_api_seats
run_writes
run_sellout
baseline "baseline, after"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
psi_after=$(pressure)
report text
mkdir -p "$(dirname "$report")"
report md >"$report"
echo
echo "report written to $report"
exit 0
