#!/usr/bin/env bash
# test/integration/pg_dump.sh: dumps and restores, as a DBA makes them.
#
# On the test cluster: a database owned by a role that is not a superuser,
# with the extension installed by a superuser and sessions of every
# policy.  Checks that the owner can dump it (plain and custom format),
# that a restore into a fresh database keeps every session loadable with
# its data, account and expiry, and new ids above the old; that the ways
# README gives to leave sessions out of a dump restore cleanly; and that a
# new owner of the database dumps it after the documented GRANT.  Keys and
# data are never printed.
set -u
cd "$(dirname "$0")/../.."
. scripts/lib.sh
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1${2:+ (got: $2)}"; }
# check NAME DB SQL: the SQL returns t
check() {
	local got
	got=$(psql -X -At -U postgres -d "$2" -c "$3" 2>&1)
	if [ "$got" = t ]; then ok "$1"; else bad "$1" "$got"; fi
}
q() { psql -X -At -q -v ON_ERROR_STOP=1 -U postgres "$@"; }
# run NAME COMMAND...: the command succeeds (its output goes to a log)
run() {
	local name=$1
	shift
	if "$@" >"$tmp/run.log" 2>&1; then ok "$name"; else bad "$name" "$(head -3 "$tmp/run.log")"; fi
}

tmp=$(mktemp -d /tmp/session-dump.XXXXXX)
cleanup() {
	q -d postgres >/dev/null 2>&1 <<-'SQL'
		DROP DATABASE IF EXISTS regress_dump_src;
		DROP DATABASE IF EXISTS regress_dump_plain;
		DROP DATABASE IF EXISTS regress_dump_custom;
		DROP DATABASE IF EXISTS regress_dump_nodata;
		DROP DATABASE IF EXISTS regress_dump_noschema;
		DROP ROLE IF EXISTS regress_dump_owner;
		DROP ROLE IF EXISTS regress_dump_owner2;
	SQL
	rm -rf "$tmp"
}
trap cleanup EXIT
cleanup
mkdir -p "$tmp"

q -d postgres -c "CREATE ROLE regress_dump_owner LOGIN" -c "CREATE ROLE regress_dump_owner2 LOGIN" \
	-c "CREATE DATABASE regress_dump_src OWNER regress_dump_owner" || exit 1
q -d regress_dump_src >/dev/null <<'SQL' || exit 1
SET client_min_messages = warning;
CREATE EXTENSION session;
CREATE TABLE public.k (name text PRIMARY KEY, key text);
ALTER TABLE public.k OWNER TO regress_dump_owner;
INSERT INTO public.k VALUES
	('default', session.create('{"a": 1}')),
	('fixed', session.create('{"b": [2]}', clock_timestamp() + interval '3 days')),
	('account', session.create('{"_auth_user_id": "dump-1", "c": "three"}', ip => '192.0.2.9', user_agent => 'Dump/1')),
	('login', session.login(NULL, 'dump-2')),
	('seconds', session.create('{"d": 4}')),
	('browser', session.create('{"e": 5}'));
SELECT session.set_expiry((SELECT key FROM public.k WHERE name = 'seconds'), 600),
	   session.set_expiry((SELECT key FROM public.k WHERE name = 'browser'), 0);
-- the table of what each session was, to compare after a restore
CREATE TABLE public.before AS
SELECT k.name, s.id, s.data, s.account, s.created, s.expire_date, s.max_age, s.fixed_expiry, s.ip, s.user_agent
FROM public.k JOIN session.sessions AS s ON s.key_hash = sha256(convert_to(k.key, 'UTF8'));
ALTER TABLE public.before OWNER TO regress_dump_owner;
SQL

check "the database's owner may read the tables and the id sequence" regress_dump_src \
	"SELECT has_table_privilege('regress_dump_owner', 'session.sessions', 'SELECT')
	    AND has_table_privilege('regress_dump_owner', 'session.accounts', 'SELECT')
	    AND has_sequence_privilege('regress_dump_owner', 'session.sessions_id_seq', 'SELECT')"
check "... and nothing else: no write, no API" regress_dump_src \
	"SELECT NOT has_table_privilege('regress_dump_owner', 'session.sessions', 'INSERT, UPDATE, DELETE')
	    AND NOT has_function_privilege('regress_dump_owner', 'session.load(text)', 'EXECUTE')"

q -d regress_dump_src -c "SELECT session.grant_access('regress_dump_owner')" -c "SELECT session.revoke_access('regress_dump_owner')" >/dev/null
check "revoke_access() leaves the owner what it needs to dump" regress_dump_src \
	"SELECT has_schema_privilege('regress_dump_owner', 'session', 'USAGE')
	    AND NOT has_function_privilege('regress_dump_owner', 'session.load(text)', 'EXECUTE')"

# what a restored database must hold: every session, as it was
restored_ok() {
	local db=$1
	check "$2: every session loads with its data" "$db" \
		"SELECT count(*) = 6 AND bool_and(session.load(k.key) = b.data) FROM public.k JOIN public.before AS b USING (name)"
	check "$2: ids, accounts, expiry and metadata are kept" "$db" \
		"SELECT count(*) = 6 FROM public.k JOIN public.before AS b USING (name)
		 JOIN session.sessions AS s ON s.key_hash = sha256(convert_to(k.key, 'UTF8'))
		 WHERE s.id = b.id AND s.account IS NOT DISTINCT FROM b.account AND s.created = b.created
		   AND s.expire_date = b.expire_date AND s.max_age IS NOT DISTINCT FROM b.max_age
		   AND s.fixed_expiry = b.fixed_expiry AND s.ip IS NOT DISTINCT FROM b.ip
		   AND s.user_agent IS NOT DISTINCT FROM b.user_agent"
	check "$2: accounts are kept, and account_sessions finds their sessions" "$db" \
		"SELECT (SELECT count(*) FROM session.accounts) = 2 AND (SELECT count(*) FROM session.account_sessions('dump-1')) = 1"
	q -d "$db" -c "SELECT session.create('{\"new\": true}')" >/dev/null
	check "$2: a new session gets an id above every restored one" "$db" \
		"SELECT min(id) > (SELECT max(id) FROM public.before) FROM session.sessions WHERE data ? 'new'"
	check "$2: the database's owner may read the tables again" "$db" \
		"SELECT has_table_privilege('regress_dump_owner', 'session.sessions', 'SELECT')"
}

# a plain dump by the owner, restored by a superuser
run "pg_dump by the database's owner (plain) succeeds" \
	"$PGBIN/pg_dump" -U regress_dump_owner -d regress_dump_src -f "$tmp/plain.sql"
q -d postgres -c "CREATE DATABASE regress_dump_plain OWNER regress_dump_owner"
run "the plain dump restores without an error" \
	psql -X -q -v ON_ERROR_STOP=1 -U postgres -d regress_dump_plain -f "$tmp/plain.sql"
restored_ok regress_dump_plain "plain"

# a custom-format dump by the owner, with pg_restore
run "pg_dump by the database's owner (custom format) succeeds" \
	"$PGBIN/pg_dump" -U regress_dump_owner -d regress_dump_src -Fc -f "$tmp/custom.dump"
q -d postgres -c "CREATE DATABASE regress_dump_custom OWNER regress_dump_owner"
run "pg_restore of it succeeds" \
	"$PGBIN/pg_restore" -U postgres -d regress_dump_custom --exit-on-error "$tmp/custom.dump"
restored_ok regress_dump_custom "custom"

# leaving the sessions out: --exclude-table-data
run "pg_dump --exclude-table-data='session.*' succeeds" \
	"$PGBIN/pg_dump" -U regress_dump_owner -d regress_dump_src --exclude-table-data='session.*' -f "$tmp/nodata.sql"
q -d postgres -c "CREATE DATABASE regress_dump_nodata OWNER regress_dump_owner"
run "... and restores without an error" \
	psql -X -q -v ON_ERROR_STOP=1 -U postgres -d regress_dump_nodata -f "$tmp/nodata.sql"
check "... into a store with the extension, no session and no account" regress_dump_nodata \
	"SELECT (SELECT count(*) FROM session.sessions) = 0 AND (SELECT count(*) FROM session.accounts) = 0
	    AND (SELECT count(*) FROM public.k) = 6 AND session.load((SELECT key FROM public.k WHERE name = 'default')) IS NULL"
check "... that works" regress_dump_nodata "SELECT session.load(session.create('{\"n\": 1}')) = '{\"n\": 1}'"

# --exclude-schema=session does not leave the extension out (README says so)
"$PGBIN/pg_dump" -U regress_dump_owner -d regress_dump_src --exclude-schema=session -f "$tmp/noschema.sql" 2>"$tmp/run.log"
q -d postgres -c "CREATE DATABASE regress_dump_noschema"
if psql -X -q -v ON_ERROR_STOP=1 -U postgres -d regress_dump_noschema -f "$tmp/noschema.sql" >"$tmp/run.log" 2>&1; then
	bad "--exclude-schema=session still dumps CREATE EXTENSION without its schema, as README says" "it restored"
elif grep -q 'schema "session" does not exist' "$tmp/run.log"; then
	ok "--exclude-schema=session still dumps CREATE EXTENSION without its schema, as README says"
else
	bad "--exclude-schema=session still dumps CREATE EXTENSION without its schema, as README says" "$(head -2 "$tmp/run.log")"
fi

# a database given to another owner: the documented GRANT
q -d regress_dump_src -c "ALTER DATABASE regress_dump_src OWNER TO regress_dump_owner2" \
	-c "ALTER TABLE public.k OWNER TO regress_dump_owner2" -c "ALTER TABLE public.before OWNER TO regress_dump_owner2" \
	-c "GRANT USAGE ON SCHEMA session TO regress_dump_owner2" \
	-c "GRANT SELECT ON session.sessions, session.accounts, session.sessions_id_seq TO regress_dump_owner2"
run "a new owner dumps the database after the GRANT of README" \
	"$PGBIN/pg_dump" -U regress_dump_owner2 -d regress_dump_src -f "$tmp/owner2.sql"
q -d regress_dump_src -c "REVOKE ALL ON session.sessions, session.accounts, session.sessions_id_seq FROM regress_dump_owner2" \
	-c "REVOKE ALL ON session.sessions, session.accounts, session.sessions_id_seq FROM regress_dump_owner" \
	-c "REVOKE ALL ON SCHEMA session FROM regress_dump_owner, regress_dump_owner2"

echo "pg_dump: $pass passed, $fail failed"
[ $fail -eq 0 ]
