--
-- purge: purge_expired() deletes the sessions that had expired when it
-- started, batch by batch along purge_after, and returns how many; live
-- sessions stay as they are, except that those whose purge_after has passed
-- get purge_after = expire_date.  Concurrency is in specs/purge_*.spec.
-- The first call purges what earlier tests left expired; the count of the
-- next one is checked against the table itself.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS session;
DROP ROLE IF EXISTS regress_purge_nogrant;
DROP ROLE IF EXISTS regress_purge_granted;
RESET client_min_messages;
\set VERBOSITY terse

-- Set-up: purge what earlier tests left expired (how many depends on them).
SELECT session.purge_expired() AS leftovers \gset

-- Test rows: key i is 'regresspurge' and i in 20 digits.
CREATE FUNCTION pg_temp.k(i integer) RETURNS text
LANGUAGE sql AS $$ SELECT 'regresspurge' || lpad(i::text, 20, '0') $$;
CREATE FUNCTION pg_temp.h(i integer) RETURNS bytea
LANGUAGE sql AS $$ SELECT sha256(convert_to(pg_temp.k(i), 'UTF8')) $$;
CREATE FUNCTION pg_temp.add(i integer, expire_date timestamptz, purge_after timestamptz) RETURNS integer
LANGUAGE sql AS $$
	INSERT INTO session.sessions (key_hash, data, created, last_activity, expire_date, purge_after)
	VALUES (pg_temp.h(i), jsonb_build_object('i', i), now() - interval '30 days',
			now() - interval '1 day', expire_date, purge_after)
	RETURNING 1
$$;
-- expired, purge_after = expire_date
SELECT sum(pg_temp.add(i, now() - i * interval '1 hour', now() - i * interval '1 hour')) AS added
FROM generate_series(1, 30) AS i;
-- expired after sliding: purge_after well before expire_date
SELECT sum(pg_temp.add(i, now() - interval '1 minute', now() - i * interval '1 day')) AS added
FROM generate_series(31, 40) AS i;
-- live after sliding: purge_after has passed, expire_date has not
SELECT sum(pg_temp.add(i, now() + interval '1 day', now() - i * interval '1 day')) AS added
FROM generate_series(41, 50) AS i;
-- live, purge_after to come
SELECT sum(pg_temp.add(i, now() + interval '1 day', now() + interval '1 hour')) AS added
FROM generate_series(51, 60) AS i;
-- ten expired and five live rows with one and the same purge_after, which
-- batches of 3 cut through
SELECT sum(pg_temp.add(i, CASE WHEN i <= 70 THEN now() - interval '1 minute' ELSE now() + interval '1 day' END,
						 now() - interval '2 days')) AS added
FROM generate_series(61, 75) AS i;

CREATE TEMP TABLE fixture AS
SELECT i, s.xmin::text AS x, s.data, s.expire_date, s.purge_after,
	   s.expire_date <= now() AS expired, s.purge_after <= now() AS due
FROM generate_series(1, 75) AS i JOIN session.sessions AS s ON s.key_hash = pg_temp.h(i);
SELECT expired, due, count(*) FROM fixture GROUP BY 1, 2 ORDER BY 1, 2;
CREATE TEMP TABLE before AS SELECT key_hash FROM session.sessions;

-- invalid input
SELECT session.purge_expired(NULL);
\echo :SQLSTATE
SELECT session.purge_expired(1000, NULL);
\echo :SQLSTATE
SELECT session.purge_expired(0);
\echo :SQLSTATE
SELECT session.purge_expired(-1);
\echo :SQLSTATE
SELECT session.purge_expired(1000, '-1 second');
\echo :SQLSTATE
-- nothing was purged
SELECT count(*) = (SELECT count(*) FROM before) AS unchanged FROM session.sessions;

--
-- purge in batches of 3
--
SELECT session.purge_expired(3) AS n \gset
SELECT :n = (SELECT count(*) FROM before) - (SELECT count(*) FROM session.sessions) AS returns_deleted,
	   :n >= 50 AS at_least_fixture;
-- every expired test row is gone; the live ones are still there
SELECT f.expired, f.due, count(s.key_hash) AS kept, count(*) AS of
FROM fixture AS f LEFT JOIN session.sessions AS s ON s.key_hash = pg_temp.h(f.i)
GROUP BY 1, 2 ORDER BY 1, 2;
-- A call re-arms at most batch_size live rows whose purge_after has passed,
-- the earliest first: they get purge_after = expire_date.  Nothing else
-- changes, and live rows whose purge_after is to come are not written.
CREATE FUNCTION pg_temp.live() RETURNS TABLE (due boolean, rearmed integer[], other_purge_after_kept boolean,
											  same_sessions boolean, written integer[])
LANGUAGE sql AS $$
	SELECT f.due,
		   array_agg(f.i ORDER BY f.i) FILTER (WHERE s.purge_after IS DISTINCT FROM f.purge_after),
		   bool_and(s.purge_after = f.purge_after OR (f.due AND s.purge_after = s.expire_date)),
		   bool_and(s.data = f.data AND s.expire_date = f.expire_date),
		   array_agg(f.i ORDER BY f.i) FILTER (WHERE s.xmin::text <> f.x)
	FROM fixture AS f JOIN session.sessions AS s ON s.key_hash = pg_temp.h(f.i)
	GROUP BY 1 ORDER BY 1
$$;
SELECT * FROM pg_temp.live();
-- nothing left to delete: the next call re-arms the next three
SELECT session.purge_expired(3) AS again;
SELECT * FROM pg_temp.live();
SELECT session.purge_expired() AS again;
SELECT * FROM pg_temp.live();
-- the live rows load as before
SELECT count(*) FILTER (WHERE session.load(pg_temp.k(i)) = jsonb_build_object('i', i)) AS loaded
FROM fixture WHERE NOT expired;
-- once re-armed, rows are not written again
CREATE TEMP TABLE armed AS
SELECT s.key_hash, s.xmin::text AS x FROM session.sessions AS s JOIN fixture AS f ON s.key_hash = pg_temp.h(f.i);
SELECT session.purge_expired() AS again;
SELECT count(*) AS rewritten
FROM armed AS a JOIN session.sessions AS s USING (key_hash) WHERE s.xmin::text <> a.x;

--
-- time_budget: once it is spent, the purge stops after the first batch that
-- deletes something (0 means that nothing expired is left); a later call
-- goes on
--
SELECT sum(pg_temp.add(i, now() - interval '1 minute', now() - interval '1000 days' + i * interval '1 second')) AS added
FROM generate_series(101, 110) AS i;
-- four live rows come first, to be re-armed
SELECT sum(pg_temp.add(i, now() + interval '1 day', now() - interval '2000 days' + i * interval '1 second')) AS added
FROM generate_series(111, 114) AS i;
SELECT session.purge_expired(4, '0 seconds') AS one_batch;
SELECT count(*) FILTER (WHERE i <= 110) AS expired_left,
	   count(*) FILTER (WHERE i > 110 AND s.purge_after = s.expire_date) AS rearmed
FROM generate_series(101, 114) AS i JOIN session.sessions AS s ON s.key_hash = pg_temp.h(i);
SELECT session.purge_expired(4) AS the_rest;
DELETE FROM session.sessions AS s USING generate_series(111, 114) AS i WHERE s.key_hash = pg_temp.h(i);

--
-- privileges
--
SELECT p.prosecdef AS security_definer, p.proconfig AS config,
	   obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented,
	   has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
FROM pg_proc AS p WHERE p.oid = 'session.purge_expired(integer, interval)'::regprocedure;
CREATE ROLE regress_purge_nogrant;
CREATE ROLE regress_purge_granted;
GRANT USAGE ON SCHEMA session TO regress_purge_nogrant, regress_purge_granted;
GRANT EXECUTE ON FUNCTION session.purge_expired(integer, interval) TO regress_purge_granted;
SELECT sum(pg_temp.add(i, now() - interval '1 minute', now() - interval '1 minute')) AS added
FROM generate_series(201, 202) AS i;
-- invalid input
SET ROLE regress_purge_nogrant;
SELECT session.purge_expired();
\echo :SQLSTATE
RESET ROLE;
-- a role granted EXECUTE purges without any right on the table
SET ROLE regress_purge_granted;
SELECT session.purge_expired() AS purged_by_grantee;
SELECT count(*) FROM session.sessions;
\echo :SQLSTATE
RESET ROLE;

DELETE FROM session.sessions AS s USING fixture AS f WHERE s.key_hash = pg_temp.h(f.i);
REVOKE ALL ON FUNCTION session.purge_expired(integer, interval) FROM regress_purge_granted;
REVOKE ALL ON SCHEMA session FROM regress_purge_nogrant, regress_purge_granted;
DROP ROLE regress_purge_nogrant;
DROP ROLE regress_purge_granted;

--
-- run_maintenance: the pg_cron job's procedure, committing each batch
--
SELECT sum(pg_temp.add(i, now() - interval '1 minute', now() - interval '1 minute')) AS added_expired
FROM generate_series(301, 305) AS i;
SELECT sum(pg_temp.add(i, now() + interval '1 hour', now() - interval '1 minute')) AS added_live
FROM generate_series(306, 307) AS i;
CALL session.run_maintenance(2);
SELECT count(*) FILTER (WHERE s.expire_date <= clock_timestamp()) AS expired_left,
	   count(*) FILTER (WHERE s.expire_date > clock_timestamp()) AS live_left,
	   count(*) FILTER (WHERE s.purge_after = s.expire_date) AS rearmed
FROM session.sessions AS s
WHERE s.key_hash IN (SELECT pg_temp.h(i) FROM generate_series(301, 307) AS i);
-- invalid input
CALL session.run_maintenance(0);
\echo :SQLSTATE
BEGIN;
CALL session.run_maintenance();
\echo :SQLSTATE
ROLLBACK;
SELECT has_function_privilege('public', 'session.run_maintenance(integer, interval)', 'EXECUTE') AS public_execute;
DELETE FROM session.sessions WHERE key_hash IN (SELECT pg_temp.h(i) FROM generate_series(301, 307) AS i);
-- the failed CALL left no lock behind: a purge from another connection runs
SELECT count(*) AS held_advisory_locks FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();
