--
-- Expiry, with Django's set_expiry semantics, kept on the server.
--
CREATE FUNCTION @extschema@.set_expiry(key text, seconds integer)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	digest bytea := session._key_digest(set_expiry.key, true);
	ts timestamptz := clock_timestamp();
BEGIN
	IF seconds OPERATOR(pg_catalog.<) 0 THEN
		RAISE EXCEPTION 'session expiry must not be negative'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use session.delete() to end a session now.';
	END IF;
	PERFORM session._lock_account(digest);
	UPDATE session.sessions AS s
	SET max_age = seconds,
		fixed_expiry = false,
		expire_date = session._next_expiry(s.created, seconds, false, NULL, ts),
		purge_after = least(s.purge_after, session._next_expiry(s.created, seconds, false, NULL, ts))
	WHERE s.key_hash OPERATOR(pg_catalog.=) digest
	  AND s.expire_date OPERATOR(pg_catalog.>) ts;
	RETURN FOUND;
END
$$;
COMMENT ON FUNCTION @extschema@.set_expiry(text, integer) IS
'idle timeout in seconds, sliding on activity; 0: until the browser closes; NULL::integer: session.default_max_age; false if no live session';

CREATE FUNCTION @extschema@.set_expiry(key text, expire_date timestamptz)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	digest bytea := session._key_digest(set_expiry.key, true);
	ts timestamptz := clock_timestamp();
	fixed boolean := set_expiry.expire_date IS NOT NULL;
BEGIN
	PERFORM session._lock_account(digest);
	UPDATE session.sessions AS s
	SET max_age = NULL,
		fixed_expiry = fixed,
		expire_date = session._next_expiry(s.created, NULL, fixed, set_expiry.expire_date, ts),
		purge_after = least(s.purge_after,
			session._next_expiry(s.created, NULL, fixed, set_expiry.expire_date, ts))
	WHERE s.key_hash OPERATOR(pg_catalog.=) digest
	  AND s.expire_date OPERATOR(pg_catalog.>) ts;
	RETURN FOUND;
END
$$;
COMMENT ON FUNCTION @extschema@.set_expiry(text, timestamptz) IS
'expire at a fixed date that activity does not move (capped by session.max_lifetime); NULL: back to the default; false if no live session';

CREATE FUNCTION @extschema@.expiry_date(key text)
RETURNS timestamptz
LANGUAGE sql VOLATILE PARALLEL SAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT expire_date FROM session._live($1)
$$;
COMMENT ON FUNCTION @extschema@.expiry_date(text) IS 'when a live session expires unless activity moves it; NULL if none';

CREATE FUNCTION @extschema@.expiry_age(key text)
RETURNS integer
LANGUAGE sql VOLATILE PARALLEL SAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT least(pg_catalog.floor(pg_catalog.date_part('epoch',
			   expire_date OPERATOR(pg_catalog.-) pg_catalog.clock_timestamp())),
		   2147483647)::integer
	FROM session._live($1)
$$;
COMMENT ON FUNCTION @extschema@.expiry_age(text) IS 'whole seconds until a live session expires; NULL if none';

CREATE FUNCTION @extschema@.expires_at_browser_close(key text)
RETURNS boolean
LANGUAGE sql VOLATILE PARALLEL SAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(max_age OPERATOR(pg_catalog.=) 0, false) FROM session._live($1)
$$;
COMMENT ON FUNCTION @extschema@.expires_at_browser_close(text) IS
'whether the cookie of a live session should end with the browser (set_expiry 0); NULL if none';

--
-- Reaches across sessions: not for PUBLIC.
--
CREATE FUNCTION @extschema@.clear_expired()
RETURNS bigint
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	WITH gone AS (
		DELETE FROM session.sessions
		WHERE purge_after OPERATOR(pg_catalog.<=) pg_catalog.clock_timestamp()
		  AND expire_date OPERATOR(pg_catalog.<=) pg_catalog.clock_timestamp()
		RETURNING 1
	)
	SELECT pg_catalog.count(*) FROM gone
$$;
COMMENT ON FUNCTION @extschema@.clear_expired() IS 'delete every expired session in one statement; returns how many';
REVOKE ALL ON FUNCTION @extschema@.clear_expired() FROM PUBLIC;
