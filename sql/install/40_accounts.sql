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
