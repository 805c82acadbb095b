#!/bin/bash
# bench.sh — `make bench`: how fast are boxoffice's pages, compared with
# the cheapest FastCGI page this machine can serve?
#
# In a temporary folder it creates the demo database, starts
# boxoffice.fcgi and the baseline build/hello.fcgi (same prefork model,
# fixed page: tests/bench/hello.c) with $WORKERS workers each, and ONE
# nginx (config from tools/nginx-conf.sh) serving both on two free ports.
# It signs up one buyer for the pages that need a login, then runs wrk
# against the baseline and each endpoint of the table below, and prints
# req/s, p50/p99 latency and the ratio to the baseline, with the targets.
# The report also goes to var/bench/report.md.
#
# Settings (environment): WORKERS (fcgi workers, default nproc),
# NGINX_WORKERS (default 1: see below), BENCH_SECONDS (default 5),
# BENCH_CONNECTIONS (default 64), BENCH_THREADS (default 2); KEEP_TMP=1
# keeps the temporary folder (logs, nginx.conf, raw wrk output).
# It exits non-zero only when the stack does not start; a missed target
# is reported, not failed: this is a benchmark, not a test.
set -eu

# The endpoints: name | path | needs login (yes/no) | target ratio to the
# baseline's req/s ("-" for none). Add a line to measure another page.
ENDPOINTS='
concert list    | /                | no  | 0.40
concert page    | /concerts/1      | no  | -
1,000-seat map  | /performances/1  | yes | 0.25
'

cd "$(dirname "$0")/.."
root=$(pwd)
workers=${WORKERS:-$(nproc 2>/dev/null || echo 2)}
# One nginx worker leaves the second core to the fcgi workers and wrk; on
# 2 cores it gives the best baseline (NGINX_WORKERS=2 measured lower).
export NGINX_WORKERS=${NGINX_WORKERS:-1}
seconds=${BENCH_SECONDS:-5}
conns=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
report_dir=$root/var/bench
report=$report_dir/report.md

dir="" app_pid="" hello_pid="" nginx_pid=""

die() {
	echo "bench: $*" >&2
	exit 1
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local p
	trap - EXIT INT TERM
	[ -n "$app_pid" ] && kill -TERM "$app_pid" 2>/dev/null
	[ -n "$hello_pid" ] && kill -TERM "$hello_pid" 2>/dev/null
	[ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2>/dev/null
	for p in $app_pid $hello_pid $nginx_pid; do
		wait "$p" 2>/dev/null || true
	done
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
	if port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null); then
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

# show_logs: what the stack said, for a failed start.
show_logs() {
	local f
	for f in "$dir/boxoffice.log" "$dir/hello.log" "$dir/nginx-error.log"; do
		[ -s "$f" ] && { echo "--- $f"; cat "$f"; } >&2
	done
	return 0
}

# wait_up URL: waits up to 5 s for URL to answer 200.
wait_up() {
	for _ in $(seq 50); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null)" = 200 ] &&
			return 0
		sleep 0.1
	done
	return 1
}

start_stack() {
	dir=$(mktemp -d "${TMPDIR:-/tmp}/boxoffice-bench.XXXXXX")
	db=$dir/boxoffice.db sock=$dir/boxoffice.sock hello_sock=$dir/hello.sock
	port=$(free_port)
	hello_port=$(free_port)
	while [ "$hello_port" = "$port" ]; do hello_port=$(free_port); done

	build/boxoffice-admin --db "$db" demo >"$dir/admin.log" 2>&1 ||
		{ cat "$dir/admin.log" >&2; die "could not create the demo database"; }

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
		die "the stack did not start (boxoffice on :$port, baseline on :$hello_port)"
	fi
}

# signup: creates a buyer over HTTP and sets $session to its bo_s cookie.
signup() {
	local jar=$dir/cookies page csrf email
	email="bench-$$@example.com"
	page=$(curl -s -c "$jar" "http://127.0.0.1:$port/signup") ||
		die "GET /signup failed"
	csrf=$(printf '%s' "$page" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -n 1)
	[ -n "$csrf" ] || die "no csrf field in GET /signup"
	curl -s -b "$jar" -c "$jar" -o /dev/null -D "$dir/signup.headers" \
		-H 'Content-Type: application/x-www-form-urlencoded' \
		--data-urlencode "email=$email" \
		--data-urlencode "password=correct horse battery staple" \
		--data-urlencode "csrf=$csrf" \
		"http://127.0.0.1:$port/signup" || die "POST /signup failed"
	session=$(sed -n 's/^[Ss]et-[Cc]ookie: bo_s=\([^;]*\).*/\1/p' "$dir/signup.headers" | tr -d '\r' | head -n 1)
	if [ -z "$session" ]; then
		cat "$dir/signup.headers" >&2
		die "POST /signup set no bo_s session cookie"
	fi
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
# and their children (nginx and fcgi workers are direct children).
cpu_ticks() {
	local p kids all=""
	for p in "$@"; do
		kids=$(pgrep -P "$p" 2>/dev/null | tr '\n' ' ' || true)
		all="$all $p $kids"
	done
	for p in $all; do
		# with "pid (comm) " cut off, utime and stime are fields 12, 13
		sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null || true
	done | awk '{ t += $12 + $13 } END { print t + 0 }'
}

# measure NAME URL [HEADER]: warm-up, then a wrk run; appends a result line
# "name|path|rps|p50|p99|non2xx|errors|bytes|nginx_cpu|fcgi_cpu" to $results.
measure() {
	local name=$1 path=$2 url=$3 header=${4:-} fcgi_pid=$5 out rps p50 p99 bad errs bytes
	local hz n0 n1 f0 f1 ncpu fcpu code
	local -a hopt=()
	[ -n "$header" ] && hopt=(-H "$header")

	read -r code bytes < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' \
		"${hopt[@]}" "$url")
	[ "$code" = 200 ] || echo "bench: warning: $path answers $code, not 200" >&2

	wrk -t"$threads" -c"$conns" -d1s "${hopt[@]}" "$url" >/dev/null 2>&1 || true
	hz=$(getconf CLK_TCK)
	n0=$(cpu_ticks "$nginx_pid") f0=$(cpu_ticks "$fcgi_pid")
	out=$(wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency "${hopt[@]}" "$url" 2>&1) ||
		{ echo "$out" >&2; die "wrk failed on $url"; }
	n1=$(cpu_ticks "$nginx_pid") f1=$(cpu_ticks "$fcgi_pid")
	printf '%s\n' "$out" >"$dir/wrk-$(echo "$name" | tr -c 'a-zA-Z0-9\n' '_').txt"

	rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ { printf "%.0f", $2 }')
	p50=$(to_ms "$(printf '%s\n' "$out" | awk '$1 == "50%" { print $2 }')")
	p99=$(to_ms "$(printf '%s\n' "$out" | awk '$1 == "99%" { print $2 }')")
	bad=$(printf '%s\n' "$out" | awk '/Non-2xx or 3xx responses:/ { print $NF }')
	errs=$(printf '%s\n' "$out" | awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print }')
	ncpu=$(awk -v a="$n0" -v b="$n1" -v hz="$hz" -v s="$seconds" 'BEGIN { printf "%.2f", (b - a) / hz / s }')
	fcpu=$(awk -v a="$f0" -v b="$f1" -v hz="$hz" -v s="$seconds" 'BEGIN { printf "%.2f", (b - a) / hz / s }')
	[ -n "$rps" ] || { echo "$out" >&2; die "could not read wrk's output for $url"; }
	results="$results$name|$path|$rps|$p50|$p99|${bad:-0}|${errs:-}|$bytes|$ncpu|$fcpu
"
	echo "  $name ($path): $rps req/s" >&2
}

run_all() {
	local name path login target url hdr
	results=""
	measure "baseline (hello.fcgi)" "/" "http://127.0.0.1:$hello_port/" "" "$hello_pid"
	while IFS='|' read -r name path login target; do
		name=$(echo "$name" | xargs) path=$(echo "$path" | xargs)
		login=$(echo "$login" | xargs) target=$(echo "$target" | xargs)
		[ -n "$name" ] || continue
		hdr=""
		[ "$login" = yes ] && hdr="Cookie: bo_s=$session"
		measure "$name" "$path" "http://127.0.0.1:$port$path" "$hdr" "$app_pid"
		targets="$targets$name|$target
"
	done <<<"$ENDPOINTS"
}

# report FORMAT: the results as a text table (text) or markdown (md).
report() {
	local fmt=$1 model
	model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	if [ "$fmt" = md ]; then
		echo "# boxoffice benchmark"
		echo
		echo "- date: $(date '+%Y-%m-%d %H:%M:%S %z')"
		echo "- machine: $(nproc) cores, ${model:-unknown CPU}"
		echo "- fcgi workers: $workers (each of boxoffice.fcgi and hello.fcgi); nginx workers: $NGINX_WORKERS"
		echo "- wrk: $threads threads, $conns connections, ${seconds} s per endpoint after a 1 s warm-up"
		echo "- load average before the run: $load_before (other programs running skew the numbers)"
		echo
	else
		echo
		echo "boxoffice benchmark — $(date '+%Y-%m-%d %H:%M:%S %z')"
		echo "machine: $(nproc) cores, ${model:-unknown CPU}"
		echo "fcgi workers: $workers   nginx workers: $NGINX_WORKERS   wrk: $threads threads, $conns connections, ${seconds} s (+1 s warm-up)"
		echo "load average before the run: $load_before"
		echo
	fi
	printf '%s' "$results" | awk -F'|' -v fmt="$fmt" -v targets="$targets" '
	BEGIN {
		n = split(targets, tl, "\n")
		for (i = 1; i <= n; i++) if (split(tl[i], kv, "|") == 2) tgt[kv[1]] = kv[2]
		h[1] = "endpoint"; h[2] = "path"; h[3] = "req/s"; h[4] = "p50 ms"
		h[5] = "p99 ms"; h[6] = "ratio"; h[7] = "target"; h[8] = "bytes"
		h[9] = "nginx cpu"; h[10] = "fcgi cpu"; h[11] = "notes"
		cols = 11
	}
	NR == 1 { base = $3 }
	{
		ratio = base > 0 ? sprintf("%.2f", $3 / base) : "?"
		t = ($1 in tgt) ? tgt[$1] : "-"
		if (NR == 1) { ratio = "1.00"; tcell = "(baseline)" }
		else if (t == "-" || t == "") tcell = "-"
		else tcell = sprintf(">= %.2f %s", t, ratio + 0 >= t + 0 ? "met" : "MISSED")
		note = ""
		if ($6 + 0 > 0) note = $6 " non-2xx/3xx"
		if ($7 != "") note = note (note == "" ? "" : "; ") "socket errors: " $7
		row[NR, 1] = $1; row[NR, 2] = $2; row[NR, 3] = $3; row[NR, 4] = $4
		row[NR, 5] = $5; row[NR, 6] = ratio; row[NR, 7] = tcell; row[NR, 8] = $8
		row[NR, 9] = $9; row[NR, 10] = $10; row[NR, 11] = note
		rows = NR
	}
	END {
		for (c = 1; c <= cols; c++) {
			w[c] = length(h[c])
			for (r = 1; r <= rows; r++) if (length(row[r, c]) > w[c]) w[c] = length(row[r, c])
		}
		if (fmt == "md") {
			line = "|"; sep = "|"
			for (c = 1; c <= cols; c++) { line = line " " h[c] " |"; sep = sep (c >= 3 && c <= 6 || c >= 8 && c <= 10 ? " ---: |" : " --- |") }
			print line; print sep
			for (r = 1; r <= rows; r++) {
				line = "|"
				for (c = 1; c <= cols; c++) line = line " " (c == 2 ? "`" row[r, c] "`" : row[r, c]) " |"
				print line
			}
		} else {
			line = ""
			for (c = 1; c <= cols; c++) line = line sprintf(c >= 3 && c <= 6 || c >= 8 && c <= 10 ? "%*s  " : "%-*s  ", w[c], h[c])
			sub(/ +$/, "", line); print line
			for (r = 1; r <= rows; r++) {
				line = ""
				for (c = 1; c <= cols; c++) line = line sprintf(c >= 3 && c <= 6 || c >= 8 && c <= 10 ? "%*s  " : "%-*s  ", w[c], row[r, c])
				sub(/ +$/, "", line); print line
			}
		}
	}'
	echo
	if [ "$fmt" = md ]; then
		echo "ratio = req/s of the endpoint / req/s of the baseline (hello.fcgi behind the same nginx)."
		echo "nginx cpu, fcgi cpu = cores used on average during the run (of $(nproc)); wrk uses most of the rest."
		echo "bytes = size of one response body. Raw wrk output: rerun with KEEP_TMP=1."
	else
		echo "ratio: endpoint req/s / baseline req/s. cpu: cores used during the run (of $(nproc))."
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
trap 'exit 130' INT TERM
start_stack
signup
targets=""
echo "bench: measuring ${seconds} s per endpoint, $conns connections, $workers workers, $NGINX_WORKERS nginx worker(s)" >&2
run_all
report text
mkdir -p "$report_dir"
report md >"$report"
echo "report written to $report"
exit 0
