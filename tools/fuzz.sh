#!/bin/sh
# fuzz.sh NAME... — runs each libFuzzer target build/fuzz/fuzz_NAME for
# FUZZ_SECONDS (default 60) from its seed corpus tests/fuzz/corpus/NAME,
# then prints one line per target: runs, exec/s, corpus size, crashes.
# New inputs go to build/fuzz/work/NAME (the committed seeds stay as they
# are); a crash leaves its input as build/fuzz/crash-NAME-* and the run
# fails. Called by `make fuzz`.
#
# fuzz.sh --seeds NAME prints the seed folders a target reads besides its
# own corpus: the template target starts from the live templates/, so its
# seeds never drift from what the site renders (make fuzz-smoke uses it).
set -u
cd "$(dirname "$0")/.."

seeds() {
	case $1 in
	tmpl) echo templates ;;
	esac
}
if [ "${1:-}" = --seeds ]; then
	seeds "${2:-}"
	exit 0
fi

seconds=${FUZZ_SECONDS:-60}
summary=""
failed=0
for name in "$@"; do
	bin=build/fuzz/fuzz_$name
	work=build/fuzz/work/$name
	log=build/fuzz/$name.log
	mkdir -p "$work"
	rm -f build/fuzz/crash-"$name"-*
	echo "fuzz: $name for ${seconds}s (log: $log)"
	# -close_fd_mask=2: the targets' own messages (a refused template)
	# are not worth the time; libFuzzer keeps its report channel.
	"$bin" -max_total_time="$seconds" -print_final_stats=1 -close_fd_mask=2 \
	    -max_len=8192 -timeout=10 -artifact_prefix=build/fuzz/crash-"$name"- \
	    "$work" tests/fuzz/corpus/"$name" $(seeds "$name") >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	corpus=$(ls "$work" | wc -l)
	crashes=$(ls build/fuzz/crash-"$name"-* 2>/dev/null | wc -l)
	if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
		crashes="?"
	fi
	if [ "$rc" -ne 0 ]; then
		failed=1
		grep -m 5 -E 'ERROR|broken|SUMMARY' "$log" | sed 's/^/fuzz:   /'
	fi
	summary="$summary$(printf '%-8s %5ss %11s %8s %11s %8s' \
	    "$name" "$seconds" "${runs:-?}" "${rate:-?}" "$corpus" "$crashes")
"
done
echo "fuzz: target    time        runs   exec/s  new inputs  crashes"
printf '%s' "$summary" | sed 's/^/fuzz: /'
exit $failed
