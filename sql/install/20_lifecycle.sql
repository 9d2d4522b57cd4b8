--
-- The lifecycle API.  Holding a key is the authority for these functions,
-- so they are granted to PUBLIC; they run as the extension's owner with a
-- pinned search_path.  Reading functions treat a malformed key as unknown;
-- functions that change a session reject it (ending one that cannot exist
-- is a no-op, so delete and flush treat it as unknown too).
--
-- create, load and save are C functions that resolve nothing through
-- search_path (every name in their queries is schema-qualified and every
-- operator is written OPERATOR(pg_catalog.x)), so they carry no SET clause:
-- a SET would cost every request a GUC save and restore.
--
CREATE FUNCTION @extschema@.create(data jsonb DEFAULT '{}', expire_date timestamptz DEFAULT NULL,
								   account text DEFAULT NULL, ip inet DEFAULT NULL,
								   user_agent text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'session_create'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.create(jsonb, timestamptz, text, inet, text) IS
'new session with this data (and fixed expiry date, account, client IP, user agent); returns its key';

CREATE FUNCTION @extschema@.load(key text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'session_load'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.load(text) IS
'data of a live session, or NULL; slides an idle timeout at most once per session.touch_interval';

CREATE FUNCTION @extschema@.save(key text, data jsonb, expire_date timestamptz DEFAULT NULL,
								 must_create boolean DEFAULT false)
RETURNS boolean
AS 'MODULE_PATHNAME', 'session_save'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.save(text, jsonb, timestamptz, boolean) IS
'replace the data of a live session (false if none), or with must_create insert it (false if the key is taken)';

CREATE FUNCTION @extschema@.exists(key text)
RETURNS boolean
LANGUAGE sql VOLATILE PARALLEL SAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (SELECT FROM session._live($1))
$$;
COMMENT ON FUNCTION @extschema@.exists(text) IS 'whether a live session has this key';

CREATE FUNCTION @extschema@.delete(key text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	digest bytea := session._key_digest(delete.key, false);
	sid bigint;
	acc text;
	live boolean;
BEGIN
	PERFORM session._lock_account(digest);
	DELETE FROM session.sessions
	WHERE key_hash OPERATOR(pg_catalog.=) digest
	RETURNING id, account, expire_date OPERATOR(pg_catalog.>) clock_timestamp()
	INTO sid, acc, live;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	IF acc IS NOT NULL AND live THEN
		PERFORM session._notify('logout', acc, sid, NULL);
	END IF;
	RETURN live;
END
$$;
COMMENT ON FUNCTION @extschema@.delete(text) IS
'end a session: deletes it, creates nothing; true if it was live (sends a logout event when it had an account)';

CREATE FUNCTION @extschema@.flush(key text)
RETURNS boolean
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT session.delete($1) $$;
COMMENT ON FUNCTION @extschema@.flush(text) IS
'Django''s flush: the same as delete; returns no new key and creates nothing';

CREATE FUNCTION @extschema@.cycle_key(key text)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	old_digest bytea := session._key_digest(cycle_key.key, true);
	new_key text;
BEGIN
	PERFORM session._lock_account(old_digest);
	FOR attempt IN 1..10 LOOP
		new_key := session._new_key();
		BEGIN
			UPDATE session.sessions
			SET key_hash = session._key_digest(new_key, true)
			WHERE key_hash OPERATOR(pg_catalog.=) old_digest
			  AND expire_date OPERATOR(pg_catalog.>) clock_timestamp();
			IF NOT FOUND THEN
				RETURN NULL;
			END IF;
			RETURN new_key;
		EXCEPTION WHEN unique_violation THEN
			-- the fresh key is taken: draw another
		END;
	END LOOP;
	RAISE EXCEPTION 'could not find an unused session key after 10 attempts'
		USING ERRCODE = 'internal_error';
END
$$;
COMMENT ON FUNCTION @extschema@.cycle_key(text) IS
'give a live session a new key (against session fixation): same data and metadata, old key dead; NULL if no live session';

CREATE FUNCTION @extschema@.get(key text, field text)
RETURNS jsonb
LANGUAGE sql VOLATILE PARALLEL SAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT data OPERATOR(pg_catalog.->) $2 FROM session._live($1)
$$;
COMMENT ON FUNCTION @extschema@.get(text, text) IS 'one field of a live session''s data, or NULL';

CREATE FUNCTION @extschema@.set(key text, field text, value jsonb)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	digest bytea := session._key_digest(set.key, true);
	ts timestamptz := clock_timestamp();
BEGIN
	IF field IS NULL THEN
		RAISE EXCEPTION 'session field name must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM session._lock_account(digest);
	UPDATE session.sessions AS s
	SET data = session._check_data(s.data OPERATOR(pg_catalog.||)
				   jsonb_build_object(field, coalesce(value, 'null'::jsonb))),
		expire_date = session._next_expiry(s.created, s.max_age, s.fixed_expiry, s.expire_date, ts),
		purge_after = least(s.purge_after,
			session._next_expiry(s.created, s.max_age, s.fixed_expiry, s.expire_date, ts))
	WHERE s.key_hash OPERATOR(pg_catalog.=) digest
	  AND s.expire_date OPERATOR(pg_catalog.>) ts;
	RETURN FOUND;
END
$$;
COMMENT ON FUNCTION @extschema@.set(text, text, jsonb) IS
'set one field of a live session''s data atomically (a SQL NULL value is stored as JSON null); false if no live session';

CREATE FUNCTION @extschema@.pop(key text, field text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	digest bytea := session._key_digest(pop.key, true);
	ts timestamptz := clock_timestamp();
	old jsonb;
BEGIN
	IF field IS NULL THEN
		RAISE EXCEPTION 'session field name must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM session._lock_account(digest);
	-- FOR UPDATE waits for a concurrent writer and then sees its data.
	SELECT s.data OPERATOR(pg_catalog.->) field INTO old
	FROM session.sessions AS s
	WHERE s.key_hash OPERATOR(pg_catalog.=) digest
	  AND s.expire_date OPERATOR(pg_catalog.>) ts
	FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	UPDATE session.sessions AS s
	SET data = s.data OPERATOR(pg_catalog.-) field,
		expire_date = session._next_expiry(s.created, s.max_age, s.fixed_expiry, s.expire_date, ts),
		purge_after = least(s.purge_after,
			session._next_expiry(s.created, s.max_age, s.fixed_expiry, s.expire_date, ts))
	WHERE s.key_hash OPERATOR(pg_catalog.=) digest;
	RETURN old;
END
$$;
COMMENT ON FUNCTION @extschema@.pop(text, text) IS
'remove one field of a live session''s data atomically and return its value (NULL if absent or no live session)';
