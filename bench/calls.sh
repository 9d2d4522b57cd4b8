#!/usr/bin/env bash
# bench/calls.sh: every per-session API call against the plain SQL it
# amounts to, in the same run, on the same table.
#
# Two measures:
#
#   1. Throughput.  For each call, bench/calls/CALL.sql (the API call) and
#      bench/calls/CALL_plain.sql (the plain SQL on session.sessions, keyed
#      by key_hash = sha256(key)) run under pgbench -M prepared with 1 and 4
#      clients, ROUNDS times each in alternating order, SECONDS_EACH seconds
#      each; the table gives the median TPS of each side and api/plain.
#      Calls that end a session or change its key put it back in the same
#      transaction with one plain statement that both sides share, so both
#      sides do the same extra work and the set of keys never runs out (see
#      the comments in those scripts): their ratio is diluted by it.
#
#   2. Cost inside the server.  M calls (default 20,000) in one statement,
#      over M fresh sessions inserted just before (and removed after, both
#      untimed), timed with clock_timestamp(); microseconds per call, median
#      of ROUNDS, and the ratio to load's.  No client round trip and no
#      commit per call: this is what the call itself costs.  Writers run in
#      one transaction, so their figure is the write without its commit.
#
# The store: N sessions (default 1,000,000) made by bench/setup.sql, each
# bound to one of 50,000 accounts that session.accounts holds, on a
# throwaway cluster with fsync on, as bench/run.  session.touch_interval is
# raised to a day: no call finds a touch due, as when every session was
# active within the last minute (bench/run's load row; its touch row is the
# cost of a due touch).
#
# Knobs (environment):
#   N             sessions in the store (default 1000000)
#   ROUNDS        rounds per call and client count (default 3)
#   SECONDS_EACH  seconds of each pgbench run (default 4)
#   CLIENTS       client counts (default "1 4")
#   CALLS         calls to run, names as in bench/calls/ (default: all 17)
#   PARTS         "tps server" (default), or one of them
#   M             calls per statement in the server part (default 20000)
#   QUICK=1       a spot check: N=100000, SECONDS_EACH=2 and
#                 CALLS="load get set delete" unless set
# The defaults take about 17 minutes; QUICK=1 about 2.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh
. bench/lib.sh

ALL_CALLS="load create save exists get set pop set_expiry_seconds expiry_age expiry_date
	expires_at_browser_close cycle_key login delete flush logout set_expiry_date"
if [ "${QUICK:-0}" = 1 ]; then
	N=${N:-100000}
	SECONDS_EACH=${SECONDS_EACH:-2}
	CALLS=${CALLS:-"load get set delete"}
fi
N=${N:-1000000}
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-4}
CLIENTS=${CLIENTS:-"1 4"}
CALLS=${CALLS:-$ALL_CALLS}
PARTS=${PARTS:-"tps server"}
M=${M:-20000}

for c in $CALLS; do
	[ -f "bench/calls/$c.sql" ] || { echo "unknown call: $c (see bench/calls/)" >&2; exit 1; }
done
# The calls in a fixed order, whatever the order of CALLS: set_expiry_date
# leaves the sessions it reaches with a fixed expiry, so it comes last.
selected=
for c in $ALL_CALLS; do
	case " $(echo $CALLS) " in *" $c "*) selected="$selected $c" ;; esac
done

bench_store "$N" "session.touch_interval = 86400"
psql -X -q -d postgres <<'EOF'
INSERT INTO session.accounts (account, last_activity, activity_floor)
SELECT DISTINCT account, now(), now() FROM session.sessions WHERE account IS NOT NULL;
VACUUM (ANALYZE) session.accounts;
EOF

# pgbench SCRIPT CLIENTS SECONDS: sets TPS, or stops the run when a client
# failed (a bench that errors measures nothing).
TPS=
pgbench_tps() {
	local out
	if ! out=$($PGBIN/pgbench -n -M prepared -c "$2" -j "$2" -T "$3" -D n="$N" -f "$1" postgres 2>&1) ||
		! TPS=$(printf '%s\n' "$out" | awk '/^tps/ {print $3}') || [ -z "$TPS" ]; then
		printf '%s\n' "$out" >&2
		echo "pgbench $1 failed" >&2
		exit 1
	fi
}

started=$SECONDS
tps_results=$(mktemp -p "$BENCH_DIR")
server_results=$(mktemp -p "$BENCH_DIR")

if [[ " $PARTS " == *" tps "* ]]; then
	log "warming up"
	pgbench_tps bench/calls/load_plain.sql 4 5
	for call in $selected; do
		log "throughput: $call"
		before=$(psql -X -qAt -d postgres -c "SELECT coalesce(max(id), 0) FROM session.sessions")
		for c in $CLIENTS; do
			for r in $(seq "$ROUNDS"); do
				if [ $((r % 2)) -eq 1 ]; then order="$call ${call}_plain"; else order="${call}_plain $call"; fi
				for s in $order; do
					pgbench_tps "bench/calls/$s.sql" "$c" "$SECONDS_EACH"
					echo "$s $c $TPS" >>"$tps_results"
				done
			done
		done
		# create leaves its sessions behind; every other call leaves the
		# store as it found it.
		[ "$call" = create ] &&
			psql -X -q -d postgres -c "DELETE FROM session.sessions WHERE id > $before AND account IS NULL"
		psql -X -q -d postgres -c "VACUUM session.sessions"
		left=$(psql -X -qAt -d postgres -c "SELECT count(*) FROM session.sessions")
		[ "$left" = "$N" ] || log "warning: $call left $left sessions in the store, not $N"
	done
fi

# The expression each call is timed with in the server part, over fresh
# session k (key md5('x' || k)), after what a successful call returns:
# "t" true, "v" a value (not NULL).
server_expr() {
	local key="md5('x' || k)" account="(k % 50000)::text"
	case $1 in
	loop) echo "v $key" ;;
	load | exists | expiry_age | expiry_date | expires_at_browser_close | cycle_key)
		echo "v session.$1($key)" ;;
	delete | flush | logout) echo "t session.$1($key)" ;;
	create) echo "v session.create(jsonb_build_object('cart', jsonb_build_array(k % 7)))" ;;
	save) echo "t session.save($key, jsonb_build_object('_auth_user_id', $account, 'n', k))" ;;
	get) echo "v session.get($key, '_auth_user_id')" ;;
	set) echo "t session.set($key, 'n', to_jsonb(k))" ;;
	pop) echo "v session.pop($key, 'flash')" ;;
	set_expiry_seconds) echo "t session.set_expiry($key, 1209600)" ;;
	set_expiry_date) echo "t session.set_expiry($key, now() + interval '30 days')" ;;
	login) echo "v session.login($key, $account)" ;;
	*) echo "no server expression for $1" >&2; exit 1 ;;
	esac
}

# Time M calls in one statement over M fresh sessions; prints "us ok".
server_us() {
	local expr check
	read -r check expr <<<"$(server_expr "$1")"
	if [ "$check" = t ]; then check="r"; else check="r IS NOT NULL"; fi
	psql -X -qAt -v ON_ERROR_STOP=1 -v m="$M" -d postgres <<EOF
SELECT coalesce(max(id), 0) AS before FROM session.sessions \gset
INSERT INTO session.sessions (key_hash, data, account, created, last_activity,
							  expire_date, purge_after, ip, user_agent)
SELECT sha256(convert_to(md5('x' || i), 'UTF8')),
	   jsonb_build_object('_auth_user_id', (i % 50000)::text,
						  '_auth_user_backend', 'django.contrib.auth.backends.ModelBackend',
						  '_auth_user_hash', md5((i * 7)::text) || md5((i * 11)::text),
						  'cart', jsonb_build_array(i % 7, i % 11, i % 13),
						  'flash', 'saved'),
	   (i % 50000)::text, now(), now(), now() + interval '14 days', now() + interval '14 days',
	   '10.0.0.1', 'Mozilla/5.0 (X11; Linux x86_64)'
FROM generate_series(1, :m) AS i;
SELECT clock_timestamp() AS t0 \gset
-- k visits the fresh sessions in an order unrelated to where they lie
SELECT count(*) FILTER (WHERE $check) AS ok
FROM (SELECT $expr AS r
	  FROM generate_series(1, :m) AS g(i),
		   LATERAL (SELECT 1 + (i::bigint * 48271) % :m AS k) AS p
	  OFFSET 0) AS calls \gset
SELECT round((extract(epoch FROM clock_timestamp() - :'t0') * 1e6 / :m)::numeric, 2) AS us \gset
DELETE FROM session.sessions WHERE id > :before;
\echo :us :ok
EOF
}

# load is the yardstick of the server part, whether or not CALLS names it.
server_calls="loop load"
for c in $selected; do [ "$c" = load ] || server_calls="$server_calls $c"; done
if [[ " $PARTS " == *" server "* ]]; then
	for call in $server_calls; do
		log "in the server: $call"
		for r in $(seq "$ROUNDS"); do
			read -r us ok <<<"$(server_us "$call")"
			if [ "$ok" != "$M" ]; then
				echo "$call: $ok of $M calls succeeded in the server part" >&2
				exit 1
			fi
			echo "$call $us" >>"$server_results"
		done
		psql -X -q -d postgres -c "VACUUM session.sessions"
	done
fi

echo
if [ -s "$tps_results" ]; then
	echo "Throughput: median TPS of $ROUNDS rounds of ${SECONDS_EACH}s, pgbench -M prepared,"
	echo "$N sessions; ratio = api_tps / plain_tps (1.00: as fast as the plain SQL)"
	printf '%-26s %7s %10s %10s %6s\n' call clients api_tps plain_tps ratio
	for call in $selected; do
		for c in $CLIENTS; do
			a=$(awk -v s="$call" -v c="$c" '$1==s && $2==c {print $3}' "$tps_results" | median)
			p=$(awk -v s="${call}_plain" -v c="$c" '$1==s && $2==c {print $3}' "$tps_results" | median)
			printf '%-26s %7s %10.0f %10.0f %6.2f\n' "$call" "$c" "$a" "$p" \
				"$(awk -v a="$a" -v p="$p" 'BEGIN {print a / p}')"
		done
	done
	echo
fi
if [ -s "$server_results" ]; then
	echo "In the server: microseconds per call, $M calls in one statement over fresh"
	echo "sessions, median of $ROUNDS; loop = the statement with no call (key only),"
	echo "included in every figure; ratio = us / load's us"
	load_us=$(awk '$1=="load" {print $2}' "$server_results" | median)
	printf '%-26s %8s %6s\n' call us ratio
	for call in $server_calls; do
		us=$(awk -v s="$call" '$1==s {print $2}' "$server_results" | median)
		printf '%-26s %8.2f %6.2f\n' "$call" "$us" "$(awk -v a="$us" -v b="$load_us" 'BEGIN {print a / b}')"
	done
	echo
fi
echo "(bench/calls.sh: N=$N ROUNDS=$ROUNDS SECONDS_EACH=$SECONDS_EACH CLIENTS=\"$CLIENTS\" M=$M;" \
	"$(((SECONDS - started) / 60)) min after setup)"
