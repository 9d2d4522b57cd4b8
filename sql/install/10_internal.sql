--
-- Internal helpers.  None is for PUBLIC: the API functions below run them
-- as the extension's owner.
--
CREATE FUNCTION @extschema@._key_digest(key text, for_write boolean)
RETURNS bytea
AS 'MODULE_PATHNAME', 'session_key_digest'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._key_digest(text, boolean) IS
'internal: stored digest of a session key; NULL (reading) or an error (writing) when malformed';

-- The row of a live session, the one definition of "live" that reading
-- functions share: a well-formed key, an expiry still ahead on the clock.
CREATE FUNCTION @extschema@._live(key text)
RETURNS SETOF @extschema@.sessions
LANGUAGE sql VOLATILE PARALLEL SAFE ROWS 1
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT * FROM session.sessions
	WHERE key_hash OPERATOR(pg_catalog.=) session._key_digest($1, false)
	  AND expire_date OPERATOR(pg_catalog.>) pg_catalog.clock_timestamp()
$$;
COMMENT ON FUNCTION @extschema@._live(text) IS 'internal: the row of the live session of a key, if any';

CREATE FUNCTION @extschema@._new_key()
RETURNS text
AS 'MODULE_PATHNAME', 'session_new_key'
LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._new_key() IS 'internal: a fresh random session key';

-- STABLE: the result depends on session.default_max_age and session.max_lifetime.
CREATE FUNCTION @extschema@._next_expiry(created timestamptz, max_age integer, fixed boolean,
										 expire_date timestamptz, now timestamptz)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'session_next_expiry'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._next_expiry(timestamptz, integer, boolean, timestamptz, timestamptz) IS
'internal: the expiry of a session after activity at a given time';

CREATE FUNCTION @extschema@._check_data(data jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'session_check_data'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._check_data(jsonb) IS
'internal: returns session data unchanged, or raises unless it is an object within session.max_data_size';

CREATE FUNCTION @extschema@._notify(event text, account text, session_id bigint, count bigint)
RETURNS void
AS 'MODULE_PATHNAME', 'session_notify'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@._notify(text, text, bigint, bigint) IS
'internal: send a lifecycle event on channel session_events (after commit)';

REVOKE ALL ON FUNCTION @extschema@._notify(text, text, bigint, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._key_digest(text, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._live(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._new_key() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._next_expiry(timestamptz, integer, boolean, timestamptz, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._check_data(jsonb) FROM PUBLIC;
