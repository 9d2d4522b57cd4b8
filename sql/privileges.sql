--
-- privileges: nothing is granted to PUBLIC.  A role given the API with
-- session.grant_access() can run the per-session calls (holding a key is
-- the authority) but can neither read nor change the table, purge, call
-- the internal helpers nor loosen the security settings; a role without
-- it can do nothing.  Every SECURITY DEFINER function that is not C pins
-- its search_path.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS session;
DROP ROLE IF EXISTS regress_session_app;
DROP ROLE IF EXISTS regress_session_other;
RESET client_min_messages;
\set VERBOSITY terse
-- Load the module now, so that the SETs below are checked, not kept as placeholders.
LOAD 'session';

CREATE ROLE regress_session_app;
CREATE ROLE regress_session_other;
SELECT session.grant_access('regress_session_app');

--
-- the lifecycle API, as a plain role
--
SET ROLE regress_session_app;
SELECT current_user;
SET session.default_max_age = '1h';
SET session.touch_interval = 0;
SELECT session.create('{"a": 1}', NULL, 'alice', '192.0.2.1', 'Mozilla/5.0') AS k \gset
SELECT length(:'k') = 32 AS len32;
SELECT session.load(:'k') AS data, session.exists(:'k') AS exists,
	   session.get(:'k', 'a') AS get;
SELECT session.save(:'k', '{"a": 2}') AS save, session.set(:'k', 'b', '3') AS set,
	   session.pop(:'k', 'a') AS pop;
SELECT session.save('regressprivileges000000000000001', '{}', NULL, true) AS save_must_create;
SELECT session.set_expiry(:'k', 600) AS set_expiry_seconds,
	   session.expiry_age(:'k') BETWEEN 595 AND 600 AS expiry_age,
	   session.expiry_date(:'k') IS NOT NULL AS expiry_date,
	   session.expires_at_browser_close(:'k') AS browser_close;
SELECT session.set_expiry(:'k', clock_timestamp() + interval '1 day') AS set_expiry_date;
SELECT session.cycle_key(:'k') AS k2 \gset
SELECT session.load(:'k') IS NULL AS old_dead, session.load(:'k2') AS data;
-- invalid input: a role not given the API cannot use a key it holds
SET ROLE regress_session_other;
SELECT session.load(:'k2') AS data;
\echo :SQLSTATE
SELECT session.create('{}', NULL, 'alice');
\echo :SQLSTATE
SELECT session.login(NULL, 'alice');
\echo :SQLSTATE
-- nor set the account key that decides what logout_everywhere() finds
SET session.account_key = '';
\echo :SQLSTATE
SET ROLE regress_session_app;
SELECT session.load(:'k2') AS data, session.set(:'k2', 'by', '"app"') AS set;
SELECT session.delete(:'k2') AS delete,
	   session.flush('regressprivileges000000000000001') AS flush;

-- invalid input
-- the table, its sequence and the purge are not for PUBLIC
SELECT count(*) FROM session.sessions;
\echo :SQLSTATE
SELECT data FROM session.sessions LIMIT 1;
\echo :SQLSTATE
UPDATE session.sessions SET expire_date = 'infinity';
\echo :SQLSTATE
DELETE FROM session.sessions;
\echo :SQLSTATE
INSERT INTO session.sessions (key_hash, created, last_activity, expire_date, purge_after)
VALUES (sha256('x'), now(), now(), now(), now());
\echo :SQLSTATE
TRUNCATE session.sessions;
\echo :SQLSTATE
SELECT nextval('session.sessions_id_seq');
\echo :SQLSTATE
SELECT session.clear_expired();
\echo :SQLSTATE
-- nor are the internal helpers
SELECT session._key_digest('abcdefghabcdefgh', false);
\echo :SQLSTATE
SELECT session._live_at(now(), now());
\echo :SQLSTATE
SELECT session._notify('login', 'alice', 1, NULL);
\echo :SQLSTATE
-- nor granting the API to others
SELECT session.grant_access('regress_session_other');
\echo :SQLSTATE
-- nor the settings that protect the server or bound a stolen key's life
SET session.max_lifetime = 0;
\echo :SQLSTATE
SET session.max_data_size = '1GB';
\echo :SQLSTATE
-- nor a new object in the extension's schema
CREATE TABLE session.mine (i int);
\echo :SQLSTATE
CREATE FUNCTION session.load(key text, extra int) RETURNS jsonb LANGUAGE sql AS 'SELECT NULL::jsonb';
\echo :SQLSTATE
RESET ROLE;

--
-- the catalog
--
SELECT current_user;
SELECT has_schema_privilege('regress_session_app', 'session', 'USAGE') AS usage,
	   has_schema_privilege('regress_session_app', 'session', 'CREATE') AS create;
SELECT privilege, has_table_privilege('regress_session_app', 'session.sessions', privilege) AS granted
FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS privilege;
SELECT has_sequence_privilege('regress_session_app', 'session.sessions_id_seq', 'USAGE,SELECT,UPDATE') AS sequence;
-- no table, view or sequence of the extension grants anything to PUBLIC
SELECT c.oid::regclass AS public_relation, a.privilege_type
FROM pg_class AS c, aclexplode(c.relacl) AS a
WHERE c.relnamespace = 'session'::regnamespace AND a.grantee = 0
ORDER BY 1::text, 2;

-- nothing is PUBLIC; grant_access() gave the per-session API to the app
SELECT f, has_function_privilege('public', f, 'EXECUTE') AS public,
	   has_function_privilege('regress_session_app', f, 'EXECUTE') AS app
FROM unnest(ARRAY['session.create(jsonb, timestamptz, text, inet, text)',
				  'session.load(text)',
				  'session.save(text, jsonb, timestamptz, boolean)',
				  'session.exists(text)',
				  'session.delete(text)',
				  'session.flush(text)',
				  'session.logout(text)',
				  'session.cycle_key(text)',
				  'session.login(text, text, inet, text)',
				  'session.get(text, text)',
				  'session.set(text, text, jsonb)',
				  'session.pop(text, text)',
				  'session.set_expiry(text, integer)',
				  'session.set_expiry(text, timestamptz)',
				  'session.expiry_age(text)',
				  'session.expiry_date(text)',
				  'session.expires_at_browser_close(text)',
				  'session.encode(jsonb, text, text, boolean, timestamptz)',
				  'session.decode(text, text, text, text[], integer)',
				  'session.clear_expired()',
				  'session.account_sessions(text, text)',
				  'session.grant_access(regrole)']::regprocedure[]) AS f;
SELECT has_schema_privilege('public', 'session', 'USAGE') AS public_usage;

-- The functions of the extension, from pg_depend.
CREATE TEMP VIEW extension_functions AS
SELECT p.oid::regprocedure AS f, p.proname, p.prosecdef, p.proconfig
FROM pg_proc AS p
JOIN pg_depend AS d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension AS e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
WHERE e.extname = 'session';

SELECT count(*) >= 16 AS has_security_definer_functions
FROM extension_functions WHERE prosecdef;
-- every SECURITY DEFINER function pins search_path to pg_catalog, pg_temp
-- (pg_temp last, so no temporary object can shadow what they call), but
-- for the per-session C functions, which resolve nothing through
-- search_path (tested below with a hostile path and operator)
SELECT f AS unpinned, l.lanname FROM extension_functions AS e
JOIN pg_proc AS p ON p.oid = e.f
JOIN pg_language AS l ON l.oid = p.prolang
WHERE e.prosecdef
  AND NOT coalesce(e.proconfig, '{}') @> ARRAY['search_path=pg_catalog, pg_temp']
ORDER BY 1::text;
-- no function PUBLIC may run is one of the internal helpers
SELECT f AS public_internal FROM extension_functions
WHERE proname LIKE '\_%' AND has_function_privilege('public', f, 'EXECUTE')
ORDER BY 1::text;

-- the search_path of the caller changes nothing
SET ROLE regress_session_app;
SET search_path = pg_temp, public;
CREATE TEMP TABLE sessions (key_hash bytea, data jsonb, expire_date timestamptz);
SELECT session.create('{"path": "hostile"}') AS k3 \gset
SELECT session.load(:'k3') AS data, session.exists(:'k3') AS exists, count(*) AS temp_rows
FROM pg_temp.sessions;
SELECT session.delete(:'k3') AS delete;
DROP TABLE pg_temp.sessions;
RESET search_path;
RESET ROLE;

-- a hostile "=" ahead of pg_catalog in the caller's path matches nothing
CREATE SCHEMA regress_hostile;
CREATE FUNCTION regress_hostile.always(bytea, bytea) RETURNS boolean
	LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR regress_hostile.= (LEFTARG = bytea, RIGHTARG = bytea, FUNCTION = regress_hostile.always);
GRANT USAGE ON SCHEMA regress_hostile TO regress_session_app;
SELECT session.create('{"victim": true}') AS victim \gset
SET ROLE regress_session_app;
SELECT session.create('{"own": true}') AS own \gset
SET search_path = regress_hostile, pg_catalog;
SELECT session.load('hostilekey0000000000000000000000') AS load_other,
	   session.exists('hostilekey0000000000000000000000') AS exists_other;
SELECT session.save(:'own', '{"stolen": true}') AS save_own;
SELECT session.save(:'own', '{"stolen": true}', NULL, true) AS create_own_again;
RESET search_path;
SELECT session.delete(:'own') AS own_deleted;
RESET ROLE;
SELECT session.load(:'victim') AS victim_data;
SELECT session.delete(:'victim') AS cleaned;
DROP SCHEMA regress_hostile CASCADE;

SELECT session.revoke_access('regress_session_app');
SELECT has_schema_privilege('regress_session_app', 'session', 'USAGE') AS usage_after_revoke,
	   has_function_privilege('regress_session_app', 'session.load(text)', 'EXECUTE') AS load_after_revoke;
DROP ROLE regress_session_app;
DROP ROLE regress_session_other;
