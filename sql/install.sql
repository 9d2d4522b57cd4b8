--
-- install: the extension refuses a schema that another role controls, at
-- install and at update, so that no role can plant code that the
-- extension's own calls would run with its owner's rights.
--
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS session CASCADE;
DROP SCHEMA IF EXISTS session CASCADE;
DROP ROLE IF EXISTS regress_mallory;
RESET client_min_messages;
\set VERBOSITY terse

CREATE ROLE regress_mallory;
SELECT format('GRANT CREATE ON DATABASE %I TO regress_mallory', current_database()) \gexec
SET ROLE regress_mallory;
CREATE SCHEMA session;
-- an overload that 1.0's own INSERT resolved to, running as its owner
CREATE FUNCTION session._next_expiry(timestamptz, text, boolean, timestamptz, timestamptz)
RETURNS timestamptz LANGUAGE plpgsql
AS $$ BEGIN ALTER ROLE regress_mallory SUPERUSER; RETURN $5; END $$;
RESET ROLE;

-- invalid input: the schema belongs to another role
CREATE EXTENSION session;
\echo :SQLSTATE
-- 1.0 installed there, as it allowed: the update refuses
SET client_min_messages = warning;
CREATE EXTENSION session VERSION '1.0';
RESET client_min_messages;
ALTER EXTENSION session UPDATE;
\echo :SQLSTATE
SELECT extversion FROM pg_extension WHERE extname = 'session';
DROP EXTENSION session;
DROP SCHEMA session CASCADE;
-- a schema of the installer's in which another role may create objects
CREATE SCHEMA session;
GRANT CREATE ON SCHEMA session TO regress_mallory;
CREATE EXTENSION session;
\echo :SQLSTATE
DROP SCHEMA session;

-- the extension's own schema: it installs, and the other role can neither
-- add an overload to it nor drop it
CREATE EXTENSION session;
SELECT extversion FROM pg_extension WHERE extname = 'session';
SET ROLE regress_mallory;
CREATE FUNCTION session._live_at(timestamptz, text) RETURNS boolean
LANGUAGE sql AS 'SELECT true';
\echo :SQLSTATE
DROP SCHEMA session CASCADE;
\echo :SQLSTATE
RESET ROLE;
SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'regress_mallory';

-- default privileges of the installer grant nothing of the extension
DROP EXTENSION session;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO regress_mallory;
ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO regress_mallory;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO regress_mallory;
CREATE EXTENSION session;
SELECT has_schema_privilege('regress_mallory', 'session', 'USAGE') AS usage,
	   has_table_privilege('regress_mallory', 'session.sessions', 'SELECT') AS select_sessions,
	   has_function_privilege('regress_mallory', 'session.login(text, text, inet, text)', 'EXECUTE') AS login,
	   has_function_privilege('regress_mallory', 'session.activity_status()', 'EXECUTE') AS activity_status;
ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM regress_mallory;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM regress_mallory;
ALTER DEFAULT PRIVILEGES REVOKE USAGE ON SCHEMAS FROM regress_mallory;

-- another superuser may update what a superuser installed
DROP EXTENSION session;
SET client_min_messages = warning;
CREATE EXTENSION session VERSION '1.0';
RESET client_min_messages;
CREATE ROLE regress_admin SUPERUSER;
SET ROLE regress_admin;
SET client_min_messages = error;
ALTER EXTENSION session UPDATE;
RESET client_min_messages;
RESET ROLE;
SELECT extversion FROM pg_extension WHERE extname = 'session';
-- what the update made belongs to the role that ran it
DROP EXTENSION session;
DROP ROLE regress_admin;
CREATE EXTENSION session;

SELECT format('REVOKE CREATE ON DATABASE %I FROM regress_mallory', current_database()) \gexec
DROP ROLE regress_mallory;
