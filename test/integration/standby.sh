#!/usr/bin/env bash
# test/integration/standby.sh: every call of the API on a hot standby.
#
# A primary and a streaming standby of the test's own (pg_basebackup -R),
# the library not preloaded.  On the standby every reading call answers as
# on the primary (a load whose touch is due returns the data and writes
# nothing), and every call that writes fails with SQLSTATE 25006 and a
# message that names the call, or the statement it refused for the
# set-based maintenance functions.  Keys and data are never printed.
set -u
cd "$(dirname "$0")/../.."
. scripts/lib.sh

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1${2:+ (got: $2)}"; }
# check NAME SQL [PORT]: the SQL returns t
check() {
	local got
	got=$(psql -X -At -h 127.0.0.1 -p "${3:-$P2}" -U postgres -d sb -c "$2" 2>&1)
	if [ "$got" = t ]; then ok "$1"; else bad "$1" "$got"; fi
}
# refused NAME SQL WHAT: on the standby the SQL fails with 25006, "cannot
# execute WHAT in a read-only transaction"
refused() {
	local got
	got=$(psql -X -At -h 127.0.0.1 -p "$P2" -U postgres -d sb -v VERBOSITY=verbose -c "$2" 2>&1 | head -1)
	if [ "$got" = "ERROR:  25006: cannot execute $3 in a read-only transaction" ]; then
		ok "$1 fails on the standby: 25006, $3"
	else
		bad "$1 fails on the standby: 25006, $3" "$got"
	fi
}
q() {
	local port=$P1
	if [[ $1 =~ ^[0-9]+$ ]]; then port=$1; shift; fi
	psql -X -At -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d sb "${@/#/-c}"
}

root=$(cluster_root "$PWD")
chown postgres: "$root"
P1=$(free_port 57600)
P2=$(free_port $((P1 + 1)))
stop_all() {
	for d in "$root/standby" "$root/primary"; do
		[ -f "$d/data/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$d/data" -m immediate -w stop >/dev/null 2>&1
	done
	rm -rf "$root"
}
trap stop_all EXIT

mkdir -p "$root/primary" "$root/standby"
chown postgres: "$root/standby"
cluster_start "$root/primary" "$P1" "wal_level = replica" "max_wal_senders = 4" || exit 1
psql -X -q -h 127.0.0.1 -p "$P1" -U postgres -d postgres -c "CREATE DATABASE sb" || exit 1
q "SET client_min_messages = warning" "CREATE EXTENSION session" \
	"CREATE TABLE public.django_session (session_key varchar(40) PRIMARY KEY, session_data text NOT NULL, expire_date timestamptz NOT NULL)" >/dev/null || exit 1
k=$(q "SELECT session.create('{\"a\": 1, \"_auth_user_id\": \"sb-1\"}')")
kb=$(q "SELECT session.create('{\"b\": 2}')")
q "SELECT session.set_expiry('$kb', 0)" "UPDATE session.sessions SET last_activity = now() - interval '1 hour'" >/dev/null
runuser -u postgres -- "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$P1" -U postgres -D "$root/standby/data" -R -X stream -c fast >/dev/null 2>&1 ||
	{ bad "pg_basebackup"; echo "standby: $pass passed, $fail failed"; exit 1; }
{
	echo "port = $P2"
	echo "unix_socket_directories = '$root/standby'"
	echo "hot_standby = on"
} >>"$root/standby/data/postgresql.conf"
chown -R postgres: "$root/standby"
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$root/standby/data" -l "$root/standby/server.log" -w -t 60 start >/dev/null ||
	{ bad "the standby starts"; cat "$root/standby/server.log"; echo "standby: $pass passed, $fail failed"; exit 1; }
check "the standby is in recovery" "SELECT pg_is_in_recovery()"

# reading calls
check "load returns the data" "SELECT session.load('$k') = '{\"a\": 1, \"_auth_user_id\": \"sb-1\"}'"
check "a load whose touch is due returns the data and writes nothing" \
	"SELECT session.load('$kb') = '{\"b\": 2}' AND (SELECT last_activity < now() - interval '59 minutes' FROM session.sessions WHERE key_hash = sha256(convert_to('$kb', 'UTF8')))"
check "load of an unknown or malformed key is NULL" "SELECT session.load('nosuchkey0123456') IS NULL AND session.load('bad key') IS NULL"
check "exists" "SELECT session.exists('$k') AND NOT session.exists('nosuchkey0123456')"
check "get" "SELECT session.get('$k', 'a') = '1'"
check "expiry_age" "SELECT session.expiry_age('$k') > 0"
check "expiry_date" "SELECT session.expiry_date('$k') > now()"
check "expires_at_browser_close" "SELECT session.expires_at_browser_close('$kb') AND NOT session.expires_at_browser_close('$k')"
check "account_sessions" "SELECT count(*) = 1 FROM session.account_sessions('sb-1', '$k') WHERE is_current"
check "activity_status says loads do not extend sessions here" \
	"SELECT session.activity_status()->>'mode' = 'none' AND (session.activity_status()->>'standby')::bool"
check "encode and decode" "SELECT session.decode(session.encode('{\"x\": 1}', 'sb-secret'), 'sb-secret') = '{\"x\": 1}'"

# writing calls
refused "create" "SELECT session.create()" "session.create()"
refused "save" "SELECT session.save('$k', '{}')" "session.save()"
refused "save with must_create" "SELECT session.save('abcdefgh12345678', '{}', must_create => true)" "session.save()"
refused "delete" "SELECT session.delete('$k')" "session.delete()"
refused "delete of an unknown key" "SELECT session.delete('nosuchkey0123456')" "session.delete()"
refused "flush" "SELECT session.flush('$k')" "session.flush()"
refused "logout" "SELECT session.logout('$k')" "session.logout()"
refused "cycle_key" "SELECT session.cycle_key('$k')" "session.cycle_key()"
refused "login" "SELECT session.login('$k', 'sb-2')" "session.login()"
refused "set" "SELECT session.set('$k', 'c', '3')" "session.set()"
refused "pop" "SELECT session.pop('$k', 'a')" "session.pop()"
refused "set_expiry (seconds)" "SELECT session.set_expiry('$k', 60)" "session.set_expiry()"
refused "set_expiry (date)" "SELECT session.set_expiry('$k', now() + interval '1 day')" "session.set_expiry()"
refused "revoke" "SELECT session.revoke('sb-1', 1)" "session.revoke()"
refused "logout_everywhere" "SELECT session.logout_everywhere('sb-1')" "session.logout_everywhere()"
refused "import_django" "SELECT session.import_django(secret => 'sb-secret')" "session.import_django()"
refused "flag_inactive" "SELECT session.flag_inactive()" "UPDATE"
refused "purge_expired" "SELECT session.purge_expired()" "DELETE"
refused "clear_expired" "SELECT session.clear_expired()" "DELETE"
refused "maintain" "SELECT session.maintain()" "DELETE"
refused "run_maintenance" "CALL session.run_maintenance()" "DELETE"
refused "grant_access" "SELECT session.grant_access('postgres')" "GRANT"
refused "revoke_access" "SELECT session.revoke_access('postgres')" "REVOKE"

check "... and the primary still has both sessions as they were" \
	"SELECT session.exists('$k') AND session.get('$k', 'a') = '1' AND session.exists('$kb')" "$P1"

echo "standby: $pass passed, $fail failed"
[ $fail -eq 0 ]
