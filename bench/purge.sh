#!/usr/bin/env bash
# bench/purge.sh: purging 1,000,000 expired sessions out of 2,000,000 while
# two clients load live sessions, by these methods in the same run:
#
#   delete  one plain DELETE of every expired row
#   naive   a loop of 10,000-row FOR UPDATE SKIP LOCKED batches, each
#           committed (a DO block with COMMIT)
#   purge   session.purge_expired(), called until it returns 0
#   job     CALL session.run_maintenance(), what the pg_cron job runs:
#           purge_expired's batches, each committed
#   proc    the same batches in a procedure of the bench's own
#
# On a throwaway cluster with production durability (fsync on), the store
# is built once with plain INSERTs into a template database; every run
# clones it (CREATE DATABASE ... STRATEGY file_copy), reads it into
# shared_buffers, checkpoints, starts pgbench -M prepared with 2 clients
# running SELECT session.load(md5(:i::text)) on live keys at RATE loads a
# second in all (-R), lets it run BASELINE seconds without a purge, then
# purges.  Every key loaded was last active over a minute ago, so every
# load also touches its session and commits: the worst case for a purge,
# whose WAL those commits have to flush.  Per run it prints the purge's
# wall time, the WAL written meanwhile (pg_current_wal_insert_lsn
# difference: the purge plus the concurrent touches, whose own rate is
# printed as baseline WAL), and the p99 latency of the loads due to start
# during the purge against that of the loads due in the BASELINE seconds
# before it, as a ratio.  ROUNDS rounds (default 3) rotate the order of the
# methods; the summary gives medians.  METHODS picks methods (default
# "delete naive purge job"), among them the variants below, measured to
# choose the design.  SETTINGS adds a line to postgresql.conf (SETTINGS=
# "wal_compression = lz4").  Takes about 7 minutes.
#
#   naive_fn      the naive batches in one transaction (as a function
#                 would run them), stopped after 30 s
#   rearm_all     the first design of purge_expired: keyset batches of
#                 ctids, every live candidate re-armed at the end
#   paced_X       purge_expired's batches sleeping X times as long as each
#                 batch took (no re-arming)
#   purge_loop    purge_expired(1000, '0 seconds'), one batch a call,
#                 called until it returns 0, each call committed
#   purge_N       purge_expired(N)
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh
ROUNDS=${ROUNDS:-3}
METHODS=${METHODS:-delete naive purge job}
RATE=${RATE:-200}
BASELINE=${BASELINE:-5}
install_deps
build_install
dir=$(cluster_root "$PWD")
port=$(free_port 57532)
if [ -n "${KEEP:-}" ]; then
	trap 'kill $(jobs -p) 2>/dev/null || true; log "cluster left running: $dir, port $port"' EXIT
else
	trap 'kill $(jobs -p) 2>/dev/null || true; cluster_stop "$dir"; rm -rf "$dir"' EXIT
fi
CLUSTER_FSYNC=on cluster_start "$dir" "$port" "shared_buffers = 2GB" "max_wal_size = 8GB" \
	"checkpoint_timeout = 30min" "log_min_messages = warning" ${SETTINGS:+"$SETTINGS"}
chmod a+rwx "$dir"
PSQL="psql -X -q -v ON_ERROR_STOP=1"

# Key i is md5(i), as in bench/setup.sql.  Rows go in by creation date, as
# a store fills: i <= 1,200,000 were created 44 to 14 days ago, so their
# first expiry (purge_after) has passed; of those, every sixth (i % 6 = 0)
# was active since and is live with a slid expire_date, the others expired
# at some moment between purge_after and now.  i > 1,200,000 were created
# in the last 13 days and are live with purge_after = expire_date.
log "building 2,000,000 sessions, 1,000,000 expired"
$PSQL -d postgres -c "CREATE DATABASE purge_tmpl"
$PSQL -d purge_tmpl <<'EOF'
CREATE EXTENSION session;
CREATE EXTENSION pg_prewarm;
INSERT INTO session.sessions (key_hash, data, account, created, last_activity,
							  expire_date, purge_after, ip, user_agent)
SELECT sha256(convert_to(md5(i::text), 'UTF8')),
	   jsonb_build_object('_auth_user_id', (i % 50000)::text,
						  '_auth_user_backend', 'django.contrib.auth.backends.ModelBackend',
						  '_auth_user_hash', md5((i * 7)::text) || md5((i * 11)::text),
						  'cart', jsonb_build_array(i % 7, i % 11, i % 13)),
	   (i % 50000)::text, c.created, greatest(c.created, e.expire_date - interval '14 days'),
	   e.expire_date, c.created + interval '14 days', '10.0.0.1', 'Mozilla/5.0 (X11; Linux x86_64)'
FROM generate_series(1, 2000000) AS i,
	 LATERAL (SELECT CASE WHEN i <= 1200000
						  THEN now() - interval '44 days' + (i / 1200000.0) * interval '29 days 23 hours'
						  ELSE now() - interval '13 days' - interval '1 hour'
							   + ((i - 1200000) / 800000.0) * interval '13 days'
					 END AS created) AS c,
	 LATERAL (SELECT CASE WHEN i > 1200000 THEN c.created + interval '14 days'
						  WHEN i % 6 = 0 THEN now() + interval '14 days' - ((i % 997) + 2) * interval '1 minute'
						  ELSE c.created + interval '14 days'
							   + (now() - interval '1 minute' - c.created - interval '14 days')
								 * ((hashint4(i) & 1023) / 1024.0)
					 END AS expire_date) AS e;
VACUUM (ANALYZE) session.sessions;

-- The variants measured to choose the design.
CREATE SCHEMA bench;

-- naive batches, but in one transaction: each re-walks the index from its start
CREATE FUNCTION bench.naive_fn(batch_size integer, budget interval) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	started timestamptz := clock_timestamp();
	n bigint;
	total bigint := 0;
BEGIN
	LOOP
		DELETE FROM session.sessions WHERE ctid IN (
			SELECT ctid FROM session.sessions
			WHERE purge_after <= started AND expire_date <= started
			ORDER BY purge_after LIMIT batch_size FOR UPDATE SKIP LOCKED);
		GET DIAGNOSTICS n = ROW_COUNT;
		total := total + n;
		EXIT WHEN n = 0 OR clock_timestamp() - started >= budget;
	END LOOP;
	RETURN total;
END $$;

-- the first design: keyset batches of ctids (the next batch_size candidates,
-- plus the rest of the last purge_after value), deleted by ctid; every live
-- candidate re-armed at the end
CREATE FUNCTION bench.rearm_all(batch_size integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	started timestamptz := clock_timestamp();
	after timestamptz := '-infinity';
	seen integer;
	last_seen timestamptz;
	n bigint;
	deleted bigint := 0;
	live tid[] := '{}';
	batch_live tid[];
BEGIN
	LOOP
		WITH c0 AS MATERIALIZED (
			SELECT s.ctid AS tid, s.purge_after, s.expire_date <= started AS expired
			FROM session.sessions AS s
			WHERE s.purge_after > after AND s.purge_after <= started
			ORDER BY s.purge_after LIMIT batch_size
		), edge AS (
			SELECT max(c0.purge_after) AS at FROM c0 HAVING count(*) = batch_size
		), c AS MATERIALIZED (
			SELECT c0.tid, c0.expired FROM c0
			UNION
			SELECT s.ctid, s.expire_date <= started FROM edge, session.sessions AS s
			WHERE s.purge_after = edge.at
		), gone AS (
			DELETE FROM session.sessions AS s
			WHERE s.ctid = ANY (ARRAY(SELECT c.tid FROM c WHERE c.expired))
			  AND s.expire_date <= started
			RETURNING 1
		)
		SELECT (SELECT count(*) FROM c0), (SELECT max(c0.purge_after) FROM c0),
			   (SELECT count(*) FROM gone), ARRAY(SELECT c.tid FROM c WHERE NOT c.expired)
		INTO seen, last_seen, n, batch_live;
		deleted := deleted + n;
		live := live || batch_live;
		EXIT WHEN seen < batch_size;
		after := last_seen;
	END LOOP;
	UPDATE session.sessions AS s SET purge_after = s.expire_date
	WHERE s.ctid = ANY (live) AND s.purge_after <= started AND s.expire_date > started;
	RETURN deleted;
END $$;

-- purge_expired's batches, sleeping pace times as long as each took
CREATE FUNCTION bench.paced(batch_size integer, pace float8) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	started timestamptz := clock_timestamp();
	t timestamptz;
	after timestamptz := '-infinity';
	upto timestamptz;
	n bigint;
	deleted bigint := 0;
BEGIN
	LOOP
		t := clock_timestamp();
		SELECT s.purge_after INTO upto FROM session.sessions AS s
		WHERE s.purge_after > after AND s.purge_after <= started
		ORDER BY s.purge_after OFFSET batch_size - 1 LIMIT 1;
		upto := coalesce(upto, started);
		DELETE FROM session.sessions AS s
		WHERE s.purge_after > after AND s.purge_after <= upto AND s.expire_date <= started;
		GET DIAGNOSTICS n = ROW_COUNT;
		deleted := deleted + n;
		EXIT WHEN upto = started;
		after := upto;
		PERFORM pg_sleep(pace * extract(epoch FROM clock_timestamp() - t));
	END LOOP;
	RETURN deleted;
END $$;

-- purge_expired's batches, each committed
CREATE PROCEDURE bench.proc(batch_size integer)
LANGUAGE plpgsql AS $$
DECLARE
	started timestamptz := clock_timestamp();
	after timestamptz := '-infinity';
	upto timestamptz;
BEGIN
	LOOP
		SELECT s.purge_after INTO upto FROM session.sessions AS s
		WHERE s.purge_after > after AND s.purge_after <= started
		ORDER BY s.purge_after OFFSET batch_size - 1 LIMIT 1;
		upto := coalesce(upto, started);
		DELETE FROM session.sessions AS s
		WHERE s.purge_after > after AND s.purge_after <= upto AND s.expire_date <= started;
		COMMIT;
		EXIT WHEN upto = started;
		after := upto;
	END LOOP;
	UPDATE session.sessions AS s SET purge_after = s.expire_date
	WHERE s.key_hash = ANY (ARRAY(
			SELECT c.key_hash FROM session.sessions AS c
			WHERE c.purge_after <= started AND c.expire_date > started
			ORDER BY c.purge_after LIMIT batch_size FOR NO KEY UPDATE SKIP LOCKED))
	  AND s.purge_after <= started AND s.expire_date > started;
END $$;
EOF
$PSQL -d postgres -c "CHECKPOINT"

# Live keys only: the 200,000 live rows among the old ones, and the 800,000
# new ones.  Every one was last active more than a minute ago, so a load
# also touches it (a HOT update of the session).
cat >"$dir/load_live.sql" <<'EOF'
\set r random(1, 1000000)
\set i CASE WHEN :r <= 200000 THEN 6 * :r ELSE 1000000 + :r END
SELECT session.load(md5(:i::text));
EOF

purge_sql() {
	case $1 in
	delete) echo "DELETE FROM session.sessions WHERE purge_after <= now() AND expire_date <= now();" ;;
	naive)
		cat <<'EOF'
DO $$
DECLARE
	n bigint;
BEGIN
	LOOP
		DELETE FROM session.sessions WHERE ctid IN (
			SELECT ctid FROM session.sessions
			WHERE purge_after <= now() AND expire_date <= now()
			LIMIT 10000 FOR UPDATE SKIP LOCKED);
		GET DIAGNOSTICS n = ROW_COUNT;
		COMMIT;
		EXIT WHEN n = 0;
	END LOOP;
END $$;
EOF
		;;
	naive_fn) echo "SELECT bench.naive_fn(10000, '30 s');" ;;
	rearm_all) echo "SELECT bench.rearm_all(1000);" ;;
	proc) echo "CALL bench.proc(1000);" ;;
	job) echo "CALL session.run_maintenance(1000, '1 hour');" ;;
	paced_*) echo "SELECT bench.paced(1000, ${1#paced_});" ;;
	purge_loop)
		# one batch per call, each call committed
		cat <<'EOF'
DO $$
BEGIN
	WHILE session.purge_expired(1000, '0 seconds') > 0 LOOP
		COMMIT;
	END LOOP;
END $$;
EOF
		;;
	purge | purge_*)
		local args=
		[ "$1" != purge ] && args=${1#purge_}
		cat <<EOF
DO \$\$
BEGIN
	WHILE session.purge_expired($args) > 0 LOOP
		COMMIT;
	END LOOP;
END \$\$;
EOF
		;;
	*)
		echo "unknown method $1" >&2
		exit 1
		;;
	esac
}

# p99 in ms of the loads (pgbench log lines) due to start between two
# epochs, and how many there were.  With -R, a load's latency counts from
# when it was due, so a load held up by the purge counts even if it ends
# after the purge.
p99() { # from to files...
	local from=$1 to=$2
	shift 2
	awk -v from="$from" -v to="$to" '{t = $5 + $6 / 1e6 - $3 / 1e6} t >= from && t <= to {print $3 / 1000}' "$@" |
		sort -g | awk '{a[NR] = $1} END {if (NR == 0) print "nan 0"; else {i = int(NR * 0.99); if (i < 1) i = 1; printf "%.3f %d\n", a[i], NR}}'
}

results=$dir/results
: >"$results"
run() { # round method
	local r=$1 m=$2 tag=$dir/pgb.$1.$2 out
	$PSQL -d postgres -c "SET client_min_messages = warning" \
		-c "DROP DATABASE IF EXISTS purge_run WITH (FORCE)" \
		-c "CREATE DATABASE purge_run TEMPLATE purge_tmpl STRATEGY file_copy"
	$PSQL -d purge_run -c "SELECT pg_prewarm(c.oid) FROM pg_class AS c
						  WHERE c.relnamespace = 'session'::regnamespace AND c.relkind IN ('r', 'i')" \
		-c "CHECKPOINT" >/dev/null
	local rate=
	[ "$RATE" != 0 ] && rate="-R $RATE"
	$PGBIN/pgbench -n -M prepared -c 2 -j 2 -T 300 $rate -l --log-prefix="$tag" \
		-f "$dir/load_live.sql" purge_run >"$tag.out" 2>&1 &
	local pgb=$!
	sleep 2
	local lb
	lb=$(psql -X -At -d purge_run -c "SELECT pg_current_wal_insert_lsn()")
	sleep "$BASELINE"
	out=$({
		echo "SELECT extract(epoch FROM clock_timestamp()) AS t0, pg_current_wal_insert_lsn() AS l0 \gset"
		echo "\\o /dev/null"
		purge_sql "$m"
		echo "\\o"
		echo "SELECT extract(epoch FROM clock_timestamp()) AS t1,"
		echo "       pg_wal_lsn_diff(pg_current_wal_insert_lsn(), :'l0') AS wal,"
		echo "       pg_wal_lsn_diff(:'l0', '$lb') AS base_wal \gset"
		echo "SELECT count(*) AS left FROM session.sessions WHERE expire_date <= to_timestamp(:t0) \gset"
		echo "\echo :t0 :t1 :wal :base_wal :left"
	} | $PSQL -d purge_run)
	sleep 2
	kill -TERM $pgb 2>/dev/null || true
	wait $pgb 2>/dev/null || true
	set -- $out
	local t0=$1 t1=$2 wal=$3 base_wal=$4 left=$5
	# the baseline: loads that completed in the BASELINE seconds before the purge
	local base during
	base=$(p99 "$(awk -v t="$t0" -v b="$BASELINE" 'BEGIN {printf "%.6f", t - b - 0.25}')" \
		"$(awk -v t="$t0" 'BEGIN {printf "%.6f", t - 0.25}')" "$tag".*)
	during=$(p99 "$t0" "$t1" "$tag".*)
	set -- $base $during
	awk -v r="$r" -v m="$m" -v t0="$t0" -v t1="$t1" -v wal="$wal" -v bw="$base_wal" -v bs="$BASELINE" \
		-v bp="$1" -v bn="$2" -v dp="$3" -v dn="$4" -v left="$left" -v res="$results" 'BEGIN {
		printf "%s %s %.3f %.1f %.3f %.3f %.3f\n", r, m, t1 - t0, wal / 1048576, dp, bp, dp / bp >> res
		printf "round %d %-12s time %6.2f s  WAL %7.1f MB  p99 %7.3f ms (baseline %6.3f ms) = %6.2fx  loads %5d / %5d  baseline WAL %4.1f MB/s  left %d\n",
			r, m, t1 - t0, wal / 1048576, dp, bp, dp / bp, dn, bn, bw / 1048576 / bs, left
	}'
}

log "methods: $METHODS; $ROUNDS rounds; loads at ${RATE:-unlimited}/s"
set -- $METHODS
n=$#
for r in $(seq "$ROUNDS"); do
	# rotate the order from round to round
	for k in $(seq 0 $((n - 1))); do
		idx=$(((k + r - 1) % n + 1))
		run "$r" "${!idx}"
	done
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
printf '%-12s %8s %9s %9s %12s %8s\n' method time_s wal_mb p99_ms base_p99_ms ratio
for m in $METHODS; do
	col() { awk -v m="$m" -v c="$1" '$2 == m {print $c}' "$results" | median; }
	printf '%-12s %8.2f %9.1f %9.3f %12.3f %7.2fx\n' "$m" "$(col 3)" "$(col 4)" "$(col 5)" "$(col 6)" "$(col 7)"
done
echo "(medians of $ROUNDS rounds; p99 of session.load, 2 clients at $RATE/s in all, during the purge vs the $BASELINE s before it)"
