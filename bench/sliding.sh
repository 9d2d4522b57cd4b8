#!/usr/bin/env bash
# bench/sliding.sh: session.load when its touch is due, with deferred
# activity (shared_preload_libraries = 'session'), against a load whose
# touch is not due, the plain primary-key SELECT it replaces, SELECT 1 and
# Redis GET of 300-byte values, in the same run.
#
# Rows, each at CLIENTS (default 1 4 8) clients, median TPS of ROUNDS
# (default 3) runs of SECONDS_EACH (default 5) seconds in alternating order:
#   not_due   load, every session active within session.touch_interval
#   due       load with session.touch_interval = 0: every load slides (the
#             worst case; random keys over all N sessions, so each flush
#             writes a different session for nearly every load)
#   sliding   the realistic case: a hot set of H sessions, H chosen so that
#             each is loaded about once a second, with touch_interval 6 s,
#             so about one load in six is due; the output says how many were
#   plain     the plain SELECT on the same keys as the row it is compared to
#   select1   SELECT 1, what a round trip costs
#   redis     redis-benchmark GET, 300-byte values, same client count
# N (default 1,000,000) sessions; QUICK=1 for N=100000, 1 round of 3 s.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh
. bench/lib.sh
if [ -n "${QUICK:-}" ]; then N=${N:-100000} ROUNDS=${ROUNDS:-1} SECONDS_EACH=${SECONDS_EACH:-3}; fi
N=${N:-1000000}
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-5}
CLIENTS=${CLIENTS:-"1 4 8"}

command -v redis-server >/dev/null || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
bench_store "$N" "shared_preload_libraries = 'session'" "session.activity_flush_interval = '1s'" \
	"session.activity_buffer_size = 1000000" "max_connections = 60"
psql -X -q -d postgres -c "SELECT session.activity_status()" | grep -q deferred || { echo "deferred activity is off" >&2; exit 1; }

rport=$(free_port 58379)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
	--pidfile "$BENCH_DIR/redis.pid" --logfile "$BENCH_DIR/redis.log"
trap 'kill "$(cat "$BENCH_DIR/redis.pid" 2>/dev/null)" 2>/dev/null; cluster_stop "$BENCH_DIR"; rm -rf "$BENCH_DIR"' EXIT
sleep 0.5

results=$BENCH_DIR/results
: >"$results"
touch_interval() {
	psql -X -q -d postgres -c "ALTER DATABASE postgres SET session.touch_interval = $1" >/dev/null
}
recorded() { psql -X -At -d postgres -c "SELECT session.activity_status()->>'recorded'"; }
# write what is still recorded, so that no run pays for the one before it
drain() { psql -X -q -At -d postgres -c "SELECT session._flush_activity()" >/dev/null; }
# pgbench NAME SCRIPT CLIENTS H: prints TPS and the transactions done
run() {
	$PGBIN/pgbench -n -M prepared -c "$3" -j "$3" -T "$SECONDS_EACH" -D h="$4" -f "bench/sliding/$2.sql" postgres 2>&1 |
		awk '/^number of transactions actually processed/ {n=$NF} /^tps/ {t=$3} END {print t, n}'
}

for c in $CLIENTS; do
	# the hot set: what the plain SELECT does in one second at this client count
	touch_interval 86400
	hot=$(run plain plain "$c" "$N" | awk '{printf "%d", $1}')
	[ "$hot" -gt "$N" ] && hot=$N
	for r in $(seq "$ROUNDS"); do
		touch_interval 86400
		for s in not_due plain_all select1; do
			case $s in
				not_due) set -- $(run "$s" load "$c" "$N") ;;
				plain_all) set -- $(run "$s" plain "$c" "$N") ;;
				select1) set -- $(run "$s" select1 "$c" "$N") ;;
			esac
			echo "$s $c $1" >>"$results"
		done
		touch_interval 0
		before=$(recorded)
		set -- $(run due load "$c" "$N")
		echo "due $c $1" >>"$results"
		echo "due_share $c $(awk -v a="$(recorded)" -v b="$before" -v n="$2" 'BEGIN {print (a - b) / n}')" >>"$results"
		drain
		touch_interval 6
		run warm load "$c" "$hot" >/dev/null
		before=$(recorded)
		set -- $(run sliding load "$c" "$hot")
		echo "sliding $c $1" >>"$results"
		echo "sliding_share $c $(awk -v a="$(recorded)" -v b="$before" -v n="$2" 'BEGIN {print (a - b) / n}')" >>"$results"
		drain
		set -- $(run plain_hot plain "$c" "$hot")
		echo "plain_hot $c $1" >>"$results"
		redis-benchmark -p "$rport" -t set -d 300 -r 100000 -n 100000 -c "$c" -q >/dev/null 2>&1
		rtps=$(redis-benchmark -p "$rport" -t get -d 300 -r 100000 -n $((SECONDS_EACH * 40000)) -c "$c" -q 2>/dev/null |
			tr '\r' '\n' | awk '/^GET/ {print $2}' | tail -1)
		echo "redis $c $rtps" >>"$results"
	done
	echo "hot_set $c $hot" >>"$results"
done

m() { awk -v s="$1" -v c="$2" '$1==s && $2==c {print $3}' "$results" | median; }
echo
printf '%-8s %8s %10s %10s %10s %10s %10s %10s %8s %8s %8s %8s\n' clients hot_set not_due due sliding plain select1 redis \
	due/nd sl/plain nd/plain due_share
for c in $CLIENTS; do
	nd=$(m not_due "$c"); du=$(m due "$c"); sl=$(m sliding "$c"); pa=$(m plain_all "$c"); ph=$(m plain_hot "$c")
	printf '%-8s %8s %10.0f %10.0f %10.0f %10.0f %10.0f %10.0f %8.2f %8.2f %8.2f %8s\n' "$c" "$(m hot_set "$c")" \
		"$nd" "$du" "$sl" "$pa" "$(m select1 "$c")" "$(m redis "$c")" \
		"$(awk -v a="$du" -v b="$nd" 'BEGIN {print a / b}')" "$(awk -v a="$sl" -v b="$ph" 'BEGIN {print a / b}')" \
		"$(awk -v a="$nd" -v b="$pa" 'BEGIN {print a / b}')" "$(m sliding_share "$c")"
done
echo "(median TPS of $ROUNDS rounds of ${SECONDS_EACH}s, $N sessions, pgbench -M prepared over TCP, fsync on;"
echo " due/nd: a load whose touch is due against one whose touch is not; sl/plain: the sliding workload"
echo " against the plain SELECT on the same hot keys; nd/plain: load against the plain SELECT;"
echo " due_share: share of the sliding workload's loads that were due)"
