#!/usr/bin/env bash
# test/integration/uninstall.sh: DROP EXTENSION leaves nothing that fails.
#
# On the test cluster (pg_cron preloaded, cron.database_name = postgres):
# schedules the maintenance job, drops the extension without unscheduling
# it first, and waits (at most 130 s) for pg_cron's next run of the job:
# the run succeeds, and the job and its cleanup job are gone.  Then the
# steps of README's "Uninstalling": the empty schema drops, a setting
# stored with ALTER ROLE does not stop the role from connecting and is
# reset, and the extension installs again.
set -u
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1${2:+ (got: $2)}"; }
check() { # name, SQL returning t
	local got
	got=$(psql -X -At -U postgres -d postgres -c "$2" 2>&1)
	if [ "$got" = t ]; then ok "$1"; else bad "$1" "$got"; fi
}
q() { psql -X -At -q -v ON_ERROR_STOP=1 -U postgres -d postgres "$@"; }

q >/dev/null <<'SQL' || exit 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_cron;
DROP EXTENSION IF EXISTS session;
CREATE EXTENSION session;
DROP ROLE IF EXISTS regress_uninstall;
CREATE ROLE regress_uninstall LOGIN;
ALTER ROLE regress_uninstall SET session.touch_interval = '5s';
SQL
job=$(q -c "SELECT session.schedule_maintenance('* * * * *')")
check "two jobs are scheduled" \
	"SELECT count(*) = 2 FROM cron.job WHERE jobname IN ('session-maintenance', 'session-maintenance-cleanup')"

dropped=$(q -c "SELECT clock_timestamp()")
q -c "DROP EXTENSION session" || bad "DROP EXTENSION session"
echo "# dropped the extension with the job scheduled; waiting for pg_cron's next run"
deadline=$((SECONDS + 130))
status=
while [ $SECONDS -lt $deadline ]; do
	status=$(q -c "SELECT string_agg(DISTINCT status, ',') FROM cron.job_run_details
				   WHERE jobid = $job AND start_time > '$dropped' AND status IN ('succeeded', 'failed')")
	[ -n "$status" ] && break
	sleep 2
done
echo "# run status after $((SECONDS))s: ${status:-none}"
check "the job's run after DROP EXTENSION succeeds" \
	"SELECT count(*) > 0 AND bool_and(status = 'succeeded') FROM cron.job_run_details WHERE jobid = $job AND start_time > '$dropped' AND status IN ('succeeded', 'failed')"
check "... and unscheduled the job and its cleanup job" \
	"SELECT NOT EXISTS (SELECT FROM cron.job WHERE jobname LIKE 'session-maintenance%')"

check "the schema is left, empty" \
	"SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = 'session')
	    AND NOT EXISTS (SELECT FROM pg_class WHERE relnamespace = 'session'::regnamespace)
	    AND NOT EXISTS (SELECT FROM pg_proc WHERE pronamespace = 'session'::regnamespace)"
q -c "DROP SCHEMA session" && ok "DROP SCHEMA session (without CASCADE) removes it" || bad "DROP SCHEMA session (without CASCADE) removes it"

got=$(psql -X -At -U regress_uninstall -d postgres -c "SHOW session.touch_interval" 2>&1)
[ "$got" = 5s ] && ok "a role with a stored session. setting still connects" || bad "a role with a stored session. setting still connects" "$got"
check "README's query finds the stored settings" \
	"SELECT count(*) = 1 FROM pg_db_role_setting AS s, unnest(s.setconfig) AS c WHERE c LIKE 'session.%'"
q -c "ALTER ROLE regress_uninstall RESET session.touch_interval"
check "... and none is left after RESET" \
	"SELECT NOT EXISTS (SELECT FROM pg_db_role_setting AS s, unnest(s.setconfig) AS c WHERE c LIKE 'session.%')"

q -c "SET client_min_messages = warning" -c "CREATE EXTENSION session" && ok "the extension installs again" || bad "the extension installs again"
q -c "DROP EXTENSION session" -c "DROP SCHEMA session" -c "DROP ROLE regress_uninstall" -c "DROP EXTENSION pg_cron"
echo "uninstall: $pass passed, $fail failed"
[ $fail -eq 0 ]
