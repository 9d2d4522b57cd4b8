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
--
-- Accounts: the sessions of one account, ending them, and idle accounts.
--
-- An account is written before any of its sessions (binding a session
-- takes the account's row lock first), so logout_everywhere() and
-- flag_inactive(), which lock the account first too, see every session
-- bound by a transaction that committed before them, and never deadlock
-- with a load or a save.  activity_floor is a lower bound of last_activity
-- that only flag_inactive() moves, so the touches that keep last_activity
-- current change no indexed column and stay HOT updates.
--
CREATE TABLE @extschema@.accounts (
	account text NOT NULL,
	last_activity timestamptz NOT NULL,
	is_active boolean NOT NULL DEFAULT true,
	inactive_since timestamptz,
	activity_floor timestamptz NOT NULL,
	CONSTRAINT accounts_pkey PRIMARY KEY (account)
) WITH (fillfactor = 80);
CREATE INDEX accounts_activity_floor_idx ON @extschema@.accounts (activity_floor) WHERE is_active;

COMMENT ON TABLE @extschema@.accounts IS 'accounts that have had a session: last activity and whether they are active';
COMMENT ON COLUMN @extschema@.accounts.last_activity IS 'last activity of any session of the account, to within session.touch_interval';
COMMENT ON COLUMN @extschema@.accounts.is_active IS 'false once flag_inactive() found the account idle; activity makes it true again';
COMMENT ON COLUMN @extschema@.accounts.inactive_since IS 'when flag_inactive() flagged the account';
COMMENT ON COLUMN @extschema@.accounts.activity_floor IS 'lower bound of last_activity, indexed for flag_inactive()';
REVOKE ALL ON @extschema@.accounts FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.accounts', '');

CREATE TYPE @extschema@.session_info AS (
	id bigint,
	created timestamptz,
	last_activity timestamptz,
	expire_date timestamptz,
	ip inet,
	user_agent text,
	is_current boolean
);
COMMENT ON TYPE @extschema@.session_info IS 'a live session of an account, as account_sessions() lists it';

CREATE FUNCTION @extschema@._account_bind(account text)
RETURNS void
AS 'MODULE_PATHNAME', 'session_account_bind'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@._account_bind(text) IS
'internal: make an account active and hold its row lock until commit';
REVOKE ALL ON FUNCTION @extschema@._account_bind(text) FROM PUBLIC;

CREATE FUNCTION @extschema@._inactive_after()
RETURNS interval
AS 'MODULE_PATHNAME', 'session_inactive_after_setting'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._inactive_after() IS 'internal: session.inactive_after, checked';
REVOKE ALL ON FUNCTION @extschema@._inactive_after() FROM PUBLIC;

CREATE FUNCTION @extschema@._logout_inactive()
RETURNS boolean
AS 'MODULE_PATHNAME', 'session_logout_inactive_setting'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._logout_inactive() IS 'internal: session.logout_inactive, checked';
REVOKE ALL ON FUNCTION @extschema@._logout_inactive() FROM PUBLIC;

-- Functions that change a session without binding it take a KEY SHARE
-- lock on its account first, so that they too write an account before its
-- sessions and cannot deadlock with logout_everywhere() or flag_inactive()
-- when a later call in the same transaction records account activity.
CREATE FUNCTION @extschema@._lock_account(digest bytea)
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT FROM session.accounts AS a
	WHERE a.account OPERATOR(pg_catalog.=)
		  (SELECT s.account FROM session.sessions AS s WHERE s.key_hash OPERATOR(pg_catalog.=) $1)
	FOR KEY SHARE
$$;
COMMENT ON FUNCTION @extschema@._lock_account(bytea) IS 'internal: lock the account of a session (KEY SHARE) before writing the session';
REVOKE ALL ON FUNCTION @extschema@._lock_account(bytea) FROM PUBLIC;

CREATE FUNCTION @extschema@.login(key text, account text, ip inet DEFAULT NULL, user_agent text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	old_digest bytea := session._key_digest(login.key, false);
	ts timestamptz := clock_timestamp();
	new_key text;
	sid bigint;
BEGIN
	PERFORM session._account_bind(login.account);
	IF old_digest IS NOT NULL THEN
		FOR attempt IN 1..10 LOOP
			new_key := session._new_key();
			BEGIN
				UPDATE session.sessions AS s
				SET key_hash = session._key_digest(new_key, true),
					-- another account's data does not pass to this one
					-- (Django flushes the session when the user changes)
					data = CASE WHEN s.account IS NULL
									 OR s.account OPERATOR(pg_catalog.=) login.account
								THEN s.data ELSE '{}'::jsonb END,
					account = login.account,
					ip = coalesce(login.ip, s.ip),
					user_agent = coalesce(login.user_agent, s.user_agent),
					last_activity = ts,
					expire_date = session._next_expiry(s.created, s.max_age, s.fixed_expiry, s.expire_date, ts),
					purge_after = least(s.purge_after,
						session._next_expiry(s.created, s.max_age, s.fixed_expiry, s.expire_date, ts))
				WHERE s.key_hash OPERATOR(pg_catalog.=) old_digest
				  AND s.expire_date OPERATOR(pg_catalog.>) ts
				RETURNING s.id INTO sid;
				EXIT;
			EXCEPTION WHEN unique_violation THEN
				-- the fresh key is taken: draw another
			END;
		END LOOP;
	END IF;
	IF sid IS NULL THEN
		-- no live session to carry over: start one for the account
		RETURN session.create('{}', NULL, login.account, login.ip, login.user_agent);
	END IF;
	PERFORM session._notify('login', login.account, sid, NULL);
	RETURN new_key;
END
$$;
COMMENT ON FUNCTION @extschema@.login(text, text, inet, text) IS
'log an account in: cycles the key (against session fixation), binds the account, records IP and user agent; returns the new key (a new session when the key names none)';

CREATE FUNCTION @extschema@.logout(key text)
RETURNS boolean
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT session.delete($1) $$;
COMMENT ON FUNCTION @extschema@.logout(text) IS
'end a session: the same as delete; returns no new key and creates nothing';

--
-- What follows reaches across sessions: not for PUBLIC.  Grant it to the
-- role of the application that shows "your devices" or handles passwords.
--
CREATE FUNCTION @extschema@.account_sessions(account text, current_key text DEFAULT NULL)
RETURNS SETOF @extschema@.session_info
LANGUAGE sql VOLATILE PARALLEL SAFE ROWS 10
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT s.id, s.created, s.last_activity, s.expire_date, s.ip, s.user_agent,
		   s.key_hash IS NOT DISTINCT FROM session._key_digest($2, false)
	FROM session.sessions AS s
	WHERE s.account OPERATOR(pg_catalog.=) $1
	  AND s.expire_date OPERATOR(pg_catalog.>) pg_catalog.clock_timestamp()
	ORDER BY s.last_activity DESC, s.id
$$;
COMMENT ON FUNCTION @extschema@.account_sessions(text, text) IS
'every live session of an account, most recently active first; is_current marks the one of current_key';

CREATE FUNCTION @extschema@.revoke(account text, session_id bigint)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM session.sessions AS s
	WHERE s.account OPERATOR(pg_catalog.=) revoke.account
	  AND s.id OPERATOR(pg_catalog.=) revoke.session_id
	  AND s.expire_date OPERATOR(pg_catalog.>) clock_timestamp();
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM session._notify('revoke', revoke.account, revoke.session_id, NULL);
	RETURN true;
END
$$;
COMMENT ON FUNCTION @extschema@.revoke(text, bigint) IS
'end one live session of an account, named by its public id; false if the account has no such session';

CREATE FUNCTION @extschema@.logout_everywhere(account text, except_key text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	keep bytea := session._key_digest(except_key, false);
	n integer;
BEGIN
	IF account IS NULL THEN
		RAISE EXCEPTION 'account id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	-- Wait for transactions that are binding sessions to this account; the
	-- DELETE below takes a new snapshot and sees what they committed.
	PERFORM FROM session.accounts AS a
	WHERE a.account OPERATOR(pg_catalog.=) logout_everywhere.account
	FOR UPDATE;

	WITH gone AS (
		DELETE FROM session.sessions AS s
		WHERE s.account OPERATOR(pg_catalog.=) logout_everywhere.account
		  AND s.key_hash IS DISTINCT FROM keep
		RETURNING s.expire_date OPERATOR(pg_catalog.>) clock_timestamp() AS live
	)
	SELECT count(*) FILTER (WHERE live) INTO n FROM gone;
	PERFORM session._notify('logout_everywhere', logout_everywhere.account, NULL, n);
	RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.logout_everywhere(text, text) IS
'end every session of an account, except the one of except_key; returns how many live ones ended';

CREATE FUNCTION @extschema@.flag_inactive(idle interval DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ts timestamptz := clock_timestamp();
	cutoff timestamptz;
	logout boolean := session._logout_inactive();
	flagged text[];
	acc text;
BEGIN
	IF idle IS NULL THEN
		idle := session._inactive_after();
	END IF;
	IF idle OPERATOR(pg_catalog.<=) '0'::interval THEN
		RAISE EXCEPTION 'idle time must be positive' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	cutoff := ts OPERATOR(pg_catalog.-) idle;

	-- Accounts active since their floor was set only need the floor moved.
	UPDATE session.accounts AS a
	SET activity_floor = a.last_activity
	WHERE a.is_active
	  AND a.activity_floor OPERATOR(pg_catalog.<) cutoff
	  AND a.last_activity OPERATOR(pg_catalog.>=) cutoff;

	-- An account whose row is locked is in use right now (a touch, a login,
	-- a session being written): it is skipped, not waited for.  One that is
	-- touched after this lock waits for it and is then made active again.
	WITH c AS (
		SELECT a.account FROM session.accounts AS a
		WHERE a.is_active
		  AND a.activity_floor OPERATOR(pg_catalog.<) cutoff
		  AND a.last_activity OPERATOR(pg_catalog.<) cutoff
		FOR UPDATE SKIP LOCKED
	), f AS (
		UPDATE session.accounts AS a
		SET is_active = false, inactive_since = ts
		FROM c
		WHERE a.account OPERATOR(pg_catalog.=) c.account
		RETURNING a.account
	)
	SELECT coalesce(array_agg(f.account), '{}') INTO flagged FROM f;

	IF logout AND cardinality(flagged) OPERATOR(pg_catalog.>) 0 THEN
		DELETE FROM session.sessions AS s
		WHERE s.account OPERATOR(pg_catalog.=) ANY (flagged);
	END IF;
	FOREACH acc IN ARRAY flagged LOOP
		PERFORM session._notify('inactive', acc, NULL, NULL);
	END LOOP;
	RETURN cardinality(flagged);
END
$$;
COMMENT ON FUNCTION @extschema@.flag_inactive(interval) IS
'mark accounts idle for this long (default session.inactive_after) inactive, and with session.logout_inactive end their sessions; returns how many';

REVOKE ALL ON FUNCTION @extschema@.account_sessions(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.revoke(text, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.logout_everywhere(text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.flag_inactive(interval) FROM PUBLIC;
--
-- Django: its signed session format read and written in C, and the import
-- of a django_session table.
--
-- encode and decode are granted to PUBLIC: they read no table and confer no
-- authority that the caller does not already hold, since the secret is the
-- authority and the caller brings it (as with pgcrypto's hmac()).  They are
-- not SECURITY DEFINER.  Pass the secret as a bind parameter, never inside
-- the statement text, which the server may log.
--
-- VOLATILE: encode reads the clock when signed_at is NULL, decode whenever
-- it checks max_age.  Both read session.max_data_size.
CREATE FUNCTION @extschema@.encode(data jsonb, secret text,
								   salt text DEFAULT 'django.contrib.sessions.SessionStore',
								   compress boolean DEFAULT true,
								   signed_at timestamptz DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'session_encode'
LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.encode(jsonb, text, text, boolean, timestamptz) IS
'Django''s signed session format of the data (signing.dumps, as SessionBase.encode writes it), signed at signed_at or now';

CREATE FUNCTION @extschema@.decode(token text, secret text,
								   salt text DEFAULT 'django.contrib.sessions.SessionStore',
								   fallback_secrets text[] DEFAULT '{}',
								   max_age integer DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'session_decode'
LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.decode(text, text, text, text[], integer) IS
'data of a Django session token (also the pre-3.1 format) verified with the secret or a fallback; SQLSTATE SE001 bad signature, SE002 expired, SE003 corrupt';

-- Reads the source as the caller and writes the store as its owner: not
-- for PUBLIC.  The default names the table through a cast evaluated at
-- call time, so that installing the extension does not need it.  secret
-- is required, but follows a parameter with a default, so it has one too:
-- NULL is refused.
CREATE FUNCTION @extschema@.import_django(source regclass DEFAULT 'public.django_session'::text::regclass,
										  secret text DEFAULT NULL,
										  fallback_secrets text[] DEFAULT '{}',
										  salt text DEFAULT 'django.contrib.sessions.SessionStore')
RETURNS bigint
AS 'MODULE_PATHNAME', 'session_import_django'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.import_django(regclass, text, text[], text) IS
'copy the live sessions of a django_session table into the store, keeping keys, data and expiry dates; skips keys already present; returns how many were imported';
REVOKE ALL ON FUNCTION @extschema@.import_django(regclass, text, text[], text) FROM PUBLIC;
--
-- Purging expired sessions, in short batches along sessions_purge_after_idx.
--
-- Candidates are the rows whose purge_after, a lower bound of expire_date,
-- has passed.  Each batch covers the next range of purge_after values, from
-- the end of the last one (keyset pagination: never from the start of the
-- index again, where the entries of the rows deleted so far stay until
-- vacuum and cannot be marked dead while this transaction is open) to the
-- batch_size-th candidate, found by an index-only scan; a range holds every
-- row of the values it covers, however many share one.  One DELETE per
-- range removes the rows whose expire_date has passed, re-checking it on
-- the row it deletes: a session touched or replaced meanwhile survives.
-- Live candidates are then "re-armed" (purge_after = expire_date) so that
-- later purges do not walk them again: the cost of a purge follows the
-- number of expired rows, not the size of the table.  A re-arm is a
-- non-HOT update that costs as much as 15 to 30 deletes, so a call re-arms
-- at most batch_size rows, and skips rows that requests hold.
-- bench/purge.sh measures the design.
--
-- A function runs in one transaction: the rows deleted stay locked, and
-- the xmin horizon held, until the caller commits.  Requests seldom write
-- expired rows; a save of a live row that was re-armed waits for the end
-- of the purge's transaction.  Nor can a function flush its WAL (mostly
-- full-page images after a checkpoint, about 0.5 kB per row deleted): the
-- commits of concurrent requests flush it for it, which is what slows them
-- while a purge runs.
--
-- One purge at a time per database: a second one returns 0 at once.  The
-- lock is pg_try_advisory_xact_lock(8315179226536832624), that is
-- 0x73657373696F6E70, "sessionp" in ASCII; hold it to keep purges out.
--
-- One batch: delete the expired rows among the next batch_size candidates
-- after "after"; returns where the batch ended (started: the last batch).
CREATE FUNCTION @extschema@._purge_batch(after timestamptz, started timestamptz, batch_size integer,
										 OUT upto timestamptz, OUT deleted bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- the batch_size-th candidate after "after", or none: the last batch
	SELECT s.purge_after INTO upto
	FROM session.sessions AS s
	WHERE s.purge_after OPERATOR(pg_catalog.>) after
	  AND s.purge_after OPERATOR(pg_catalog.<=) started
	ORDER BY s.purge_after
	OFFSET batch_size OPERATOR(pg_catalog.-) 1 LIMIT 1;
	upto := coalesce(upto, started);

	DELETE FROM session.sessions AS s
	WHERE s.purge_after OPERATOR(pg_catalog.>) after
	  AND s.purge_after OPERATOR(pg_catalog.<=) upto
	  AND s.expire_date OPERATOR(pg_catalog.<=) started;
	GET DIAGNOSTICS deleted = ROW_COUNT;
END
$$;
COMMENT ON FUNCTION @extschema@._purge_batch(timestamptz, timestamptz, integer) IS
'internal: one batch of the purge along sessions_purge_after_idx';
REVOKE ALL ON FUNCTION @extschema@._purge_batch(timestamptz, timestamptz, integer) FROM PUBLIC;

-- Re-arm the first live candidates up to "upto", leaving alone those a
-- request is writing.
CREATE FUNCTION @extschema@._purge_rearm(upto timestamptz, started timestamptz, batch_size integer)
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	UPDATE session.sessions AS s
	SET purge_after = s.expire_date
	WHERE s.key_hash OPERATOR(pg_catalog.=) ANY (ARRAY(
			SELECT c.key_hash FROM session.sessions AS c
			WHERE c.purge_after OPERATOR(pg_catalog.<=) $1
			  AND c.expire_date OPERATOR(pg_catalog.>) $2
			ORDER BY c.purge_after
			LIMIT $3
			FOR NO KEY UPDATE SKIP LOCKED))
	  AND s.purge_after OPERATOR(pg_catalog.<=) $1
	  AND s.expire_date OPERATOR(pg_catalog.>) $2
$$;
COMMENT ON FUNCTION @extschema@._purge_rearm(timestamptz, timestamptz, integer) IS
'internal: re-arm (purge_after = expire_date) live candidates the purge walked';
REVOKE ALL ON FUNCTION @extschema@._purge_rearm(timestamptz, timestamptz, integer) FROM PUBLIC;

CREATE FUNCTION @extschema@.purge_expired(batch_size integer DEFAULT 1000,
										  time_budget interval DEFAULT '10 seconds')
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	-- a session is purged if it had expired when the purge started
	started timestamptz := clock_timestamp();
	after timestamptz := '-infinity';
	upto timestamptz;
	n bigint;
	deleted bigint := 0;
BEGIN
	IF batch_size IS NULL THEN
		RAISE EXCEPTION 'batch_size must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF time_budget IS NULL THEN
		RAISE EXCEPTION 'time_budget must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF batch_size OPERATOR(pg_catalog.<=) 0 THEN
		RAISE EXCEPTION 'batch_size must be positive' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF time_budget OPERATOR(pg_catalog.<) '0'::interval THEN
		RAISE EXCEPTION 'time_budget must not be negative' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT pg_try_advisory_xact_lock(8315179226536832624) THEN
		RETURN 0;				-- another purge is running
	END IF;

	LOOP
		SELECT b.upto, b.deleted INTO upto, n
		FROM session._purge_batch(after, started, batch_size) AS b;
		deleted := deleted OPERATOR(pg_catalog.+) n;

		-- Past the budget, go on until something is deleted: 0 means that
		-- nothing expired is left.
		EXIT WHEN upto OPERATOR(pg_catalog.=) started
			   OR (deleted OPERATOR(pg_catalog.>) 0
				   AND clock_timestamp() OPERATOR(pg_catalog.-) started OPERATOR(pg_catalog.>=) time_budget);
		after := upto;
	END LOOP;

	PERFORM session._purge_rearm(upto, started, batch_size);

	IF deleted OPERATOR(pg_catalog.>) 0 THEN
		PERFORM session._notify('purged', NULL, NULL, deleted);
	END IF;
	RETURN deleted;
END
$$;
COMMENT ON FUNCTION @extschema@.purge_expired(integer, interval) IS
'delete expired sessions in batches of batch_size until none is left, or time_budget has passed and some were; returns how many (0: none left, or another purge is running)';
REVOKE ALL ON FUNCTION @extschema@.purge_expired(integer, interval) FROM PUBLIC;
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
