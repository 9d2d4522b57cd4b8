#!/usr/bin/env bash
# test/integration/pg_cron.sh: the maintenance job really runs under pg_cron.
#
# On the test cluster (pg_cron preloaded, cron.database_name = postgres):
# seeds expired and live sessions and an idle and a busy account, schedules
# CALL session.run_maintenance() every minute, waits (at most 130 s) for a run
# that succeeded in cron.job_run_details, and checks what it did.  Then that a
# second schedule changes the job instead of adding one, that the cleanup
# job for cron.job_run_details exists, and that unscheduling removes both.
set -u
pass=0 fail=0
check() { # name, SQL returning t/f
	local got
	got=$(psql -X -At -d postgres -c "$2" 2>&1)
	if [ "$got" = t ]; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1 (got: $got)"; fi
}
q() { psql -X -At -v ON_ERROR_STOP=1 -d postgres "$@"; }

q -q >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pg_cron;
DROP EXTENSION IF EXISTS session;
CREATE EXTENSION session;
-- 300 sessions that expired a minute ago, 50 live ones
SELECT count(session.create(jsonb_build_object('n', i))) FROM generate_series(1, 350) AS i;
UPDATE session.sessions SET expire_date = now() - interval '1 minute',
	purge_after = now() - interval '1 minute'
WHERE (data->>'n')::int <= 300;
-- an account idle for two hours and a busy one
SELECT session.create('{}', account => 'idle-account') IS NOT NULL;
SELECT session.create('{}', account => 'busy-account') IS NOT NULL;
UPDATE session.accounts SET last_activity = now() - interval '2 hours',
	activity_floor = now() - interval '2 hours'
WHERE account = 'idle-account';
SQL
job=$(q -c "SELECT session.schedule_maintenance('* * * * *')")
echo "# scheduled job $job; waiting for pg_cron to run it"

deadline=$((SECONDS + 130))
status=
while [ $SECONDS -lt $deadline ]; do
	status=$(q -c "SELECT string_agg(DISTINCT status, ',') FROM cron.job_run_details WHERE jobid = $job AND status IN ('succeeded', 'failed')")
	[ -n "$status" ] && break
	sleep 2
done
echo "# run status after $((SECONDS))s: ${status:-none}"
q -c "SELECT '# ' || status || ': ' || return_message FROM cron.job_run_details WHERE jobid = $job"
check "the job ran and succeeded" "SELECT EXISTS (SELECT FROM cron.job_run_details WHERE jobid = $job AND status = 'succeeded')"
check "expired sessions are gone" "SELECT count(*) = 0 FROM session.sessions WHERE (data->>'n')::int <= 300"
check "live sessions are kept" "SELECT count(*) = 50 FROM session.sessions WHERE (data->>'n')::int > 300"
check "the idle account is flagged inactive" "SELECT NOT is_active AND inactive_since IS NOT NULL FROM session.accounts WHERE account = 'idle-account'"
check "the busy account is still active" "SELECT is_active FROM session.accounts WHERE account = 'busy-account'"

again=$(q -c "SELECT session.schedule_maintenance('*/5 * * * *')")
check "scheduling again keeps the job id" "SELECT $again = $job"
check "scheduling again changes the schedule, adds no job" "SELECT count(*) = 1 AND min(schedule) = '*/5 * * * *' FROM cron.job WHERE jobname = 'session-maintenance'"
check "a cleanup job trims cron.job_run_details of the job" "SELECT count(*) = 1 FROM cron.job WHERE jobname = 'session-maintenance-cleanup' AND command LIKE '%job_run_details WHERE jobid = $job %'"
q -q -c "DO \$\$ BEGIN EXECUTE (SELECT command FROM cron.job WHERE jobname = 'session-maintenance-cleanup'); END \$\$" && pass=$((pass + 1)) && echo "ok - the cleanup command is valid SQL" || { fail=$((fail + 1)); echo "not ok - the cleanup command is valid SQL"; }
check "unschedule says it removed the job" "SELECT session.unschedule_maintenance()"
check "no maintenance job is left" "SELECT NOT EXISTS (SELECT FROM cron.job WHERE jobname LIKE 'session-maintenance%')"
check "unschedule again says there was none" "SELECT NOT session.unschedule_maintenance()"

q -q -c "DROP EXTENSION session" -c "DROP EXTENSION pg_cron"
echo "pg_cron: $pass passed, $fail failed"
[ $fail -eq 0 ]
