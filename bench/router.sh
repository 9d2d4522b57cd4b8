#!/usr/bin/env bash
# bench/router.sh: what session_router costs per call, and how it scales.
#
# Two shard databases on one cluster and a router database on another
# (both with production durability, fsync on), N sessions (default
# 200,000) spread over the shards by the router's hash.  pgbench -M
# prepared runs load and save through the router and the same call on
# shard 0 directly, for the same keys (those of shard 0, drawn from a
# small key table that both sides read the same way), with 1, 4 and 8
# clients, ROUNDS times (default 3) in alternating order, SECONDS_EACH
# seconds each (default 6).  Prints median TPS and the ratio router/direct.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh
N=${N:-200000}
ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-6}
install_deps
build_install
s_dir=$(cluster_root "$PWD")
r_dir=$(cluster_root "$PWD")
trap 'cluster_stop "$s_dir"; cluster_stop "$r_dir"; rm -rf "$s_dir" "$r_dir"' EXIT
S_PORT=$(free_port 57532)
CLUSTER_FSYNC=on cluster_start "$s_dir" "$S_PORT" "shared_buffers = 512MB" "max_connections = 100"
R_PORT=$(free_port $((S_PORT + 1)))
CLUSTER_FSYNC=on cluster_start "$r_dir" "$R_PORT" "shared_buffers = 128MB"
qs() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$S_PORT" "$@"; }
qr() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$R_PORT" "$@"; }

qr -d postgres -c "CREATE DATABASE router"
qr -d router -c "SET client_min_messages = warning" -c "CREATE EXTENSION session_router CASCADE" \
	-c "CREATE SERVER session_shards FOREIGN DATA WRAPPER plproxy OPTIONS (
		p0 'host=127.0.0.1 port=$S_PORT dbname=shard0 user=postgres',
		p1 'host=127.0.0.1 port=$S_PORT dbname=shard1 user=postgres')" \
	-c "CREATE USER MAPPING FOR postgres SERVER session_shards OPTIONS (user 'postgres')"
log "building $N sessions over 2 shards"
for i in 0 1; do
	qs -d postgres -c "CREATE DATABASE shard$i"
	qs -d shard$i -c "CREATE EXTENSION session" \
		-c "ALTER TABLE session.sessions ALTER COLUMN id SET INCREMENT BY 1024 RESTART WITH $((i + 1))" \
		-c "INSERT INTO session.sessions (key_hash, data, account, created, last_activity, expire_date, purge_after, ip, user_agent)
			SELECT d, jsonb_build_object('_auth_user_id', (i % 50000)::text, 'cart', jsonb_build_array(i % 7, i % 11)),
				   (i % 50000)::text, now(), now(), now() + interval '14 days', now() + interval '14 days',
				   '10.0.0.1', 'Mozilla/5.0 (X11; Linux x86_64)'
			FROM generate_series(1, $N) AS i, sha256(convert_to(md5(i::text), 'UTF8')) AS d
			WHERE (get_byte(d, 3) & 1) = $i" \
		-c "VACUUM (ANALYZE) session.sessions"
done
# the keys of shard 0, numbered, in both databases
for db in "-p $S_PORT -d shard0" "-p $R_PORT -d router"; do
	psql -X -q -h 127.0.0.1 $db -c "CREATE TABLE bench_keys (j int PRIMARY KEY, k text NOT NULL)" \
		-c "INSERT INTO bench_keys SELECT row_number() OVER (), md5(i::text)
			FROM generate_series(1, $N) AS i, sha256(convert_to(md5(i::text), 'UTF8')) AS d WHERE (get_byte(d, 3) & 1) = 0" \
		-c "VACUUM ANALYZE bench_keys"
done
m=$(psql -X -At -h 127.0.0.1 -p "$R_PORT" -d router -c "SELECT count(*) FROM bench_keys")
[ "$(psql -X -At -h 127.0.0.1 -p "$R_PORT" -d router -c "SELECT bool_and(session.key_shard(k) = 0) FROM bench_keys")" = t ] ||
	{ echo "bench/router.sh: the keys of shard 0 are not routed there" >&2; exit 1; }
scripts=$(mktemp -d)
printf '\\set j random(1, %s)\nSELECT session.load(k) FROM bench_keys WHERE j = :j;\n' "$m" >"$scripts/load.sql"
printf '\\set j random(1, %s)\nSELECT session.save(k, jsonb_build_object('"'"'_auth_user_id'"'"', (:j %% 50000)::text, '"'"'n'"'"', :j::int)) FROM bench_keys WHERE j = :j;\n' "$m" >"$scripts/save.sql"

tps() { # call side clients
	local port=$S_PORT db=shard0
	[ "$2" = router ] && port=$R_PORT db=router
	$PGBIN/pgbench -n -M prepared -h 127.0.0.1 -p "$port" -c "$3" -j "$3" -T "$SECONDS_EACH" -f "$scripts/$1.sql" "$db" 2>&1 |
		awk '/^tps/ {print $3}'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
results=$(mktemp)
# warm-up: both sides, every key
$PGBIN/pgbench -n -M prepared -h 127.0.0.1 -p "$R_PORT" -c 4 -j 4 -T 3 -f "$scripts/load.sql" router >/dev/null 2>&1
$PGBIN/pgbench -n -M prepared -h 127.0.0.1 -p "$S_PORT" -c 4 -j 4 -T 3 -f "$scripts/load.sql" shard0 >/dev/null 2>&1
for call in load save; do
	for c in 1 4 8; do
		for r in $(seq "$ROUNDS"); do
			if [ $((r % 2)) -eq 1 ]; then order="direct router"; else order="router direct"; fi
			for side in $order; do echo "$call $side $c $(tps "$call" "$side" "$c")" >>"$results"; done
		done
	done
done
echo
printf '%-5s %-8s %12s %12s %7s\n' call clients router_tps direct_tps ratio
for call in load save; do
	for c in 1 4 8; do
		rt=$(awk -v s="$call" -v c="$c" '$1==s && $2=="router" && $3==c {print $4}' "$results" | median)
		dt=$(awk -v s="$call" -v c="$c" '$1==s && $2=="direct" && $3==c {print $4}' "$results" | median)
		printf '%-5s %-8s %12.0f %12.0f %7.2f\n' "$call" "$c" "$rt" "$dt" "$(awk -v a="$rt" -v p="$dt" 'BEGIN {print a / p}')"
	done
done
echo "(median TPS of $ROUNDS rounds of ${SECONDS_EACH}s, $N sessions over 2 shards, keys of shard 0, pgbench -M prepared, $(nproc) CPUs)"
rm -rf "$scripts" "$results"
