--
-- Maintenance, and its schedule with pg_cron.  Installing the extension
-- schedules nothing: a DBA calls schedule_maintenance().
--
CREATE FUNCTION @extschema@.maintain()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	started timestamptz := clock_timestamp();
	purged bigint;
	flagged integer;
BEGIN
	purged := session.purge_expired();
	flagged := session.flag_inactive();
	RETURN jsonb_build_object(
		'purged', purged,
		'flagged_inactive', flagged,
		'seconds', round(extract(epoch FROM clock_timestamp() OPERATOR(pg_catalog.-) started), 3));
END
$$;
COMMENT ON FUNCTION @extschema@.maintain() IS
'purge expired sessions and flag inactive accounts; returns {"purged", "flagged_inactive", "seconds"}';
REVOKE ALL ON FUNCTION @extschema@.maintain() FROM PUBLIC;

-- What the pg_cron job runs: the same work as maintain(), but committing
-- after every batch of the purge.  A function runs in one transaction, and
-- the WAL of its deletes is flushed by whichever concurrent request commits
-- next: measured, the latency of concurrent loads (p99) rose 5-6x during a
-- one-transaction purge of 1,000,000 rows and 1.1-2.9x during this one
-- (see bench/purge.sh).  A procedure that commits can be neither SECURITY
-- DEFINER nor carry a SET clause, so it runs as the caller, who needs
-- EXECUTE on the internal _purge_batch(), _purge_rearm(), _notify() and on
-- flag_inactive() (the extension's owner has it), and every name and
-- operator in it is qualified.
CREATE PROCEDURE @extschema@.run_maintenance(batch_size integer DEFAULT 1000,
											 time_budget interval DEFAULT '10 seconds')
LANGUAGE plpgsql
AS $$
DECLARE
	started timestamptz := pg_catalog.clock_timestamp();
	after timestamptz := '-infinity';
	upto timestamptz;
	n bigint;
	purged bigint := 0;
	flagged integer;
BEGIN
	IF batch_size IS NULL OR batch_size OPERATOR(pg_catalog.<=) 0 THEN
		RAISE EXCEPTION 'batch_size must be positive' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- Each batch takes the lock of purge_expired() in its own transaction,
	-- so a cancel or an error leaves no lock behind; a purge running
	-- elsewhere makes this one stop.
	LOOP
		EXIT WHEN NOT pg_catalog.pg_try_advisory_xact_lock(8315179226536832624);
		SELECT b.upto, b.deleted INTO upto, n
		FROM session._purge_batch(after, started, batch_size) AS b;
		purged := purged OPERATOR(pg_catalog.+) n;
		IF upto OPERATOR(pg_catalog.=) started
		   OR pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) started
			  OPERATOR(pg_catalog.>=) time_budget THEN
			PERFORM session._purge_rearm(upto, started, batch_size);
			COMMIT;
			EXIT;
		END IF;
		COMMIT;
		after := upto;
	END LOOP;
	IF purged OPERATOR(pg_catalog.>) 0 THEN
		PERFORM session._notify('purged', NULL, NULL, purged);
	END IF;
	COMMIT;
	flagged := session.flag_inactive();
	COMMIT;
	RAISE NOTICE 'session maintenance: % purged, % flagged inactive', purged, flagged;
END
$$;
COMMENT ON PROCEDURE @extschema@.run_maintenance(integer, interval) IS
'maintain(), committing after each purge batch so concurrent requests keep their latency: what the pg_cron job runs (CALL)';
REVOKE ALL ON PROCEDURE @extschema@.run_maintenance(integer, interval) FROM PUBLIC;

-- The hint for a cluster where pg_cron is not usable from this database.
CREATE FUNCTION @extschema@._cron_hint(schedule text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE
		WHEN current_setting('cron.database_name', true) IS NOT NULL
			 AND current_setting('cron.database_name', true) OPERATOR(pg_catalog.<>) current_database()
		THEN format('pg_cron runs in database %I. Connect there and run: SELECT cron.schedule_in_database(%L, %L, %L, %L);',
					current_setting('cron.database_name', true), 'session-maintenance', $1,
					'CALL session.run_maintenance()', current_database())
		WHEN current_setting('cron.database_name', true) IS NOT NULL
		THEN 'pg_cron is loaded and uses this database: run CREATE EXTENSION pg_cron here.'
		ELSE format('Add pg_cron to shared_preload_libraries and set cron.database_name = %L in postgresql.conf, restart, then run CREATE EXTENSION pg_cron in database %I.',
					current_database(), current_database())
	END
$$;
COMMENT ON FUNCTION @extschema@._cron_hint(text) IS 'internal: how to set up pg_cron for the maintenance job';
REVOKE ALL ON FUNCTION @extschema@._cron_hint(text) FROM PUBLIC;

-- SECURITY INVOKER on purpose: the job belongs to, and runs as, the role
-- that schedules it, which needs EXECUTE on purge_expired() and flag_inactive().
CREATE FUNCTION @extschema@.schedule_maintenance(schedule text DEFAULT '* * * * *',
												 run_details_retention interval DEFAULT '1 day')
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job bigint;
BEGIN
	IF schedule IS NULL THEN
		RAISE EXCEPTION 'schedule must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF run_details_retention OPERATOR(pg_catalog.<) '0'::interval THEN
		RAISE EXCEPTION 'run_details_retention must not be negative' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pg_cron') THEN
		RAISE EXCEPTION 'pg_cron is not installed in database "%"', current_database()
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = session._cron_hint(schedule);
	END IF;
	-- cron.schedule replaces a job of the same name: calling again changes
	-- the schedule and never adds a second job.
	EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job
		USING 'session-maintenance', schedule, 'CALL session.run_maintenance()';
	IF run_details_retention IS NOT NULL THEN
		EXECUTE 'SELECT cron.schedule($1, $2, $3)'
			USING 'session-maintenance-cleanup', '17 * * * *',
				  format('DELETE FROM cron.job_run_details WHERE jobid = %s AND end_time < now() - %L::interval',
						 job, run_details_retention);
	ELSIF EXISTS (SELECT FROM pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pg_cron') THEN
		EXECUTE 'SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = $1 AND username = current_user'
			USING 'session-maintenance-cleanup';
	END IF;
	RETURN job;
END
$$;
COMMENT ON FUNCTION @extschema@.schedule_maintenance(text, interval) IS
'schedule run_maintenance() with pg_cron as job "session-maintenance" (again: change its schedule); an hourly job keeps cron.job_run_details of it for run_details_retention (NULL: keep all); returns the job id';
REVOKE ALL ON FUNCTION @extschema@.schedule_maintenance(text, interval) FROM PUBLIC;

CREATE FUNCTION @extschema@.unschedule_maintenance()
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n integer;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pg_cron') THEN
		RAISE EXCEPTION 'pg_cron is not installed in database "%"', current_database()
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = session._cron_hint('* * * * *');
	END IF;
	EXECUTE 'SELECT count(cron.unschedule(jobid)) FROM cron.job'
			' WHERE jobname IN ($1, $2) AND username = current_user'
		INTO n USING 'session-maintenance', 'session-maintenance-cleanup';
	RETURN n OPERATOR(pg_catalog.>) 0;
END
$$;
COMMENT ON FUNCTION @extschema@.unschedule_maintenance() IS
'remove the maintenance job (and its cleanup job); false if there was none';
REVOKE ALL ON FUNCTION @extschema@.unschedule_maintenance() FROM PUBLIC;
