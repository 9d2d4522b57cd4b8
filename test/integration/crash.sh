#!/usr/bin/env bash
# test/integration/crash.sh: acknowledged writes survive a crash.
#
# A throwaway cluster of its own (fsync on), the extension and amcheck.
# Each round: 6 clients create, save, set, log in and log out sessions and
# log every call the server acknowledged (crash/workload.py), one more runs
# CHECKPOINT about once a second; 2 to 5 s in, the postmaster is killed
# with SIGKILL: in odd rounds with all its processes at once, in even
# rounds alone, its backends left to notice and exit.  Then the cluster
# restarts (crash recovery) and crash/workload.py checks every session of
# every round so far: acknowledged data and accounts are there, ended
# sessions stay ended, calls in flight left the state before or after them,
# and amcheck (bt_index_check, bt_index_parent_check, verify_heapam) is
# clean.  5 rounds, under a minute.  Prints "crash: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
here=$PWD
. scripts/lib.sh

ROUNDS=${CRASH_ROUNDS:-5}
CLIENTS=${CRASH_CLIENTS:-6}
py=/usr/bin/python3
workload=$here/test/integration/crash/workload.py
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
notok() { fail=$((fail + 1)); echo "not ok - $1"; }
finish() {
	echo "crash: $pass passed, $fail failed"
	[ $fail -eq 0 ]
	exit
}

dir=$(cluster_root "$here")
port=$(free_port 57432)
cleanup() {
	cluster_stop "$dir"
	rm -rf "$dir"
}
trap cleanup EXIT
CLUSTER_FSYNC=on cluster_start "$dir" "$port" "synchronous_commit = on" "full_page_writes = on" \
	"checkpoint_timeout = 30s" || { notok "the crash cluster starts"; finish; }
logs=$dir/logs
mkdir -p "$logs"
psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE EXTENSION session" -c "CREATE EXTENSION amcheck" ||
	{ notok "the extension installs on the crash cluster"; finish; }

# The postmaster's pid and its children's, from the cluster's own pid file.
postmaster_pid() { head -1 "$dir/data/postmaster.pid"; }
children() { ps -o pid= --ppid "$1" | tr -d ' '; }

for round in $(seq 1 "$ROUNDS"); do
	$py "$workload" run "$logs" "$round" "$CLIENTS" 30 &
	clients=$!
	sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.1f", 2 + (r % 30) / 10 }')"
	pm=$(postmaster_pid)
	kids=$(children "$pm")
	if [ $((round % 2)) -eq 1 ]; then
		# a crash of the whole server: every process at once
		kill -9 "$pm" $kids
		how="postmaster and its $(echo $kids | wc -w) processes"
	else
		# the postmaster alone: backends finish what they are doing and exit
		kill -9 "$pm"
		how="postmaster alone"
	fi
	# the clients stop on the lost connection; bounded by their own 30 s
	wait "$clients"
	# old processes must be gone before the cluster can start again
	for _ in $(seq 1 100); do
		alive=0
		for p in $kids; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive -eq 0 ] && break
		sleep 0.2
	done
	state=$(runuser -u postgres -- $PGBIN/pg_controldata -D "$dir/data" | sed -n 's/^Database cluster state: *//p')
	if [ "$state" = "in production" ]; then
		ok "round $round: SIGKILL of the $how left the cluster in production (not shut down)"
	else
		notok "round $round: SIGKILL of the $how left the cluster in production (got: $state)"
	fi
	if runuser -u postgres -- $PGBIN/pg_ctl -D "$dir/data" -l "$dir/server.log" -w -t 120 start >/dev/null 2>&1; then
		ok "round $round: the cluster restarts through crash recovery"
	else
		notok "round $round: the cluster restarts through crash recovery"
		tail -20 "$dir/server.log"
		finish
	fi
	out=$($py "$workload" verify "$logs" "$round" 2>&1)
	rc=$?
	echo "$out" | grep -E '^(ok|not ok) - '
	p=$(echo "$out" | grep -c '^ok - ')
	f=$(echo "$out" | grep -c '^not ok - ')
	pass=$((pass + p))
	fail=$((fail + f))
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		notok "round $round: the checker ran to the end"
		echo "$out" | tail -5 | sed 's/^/# /'
	fi
done
finish
