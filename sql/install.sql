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

SELECT format('REVOKE CREATE ON DATABASE %I FROM regress_mallory', current_database()) \gexec
DROP ROLE regress_mallory;
