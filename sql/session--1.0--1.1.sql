\echo Use "ALTER EXTENSION session UPDATE TO '1.1'" to load this file. \quit

--
-- The schema must belong to the role installing the extension (or to a
-- superuser), and nobody else may create objects in it: whoever can put a
-- function or an operator into it could have the extension's own code run
-- theirs with the installer's rights.  CREATE EXTENSION makes the schema
-- when it does not exist; a schema made beforehand by another role is
-- refused.
--
DO LANGUAGE plpgsql $guard$
DECLARE
	schema_owner pg_catalog.oid;
	installer pg_catalog.oid;
BEGIN
	SELECT n.nspowner INTO schema_owner
	FROM pg_catalog.pg_namespace AS n
	WHERE n.nspname OPERATOR(pg_catalog.=) 'session'::pg_catalog.name;
	SELECT r.oid INTO installer
	FROM pg_catalog.pg_roles AS r
	WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER;
	IF schema_owner OPERATOR(pg_catalog.<>) installer
	   AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r
				WHERE r.oid OPERATOR(pg_catalog.=) schema_owner) THEN
		RAISE EXCEPTION 'schema "session" is owned by role "%", not by the role installing the extension',
			(SELECT r.rolname FROM pg_catalog.pg_roles AS r
			 WHERE r.oid OPERATOR(pg_catalog.=) schema_owner)
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'The owner of the schema could run code with the rights of the extension.',
				  HINT = 'Check what the schema holds, then drop it or make the installing role its owner.';
	END IF;
	IF EXISTS (SELECT FROM pg_catalog.pg_namespace AS n,
					  pg_catalog.aclexplode(n.nspacl) AS a
			   WHERE n.nspname OPERATOR(pg_catalog.=) 'session'::pg_catalog.name
				 AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'::pg_catalog.text
				 AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner) THEN
		RAISE EXCEPTION 'other roles may create objects in schema "session"'
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'A role with CREATE on the schema could run code with the rights of the extension.',
				  HINT = 'REVOKE CREATE ON SCHEMA session FROM every role but its owner.';
	END IF;
END
$guard$;

--
-- 1.1: every per-session call is a C function that applies the session's
-- rules in one place; the SQL helpers 1.0 needed for them go.  Functions
-- that 1.0 had are replaced in place (CREATE OR REPLACE, which PostgreSQL
-- allows in an extension script only for the extension's own objects), so
-- the privileges a DBA granted on them and the objects that depend on them
-- stay.  Nothing is granted to PUBLIC any more (see the end of this
-- script).  The tables and their data stay as they are.
--
DROP FUNCTION @extschema@._account_bind(pg_catalog.text);
DROP FUNCTION @extschema@._check_data(pg_catalog.jsonb);
DROP FUNCTION @extschema@._live(pg_catalog.text);
DROP FUNCTION @extschema@._lock_account(pg_catalog.bytea);
DROP FUNCTION @extschema@._new_key();
DROP FUNCTION @extschema@._next_expiry(pg_catalog.timestamptz, pg_catalog.int4, pg_catalog.bool, pg_catalog.timestamptz, pg_catalog.timestamptz);

REVOKE USAGE ON SCHEMA @extschema@ FROM PUBLIC;

-- Comments on what 1.0 left without one.
COMMENT ON SCHEMA @extschema@ IS 'the session store: sessions, accounts and their API (extension session)';
COMMENT ON SEQUENCE @extschema@.sessions_id_seq IS 'public ids of sessions';
COMMENT ON COLUMN @extschema@.sessions.created IS 'when the session was created; session.max_lifetime counts from here';
COMMENT ON COLUMN @extschema@.sessions.ip IS 'client IP address given at creation or login';
COMMENT ON COLUMN @extschema@.sessions.user_agent IS 'client user agent given at creation or login, up to 512 bytes';
COMMENT ON INDEX @extschema@.sessions_pkey IS 'the session of a key, by the digest of the key: every per-session call';
COMMENT ON INDEX @extschema@.sessions_account_idx IS 'the sessions of an account: account_sessions(), logout_everywhere()';
COMMENT ON INDEX @extschema@.sessions_purge_after_idx IS 'what the purge walks: sessions whose purge_after has passed';
COMMENT ON COLUMN @extschema@.accounts.account IS 'the account id, as session data or login() names it';
COMMENT ON INDEX @extschema@.accounts_pkey IS 'an account''s row, locked before its sessions by every writer';
COMMENT ON INDEX @extschema@.accounts_activity_floor_idx IS 'what flag_inactive() walks: active accounts idle since activity_floor';
COMMENT ON COLUMN @extschema@.session_info.id IS 'public id of the session (session.sessions.id)';
COMMENT ON COLUMN @extschema@.session_info.created IS 'when the session was created';
COMMENT ON COLUMN @extschema@.session_info.last_activity IS 'last activity, to within session.touch_interval';
COMMENT ON COLUMN @extschema@.session_info.expire_date IS 'the session is live until then';
COMMENT ON COLUMN @extschema@.session_info.ip IS 'client IP address given at creation or login';
COMMENT ON COLUMN @extschema@.session_info.user_agent IS 'client user agent given at creation or login';
COMMENT ON COLUMN @extschema@.session_info.is_current IS 'whether this is the session of the key passed as current_key';

--
-- Internal helpers for the set-based functions below.  None is for
-- PUBLIC.  Every per-session call is a C function that reads and writes
-- the table itself (src/lifecycle.c, data.c, expiry.c) and calls none of
-- these.
--
CREATE OR REPLACE FUNCTION @extschema@._key_digest(key pg_catalog.text, for_write pg_catalog.bool)
RETURNS pg_catalog.bytea
AS 'MODULE_PATHNAME', 'session_key_digest'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._key_digest(pg_catalog.text, pg_catalog.bool) IS
'internal: stored digest of a session key; NULL (reading) or an error (writing) when malformed';

-- IMMUTABLE: the rule compares its two arguments and nothing else.
CREATE FUNCTION @extschema@._live_at(expire_date pg_catalog.timestamptz, at pg_catalog.timestamptz)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'session_live_at'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._live_at(pg_catalog.timestamptz, pg_catalog.timestamptz) IS
'internal: whether a session expiring at expire_date is live at a given time';

CREATE OR REPLACE FUNCTION @extschema@._notify(event pg_catalog.text, account pg_catalog.text,
									session_id pg_catalog.int8, count pg_catalog.int8)
RETURNS void
AS 'MODULE_PATHNAME', 'session_notify'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION @extschema@._notify(pg_catalog.text, pg_catalog.text, pg_catalog.int8, pg_catalog.int8) IS
'internal: send a lifecycle event on channel session_events (after commit), when session.events is on';

CREATE OR REPLACE FUNCTION @extschema@._inactive_after()
RETURNS pg_catalog.interval
AS 'MODULE_PATHNAME', 'session_inactive_after_setting'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._inactive_after() IS 'internal: session.inactive_after, checked';

CREATE OR REPLACE FUNCTION @extschema@._logout_inactive()
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'session_logout_inactive_setting'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._logout_inactive() IS 'internal: session.logout_inactive, checked';

REVOKE ALL ON FUNCTION @extschema@._key_digest(pg_catalog.text, pg_catalog.bool) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._live_at(pg_catalog.timestamptz, pg_catalog.timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._notify(pg_catalog.text, pg_catalog.text, pg_catalog.int8, pg_catalog.int8) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._inactive_after() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@._logout_inactive() FROM PUBLIC;

--
-- The per-session API.  Holding a key is the authority for these
-- functions; they run as the extension's owner.  Nothing here is granted
-- to PUBLIC: session.grant_access() grants them to the application's role.
-- Reading functions treat a malformed key as unknown; functions that
-- change a session reject it (ending one that cannot exist is a no-op, so
-- delete, flush and logout treat it as unknown too).
--
-- They are C functions that resolve nothing through search_path (every
-- name in their queries is schema-qualified and every operator is written
-- OPERATOR(pg_catalog.x)), so they carry no SET clause: a SET would cost
-- every request a settings save and restore.
--
CREATE OR REPLACE FUNCTION @extschema@.create(data pg_catalog.jsonb DEFAULT '{}'::pg_catalog.jsonb,
								   expire_date pg_catalog.timestamptz DEFAULT NULL::pg_catalog.timestamptz,
								   account pg_catalog.text DEFAULT NULL::pg_catalog.text,
								   ip pg_catalog.inet DEFAULT NULL::pg_catalog.inet,
								   user_agent pg_catalog.text DEFAULT NULL::pg_catalog.text)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'session_create'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.create(pg_catalog.jsonb, pg_catalog.timestamptz, pg_catalog.text, pg_catalog.inet, pg_catalog.text) IS
'new session with this data (and fixed expiry date, account, client IP, user agent); returns its key';

CREATE OR REPLACE FUNCTION @extschema@.load(key pg_catalog.text)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'session_load'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.load(pg_catalog.text) IS
'data of a live session, or NULL; slides an idle timeout at most once per session.touch_interval';

CREATE OR REPLACE FUNCTION @extschema@.save(key pg_catalog.text, data pg_catalog.jsonb,
								 expire_date pg_catalog.timestamptz DEFAULT NULL::pg_catalog.timestamptz,
								 must_create pg_catalog.bool DEFAULT false)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'session_save'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.save(pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamptz, pg_catalog.bool) IS
'replace the data of a live session (false if none), or with must_create insert it (false if the key is taken); the account follows the data';

-- VOLATILE: the answer depends on the clock.
CREATE OR REPLACE FUNCTION @extschema@.exists(key pg_catalog.text)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'session_exists'
LANGUAGE C VOLATILE PARALLEL SAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.exists(pg_catalog.text) IS 'whether a live session has this key';

CREATE OR REPLACE FUNCTION @extschema@.delete(key pg_catalog.text)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'session_delete'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.delete(pg_catalog.text) IS
'end a session: deletes it, creates nothing; true if it was live (sends a logout event when it had an account)';

CREATE OR REPLACE FUNCTION @extschema@.flush(key pg_catalog.text)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'session_delete'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.flush(pg_catalog.text) IS
'Django''s flush: the same as delete; returns no new key and creates nothing';

CREATE OR REPLACE FUNCTION @extschema@.logout(key pg_catalog.text)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'session_delete'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.logout(pg_catalog.text) IS
'end a session: the same as delete; returns no new key and creates nothing';

CREATE OR REPLACE FUNCTION @extschema@.cycle_key(key pg_catalog.text)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'session_cycle_key'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.cycle_key(pg_catalog.text) IS
'give a live session a new key (against session fixation): same data and metadata, old key dead; NULL if no live session';

CREATE OR REPLACE FUNCTION @extschema@.login(key pg_catalog.text, account pg_catalog.text,
								  ip pg_catalog.inet DEFAULT NULL::pg_catalog.inet,
								  user_agent pg_catalog.text DEFAULT NULL::pg_catalog.text)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'session_login'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.login(pg_catalog.text, pg_catalog.text, pg_catalog.inet, pg_catalog.text) IS
'log an account in: cycles the key (against session fixation), binds the account, records IP and user agent; returns the new key (a new session when the key names none)';

CREATE OR REPLACE FUNCTION @extschema@.get(key pg_catalog.text, field pg_catalog.text)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'session_get'
LANGUAGE C VOLATILE PARALLEL SAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.get(pg_catalog.text, pg_catalog.text) IS 'one field of a live session''s data, or NULL';

CREATE OR REPLACE FUNCTION @extschema@.set(key pg_catalog.text, field pg_catalog.text, value pg_catalog.jsonb)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'session_set'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.set(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb) IS
'set one field of a live session''s data atomically (a SQL NULL value is stored as JSON null); false if no live session';

CREATE OR REPLACE FUNCTION @extschema@.pop(key pg_catalog.text, field pg_catalog.text)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'session_pop'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.pop(pg_catalog.text, pg_catalog.text) IS
'remove one field of a live session''s data atomically and return its value (NULL if absent or no live session)';

CREATE OR REPLACE FUNCTION @extschema@.set_expiry(key pg_catalog.text, seconds pg_catalog.int4)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'session_set_expiry_seconds'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.set_expiry(pg_catalog.text, pg_catalog.int4) IS
'idle timeout in seconds, sliding on activity; 0: until the browser closes; NULL::integer: session.default_max_age; false if no live session';

CREATE OR REPLACE FUNCTION @extschema@.set_expiry(key pg_catalog.text, expire_date pg_catalog.timestamptz)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'session_set_expiry_date'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.set_expiry(pg_catalog.text, pg_catalog.timestamptz) IS
'expire at a fixed date that activity does not move (capped by session.max_lifetime); NULL: back to the default; false if no live session';

CREATE OR REPLACE FUNCTION @extschema@.expiry_date(key pg_catalog.text)
RETURNS pg_catalog.timestamptz
AS 'MODULE_PATHNAME', 'session_expiry_date'
LANGUAGE C VOLATILE PARALLEL SAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.expiry_date(pg_catalog.text) IS 'when a live session expires unless activity moves it; NULL if none';

CREATE OR REPLACE FUNCTION @extschema@.expiry_age(key pg_catalog.text)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'session_expiry_age'
LANGUAGE C VOLATILE PARALLEL SAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.expiry_age(pg_catalog.text) IS 'whole seconds until a live session expires; NULL if none';

CREATE OR REPLACE FUNCTION @extschema@.expires_at_browser_close(key pg_catalog.text)
RETURNS pg_catalog.bool
AS 'MODULE_PATHNAME', 'session_expires_at_browser_close'
LANGUAGE C VOLATILE PARALLEL SAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@.expires_at_browser_close(pg_catalog.text) IS
'whether the cookie of a live session should end with the browser (set_expiry 0); NULL if none';

REVOKE ALL ON FUNCTION @extschema@.create(pg_catalog.jsonb, pg_catalog.timestamptz, pg_catalog.text, pg_catalog.inet, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.load(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.save(pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamptz, pg_catalog.bool) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.exists(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.delete(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.flush(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.logout(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.cycle_key(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.login(pg_catalog.text, pg_catalog.text, pg_catalog.inet, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.get(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.set(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.pop(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.set_expiry(pg_catalog.text, pg_catalog.int4) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.set_expiry(pg_catalog.text, pg_catalog.timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.expiry_date(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.expiry_age(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.expires_at_browser_close(pg_catalog.text) FROM PUBLIC;

--
-- Deferred activity (with shared_preload_libraries = 'session'): loads
-- record activity in shared memory and a background worker writes it.
--
CREATE FUNCTION @extschema@.activity_status()
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'session_activity_status'
LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.activity_status() IS
'how loads record activity here (mode "deferred", "inline" or on a standby "none") and the state of the shared buffer';
REVOKE ALL ON FUNCTION @extschema@.activity_status() FROM PUBLIC;

CREATE FUNCTION @extschema@._flush_activity()
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'session_flush_activity'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@._flush_activity() IS
'internal: write the activity recorded for this database now (the purge and flag_inactive() do it first)';
REVOKE ALL ON FUNCTION @extschema@._flush_activity() FROM PUBLIC;

CREATE FUNCTION @extschema@._apply_activity(digests pg_catalog.bytea[], ats pg_catalog.timestamptz[])
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'session_apply_activity'
LANGUAGE C VOLATILE PARALLEL UNSAFE SECURITY DEFINER;
COMMENT ON FUNCTION @extschema@._apply_activity(pg_catalog.bytea[], pg_catalog.timestamptz[]) IS
'internal: write activity that a standby recorded; grant it to the role of session.primary_conninfo only';
REVOKE ALL ON FUNCTION @extschema@._apply_activity(pg_catalog.bytea[], pg_catalog.timestamptz[]) FROM PUBLIC;
--
-- Across the sessions of an account.  Not for PUBLIC, nor granted by
-- session.grant_access(): grant it to the role of the application that
-- shows "your devices" or handles passwords.
--
CREATE OR REPLACE FUNCTION @extschema@.account_sessions(account pg_catalog.text,
											 current_key pg_catalog.text DEFAULT NULL::pg_catalog.text)
RETURNS SETOF @extschema@.session_info
LANGUAGE sql VOLATILE PARALLEL SAFE ROWS 10
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT s.id, s.created, s.last_activity, s.expire_date, s.ip, s.user_agent,
		   s.key_hash IS NOT DISTINCT FROM session._key_digest($2, false)
	FROM session.sessions AS s
	WHERE s.account OPERATOR(pg_catalog.=) $1
	  AND session._live_at(s.expire_date, pg_catalog.clock_timestamp())
	ORDER BY s.last_activity DESC, s.id
$$;
COMMENT ON FUNCTION @extschema@.account_sessions(pg_catalog.text, pg_catalog.text) IS
'every live session of an account, most recently active first; is_current marks the one of current_key';

CREATE OR REPLACE FUNCTION @extschema@.revoke(account pg_catalog.text, session_id pg_catalog.int8)
RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF pg_catalog.current_setting('transaction_read_only')::pg_catalog.bool THEN
		RAISE EXCEPTION 'cannot execute session.revoke() in a read-only transaction'
			USING ERRCODE = 'read_only_sql_transaction';
	END IF;
	-- account before session, as every writer
	PERFORM FROM session.accounts AS a
	WHERE a.account OPERATOR(pg_catalog.=) revoke.account
	FOR KEY SHARE;
	DELETE FROM session.sessions AS s
	WHERE s.account OPERATOR(pg_catalog.=) revoke.account
	  AND s.id OPERATOR(pg_catalog.=) revoke.session_id
	  AND session._live_at(s.expire_date, pg_catalog.clock_timestamp());
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM session._notify('revoke'::pg_catalog.text, revoke.account, revoke.session_id,
							NULL::pg_catalog.int8);
	RETURN true;
END
$$;
COMMENT ON FUNCTION @extschema@.revoke(pg_catalog.text, pg_catalog.int8) IS
'end one live session of an account, named by its public id; false if the account has no such session';

CREATE OR REPLACE FUNCTION @extschema@.logout_everywhere(account pg_catalog.text,
											  except_key pg_catalog.text DEFAULT NULL::pg_catalog.text)
RETURNS pg_catalog.int4
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	keep pg_catalog.bytea := session._key_digest(except_key, false);
	n pg_catalog.int4;
BEGIN
	IF account IS NULL THEN
		RAISE EXCEPTION 'account id must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF pg_catalog.current_setting('transaction_read_only')::pg_catalog.bool THEN
		RAISE EXCEPTION 'cannot execute session.logout_everywhere() in a read-only transaction'
			USING ERRCODE = 'read_only_sql_transaction';
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
		RETURNING session._live_at(s.expire_date, pg_catalog.clock_timestamp()) AS live
	)
	SELECT pg_catalog.count(*) FILTER (WHERE live) INTO n FROM gone;
	PERFORM session._notify('logout_everywhere'::pg_catalog.text, logout_everywhere.account,
							NULL::pg_catalog.int8, n::pg_catalog.int8);
	RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.logout_everywhere(pg_catalog.text, pg_catalog.text) IS
'end every session of an account, except the one of except_key; returns how many live ones ended';

CREATE OR REPLACE FUNCTION @extschema@.flag_inactive(idle pg_catalog.interval DEFAULT NULL::pg_catalog.interval)
RETURNS pg_catalog.int4
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ts pg_catalog.timestamptz := pg_catalog.clock_timestamp();
	cutoff pg_catalog.timestamptz;
	logout pg_catalog.bool := session._logout_inactive();
	flagged pg_catalog.text[];
	acc pg_catalog.text;
BEGIN
	-- activity loads recorded but the worker has not written yet counts
	PERFORM session._flush_activity();
	IF idle IS NULL THEN
		idle := session._inactive_after();
	END IF;
	IF idle OPERATOR(pg_catalog.<=) '0'::pg_catalog.interval THEN
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
	SELECT coalesce(pg_catalog.array_agg(f.account), '{}'::pg_catalog.text[]) INTO flagged FROM f;

	IF logout AND pg_catalog.cardinality(flagged) OPERATOR(pg_catalog.>) 0 THEN
		DELETE FROM session.sessions AS s
		WHERE s.account OPERATOR(pg_catalog.=) ANY (flagged);
	END IF;
	FOREACH acc IN ARRAY flagged LOOP
		PERFORM session._notify('inactive'::pg_catalog.text, acc, NULL::pg_catalog.int8,
								NULL::pg_catalog.int8);
	END LOOP;
	RETURN pg_catalog.cardinality(flagged);
END
$$;
COMMENT ON FUNCTION @extschema@.flag_inactive(pg_catalog.interval) IS
'mark accounts idle for this long (default session.inactive_after) inactive, and with session.logout_inactive end their sessions; returns how many';

REVOKE ALL ON FUNCTION @extschema@.account_sessions(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.revoke(pg_catalog.text, pg_catalog.int8) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.logout_everywhere(pg_catalog.text, pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.flag_inactive(pg_catalog.interval) FROM PUBLIC;
--
-- Purging expired sessions, in short batches along sessions_purge_after_idx.
--
-- Candidates are the rows whose purge_after, a lower bound of expire_date,
-- has passed.  Each batch covers the next range of purge_after values, from
-- the end of the last one (keyset pagination: never from the start of the
-- index again, where the entries of the rows deleted so far stay until
-- vacuum) to the batch_size-th candidate, found by an index-only scan; a
-- range holds every row of the values it covers, however many share one.
-- One DELETE per range removes the rows that are no longer live, checking
-- that on the row it deletes: a session touched or replaced meanwhile
-- survives.  Live candidates are then "re-armed" (purge_after =
-- expire_date) so that later purges do not walk them again: the cost of a
-- purge follows the number of expired rows, not the size of the table.  A
-- call re-arms at most batch_size rows, and skips rows that requests hold.
-- bench/purge.sh measures the design.
--
-- One purge at a time per database: a second one stops at once.  The lock
-- is pg_try_advisory_xact_lock(8315179226536832624), that is
-- 0x73657373696F6E70, "sessionp" in ASCII; hold it to keep purges out.
--
-- One batch: delete the expired rows among the next batch_size candidates
-- after "after"; returns where the batch ended (started: the last batch).
CREATE OR REPLACE FUNCTION @extschema@._purge_batch(after pg_catalog.timestamptz, started pg_catalog.timestamptz,
										 batch_size pg_catalog.int4,
										 OUT upto pg_catalog.timestamptz, OUT deleted pg_catalog.int8)
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
	  AND NOT session._live_at(s.expire_date, started);
	GET DIAGNOSTICS deleted = ROW_COUNT;
END
$$;
COMMENT ON FUNCTION @extschema@._purge_batch(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.int4) IS
'internal: one batch of the purge along sessions_purge_after_idx';
REVOKE ALL ON FUNCTION @extschema@._purge_batch(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.int4) FROM PUBLIC;

-- Re-arm the first live candidates up to "upto", leaving alone those a
-- request is writing.
CREATE OR REPLACE FUNCTION @extschema@._purge_rearm(upto pg_catalog.timestamptz, started pg_catalog.timestamptz,
										 batch_size pg_catalog.int4)
RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	UPDATE session.sessions AS s
	SET purge_after = s.expire_date
	WHERE s.key_hash OPERATOR(pg_catalog.=) ANY (ARRAY(
			SELECT c.key_hash FROM session.sessions AS c
			WHERE c.purge_after OPERATOR(pg_catalog.<=) $1
			  AND session._live_at(c.expire_date, $2)
			ORDER BY c.purge_after
			LIMIT $3
			FOR NO KEY UPDATE SKIP LOCKED))
	  AND s.purge_after OPERATOR(pg_catalog.<=) $1
	  AND session._live_at(s.expire_date, $2)
$$;
COMMENT ON FUNCTION @extschema@._purge_rearm(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.int4) IS
'internal: re-arm (purge_after = expire_date) live candidates the purge walked';
REVOKE ALL ON FUNCTION @extschema@._purge_rearm(pg_catalog.timestamptz, pg_catalog.timestamptz, pg_catalog.int4) FROM PUBLIC;

-- The purge loop, for purge_expired() and run_maintenance() alike: batches
-- until none is left, or time_budget has passed and some rows were
-- deleted.  With commit_each it commits after every batch (only when
-- called by CALL from a procedure that was itself called by CALL), so that
-- concurrent requests do not flush the purge's WAL for it: measured, the
-- latency of concurrent loads (p99) rose 5-6x during a one-transaction
-- purge of 1,000,000 rows and 1.1-2.9x with a commit per batch
-- (bench/purge.sh).  Each batch takes the purge lock in its transaction,
-- so a cancel or an error leaves no lock behind, and a purge running
-- elsewhere makes this one stop.  A procedure that commits can be neither
-- SECURITY DEFINER nor carry a SET clause, so this runs as its caller and
-- every name and operator in it is qualified.
CREATE PROCEDURE @extschema@._purge(batch_size pg_catalog.int4, time_budget pg_catalog.interval,
									commit_each pg_catalog.bool, INOUT deleted pg_catalog.int8)
LANGUAGE plpgsql
AS $$
DECLARE
	-- a session is purged if it had expired when the purge started
	started pg_catalog.timestamptz := pg_catalog.clock_timestamp();
	after pg_catalog.timestamptz := '-infinity'::pg_catalog.timestamptz;
	upto pg_catalog.timestamptz;
	n pg_catalog.int8;
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
	IF time_budget OPERATOR(pg_catalog.<) '0'::pg_catalog.interval THEN
		RAISE EXCEPTION 'time_budget must not be negative' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	deleted := 0;
	-- a session with recorded activity is live: write that activity first
	PERFORM session._flush_activity();
	LOOP
		EXIT WHEN NOT pg_catalog.pg_try_advisory_xact_lock(8315179226536832624::pg_catalog.int8);
		SELECT b.upto, b.deleted INTO upto, n
		FROM session._purge_batch(after, started, batch_size) AS b;
		deleted := deleted OPERATOR(pg_catalog.+) n;
		-- 0 deleted past the budget means that nothing expired is left yet
		IF upto OPERATOR(pg_catalog.=) started
		   OR (deleted OPERATOR(pg_catalog.>) 0
			   AND pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) started
				   OPERATOR(pg_catalog.>=) time_budget) THEN
			PERFORM session._purge_rearm(upto, started, batch_size);
			EXIT;
		END IF;
		IF commit_each THEN
			COMMIT;
		END IF;
		after := upto;
	END LOOP;
	IF deleted OPERATOR(pg_catalog.>) 0 THEN
		PERFORM session._notify('purged'::pg_catalog.text, NULL::pg_catalog.text,
								NULL::pg_catalog.int8, deleted);
	END IF;
END
$$;
COMMENT ON PROCEDURE @extschema@._purge(pg_catalog.int4, pg_catalog.interval, pg_catalog.bool, pg_catalog.int8) IS
'internal: the purge loop of purge_expired() and run_maintenance()';
REVOKE ALL ON PROCEDURE @extschema@._purge(pg_catalog.int4, pg_catalog.interval, pg_catalog.bool, pg_catalog.int8) FROM PUBLIC;

-- One transaction: the rows deleted stay locked, and the xmin horizon held,
-- until the caller commits.  The pg_cron job runs run_maintenance().
CREATE OR REPLACE FUNCTION @extschema@.purge_expired(batch_size pg_catalog.int4 DEFAULT 1000,
										  time_budget pg_catalog.interval DEFAULT '10 seconds'::pg_catalog.interval)
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	deleted pg_catalog.int8 := 0;
BEGIN
	CALL session._purge(batch_size, time_budget, false, deleted);
	RETURN deleted;
END
$$;
COMMENT ON FUNCTION @extschema@.purge_expired(pg_catalog.int4, pg_catalog.interval) IS
'delete expired sessions in batches of batch_size until none is left, or time_budget has passed and some were; returns how many (0: none left, or another purge is running)';
REVOKE ALL ON FUNCTION @extschema@.purge_expired(pg_catalog.int4, pg_catalog.interval) FROM PUBLIC;

CREATE OR REPLACE FUNCTION @extschema@.clear_expired()
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ts pg_catalog.timestamptz;
	n pg_catalog.int8;
BEGIN
	PERFORM session._flush_activity();
	ts := pg_catalog.clock_timestamp();
	DELETE FROM session.sessions AS s
	WHERE s.purge_after OPERATOR(pg_catalog.<=) ts
	  AND NOT session._live_at(s.expire_date, ts);
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@.clear_expired() IS 'delete every expired session in one statement; returns how many';
REVOKE ALL ON FUNCTION @extschema@.clear_expired() FROM PUBLIC;

--
-- Maintenance, and its schedule with pg_cron.  Installing the extension
-- schedules nothing: a DBA calls schedule_maintenance().
--
CREATE OR REPLACE FUNCTION @extschema@.maintain()
RETURNS pg_catalog.jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	started pg_catalog.timestamptz := pg_catalog.clock_timestamp();
	purged pg_catalog.int8;
	flagged pg_catalog.int4;
BEGIN
	purged := session.purge_expired();
	flagged := session.flag_inactive();
	RETURN pg_catalog.jsonb_build_object(
		'purged'::pg_catalog.text, purged,
		'flagged_inactive'::pg_catalog.text, flagged,
		'seconds'::pg_catalog.text,
		pg_catalog.round(pg_catalog.date_part('epoch'::pg_catalog.text,
			pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) started)::pg_catalog.numeric, 3));
END
$$;
COMMENT ON FUNCTION @extschema@.maintain() IS
'purge expired sessions and flag inactive accounts; returns {"purged", "flagged_inactive", "seconds"}';
REVOKE ALL ON FUNCTION @extschema@.maintain() FROM PUBLIC;

-- What the pg_cron job runs: the work of maintain(), committing after
-- every batch of the purge.  It runs as the caller, who needs EXECUTE on
-- _purge(), _purge_batch(), _purge_rearm(), _notify() and flag_inactive()
-- (the extension's owner has it).
CREATE OR REPLACE PROCEDURE @extschema@.run_maintenance(batch_size pg_catalog.int4 DEFAULT 1000,
											 time_budget pg_catalog.interval DEFAULT '10 seconds'::pg_catalog.interval)
LANGUAGE plpgsql
AS $$
DECLARE
	purged pg_catalog.int8 := 0;
	flagged pg_catalog.int4;
BEGIN
	CALL session._purge(batch_size, time_budget, true, purged);
	COMMIT;
	flagged := session.flag_inactive();
	COMMIT;
	RAISE NOTICE 'session maintenance: % purged, % flagged inactive', purged, flagged;
END
$$;
COMMENT ON PROCEDURE @extschema@.run_maintenance(pg_catalog.int4, pg_catalog.interval) IS
'maintain(), committing after each purge batch so concurrent requests keep their latency: what the pg_cron job runs (CALL)';
REVOKE ALL ON PROCEDURE @extschema@.run_maintenance(pg_catalog.int4, pg_catalog.interval) FROM PUBLIC;

-- The command of the pg_cron job.  It outlives the extension (pg_cron's
-- jobs are not part of it): once the extension is dropped, the job does no
-- work and, when pg_cron runs in this database, unschedules itself and its
-- cleanup job, so that nothing is left failing every minute.
CREATE FUNCTION @extschema@._maintenance_command()
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT 'DO $job$ BEGIN IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = ''session'') THEN CALL session.run_maintenance(); '
		'ELSIF pg_catalog.to_regclass(''cron.job'') IS NOT NULL THEN PERFORM cron.unschedule(jobid) FROM cron.job '
		'WHERE jobname IN (''session-maintenance'', ''session-maintenance-cleanup'') AND username = current_user; END IF; END $job$'::pg_catalog.text
$$;
COMMENT ON FUNCTION @extschema@._maintenance_command() IS
'internal: the command of the pg_cron job: CALL run_maintenance(), or once the extension is gone nothing but unscheduling itself';
REVOKE ALL ON FUNCTION @extschema@._maintenance_command() FROM PUBLIC;

-- The hint for a cluster where pg_cron is not usable from this database.
CREATE OR REPLACE FUNCTION @extschema@._cron_hint(schedule pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE
		WHEN pg_catalog.current_setting('cron.database_name', true) IS NOT NULL
			 AND pg_catalog.current_setting('cron.database_name', true) OPERATOR(pg_catalog.<>) pg_catalog.current_database()
		THEN pg_catalog.format('pg_cron runs in database %I. Connect there and run: SELECT cron.schedule_in_database(%L, %L, %L, %L);',
					pg_catalog.current_setting('cron.database_name', true), 'session-maintenance', $1,
					session._maintenance_command(), pg_catalog.current_database())
		WHEN pg_catalog.current_setting('cron.database_name', true) IS NOT NULL
		THEN 'pg_cron is loaded and uses this database: run CREATE EXTENSION pg_cron here.'
		ELSE pg_catalog.format('Add pg_cron to shared_preload_libraries and set cron.database_name = %L in postgresql.conf, restart, then run CREATE EXTENSION pg_cron in database %I.',
					pg_catalog.current_database(), pg_catalog.current_database())
	END
$$;
COMMENT ON FUNCTION @extschema@._cron_hint(pg_catalog.text) IS 'internal: how to set up pg_cron for the maintenance job';
REVOKE ALL ON FUNCTION @extschema@._cron_hint(pg_catalog.text) FROM PUBLIC;

-- SECURITY INVOKER on purpose: the job belongs to, and runs as, the role
-- that schedules it, which needs EXECUTE on run_maintenance() and what it
-- calls (see there).
CREATE OR REPLACE FUNCTION @extschema@.schedule_maintenance(schedule pg_catalog.text DEFAULT '* * * * *'::pg_catalog.text,
												 run_details_retention pg_catalog.interval DEFAULT '1 day'::pg_catalog.interval)
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	job pg_catalog.int8;
BEGIN
	IF schedule IS NULL THEN
		RAISE EXCEPTION 'schedule must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF run_details_retention OPERATOR(pg_catalog.<) '0'::pg_catalog.interval THEN
		RAISE EXCEPTION 'run_details_retention must not be negative' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pg_cron') THEN
		RAISE EXCEPTION 'pg_cron is not installed in database "%"', pg_catalog.current_database()
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = session._cron_hint(schedule);
	END IF;
	-- cron.schedule replaces a job of the same name: calling again changes
	-- the schedule and never adds a second job.
	EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job
		USING 'session-maintenance', schedule, session._maintenance_command();
	IF run_details_retention IS NOT NULL THEN
		EXECUTE 'SELECT cron.schedule($1, $2, $3)'
			USING 'session-maintenance-cleanup', '17 * * * *',
				  pg_catalog.format('DELETE FROM cron.job_run_details WHERE jobid = %s AND end_time < now() - %L::pg_catalog.interval',
						 job, run_details_retention);
	ELSIF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pg_cron') THEN
		EXECUTE 'SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = $1 AND username = current_user'
			USING 'session-maintenance-cleanup';
	END IF;
	RETURN job;
END
$$;
COMMENT ON FUNCTION @extschema@.schedule_maintenance(pg_catalog.text, pg_catalog.interval) IS
'schedule run_maintenance() with pg_cron as job "session-maintenance" (again: change its schedule); an hourly job keeps cron.job_run_details of it for run_details_retention (NULL: keep all); returns the job id';
REVOKE ALL ON FUNCTION @extschema@.schedule_maintenance(pg_catalog.text, pg_catalog.interval) FROM PUBLIC;

CREATE OR REPLACE FUNCTION @extschema@.unschedule_maintenance()
RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n pg_catalog.int4;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pg_cron') THEN
		RAISE EXCEPTION 'pg_cron is not installed in database "%"', pg_catalog.current_database()
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = session._cron_hint('* * * * *'::pg_catalog.text);
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
--
-- Django: its signed session format read and written in C, and the import
-- of a django_session table.  encode and decode read no table and confer
-- no authority the caller does not hold already (the secret is the
-- authority, and the caller brings it): they are not SECURITY DEFINER.
-- Pass the secret as a bind parameter, never inside the statement text,
-- which the server may log.
--
CREATE OR REPLACE FUNCTION @extschema@.encode(data pg_catalog.jsonb, secret pg_catalog.text,
								   salt pg_catalog.text DEFAULT 'django.contrib.sessions.SessionStore'::pg_catalog.text,
								   compress pg_catalog.bool DEFAULT true,
								   signed_at pg_catalog.timestamptz DEFAULT NULL::pg_catalog.timestamptz)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'session_encode'
LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.encode(pg_catalog.jsonb, pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.timestamptz) IS
'Django''s signed session format of the data (signing.dumps, as SessionBase.encode writes it), signed at signed_at or now';

CREATE OR REPLACE FUNCTION @extschema@.decode(token pg_catalog.text, secret pg_catalog.text,
								   salt pg_catalog.text DEFAULT 'django.contrib.sessions.SessionStore'::pg_catalog.text,
								   fallback_secrets pg_catalog.text[] DEFAULT '{}'::pg_catalog.text[],
								   max_age pg_catalog.int4 DEFAULT NULL::pg_catalog.int4)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'session_decode'
LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.decode(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text[], pg_catalog.int4) IS
'data of a Django session token (also the pre-3.1 format) verified with the secret or a fallback; SQLSTATE SE001 bad signature, SE002 expired, SE003 corrupt';

-- Reads the source as the caller and writes the store as its owner: not
-- for PUBLIC.  The default names the table through a cast evaluated at
-- call time, so that installing the extension does not need it.  secret
-- is required, but follows a parameter with a default, so it has one too:
-- NULL is refused.
CREATE OR REPLACE FUNCTION @extschema@.import_django(source pg_catalog.regclass DEFAULT 'public.django_session'::pg_catalog.text::pg_catalog.regclass,
										  secret pg_catalog.text DEFAULT NULL::pg_catalog.text,
										  fallback_secrets pg_catalog.text[] DEFAULT '{}'::pg_catalog.text[],
										  salt pg_catalog.text DEFAULT 'django.contrib.sessions.SessionStore'::pg_catalog.text)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'session_import_django'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION @extschema@.import_django(pg_catalog.regclass, pg_catalog.text, pg_catalog.text[], pg_catalog.text) IS
'copy the live sessions of a django_session table into the store, keeping keys, data and expiry dates; skips keys already present; returns how many were imported';
REVOKE ALL ON FUNCTION @extschema@.import_django(pg_catalog.regclass, pg_catalog.text, pg_catalog.text[], pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.encode(pg_catalog.jsonb, pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.decode(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text[], pg_catalog.int4) FROM PUBLIC;
--
-- Who may use the store.  Installing grants nothing to PUBLIC: any role
-- that may run create(), login() or save() can mint a session for any
-- account, so only the application's role should.
--
-- The per-session API and the Django codec, as one list, so that granting
-- and revoking never drift apart.
CREATE FUNCTION @extschema@._app_functions()
RETURNS pg_catalog.text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT 'session.create(pg_catalog.jsonb, pg_catalog.timestamptz, pg_catalog.text, pg_catalog.inet, pg_catalog.text),'
		' session.load(pg_catalog.text),'
		' session.save(pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamptz, pg_catalog.bool),'
		' session.exists(pg_catalog.text),'
		' session.delete(pg_catalog.text),'
		' session.flush(pg_catalog.text),'
		' session.logout(pg_catalog.text),'
		' session.cycle_key(pg_catalog.text),'
		' session.login(pg_catalog.text, pg_catalog.text, pg_catalog.inet, pg_catalog.text),'
		' session.get(pg_catalog.text, pg_catalog.text),'
		' session.set(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb),'
		' session.pop(pg_catalog.text, pg_catalog.text),'
		' session.set_expiry(pg_catalog.text, pg_catalog.int4),'
		' session.set_expiry(pg_catalog.text, pg_catalog.timestamptz),'
		' session.expiry_date(pg_catalog.text),'
		' session.expiry_age(pg_catalog.text),'
		' session.expires_at_browser_close(pg_catalog.text),'
		' session.encode(pg_catalog.jsonb, pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.timestamptz),'
		' session.decode(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text[], pg_catalog.int4)'::pg_catalog.text
$$;
COMMENT ON FUNCTION @extschema@._app_functions() IS 'internal: the functions grant_access() grants';
REVOKE ALL ON FUNCTION @extschema@._app_functions() FROM PUBLIC;

-- SECURITY INVOKER: only a role that may grant the API (its owner, a
-- superuser) can run it.
CREATE FUNCTION @extschema@.grant_access(app pg_catalog.regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF app IS NULL THEN
		RAISE EXCEPTION 'role must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA session TO %s', app);
	EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %s', session._app_functions(), app);
END
$$;
COMMENT ON FUNCTION @extschema@.grant_access(pg_catalog.regrole) IS
'let a role (the application''s) use the per-session API and the Django codec: create, load, save, login, ...';
REVOKE ALL ON FUNCTION @extschema@.grant_access(pg_catalog.regrole) FROM PUBLIC;

CREATE FUNCTION @extschema@.revoke_access(app pg_catalog.regrole)
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF app IS NULL THEN
		RAISE EXCEPTION 'role must not be null' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM %s', session._app_functions(), app);
	-- the schema too, unless the role was granted other functions or the
	-- tables in it (the database's owner reads them to dump them)
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_proc AS p, pg_catalog.aclexplode(p.proacl) AS a
				   WHERE p.pronamespace OPERATOR(pg_catalog.=) 'session'::pg_catalog.regnamespace
					 AND a.grantee OPERATOR(pg_catalog.=) app::pg_catalog.oid)
	   AND NOT EXISTS (SELECT FROM pg_catalog.pg_class AS c, pg_catalog.aclexplode(c.relacl) AS a
					   WHERE c.relnamespace OPERATOR(pg_catalog.=) 'session'::pg_catalog.regnamespace
						 AND a.grantee OPERATOR(pg_catalog.=) app::pg_catalog.oid) THEN
		EXECUTE pg_catalog.format('REVOKE USAGE ON SCHEMA session FROM %s', app);
	END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.revoke_access(pg_catalog.regrole) IS
'undo grant_access() for a role (it keeps USAGE on the schema while it holds other privileges in it)';
REVOKE ALL ON FUNCTION @extschema@.revoke_access(pg_catalog.regrole) FROM PUBLIC;

--
-- Default privileges (ALTER DEFAULT PRIVILEGES) of the installing role may
-- have granted the objects made above to other roles; nothing but
-- grant_access() grants them.
--
DO LANGUAGE plpgsql $defaults$
DECLARE
	r record;
BEGIN
	FOR r IN
		SELECT pg_catalog.format('REVOKE ALL ON TABLE %s FROM %s', c.oid::pg_catalog.regclass,
								 CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
									  ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END) AS stmt
		FROM pg_catalog.pg_class AS c, pg_catalog.aclexplode(c.relacl) AS a
		WHERE c.relnamespace OPERATOR(pg_catalog.=) 'session'::pg_catalog.regnamespace
		  AND a.grantee OPERATOR(pg_catalog.<>) c.relowner
		UNION ALL
		SELECT pg_catalog.format('REVOKE ALL ON %s %s FROM %s',
								 CASE WHEN p.prokind OPERATOR(pg_catalog.=) 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
								 p.oid::pg_catalog.regprocedure,
								 CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
									  ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END)
		FROM pg_catalog.pg_proc AS p, pg_catalog.aclexplode(p.proacl) AS a
		WHERE p.pronamespace OPERATOR(pg_catalog.=) 'session'::pg_catalog.regnamespace
		  AND a.grantee OPERATOR(pg_catalog.<>) p.proowner
		  AND p.proname OPERATOR(pg_catalog.=) ANY (ARRAY['_app_functions', '_apply_activity', '_flush_activity', '_live_at', '_maintenance_command', '_purge', 'activity_status', 'grant_access', 'revoke_access']::pg_catalog.name[])
		UNION ALL
		SELECT pg_catalog.format('REVOKE ALL ON TYPE %s FROM %s', t.oid::pg_catalog.regtype,
								 CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
									  ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END)
		FROM pg_catalog.pg_type AS t, pg_catalog.aclexplode(t.typacl) AS a
		WHERE t.typnamespace OPERATOR(pg_catalog.=) 'session'::pg_catalog.regnamespace
		  AND a.grantee OPERATOR(pg_catalog.<>) t.typowner
		  AND a.grantee OPERATOR(pg_catalog.<>) 0
		UNION ALL
		SELECT pg_catalog.format('REVOKE ALL ON SCHEMA session FROM %s',
								 CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
									  ELSE a.grantee::pg_catalog.regrole::pg_catalog.text END)
		FROM pg_catalog.pg_namespace AS n, pg_catalog.aclexplode(n.nspacl) AS a
		WHERE n.nspname OPERATOR(pg_catalog.=) 'session'::pg_catalog.name
		  AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner
		  AND false
	LOOP
		EXECUTE r.stmt;
	END LOOP;
END
$defaults$;

--
-- The database's owner may read the tables and the id sequence (and use
-- the schema, not the functions in it), so that
-- pg_dump run by the owner dumps the sessions with the rest of the
-- database (pg_extension_config_dump above).  The tables hold digests of
-- keys, never keys: reading them opens no session.  Nobody else is
-- granted anything; a role that takes over the database later is granted
-- the same by hand (README, Operations).
--
DO LANGUAGE plpgsql $owner$
DECLARE
	owner pg_catalog.oid;
BEGIN
	SELECT d.datdba INTO owner FROM pg_catalog.pg_database AS d
	WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database();
	IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles AS r WHERE r.oid OPERATOR(pg_catalog.=) owner)
	   AND owner OPERATOR(pg_catalog.<>) (SELECT r.oid FROM pg_catalog.pg_roles AS r
										  WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
		EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA session TO %s', owner::pg_catalog.regrole);
		EXECUTE pg_catalog.format('GRANT SELECT ON TABLE session.sessions, session.accounts TO %s',
								  owner::pg_catalog.regrole);
		EXECUTE pg_catalog.format('GRANT SELECT ON SEQUENCE session.sessions_id_seq TO %s',
								  owner::pg_catalog.regrole);
	END IF;
END
$owner$;

--
-- In 1.0 every role could use the per-session API.  So that an updated
-- database keeps working for the roles that used it, each role that can
-- log in and connect to this database, and is not a superuser, gets
-- grant_access(); review the list with \dp session.* and narrow it with
-- session.revoke_access(role).  A new install grants nothing.
--
DO LANGUAGE plpgsql $grants$
DECLARE
	r pg_catalog.regrole;
	n pg_catalog.int4 := 0;
BEGIN
	FOR r IN
		SELECT a.oid::pg_catalog.regrole FROM pg_catalog.pg_roles AS a
		WHERE a.rolcanlogin AND NOT a.rolsuper
		  AND a.rolname OPERATOR(pg_catalog.!~) '^pg_'::pg_catalog.text
		  AND pg_catalog.has_database_privilege(a.oid, pg_catalog.current_database(), 'CONNECT'::pg_catalog.text)
		ORDER BY a.rolname
	LOOP
		PERFORM session.grant_access(r);
		n := n OPERATOR(pg_catalog.+) 1;
	END LOOP;
	RAISE WARNING 'session 1.1: granted the session API to % role(s) that could use it in 1.0', n
		USING HINT = 'Keep it for the application''s role only: SELECT session.revoke_access(''role'').';
	RAISE WARNING 'session 1.1: lifecycle events on channel session_events are off unless session.events is on'
		USING HINT = 'Where LISTENers need them: ALTER DATABASE ... SET session.events = on.';
END
$grants$;
