#!/usr/bin/env bash
# test/integration/activity.sh: deferred activity, on a primary and a
# streaming standby of its own, with shared_preload_libraries = 'session'.
#
# Checks that a load whose touch is due writes nothing and the worker
# writes the activity within the flush interval; that a flush never brings
# back a session that was logged out or cycled, never moves an expiry
# backwards or past session.max_lifetime; that a session live only by
# recorded activity loads and is not purged; that flag_inactive() sees
# recorded activity; that a full buffer falls back to the inline touch;
# that kill -9 of the postmaster under load loses no session and no data;
# and that loads on a standby keep a session alive through
# session.primary_conninfo, and without it do not.
set -u
cd "$(dirname "$0")/../.."
. scripts/lib.sh

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1${2:+ (got: $2)}"; }
# check NAME SQL [PORT]: the SQL returns t
check() {
	local got
	got=$(psql -X -At -h 127.0.0.1 -p "${3:-$P1}" -U postgres -d act -c "$2" 2>&1)
	if [ "$got" = t ]; then ok "$1"; else bad "$1" "$got"; fi
}
# q [PORT] SQL...: run statements, print the last result
q() {
	local port=$P1
	if [[ $1 =~ ^[0-9]+$ ]]; then port=$1; shift; fi
	psql -X -At -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d act "${@/#/-c}"
}

root=$(cluster_root "$PWD")
chown postgres: "$root"
P1=$(free_port 57500)
P2=$(free_port $((P1 + 1)))
stop_all() {
	for d in "$root/primary" "$root/standby"; do
		[ -f "$d/data/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$d/data" -m immediate -w stop >/dev/null 2>&1
	done
	rm -rf "$root"
}
trap stop_all EXIT

mkdir -p "$root/primary" "$root/standby"
chown postgres: "$root/standby"
cluster_start "$root/primary" "$P1" \
	"shared_preload_libraries = 'pg_cron,session'" \
	"session.activity_flush_interval = '200ms'" \
	"session.activity_buffer_size = 16" \
	"wal_level = replica" "max_wal_senders = 4" "fsync = on" || exit 1
psql -X -q -h 127.0.0.1 -p "$P1" -U postgres -d postgres -c "CREATE DATABASE act" || exit 1
q "ALTER DATABASE act SET session.touch_interval = 0" "CREATE EXTENSION session" >/dev/null

check "the library is preloaded: loads defer their activity" \
	"SELECT session.activity_status()->>'mode' = 'deferred'"

# a load records, the worker writes
k=$(q "SELECT session.create('{\"a\": 1}')")
q "SELECT session.set_expiry('$k', 600)" >/dev/null
before=$(q "SELECT last_activity FROM session.sessions WHERE key_hash = sha256(convert_to('$k', 'UTF8'))")
out=$(q "SELECT session.load('$k') = '{\"a\": 1}'" \
	"SELECT last_activity = '$before' FROM session.sessions WHERE key_hash = sha256(convert_to('$k', 'UTF8'))")
[ "$out" = "t
t" ] && ok "a load whose touch is due returns the data and writes nothing" || bad "a load whose touch is due returns the data and writes nothing" "$out"
sleep 1
check "the worker writes the activity within the flush interval" \
	"SELECT last_activity > '$before' AND expire_date > '$before'::timestamptz + interval '600 s' FROM session.sessions WHERE key_hash = sha256(convert_to('$k', 'UTF8'))"

# a second database of the cluster: its own worker writes its activity
psql -X -q -h 127.0.0.1 -p "$P1" -U postgres -d postgres -c "CREATE DATABASE act2" || exit 1
q2() { psql -X -At -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$P1" -U postgres -d act2 "${@/#/-c}"; }
q2 "ALTER DATABASE act2 SET session.touch_interval = 0" "CREATE EXTENSION session" >/dev/null
kd=$(q2 "SELECT session.create('{\"db\": 2}')")
q2 "UPDATE session.sessions SET last_activity = now() - interval '1 hour'" >/dev/null
q2 "SELECT session.load('$kd')" >/dev/null
sleep 1
[ "$(q2 "SELECT last_activity > now() - interval '1 minute' FROM session.sessions")" = t ] &&
	ok "a second database's activity is written by its own worker" ||
	bad "a second database's activity is written by its own worker"

# with a long flush interval the tests below flush by hand
psql -X -q -h 127.0.0.1 -p "$P1" -U postgres -d postgres \
	-c "ALTER SYSTEM SET session.activity_flush_interval = '60s'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1

k2=$(q "SELECT session.create('{\"b\": 2}')")
q "SELECT session.load('$k2')" "SELECT session.logout('$k2')" >/dev/null
check "a flush after a logout brings nothing back" \
	"SELECT session._flush_activity() >= 0 AND session.load('$k2') IS NULL AND NOT EXISTS (SELECT FROM session.sessions WHERE key_hash = sha256(convert_to('$k2', 'UTF8')))"

k3=$(q "SELECT session.create('{\"c\": 3}')")
k3b=$(q "SELECT session.load('$k3') IS NOT NULL" "SELECT session.cycle_key('$k3')" | tail -1)
check "a flush after cycle_key brings the old key back nowhere" \
	"SELECT session._flush_activity() >= 0 AND session.load('$k3') IS NULL AND session.load('$k3b') = '{\"c\": 3}' AND (SELECT count(*) FROM session.sessions WHERE data = '{\"c\": 3}') = 1"

k4=$(q "SELECT session.create('{\"d\": 4}')")
q "SELECT session.set_expiry('$k4', 600)" "SELECT session.load('$k4')" "SELECT pg_sleep(0.2)" "SELECT session.save('$k4', '{\"d\": 5}')" >/dev/null
after_save=$(q "SELECT expire_date || '|' || last_activity FROM session.sessions WHERE key_hash = sha256(convert_to('$k4', 'UTF8'))")
check "a flush of activity older than a save moves nothing back" \
	"SELECT session._flush_activity() >= 0 AND (SELECT expire_date || '|' || last_activity FROM session.sessions WHERE key_hash = sha256(convert_to('$k4', 'UTF8'))) = '$after_save'"

k5=$(q "SELECT session.create('{\"e\": 5}')")
q "SELECT session.load('$k5')" "SELECT session.set_expiry('$k5', 5)" >/dev/null
short=$(q "SELECT expire_date FROM session.sessions WHERE key_hash = sha256(convert_to('$k5', 'UTF8'))")
check "a flush after a shorter set_expiry keeps the shorter expiry" \
	"SELECT session._flush_activity() >= 0 AND (SELECT expire_date FROM session.sessions WHERE key_hash = sha256(convert_to('$k5', 'UTF8'))) = '$short'"

q "ALTER DATABASE act SET session.max_lifetime = '3s'" >/dev/null
k6=$(q "SELECT session.create('{\"f\": 6}')")
q "SELECT session.load('$k6')" >/dev/null
check "a flush never moves an expiry past session.max_lifetime" \
	"SELECT session._flush_activity() >= 0 AND (SELECT expire_date <= created + interval '3 s' FROM session.sessions WHERE key_hash = sha256(convert_to('$k6', 'UTF8')))"
q "ALTER DATABASE act RESET session.max_lifetime" >/dev/null

k7=$(q "SELECT session.create('{\"g\": 7}')")
q "SELECT session.set_expiry('$k7', 2)" "SELECT pg_sleep(1)" "SELECT session.load('$k7')" "SELECT pg_sleep(1.3)" >/dev/null
check "a session live only by recorded activity still loads" \
	"SELECT session.load('$k7') = '{\"g\": 7}' AND (SELECT expire_date < clock_timestamp() FROM session.sessions WHERE key_hash = sha256(convert_to('$k7', 'UTF8')))"
check "the purge writes recorded activity first and keeps that session" \
	"SELECT session.purge_expired() >= 0 AND session.exists('$k7')"

k8=$(q "SELECT session.create('{}', account => 'act-idle')")
q "UPDATE session.accounts SET last_activity = now() - interval '2 hours', activity_floor = now() - interval '2 hours' WHERE account = 'act-idle'" \
	"UPDATE session.sessions SET last_activity = now() - interval '2 hours' WHERE account = 'act-idle'" \
	"SELECT session.load('$k8')" >/dev/null
check "flag_inactive sees activity recorded but not written" \
	"SELECT session.flag_inactive('1 hour') = 0 AND (SELECT is_active FROM session.accounts WHERE account = 'act-idle')"

# a full buffer (16 entries here) falls back to the inline touch
q "SELECT session._flush_activity()" >/dev/null
full0=$(q "SELECT (session.activity_status()->>'inline_when_full')::int")
keys=$(q "SELECT string_agg(session.create(jsonb_build_object('full', i)), ' ') FROM generate_series(1, 24) AS i")
q "UPDATE session.sessions SET last_activity = now() - interval '1 hour' WHERE data ? 'full'" >/dev/null
for key in $keys; do echo "SELECT session.load('$key');"; done | psql -X -q -At -h 127.0.0.1 -p "$P1" -U postgres -d act >/dev/null
check "a full buffer makes loads touch inline: none is lost" \
	"SELECT (session.activity_status()->>'inline_when_full')::int - $full0 >= 8 AND (SELECT count(*) FROM session.sessions WHERE data ? 'full' AND last_activity > now() - interval '1 minute') >= 8 AND (session.activity_status()->>'pending')::int <= 16"
q "SELECT session._flush_activity()" >/dev/null
check "... and the buffer's entries are written by the next flush" \
	"SELECT count(*) = 24 FROM session.sessions WHERE data ? 'full' AND last_activity > now() - interval '1 minute'"

# kill -9 of the postmaster under load: no session, no data lost
keys=$(q "SELECT string_agg(session.create(jsonb_build_object('crash', i)), ' ') FROM generate_series(1, 12) AS i")
(for round in $(seq 1 400); do for key in $keys; do echo "SELECT session.load('$key');"; done; done |
	psql -X -q -At -h 127.0.0.1 -p "$P1" -U postgres -d act >/dev/null 2>&1) &
loader=$!
sleep 1
pm=$(head -1 "$root/primary/data/postmaster.pid")
kids=$(ps -o pid= --ppid "$pm")
kill -9 "$pm" $kids
wait "$loader" 2>/dev/null
for _ in $(seq 1 100); do
	alive=0
	for p in $pm $kids; do kill -0 "$p" 2>/dev/null && alive=1; done
	[ $alive -eq 0 ] && break
	sleep 0.2
done
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$root/primary/data" -l "$root/primary/server.log" -w -t 60 start >/dev/null ||
	bad "the primary restarts after kill -9"
n=0
for key in $keys; do
	[ "$(q "SELECT session.load('$key') ? 'crash'")" = t ] && n=$((n + 1))
done
[ "$n" -eq 12 ] && ok "after kill -9 every session loads with its data" || bad "after kill -9 every session loads with its data" "$n of 12"

# a streaming standby
chown postgres: "$root/standby"
runuser -u postgres -- "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$P1" -U postgres -D "$root/standby/data" -R -X stream ||
	bad "pg_basebackup"
{
	echo "port = $P2"
	echo "unix_socket_directories = '$root/standby'"
	echo "session.primary_conninfo = 'host=127.0.0.1 port=$P1 user=postgres'"
	echo "session.activity_flush_interval = '200ms'"
	echo "hot_standby = on"
	echo "cron.database_name = 'postgres'"
} >>"$root/standby/data/postgresql.conf"
rm -f "$root/standby/data/postgresql.auto.conf.bak"
# the primary's long flush interval came along in postgresql.auto.conf
sed -i '/session.activity_flush_interval/d' "$root/standby/data/postgresql.auto.conf"
chown -R postgres: "$root/standby"
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$root/standby/data" -l "$root/standby/server.log" -w -t 60 start >/dev/null ||
	{ bad "standby starts"; cat "$root/standby/server.log"; }
ks=$(q "SELECT session.create('{\"standby\": 1}')")
q "SELECT session.set_expiry('$ks', 4)" >/dev/null
sleep 1
check "the standby says it forwards activity" "SELECT session.activity_status()->>'mode' = 'deferred' AND (session.activity_status()->>'standby')::bool" "$P2"
alive=0
for i in $(seq 1 6); do
	[ "$(q "$P2" "SELECT session.load('$ks') IS NOT NULL")" = t ] && alive=$((alive + 1))
	sleep 1.5
done
if [ "$alive" -eq 6 ]; then
	ok "a session loaded only on the standby stays alive past its 4 s timeout"
else
	bad "a session loaded only on the standby stays alive past its 4 s timeout" "$alive of 6 loads"
	q "$P2" "SELECT session.activity_status()" | sed 's/^/# /'
	grep -i "session\|error" "$root/standby/server.log" | tail -20 | sed 's/^/# /'
fi
check "... as the primary sees it" "SELECT session.exists('$ks')"

sed -i '/session.primary_conninfo/d' "$root/standby/data/postgresql.conf"
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$root/standby/data" reload >/dev/null
sleep 1
check "without session.primary_conninfo the standby says loads do not extend sessions" \
	"SELECT session.activity_status()->>'mode' = 'none'" "$P2"
kn=$(q "SELECT session.create('{\"standby\": 2}')")
q "SELECT session.set_expiry('$kn', 3)" >/dev/null
sleep 1
for i in $(seq 1 4); do q "$P2" "SELECT session.load('$kn')" >/dev/null; sleep 1; done
check "... and a session loaded only there expires" "SELECT NOT session.exists('$kn')"

echo "activity: $pass passed, $fail failed"
[ $fail -eq 0 ]
