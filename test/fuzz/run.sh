#!/bin/sh
# run.sh BUILD WORK SECONDS
#	Runs each harness for SECONDS from a scratch copy of its seed corpus,
#	then prints one line: runs and executions per second of each, and
#	whether any crashed.  Exits 1 if one did; the crashing input and the
#	log stay in WORK.
set -u
build=$1
work=$2
seconds=$3
cd "$(dirname "$0")"

rm -rf "$work"
mkdir -p "$work"
status=0
summary="fuzz:"
for name in decode encode; do
	mkdir -p "$work/corpus_$name"
	cp corpus/"$name"/* "$work/corpus_$name/"
	"$build/fuzz_$name" -max_total_time="$seconds" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -dict=json.dict -print_final_stats=1 \
		-artifact_prefix="$work/$name-" \
		"$work/corpus_$name" >"$work/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$work/$name.log")
	secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$work/$name.log")
	if [ "$rc" -ne 0 ] || [ -z "$runs" ]; then
		status=1
		summary="$summary $name CRASHED (see $work/$name.log)"
		echo "--- fuzz_$name failed, exit $rc; end of its log:" >&2
		tail -n 30 "$work/$name.log" >&2
	else
		[ "$secs" -gt 0 ] || secs=1
		summary="$summary $name $runs runs in ${secs}s ($((runs / secs)) execs/s), 0 crashes;"
	fi
done
echo "${summary%;}"
exit $status
