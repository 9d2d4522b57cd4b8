#!/usr/bin/env bash
# test/integration/router.sh: the session API through session_router.
#
# Four shard databases on two clusters (the test cluster and one started
# here) and a router database on a third.  Checks that every per-session
# call answers through the router as it does on a single store
# (router_api.sql, run on both), that keys spread over every shard and each
# lives on the shard its digest hashes to (create, cycle_key, login), that
# session ids are unique across shards, that account-wide calls see every
# shard, that a shard that is down fails only its own keys, and a growth
# from 2 to 4 shards (router/move.sh) that logs nobody out.
set -u
cd "$(dirname "$0")/../.."
here=$PWD
. scripts/lib.sh
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
nok() { fail=$((fail + 1)); echo "not ok - $1${2:+ ($2)}"; }

A_PORT=$PGPORT
A_HOST=$PGHOST
b_dir=$(cluster_root "$here")
c_dir=$(cluster_root "$here")
trap 'cluster_stop "$b_dir"; cluster_stop "$c_dir"; rm -rf "$b_dir" "$c_dir"' EXIT
B_PORT=$(free_port $((A_PORT + 100)))
cluster_start "$b_dir" "$B_PORT" || exit 1
C_PORT=$(free_port $((B_PORT + 1)))
cluster_start "$c_dir" "$C_PORT" || exit 1
export PGHOST=$A_HOST PGPORT=$A_PORT

# psql on cluster A, B or C
qa() { psql -X -At -v ON_ERROR_STOP=1 -h "$A_HOST" -p "$A_PORT" "$@"; }
qb() { psql -X -At -v ON_ERROR_STOP=1 -h "$A_HOST" -p "$B_PORT" "$@"; }
qc() { psql -X -At -v ON_ERROR_STOP=1 -h "$A_HOST" -p "$C_PORT" "$@"; }
# check NAME CLUSTER DB SQL: the SQL answers t
check() {
	local got
	got=$("q$2" -d "$3" -c "$4" 2>&1)
	if [ "$got" = t ]; then ok "$1"; else nok "$1" "got: $got"; fi
}

# A shard: a database with the session extension whose ids are
# index + 1 modulo 1024.
shard() { # cluster db index
	"q$1" -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $2" -c "CREATE DATABASE $2"
	"q$1" -q -d "$2" -c "SET client_min_messages = warning" -c "CREATE EXTENSION session" \
		-c "ALTER TABLE session.sessions ALTER COLUMN id SET INCREMENT BY 1024 RESTART WITH $(($3 + 1))"
}
connstr() { # cluster db
	local p
	case $1 in a) p=$A_PORT ;; b) p=$B_PORT ;; c) p=$C_PORT ;; esac
	echo "host=$A_HOST port=$p dbname=$2 user=postgres connect_timeout=5"
}
router() { # db partitions...: a router database over these "cluster:db"
	local db=$1 opts= i=0 s
	shift
	for s in "$@"; do
		opts+="${opts:+, }p$i '$(connstr "${s%%:*}" "${s#*:}")'"
		i=$((i + 1))
	done
	qc -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
	qc -q -d "$db" -c "SET client_min_messages = warning" \
		-c "CREATE EXTENSION session_router CASCADE" \
		-c "CREATE SERVER session_shards FOREIGN DATA WRAPPER plproxy OPTIONS ($opts)" \
		-c "CREATE USER MAPPING FOR postgres SERVER session_shards OPTIONS (user 'postgres')"
}
# the partition of each row of a shard, from its stored digest
part_sql() { # mask
	echo "((get_byte(key_hash, 0) << 24) | (get_byte(key_hash, 1) << 16) | (get_byte(key_hash, 2) << 8) | get_byte(key_hash, 3)) & $1"
}

shard a rshard0 0
shard a rshard1 1
shard b rshard2 2
shard b rshard3 3
router router a:rshard0 a:rshard1 b:rshard2 b:rshard3
qa -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS rstore" -c "CREATE DATABASE rstore"
qa -q -d rstore -c "SET client_min_messages = warning" -c "CREATE EXTENSION session"

# 1. Every per-session call answers as on a single store.
store_out=$(psql -X -A -h "$A_HOST" -p "$A_PORT" -d rstore -f test/integration/router_api.sql 2>&1)
router_out=$(psql -X -A -h "$A_HOST" -p "$C_PORT" -d router -f test/integration/router_api.sql 2>&1)
n=$(grep -c '^SELECT' test/integration/router_api.sql)
if [ "$store_out" = "$router_out" ]; then
	ok "the $n statements of router_api.sql answer through the router as on a single store"
else
	nok "the $n statements of router_api.sql answer through the router as on a single store"
	diff <(echo "$store_out") <(echo "$router_out") | grep -v -E '^[<>] [a-z0-9]{32}$' | head -40 | sed 's/^/# /'
fi
if ! echo "$store_out" | grep -q 'ERROR:  [0-9A-Z]*[^0-9A-Z]' && [ "$(echo "$store_out" | grep -c 'ERROR:')" -eq 14 ]; then
	ok "the store raises the 14 expected errors, with SQLSTATEs"
else
	nok "the store raises the 14 expected errors, with SQLSTATEs"
fi

# 2. Keys spread over every shard, each on the shard its digest hashes to.
keys=$b_dir/keys
qc -d router -c "SELECT session.create(jsonb_build_object('n', i), account => 'spread') FROM generate_series(1, 200) AS i" >"$keys"
for i in 0 1 2 3; do
	c=a; [ $i -ge 2 ] && c=b
	check "shard $i holds some of 200 new sessions" $c rshard$i "SELECT count(*) BETWEEN 20 AND 90 FROM session.sessions WHERE account = 'spread'"
	check "every session on shard $i hashes to it" $c rshard$i "SELECT bool_and(($(part_sql 3)) = $i) FROM session.sessions"
	check "shard $i mints ids of its own (id % 1024 = $((i + 1)))" $c rshard$i "SELECT bool_and(id % 1024 = $((i + 1))) FROM session.sessions"
done
check "key_shard() agrees with where the rows are" c router \
	"SELECT count(*) = 200 AND count(DISTINCT session.key_shard(k)) = 4 AND bool_and(session.exists(k)) FROM regexp_split_to_table(\$\$$(cat "$keys")\$\$, '\n') AS k"
check "cycle_key and login of 50 sessions keep them on their shards" c router \
	"SELECT bool_and(session.key_shard(k2) = session.key_shard(k) AND session.load(k2) = jsonb_build_object('n', i))
	 FROM (SELECT k, i, session.login(session.cycle_key(k), 'spread') AS k2
		   FROM regexp_split_to_table(\$\$$(head -50 "$keys")\$\$, '\n') WITH ORDINALITY AS t(k, i)) AS x"
# after the logins, the rows are still where they hash (cycled keys included)
for i in 0 1 2 3; do
	c=a; [ $i -ge 2 ] && c=b
	check "after cycle_key and login, every row of shard $i hashes to it" $c rshard$i "SELECT bool_and(($(part_sql 3)) = $i) FROM session.sessions"
done

# 3. Account-wide calls see every shard.
check "account_sessions lists the account's 200 sessions from 4 shards, ids unique, newest first" c router \
	"SELECT count(*) = 200 AND count(DISTINCT id) = 200 AND count(DISTINCT id % 1024) = 4
	    AND bool_and(ordered) FROM (SELECT id, last_activity >= lead(last_activity) OVER () OR lead(last_activity) OVER () IS NULL AS ordered
	    FROM session.account_sessions('spread')) AS s"
check "is_current marks the one session of current_key, on its shard" c router \
	"SELECT count(*) FILTER (WHERE is_current) = 1 FROM session.account_sessions('spread', '$(sed -n 60p "$keys")')"
rid=$(qb -d rshard3 -c "SELECT min(id) FROM session.sessions WHERE account = 'spread'")
check "revoke finds a session of shard 3 by its id" c router "SELECT session.revoke('spread', $rid) AND NOT session.revoke('spread', $rid)"
check "flag_inactive runs on every shard" c router "SELECT session.flag_inactive('1 hour') = 0"
check "maintain runs on every shard" c router "SELECT (session.maintain() ? 'purged')"
out=$(psql -X -At -h "$A_HOST" -p "$C_PORT" -d router -v VERBOSITY=verbose -c "SELECT session.schedule_maintenance()" 2>&1)
if echo "$out" | grep -q '0A000' && echo "$out" | grep -q 'HINT:  In each shard database'; then
	ok "schedule_maintenance on the router refuses (0A000) and says where to schedule"
else
	nok "schedule_maintenance on the router refuses (0A000) and says where to schedule" "$(echo "$out" | head -1)"
fi
keep=$(sed -n 100p "$keys")
check "logout_everywhere ends the account's sessions on every shard but one" c router \
	"SELECT session.logout_everywhere('spread', '$keep') = 198 AND session.exists('$keep')"
total=$(($(qa -d rshard0 -c "SELECT count(*) FROM session.sessions WHERE account = 'spread'") + $(qa -d rshard1 -c "SELECT count(*) FROM session.sessions WHERE account = 'spread'") + $(qb -d rshard2 -c "SELECT count(*) FROM session.sessions WHERE account = 'spread'") + $(qb -d rshard3 -c "SELECT count(*) FROM session.sessions WHERE account = 'spread'")))
[ "$total" -eq 1 ] && ok "one session of the account is left, over all shards" || nok "one session of the account is left, over all shards" "got $total"

# 4. A shard that is down: its keys fail with a clear error, the others work.
qc -q -d router -c "SELECT session.create(jsonb_build_object('n', i)) FROM generate_series(1, 100) AS i" >"$keys"
cluster_stop "$b_dir"
out=$(qc -d router -c "SELECT count(*) FROM regexp_split_to_table(\$\$$(cat "$keys")\$\$, '\n') AS k WHERE CASE WHEN session.key_shard(k) < 2 THEN session.load(k) IS NOT NULL END" 2>&1)
want=$(qc -d router -c "SELECT count(*) FROM regexp_split_to_table(\$\$$(cat "$keys")\$\$, '\n') AS k WHERE session.key_shard(k) < 2")
[ "$out" = "$want" ] && [ "$want" -gt 0 ] && ok "with cluster B down, the $want sessions of shards 0 and 1 load" || nok "with cluster B down, the sessions of shards 0 and 1 load" "$out of $want"
k=$(qc -d router -c "SELECT k FROM regexp_split_to_table(\$\$$(cat "$keys")\$\$, '\n') AS k WHERE session.key_shard(k) = 2 LIMIT 1")
err=$(psql -X -At -h "$A_HOST" -p "$C_PORT" -d router -v VERBOSITY=verbose -c "SELECT session.load('$k')" 2>&1 | grep -v "$k" | head -3)
if echo "$err" | grep -q 'ERROR' && echo "$err" | grep -q 'rshard2\|could not connect\|connection'; then
	ok "a session of shard 2 gives an error naming the shard or connection"
else
	nok "a session of shard 2 gives an error naming the shard or connection" "$(echo "$err" | head -1)"
fi
echo "$err" | head -1 | sed 's/^/# /'
psql -X -At -h "$A_HOST" -p "$C_PORT" -d router -c "SELECT count(*) FROM session.account_sessions('spread')" >/dev/null 2>&1 &&
	nok "account_sessions fails while a shard is down" || ok "account_sessions fails while a shard is down (never a partial answer)"
runuser -u postgres -- $PGBIN/pg_ctl -D "$b_dir/data" -l "$b_dir/server.log" -w -t 60 start >/dev/null
check "after cluster B is back, every session loads" c router \
	"SELECT bool_and(session.load(k) IS NOT NULL) FROM regexp_split_to_table(\$\$$(cat "$keys")\$\$, '\n') AS k"

# 5. Growth from 2 to 4 shards.
shard a gshard0 0
shard b gshard1 1
router grow a:gshard0 b:gshard1
qc -q -d grow -c "SELECT session.create(jsonb_build_object('n', i), account => 'g' || (i % 7)) FROM generate_series(1, 300) AS i" >"$keys"
qc -q -d grow -c "SELECT session.create(jsonb_build_object('n', i)) FROM generate_series(301, 400) AS i" >>"$keys"
before=$(qc -d grow -c "SELECT md5(string_agg(session.load(k)::text, ',' ORDER BY k)) FROM regexp_split_to_table(\$\$$(cat "$keys")\$\$, '\n') AS k")
lists_before=$(qc -d grow -c "SELECT string_agg(n::text, ',') FROM (SELECT count(*) AS n FROM generate_series(0, 6) AS g, session.account_sessions('g' || g) GROUP BY g ORDER BY g) AS x")
shard a gshard2 2
shard b gshard3 3
# (the router's pool is paused here in production: see router/README.md)
bash router/move.sh copy "$(connstr a gshard0)" "$(connstr a gshard2)" 2 4 && ok "move.sh copies the sessions of partition 2 from shard 0" || nok "move.sh copy 0 -> 2"
bash router/move.sh copy "$(connstr b gshard1)" "$(connstr b gshard3)" 3 4 && ok "move.sh copies the sessions of partition 3 from shard 1" || nok "move.sh copy 1 -> 3"
qc -q -d grow -c "ALTER SERVER session_shards OPTIONS (ADD p2 '$(connstr a gshard2)', ADD p3 '$(connstr b gshard3)')"
bash router/move.sh purge "$(connstr a gshard0)" 0 4 && bash router/move.sh purge "$(connstr b gshard1)" 1 4 &&
	ok "move.sh purges the moved sessions from shards 0 and 1" || nok "move.sh purge"
check "the router now has 4 partitions" c grow "SELECT session.shard_count() = 4"
after=$(qc -d grow -c "SELECT md5(string_agg(session.load(k)::text, ',' ORDER BY k)) FROM regexp_split_to_table(\$\$$(cat "$keys")\$\$, '\n') AS k")
[ -n "$before" ] && [ "$before" = "$after" ] && ok "all 400 sessions load the same data after the growth: nobody is logged out" || nok "all 400 sessions load the same data after the growth"
lists_after=$(qc -d grow -c "SELECT string_agg(n::text, ',') FROM (SELECT count(*) AS n FROM generate_series(0, 6) AS g, session.account_sessions('g' || g) GROUP BY g ORDER BY g) AS x")
[ "$lists_before" = "$lists_after" ] && ok "account_sessions lists the same sessions after the growth" || nok "account_sessions after the growth" "$lists_before / $lists_after"
n0=0
for i in 0 1 2 3; do
	c=a; [ $((i % 2)) -eq 1 ] && c=b
	check "after the growth every row of shard $i hashes to it" $c gshard$i "SELECT count(*) > 0 AND bool_and(($(part_sql 3)) = $i) FROM session.sessions"
	n0=$((n0 + $("q$c" -d gshard$i -c "SELECT count(*) FROM session.sessions")))
done
[ "$n0" -eq 400 ] && ok "400 rows over the 4 shards: every session once" || nok "400 rows over the 4 shards" "got $n0"
ids=$( (qa -d gshard0 -c "SELECT id FROM session.sessions"; qb -d gshard1 -c "SELECT id FROM session.sessions"; qa -d gshard2 -c "SELECT id FROM session.sessions"; qb -d gshard3 -c "SELECT id FROM session.sessions") | sort | uniq -d | wc -l)
[ "$ids" -eq 0 ] && ok "no session id is on two shards" || nok "no session id is on two shards" "$ids duplicates"
check "new sessions go to all 4 shards and new shards mint their own ids" c grow \
	"SELECT count(DISTINCT session.key_shard(k)) = 4 FROM (SELECT session.create('{}') AS k FROM generate_series(1, 60)) AS x"
check "a new shard's id is id % 1024 = 3" a gshard2 "SELECT bool_or(id % 1024 = 3) FROM session.sessions"
check "a session moved to shard 3 can be cycled and saved" c grow \
	"SELECT session.save(session.cycle_key(k), '{\"moved\": true}') FROM (SELECT k FROM regexp_split_to_table(\$\$$(cat "$keys")\$\$, '\n') AS k WHERE session.key_shard(k) = 3 LIMIT 1) AS x"

for db in rshard0 rshard1 rstore gshard0 gshard2; do qa -q -d postgres -c "DROP DATABASE $db"; done
echo "router: $pass passed, $fail failed"
[ $fail -eq 0 ]
