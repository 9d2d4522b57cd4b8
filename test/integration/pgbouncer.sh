#!/usr/bin/env bash
# test/integration/pgbouncer.sh: the API through pgbouncer in transaction mode.
#
# Starts pgbouncer (Debian's package) in front of the test cluster with
# pool_mode = transaction and one server connection per pool, then checks
# what README's "Poolers" says: every call works, alone and inside a
# transaction; a plain SET session.* made by one client is seen by the
# next client of the same server connection, SET LOCAL is not, and a
# setting stored with ALTER ROLE applies to every client; a LISTEN made
# through the pooler stays on its server connection, so its events reach
# a later client that never listened, while a LISTEN on a direct
# connection gets them.  Keys and data are never printed.
set -u
cd "$(dirname "$0")/../.."
. scripts/lib.sh
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1${2:+ (got: $2)}"; }
# through pgbouncer, as the application's role
pb() { psql -X -At -q -h 127.0.0.1 -p "$PB" -U regress_pb_app -d pb "$@"; }
# direct, as the superuser
q() { psql -X -At -q -v ON_ERROR_STOP=1 -U postgres -d regress_pgbouncer "$@"; }
expect() { # name, expected, got
	if [ "$3" = "$2" ]; then ok "$1"; else bad "$1" "$3"; fi
}

if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then
	echo "pgbouncer is not installed (Debian package pgbouncer)"
	echo "pgbouncer: 0 passed, 1 failed"
	exit 1
fi
PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
dir=$(cluster_root "$PWD")
chown postgres: "$dir"
PB=$(free_port 57700)
cleanup() {
	[ -f "$dir/pgbouncer.pid" ] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null
	sleep 0.5
	psql -X -q -U postgres -d postgres -c "DROP DATABASE IF EXISTS regress_pgbouncer" -c "DROP ROLE IF EXISTS regress_pb_app" >/dev/null 2>&1
	rm -rf "$dir"
}
trap cleanup EXIT
psql -X -q -U postgres -d postgres -c "DROP DATABASE IF EXISTS regress_pgbouncer" -c "DROP ROLE IF EXISTS regress_pb_app" \
	-c "CREATE ROLE regress_pb_app LOGIN" -c "CREATE DATABASE regress_pgbouncer" >/dev/null || exit 1
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION session" -c "SELECT session.grant_access('regress_pb_app')" >/dev/null || exit 1

cat >"$dir/pgbouncer.ini" <<INI
[databases]
pb = host=127.0.0.1 port=$PGPORT dbname=regress_pgbouncer
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PB
unix_socket_dir =
auth_type = trust
auth_file = $dir/users.txt
pool_mode = transaction
default_pool_size = 1
max_client_conn = 20
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
echo '"regress_pb_app" ""' >"$dir/users.txt"
chown postgres: "$dir/pgbouncer.ini" "$dir/users.txt"
runuser -u postgres -- "$PGBOUNCER" -d "$dir/pgbouncer.ini" || { cat "$dir/pgbouncer.log"; exit 1; }
for _ in $(seq 1 50); do pb -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.1; done

# every call, each in a transaction of its own (autocommit)
out=$(pb -v ON_ERROR_STOP=1 2>&1 <<'SQL'
SELECT session.create('{"a": 1}') AS k \gset
SELECT session.load(:'k') = '{"a": 1}';
SELECT session.exists(:'k');
SELECT session.save(:'k', '{"a": 2}');
SELECT session.set(:'k', 'b', '3');
SELECT session.get(:'k', 'b') = '3';
SELECT session.pop(:'k', 'b') = '3';
SELECT session.set_expiry(:'k', 600);
SELECT session.expiry_age(:'k') BETWEEN 590 AND 600;
SELECT session.expiry_date(:'k') > now();
SELECT NOT session.expires_at_browser_close(:'k');
SELECT session.cycle_key(:'k') AS k \gset
SELECT session.load(:'k') = '{"a": 2}';
SELECT session.login(:'k', 'pb-1') AS k \gset
SELECT session.get(:'k', 'a') = '2';
SELECT session.logout(:'k');
SELECT session.load(:'k') IS NULL;
SQL
)
expect "every call works through pgbouncer in transaction mode" "$(printf 't\n%.0s' $(seq 1 14) | head -c -1)" "$out"

# several calls in one transaction
out=$(pb -v ON_ERROR_STOP=1 2>&1 <<'SQL'
BEGIN;
SELECT session.create('{"t": 1}') AS k \gset
SELECT session.set(:'k', 'u', '2');
SELECT session.load(:'k') = '{"t": 1, "u": 2}';
COMMIT;
SELECT session.exists(:'k');
SQL
)
expect "calls inside one transaction work through pgbouncer" "t
t
t" "$out"

# a plain SET stays on the server connection: the next client sees it
pb -c "SET session.touch_interval = 7" >/dev/null
expect "a plain SET session.* by one client is seen by the next client" "7s" "$(pb -c "SHOW session.touch_interval")"
pb -c "RESET session.touch_interval" >/dev/null
out=$(pb -c "BEGIN" -c "SET LOCAL session.touch_interval = 9" -c "SHOW session.touch_interval" -c "COMMIT" 2>&1; pb -c "SHOW session.touch_interval")
expect "SET LOCAL inside a transaction is not" "9s
1min" "$out"
q -c "ALTER ROLE regress_pb_app IN DATABASE regress_pgbouncer SET session.touch_interval = 11" >/dev/null
# a new server connection picks the stored setting up
kill -HUP "$(cat "$dir/pgbouncer.pid")" 2>/dev/null
q -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'regress_pb_app'" >/dev/null
sleep 0.5
expect "a setting stored with ALTER ROLE ... IN DATABASE applies to every client" "f
11s" "$(pb -c "SELECT session.exists('x')" -c "SHOW session.touch_interval" 2>&1)"

# LISTEN through the pooler: the LISTEN stays on the server connection
# the client had, and its events go to whoever holds that connection
q -c "ALTER DATABASE regress_pgbouncer SET session.events = on" >/dev/null
pb -c "LISTEN session_events" >/dev/null
session_for() { # a client that runs a transaction across the event; psql connection options
	{
		echo "SELECT pg_sleep(3);"
		sleep 4
		echo "SELECT 1;"
	} | psql -X -At "$@" 2>&1
}
session_for -h 127.0.0.1 -p "$PB" -U regress_pb_app -d pb >"$dir/pooled.out" &
pooled=$!
{
	echo "LISTEN session_events;"
	echo "SELECT pg_sleep(3);"
	sleep 4
	echo "SELECT 1;"
} | psql -X -At -U postgres -d regress_pgbouncer >"$dir/direct.out" 2>&1 &
direct=$!
sleep 1
q -c "SELECT session.login(NULL, 'pb-listen') IS NOT NULL" >/dev/null
wait $pooled $direct
grep -q 'notification "session_events"' "$dir/direct.out" &&
	ok "LISTEN session_events on a direct connection receives the login event" ||
	bad "LISTEN session_events on a direct connection receives the login event" "nothing"
grep -q 'notification "session_events"' "$dir/pooled.out" &&
	ok "through pgbouncer the event goes to a client that never listened, the next one on that server connection" ||
	bad "through pgbouncer the event goes to a client that never listened, the next one on that server connection" "nothing"

echo "pgbouncer: $pass passed, $fail failed"
[ $fail -eq 0 ]
