\echo Use "CREATE EXTENSION session" to load this file. \quit

--
-- The session table.  It never holds a session key, only the key's SHA-256
-- digest.  Touches and saves change no indexed column, so with the free
-- space that fillfactor leaves on each page they are HOT updates.
-- purge_after is a lower bound of expire_date: it only moves when an expiry
-- is brought forward, so the purge can walk an index that sliding expiries
-- never touch.
--
CREATE TABLE @extschema@.sessions (
	id bigint GENERATED ALWAYS AS IDENTITY,
	key_hash bytea NOT NULL,
	data jsonb NOT NULL DEFAULT '{}',
	account text,
	created timestamptz NOT NULL,
	last_activity timestamptz NOT NULL,
	expire_date timestamptz NOT NULL,
	max_age integer,
	fixed_expiry boolean NOT NULL DEFAULT false,
	purge_after timestamptz NOT NULL,
	ip inet,
	user_agent text,
	CONSTRAINT sessions_pkey PRIMARY KEY (key_hash),
	CONSTRAINT sessions_key_hash_check CHECK (octet_length(key_hash) OPERATOR(pg_catalog.=) 32),
	CONSTRAINT sessions_max_age_check CHECK (max_age OPERATOR(pg_catalog.>=) 0),
	CONSTRAINT sessions_purge_after_check CHECK (purge_after OPERATOR(pg_catalog.<=) expire_date)
) WITH (fillfactor = 80);

CREATE INDEX sessions_account_idx ON @extschema@.sessions (account)
	WHERE account IS NOT NULL;
CREATE INDEX sessions_purge_after_idx ON @extschema@.sessions (purge_after);

COMMENT ON TABLE @extschema@.sessions IS 'web sessions; keys are stored only as SHA-256 digests';
COMMENT ON COLUMN @extschema@.sessions.id IS 'public, non-secret id of the session, for listing and revoking';
COMMENT ON COLUMN @extschema@.sessions.key_hash IS 'SHA-256 digest of the session key';
COMMENT ON COLUMN @extschema@.sessions.data IS 'session data, a JSON object';
COMMENT ON COLUMN @extschema@.sessions.account IS 'the account the session belongs to, if any';
COMMENT ON COLUMN @extschema@.sessions.last_activity IS 'last load or save, to within session.touch_interval';
COMMENT ON COLUMN @extschema@.sessions.expire_date IS 'the session is live until then';
COMMENT ON COLUMN @extschema@.sessions.max_age IS 'idle timeout in seconds; NULL: session.default_max_age; 0: until the browser closes';
COMMENT ON COLUMN @extschema@.sessions.fixed_expiry IS 'expire_date is a fixed date that activity does not move';
COMMENT ON COLUMN @extschema@.sessions.purge_after IS 'lower bound of expire_date, indexed for purging';

REVOKE ALL ON @extschema@.sessions FROM PUBLIC;

-- PUBLIC may use the schema to reach the functions granted to it; every
-- table in it stays closed.
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

-- pg_dump keeps the sessions (and the id sequence) with the database.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sessions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sessions_id_seq', '');
