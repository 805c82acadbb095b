#!/bin/bash
# bench.sh — `make bench`: how fast are boxoffice's pages, compared with
# the cheapest FastCGI page this machine can serve?
#
# In a temporary folder it creates the demo database, starts
# boxoffice.fcgi and the baseline build/hello.fcgi (same prefork model,
# fixed page: tests/bench/hello.c) with $WORKERS workers each, and ONE
# nginx (config from tools/nginx-conf.sh) serving both on two free ports.
# It signs up one buyer over HTTP for the pages that need a login (and
# lets it through a concert's queue where the page needs that), then runs
# wrk against the baseline and each endpoint of the table below, and
# prints req/s, p50/p99 latency and the ratio to the baseline's req/s,
# with the targets. The report also goes to var/bench/report.md.
#
# Settings (environment): WORKERS (fcgi workers of each program, default
# nproc), NGINX_WORKERS (default 1, see below), BENCH_SECONDS (default 5),
# BENCH_CONNECTIONS (default 64), BENCH_THREADS (default 2); KEEP_TMP=1
# keeps the temporary folder (logs, nginx.conf, raw wrk output).
# It exits non-zero only when the stack cannot be started or the buyer
# cannot be set up; a missed target is reported, not failed: this is a
# benchmark, not a test.
set -eu

# The endpoints, one per line: name | path | access | gzip | target
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
report=$root/var/bench/report.md

dir="" app_pid="" hello_pid="" nginx_pid=""
session="" joined=" " results="" targets=""

die() {
	echo "bench: $*" >&2
	exit 1
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
		echo "bench: kept $dir (logs, nginx.conf, raw wrk output)" >&2
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

start_stack() {
	local db sock hello_sock
	dir=$(mktemp -d "${TMPDIR:-/tmp}/boxoffice-bench.XXXXXX")
	db=$dir/boxoffice.db sock=$dir/boxoffice.sock hello_sock=$dir/hello.sock
	port=$(free_port)
	hello_port=$(free_port)
	while [ "$hello_port" = "$port" ]; do hello_port=$(free_port); done

	build/boxoffice-admin --db "$db" demo >"$dir/admin.log" 2>&1 ||
		{ cat "$dir/admin.log" >&2; die "could not create the demo database"; }
	# A turn through the queue must outlast the whole run.
	build/boxoffice-admin --db "$db" set active_ttl 86400 >>"$dir/admin.log" 2>&1 ||
		echo "bench: warning: could not set active_ttl (see $dir/admin.log)" >&2

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
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
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

# cores BEFORE AFTER: CPU ticks as cores busy over the run.
cores() {
	awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" -v s="$seconds" \
		'BEGIN { printf "%.2f", (b - a) / hz / s }'
}

# measure NAME PATH URL FCGI_PID [HEADER...]: a 1 s warm-up, then the wrk
# run; appends "name|path|rps|p50|p99|bytes|nginx cpu|fcgi cpu|notes" to
# $results. An endpoint that does not answer 200 is not measured.
measure() {
	local name=$1 path=$2 url=$3 fcgi_pid=$4 h out code bytes where rps p50 p99 note
	local n0 n1 f0 f1
	local -a hopt=()
	shift 4
	for h in "$@"; do hopt+=(-H "$h"); done

	read -r code bytes where < <(curl -s -o /dev/null "${hopt[@]}" \
		-w '%{http_code} %{size_download} %{redirect_url}\n' "$url")
	if [ "$code" != 200 ]; then
		where=${where#http://127.0.0.1:"$port"}
		echo "bench: warning: $name ($path) answers $code${where:+ to $where}, not 200: not measured" >&2
		results="$results$name|$path|-|-|-|$bytes|-|-|answers $code${where:+ to $where}: NOT MEASURED
"
		return
	fi

	wrk -t"$threads" -c"$conns" -d1s "${hopt[@]}" "$url" >/dev/null 2>&1 || true
	n0=$(cpu_ticks "$nginx_pid") f0=$(cpu_ticks "$fcgi_pid")
	out=$(wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency "${hopt[@]}" "$url" 2>&1) ||
		{ echo "$out" >&2; die "wrk failed on $url"; }
	n1=$(cpu_ticks "$nginx_pid") f1=$(cpu_ticks "$fcgi_pid")
	printf '%s\n' "$out" >"$dir/wrk-$(printf '%s' "$name" | tr -c 'a-zA-Z0-9' '_').txt"

	rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ { printf "%.0f", $2 }')
	[ -n "$rps" ] || { echo "$out" >&2; die "could not read wrk's output for $url"; }
	p50=$(to_ms "$(printf '%s\n' "$out" | awk '$1 == "50%" { print $2 }')")
	p99=$(to_ms "$(printf '%s\n' "$out" | awk '$1 == "99%" { print $2 }')")
	note=$(printf '%s\n' "$out" | awk '
		/Non-2xx or 3xx responses:/ { n = n (n ? "; " : "") $NF " non-2xx/3xx" }
		/Socket errors:/ { sub(/.*Socket errors: /, ""); n = n (n ? "; " : "") "socket errors: " $0 }
		END { print n }')
	results="$results$name|$path|$rps|$p50|$p99|$bytes|$(cores "$n0" "$n1")|$(cores "$f0" "$f1")|$note
"
	printf '  %-24s %-18s %6s req/s\n' "$name" "$path" "$rps" >&2
}

# run_all: the baseline, then every endpoint of the table.
run_all() {
	local name path access gzip target
	local -a hdrs
	measure "baseline, before" / "http://127.0.0.1:$hello_port/" "$hello_pid"
	while IFS='|' read -r name path access gzip target; do
		name=$(echo "$name" | xargs) path=$(echo "$path" | xargs)
		access=$(echo "$access" | xargs) gzip=$(echo "$gzip" | xargs)
		target=$(echo "$target" | xargs)
		[ -n "$name" ] || continue
		hdrs=()
		case $access in
		-) ;;
		login) hdrs+=("Cookie: bo_s=$session") ;;
		"queue "*) join_queue "${access#queue }"; hdrs+=("Cookie: bo_s=$session") ;;
		*) die "endpoint '$name': unknown access '$access'" ;;
		esac
		[ "$gzip" = yes ] && hdrs+=("Accept-Encoding: gzip")
		measure "$name" "$path" "http://127.0.0.1:$port$path" "$app_pid" "${hdrs[@]}"
		targets="$targets$name|$target
"
	done <<<"$ENDPOINTS"
	# Measured again at the end: the two differ when something else ran.
	measure "baseline, after" / "http://127.0.0.1:$hello_port/" "$hello_pid"
}

# table FORMAT: the results as aligned text (text) or markdown (md).
table() {
	printf '%s' "$results" | awk -F'|' -v fmt="$1" -v targets="$targets" '
	BEGIN {
		n = split(targets, tl, "\n")
		for (i = 1; i <= n; i++)
			if (split(tl[i], kv, "|") == 2) tgt[kv[1]] = kv[2]
		split("endpoint|path|req/s|p50 ms|p99 ms|ratio|target|bytes|nginx cpu|fcgi cpu|notes", h, "|")
		split("l|l|r|r|r|r|l|r|r|r|l", align, "|")
		cols = 11
	}
	# the baseline rows first, then the endpoints in their order
	$1 ~ /^baseline/ { rec[++nb] = $0; bsum += $3; next }
	{ other[++no] = $0 }
	END {
		base = nb ? bsum / nb : 0
		for (i = 1; i <= no; i++) rec[nb + i] = other[i]
		rows = nb + no
		for (r = 1; r <= rows; r++) {
			split(rec[r], f, "|")
			t = (f[1] in tgt) ? tgt[f[1]] : "-"
			if (f[3] == "-") { ratio = "-"; tcell = (t == "-" ? "-" : sprintf(">= %.2f n/a", t)) }
			else {
				ratio = base > 0 ? sprintf("%.2f", f[3] / base) : "?"
				if (f[1] ~ /^baseline/) tcell = "(baseline)"
				else if (t == "-" || t == "") tcell = "-"
				else tcell = sprintf(">= %.2f %s", t, ratio + 0 >= t + 0 ? "met" : "MISSED")
			}
			split(f[1] "|" f[2] "|" f[3] "|" f[4] "|" f[5] "|" ratio "|" tcell "|" f[6] "|" f[7] "|" f[8] "|" f[9], v, "|")
			for (c = 1; c <= cols; c++) row[r, c] = v[c]
		}
		for (c = 1; c <= cols; c++) {
			w[c] = length(h[c])
			for (r = 1; r <= rows; r++)
				if (length(row[r, c]) > w[c]) w[c] = length(row[r, c])
		}
		if (fmt == "md") {
			line = "|"; sep = "|"
			for (c = 1; c <= cols; c++) {
				line = line " " h[c] " |"
				sep = sep (align[c] == "r" ? " ---: |" : " --- |")
			}
			print line; print sep
			for (r = 1; r <= rows; r++) {
				line = "|"
				for (c = 1; c <= cols; c++)
					line = line " " (c == 2 ? "`" row[r, c] "`" : row[r, c]) " |"
				print line
			}
			exit
		}
		for (r = 0; r <= rows; r++) {
			line = ""
			for (c = 1; c <= cols; c++) {
				cell = r == 0 ? h[c] : row[r, c]
				line = line sprintf(align[c] == "r" ? "%*s  " : "%-*s  ", w[c], cell)
			}
			sub(/ +$/, "", line)
			print line
		}
	}'
}

# report FORMAT: the heading, the table and the notes (text or md).
report() {
	local fmt=$1 model when
	model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	when=$(date '+%Y-%m-%d %H:%M:%S %z')
	if [ "$fmt" = md ]; then
		echo "# boxoffice benchmark"
		echo
		echo "- date: $when"
		echo "- machine: $(nproc) cores, ${model:-unknown CPU}"
		echo "- fcgi workers: $workers (each of boxoffice.fcgi and hello.fcgi); nginx workers: $NGINX_WORKERS"
		echo "- wrk: $threads threads, $conns connections, ${seconds} s per endpoint after a 1 s warm-up"
		echo "- load average before the run: $load_before (other programs running skew the numbers)"
		echo
		table md
		echo
		echo "ratio = req/s of the endpoint / mean req/s of the two baseline runs (tests/bench/hello.c behind the same nginx, measured first and last: when they differ much, something else was using the machine)."
		echo "bytes = one response body as sent (compressed for the gzip rows)."
		echo "nginx cpu, fcgi cpu = cores busy on average during the run, of $(nproc); wrk uses much of the rest."
	else
		echo
		echo "boxoffice benchmark — $when"
		echo "machine: $(nproc) cores, ${model:-unknown CPU}"
		echo "fcgi workers: $workers   nginx workers: $NGINX_WORKERS   wrk: $threads threads, $conns connections, ${seconds} s (+1 s warm-up)"
		echo "load average before the run: $load_before"
		echo
		table text
		echo
		echo "ratio: req/s / mean of the baseline runs.  bytes: one response as sent.  cpu: cores busy, of $(nproc)."
	fi
}

for tool in wrk nginx curl; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed (see tools/deps.sh)"
done
for bin in build/boxoffice.fcgi build/boxoffice-admin build/hello.fcgi; do
	[ -x "$bin" ] || die "$bin is missing: run 'make bench'"
done

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${load_before%% *}" 'BEGIN { exit !(l > 1) }'; then
	echo "bench: warning: load average $load_before: other programs are busy, the numbers will be low and noisy" >&2
fi
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_stack
signup
echo "bench: ${seconds} s per endpoint, $conns connections, $workers fcgi workers, $NGINX_WORKERS nginx worker(s)" >&2
run_all
report text
mkdir -p "$(dirname "$report")"
report md >"$report"
echo
echo "report written to $report"
exit 0
