#!/usr/bin/env bash
# bench/accounts.sh: per-account lookup (account_sessions) latency with
# 10,000 and with 1,000,000 sessions in the table; flat is the goal.
# Each store has 5 sessions per account; pgbench -M prepared, 1 client,
# ROUNDS (default 3) runs of SECONDS_EACH (default 8) per size, median of
# the average latencies.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-8}
install_deps
build_install
dir=$(cluster_root "$PWD")
port=$(free_port 57532)
trap 'cluster_stop "$dir"; rm -rf "$dir"' EXIT
cluster_start "$dir" "$port" "shared_buffers = 1GB"
psql -X -q -d postgres -c "CREATE EXTENSION session"
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf '%-10s %-9s %14s %10s\n' sessions accounts latency_ms tps
for n in 10000 1000000; do
	accounts=$((n / 5))
	psql -X -q -v n="$n" -d postgres -f bench/setup.sql
	psql -X -q -d postgres -c "UPDATE session.sessions SET account = (('x' || substr(encode(key_hash, 'hex'), 1, 8))::bit(32)::bigint % $accounts + 1)::text" \
		-c "VACUUM ANALYZE session.sessions"
	lat=() tps=()
	for r in $(seq "$ROUNDS"); do
		out=$($PGBIN/pgbench -n -M prepared -c 1 -T "$SECONDS_EACH" -D accounts="$accounts" -f bench/account_sessions.sql postgres 2>&1)
		lat+=("$(echo "$out" | awk '/latency average/ {print $4}')")
		tps+=("$(echo "$out" | awk '/^tps/ {print $3}')")
	done
	printf '%-10s %-9s %14s %10.0f\n' "$n" "$accounts" "$(printf '%s\n' "${lat[@]}" | median)" "$(printf '%s\n' "${tps[@]}" | median)"
done
psql -X -d postgres -c "EXPLAIN (COSTS OFF) SELECT * FROM session.sessions s WHERE s.account = '42' AND s.expire_date > clock_timestamp()" | sed 's/^/# /'
