--
-- upgrade: a database at 1.0, with sessions of every expiry policy and
-- accounts, updated to 1.1 keeps every session, and ends up with exactly
-- the catalog of a fresh install of 1.1.
--
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS session CASCADE;
DROP ROLE IF EXISTS regress_upgrade_app;
DROP ROLE IF EXISTS regress_upgrade_devices;
RESET client_min_messages;
\set VERBOSITY terse

-- Privileges as a sorted list: grantee, privilege, grantor.
CREATE FUNCTION pg_temp.acl(a aclitem[]) RETURNS text
LANGUAGE sql AS $$
	SELECT string_agg(x.item, ', ' ORDER BY x.item)
	FROM (SELECT e.grantee::regrole || ' ' || e.privilege_type || ' ' || e.grantor::regrole AS item
		  FROM aclexplode(a) AS e) AS x
$$;
-- Every member of the extension, described with what defines it: function
-- definitions, privileges, comments, columns, constraints and indexes.
CREATE FUNCTION pg_temp.extension_catalog()
RETURNS TABLE (object text, definition text)
LANGUAGE sql AS $$
	SELECT pg_describe_object(d.classid, d.objid, d.objsubid),
		   concat_ws(E'\n',
			   CASE WHEN d.classid = 'pg_proc'::regclass THEN pg_get_functiondef(d.objid) END,
			   CASE WHEN d.classid = 'pg_proc'::regclass
					THEN (SELECT pg_temp.acl(p.proacl) FROM pg_proc AS p WHERE p.oid = d.objid) END,
			   CASE WHEN d.classid = 'pg_class'::regclass
					THEN (SELECT concat_ws(' ', pg_temp.acl(c.relacl), c.relkind::text, c.reloptions::text)
						  FROM pg_class AS c WHERE c.oid = d.objid) END,
			   CASE WHEN d.classid = 'pg_class'::regclass
					THEN (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
											|| ' ' || a.attnotnull || ' '
											|| coalesce(col_description(a.attrelid, a.attnum), ''),
											', ' ORDER BY a.attnum)
						  FROM pg_attribute AS a
						  WHERE a.attrelid = d.objid AND a.attnum > 0 AND NOT a.attisdropped) END,
			   CASE WHEN d.classid = 'pg_class'::regclass
					THEN (SELECT string_agg(pg_get_constraintdef(k.oid), ', ' ORDER BY k.conname)
						  FROM pg_constraint AS k WHERE k.conrelid = d.objid) END,
			   CASE WHEN d.classid = 'pg_class'::regclass
					THEN (SELECT string_agg(pg_get_indexdef(i.indexrelid), ', ' ORDER BY i.indexrelid::regclass::text)
						  FROM pg_index AS i WHERE i.indrelid = d.objid) END,
			   obj_description(d.objid, (SELECT c.relname FROM pg_class AS c WHERE c.oid = d.classid)))
	FROM pg_depend AS d
	JOIN pg_extension AS e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
	WHERE e.extname = 'session' AND d.deptype = 'e'
	UNION ALL
	SELECT 'schema session', (SELECT pg_temp.acl(n.nspacl) FROM pg_namespace AS n WHERE n.nspname = 'session')
	UNION ALL
	SELECT 'extension session',
		   (SELECT e.extversion || ' ' || (SELECT string_agg(c::regclass::text, ',' ORDER BY c::regclass::text)
										   FROM unnest(e.extconfig) AS c)
			FROM pg_extension AS e WHERE e.extname = 'session')
$$;

-- a role that used 1.0, as every role could, and one a DBA granted more
CREATE ROLE regress_upgrade_app LOGIN;
CREATE ROLE regress_upgrade_devices;

SET client_min_messages = warning;
CREATE EXTENSION session VERSION '1.0';
RESET client_min_messages;
LOAD 'session';
SET session.max_lifetime = 0;
SELECT extversion FROM pg_extension WHERE extname = 'session';
GRANT USAGE ON SCHEMA session TO regress_upgrade_devices;
GRANT EXECUTE ON FUNCTION session.account_sessions(text, text) TO regress_upgrade_devices;
-- an object of the application's that depends on the API
CREATE VIEW pg_temp.live_probe AS SELECT session.exists('abcdefgh12345678') AS live;

-- sessions of every policy, with accounts, data and metadata
CREATE TEMP TABLE k (name text PRIMARY KEY, key text);
INSERT INTO k VALUES
	('default', session.create('{"a": 1}')),
	('fixed', session.create('{"b": 2}', clock_timestamp() + interval '3 days')),
	('account', session.create('{"_auth_user_id": "regress-up-1", "c": 3}', NULL, NULL, '192.0.2.7', 'Up/1.0')),
	('login', session.login(NULL, 'regress-up-2', '192.0.2.8', 'Up/2.0')),
	('seconds', session.create('{"d": 4}')),
	('browser', session.create('{"e": 5}'));
SELECT session.set_expiry((SELECT key FROM k WHERE name = 'seconds'), 600) AS seconds,
	   session.set_expiry((SELECT key FROM k WHERE name = 'browser'), 0) AS browser;
CREATE TEMP TABLE before AS
SELECT k.name, s.id, s.data, s.account, s.created, s.expire_date, s.max_age, s.fixed_expiry,
	   s.ip, s.user_agent
FROM k JOIN session.sessions AS s ON s.key_hash = sha256(convert_to(k.key, 'UTF8'));
CREATE TEMP TABLE accounts_before AS SELECT * FROM session.accounts;

ALTER EXTENSION session UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'session';
-- privileges a DBA granted and objects that depend on the API stay
SELECT has_function_privilege('regress_upgrade_devices', 'session.account_sessions(text, text)', 'EXECUTE') AS devices_kept,
	   has_schema_privilege('regress_upgrade_devices', 'session', 'USAGE') AS devices_usage;
SELECT live FROM pg_temp.live_probe;
DROP VIEW pg_temp.live_probe;

-- every old key loads with its data, account, metadata and policy
SELECT b.name, session.load(k.key) = b.data AS same_data,
	   s.id = b.id AS same_id, s.account IS NOT DISTINCT FROM b.account AS same_account,
	   s.created = b.created AND s.expire_date = b.expire_date AS same_times,
	   s.max_age IS NOT DISTINCT FROM b.max_age AND s.fixed_expiry = b.fixed_expiry AS same_policy,
	   s.ip IS NOT DISTINCT FROM b.ip AND s.user_agent IS NOT DISTINCT FROM b.user_agent AS same_metadata
FROM before AS b JOIN k USING (name)
JOIN session.sessions AS s ON s.key_hash = sha256(convert_to(k.key, 'UTF8'))
ORDER BY b.name;
SELECT session.expires_at_browser_close((SELECT key FROM k WHERE name = 'browser')) AS browser,
	   session.expiry_age((SELECT key FROM k WHERE name = 'seconds')) BETWEEN 590 AND 600 AS seconds,
	   session.expiry_date((SELECT key FROM k WHERE name = 'fixed'))
		   = (SELECT expire_date FROM before WHERE name = 'fixed') AS fixed;
SELECT count(*) AS accounts_changed
FROM (SELECT * FROM accounts_before EXCEPT SELECT * FROM session.accounts) AS x;
-- the role that used 1.0 still can
SELECT key AS default_key FROM k WHERE name = 'default' \gset
SET ROLE regress_upgrade_app;
SELECT session.get(:'default_key', 'a') AS app_get;
RESET ROLE;
-- PUBLIC no longer can
SELECT has_schema_privilege('public', 'session', 'USAGE') AS public_usage,
	   has_function_privilege('public', 'session.load(text)', 'EXECUTE') AS public_load;

-- the catalog of the updated database is that of a fresh install
CREATE TEMP TABLE updated AS SELECT * FROM pg_temp.extension_catalog();
-- PostgreSQL 17 and later also record the tables' row types and every
-- array type as members; the count leaves them out, to be the same on
-- every release (the comparison below takes every member).
SELECT count(*) AS members FROM updated
WHERE object !~ '^type session\.(sessions|accounts)$' AND object !~ '^type .*\[\]$';
DROP EXTENSION session;
CREATE EXTENSION session;
SELECT session.grant_access('regress_upgrade_app');
GRANT USAGE ON SCHEMA session TO regress_upgrade_devices;
GRANT EXECUTE ON FUNCTION session.account_sessions(text, text) TO regress_upgrade_devices;
CREATE TEMP TABLE fresh AS SELECT * FROM pg_temp.extension_catalog();
SELECT 'only after update' AS side, object FROM (SELECT * FROM updated EXCEPT SELECT * FROM fresh) AS x
UNION ALL
SELECT 'only in fresh install', object FROM (SELECT * FROM fresh EXCEPT SELECT * FROM updated) AS y
ORDER BY 1, 2;

SELECT session.revoke_access('regress_upgrade_app');
DROP OWNED BY regress_upgrade_devices;
DROP ROLE regress_upgrade_app;
DROP ROLE regress_upgrade_devices;
