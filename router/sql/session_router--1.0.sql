\echo Use "CREATE EXTENSION session_router" to load this file. \quit

--
-- session_router: the API of the session extension in a database of its
-- own, each call sent with PL/Proxy to the shard database that owns the
-- session.  Shards are ordinary databases with CREATE EXTENSION session;
-- they are the partitions of the SQL/MED server session_shards:
--
--   CREATE SERVER session_shards FOREIGN DATA WRAPPER plproxy
--       OPTIONS (p0 'host=... dbname=...', p1 '...');   -- a power of two
--   CREATE USER MAPPING FOR <owner of this extension> SERVER session_shards
--       OPTIONS (user '...', password '...');
--
-- Routing.  A session lives on partition shard_hash(sha256(key)) & (n - 1),
-- where shard_hash() reads the first four bytes of the digest as a
-- big-endian int4.  The shards store only that digest (key_hash), so a
-- mover can place every row from stored data alone (README.md, Growth).
--
-- The public functions are SECURITY DEFINER: they reach the shards through
-- the user mapping of this extension's owner, and EXECUTE on them is the
-- application's only authority (grant_access()).  The internal _*
-- functions they call are not for PUBLIC.
--
-- The schema must belong to the role installing the extension, and no other
-- role may create objects in it (the same rule as the store's).
--
DO LANGUAGE plpgsql $guard$
BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_namespace AS n
			   WHERE n.nspname OPERATOR(pg_catalog.=) 'session'::pg_catalog.name
				 AND n.nspowner OPERATOR(pg_catalog.<>) (SELECT r.oid FROM pg_catalog.pg_roles AS r
														 WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)) THEN
		RAISE EXCEPTION 'schema "session" is not owned by the role installing the extension'
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'Drop the schema or make the installing role its owner.';
	END IF;
	IF EXISTS (SELECT FROM pg_catalog.pg_namespace AS n,
					  pg_catalog.aclexplode(n.nspacl) AS a
			   WHERE n.nspname OPERATOR(pg_catalog.=) 'session'::pg_catalog.name
				 AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'::pg_catalog.text
				 AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner) THEN
		RAISE EXCEPTION 'other roles may create objects in schema "session"'
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'REVOKE CREATE ON SCHEMA session FROM every role but its owner.';
	END IF;
END
$guard$;

CREATE TYPE @extschema@.session_info AS (
	id bigint,
	created timestamptz,
	last_activity timestamptz,
	expire_date timestamptz,
	ip inet,
	user_agent text,
	is_current boolean
);
COMMENT ON TYPE @extschema@.session_info IS 'a live session of an account, as account_sessions() lists it (the store''s type)';

--
-- Placement.  These are the only definition of the hash in the router; the
-- shard-side queries of create, cycle_key and login below, and the mover
-- (router/move.sh), compute the same expression from the digest.
--
CREATE FUNCTION @extschema@.shard_hash(key_hash pg_catalog.bytea)
RETURNS pg_catalog.int4
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT (pg_catalog.get_byte($1, 0) OPERATOR(pg_catalog.<<) 24)
		OPERATOR(pg_catalog.|) (pg_catalog.get_byte($1, 1) OPERATOR(pg_catalog.<<) 16)
		OPERATOR(pg_catalog.|) (pg_catalog.get_byte($1, 2) OPERATOR(pg_catalog.<<) 8)
		OPERATOR(pg_catalog.|) pg_catalog.get_byte($1, 3)
$$;
COMMENT ON FUNCTION @extschema@.shard_hash(pg_catalog.bytea) IS
'routing hash of a stored key digest (sessions.key_hash): its first four bytes as a big-endian int4; the partition is hash & (partitions - 1)';

-- A NULL key is routed to partition 0, where the store answers for it.
CREATE FUNCTION @extschema@.key_shard_hash(key pg_catalog.text)
RETURNS pg_catalog.int4
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
	SELECT COALESCE(session.shard_hash(pg_catalog.sha256(pg_catalog.convert_to($1, 'UTF8'))), 0)
$$;
COMMENT ON FUNCTION @extschema@.key_shard_hash(pg_catalog.text) IS
'routing hash of a session key: shard_hash(sha256(key)); 0 for NULL';

CREATE FUNCTION @extschema@.shard_count()
RETURNS pg_catalog.int4
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT pg_catalog.count(*)::pg_catalog.int4
	FROM pg_catalog.pg_foreign_server AS s, pg_catalog.unnest(s.srvoptions) AS o(opt)
	WHERE s.srvname OPERATOR(pg_catalog.=) 'session_shards'::pg_catalog.name
	  AND o.opt OPERATOR(pg_catalog.~) '^p[0-9]+='::pg_catalog.text
$$;
COMMENT ON FUNCTION @extschema@.shard_count() IS
'number of partitions of server session_shards, as PL/Proxy counts them';

CREATE FUNCTION @extschema@.key_shard(key pg_catalog.text)
RETURNS pg_catalog.int4
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	SELECT session.key_shard_hash($1) OPERATOR(pg_catalog.&) (session.shard_count() OPERATOR(pg_catalog.-) 1)
$$;
COMMENT ON FUNCTION @extschema@.key_shard(pg_catalog.text) IS
'the partition (0-based, in the order of server session_shards) that owns a session key';

REVOKE ALL ON FUNCTION @extschema@.shard_hash(pg_catalog.bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.key_shard_hash(pg_catalog.text) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.shard_count() FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.key_shard(pg_catalog.text) FROM PUBLIC;

--
-- The per-session API: each call runs, as it is, on the partition that owns
-- its key.  The shard's own function decides everything (malformed keys,
-- expiry, accounts); an error there is raised here with its SQLSTATE.
--
CREATE FUNCTION @extschema@.load(key pg_catalog.text)
RETURNS pg_catalog.jsonb
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON session.key_shard_hash(key);
$$;
COMMENT ON FUNCTION @extschema@.load(pg_catalog.text) IS 'routed load(): data of a live session, or NULL';
REVOKE ALL ON FUNCTION @extschema@.load(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@.save(key pg_catalog.text, data pg_catalog.jsonb,
		expire_date pg_catalog.timestamptz DEFAULT NULL::pg_catalog.timestamptz,
		must_create pg_catalog.bool DEFAULT false)
RETURNS pg_catalog.bool
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON session.key_shard_hash(key);
$$;
COMMENT ON FUNCTION @extschema@.save(pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamptz, pg_catalog.bool) IS 'routed save(): replace the data of a live session, or with must_create insert it on the partition its key hashes to';
REVOKE ALL ON FUNCTION @extschema@.save(pg_catalog.text, pg_catalog.jsonb, pg_catalog.timestamptz, pg_catalog.bool) FROM PUBLIC;

CREATE FUNCTION @extschema@.exists(key pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON session.key_shard_hash(key);
$$;
COMMENT ON FUNCTION @extschema@.exists(pg_catalog.text) IS 'routed exists(): whether a live session has this key';
REVOKE ALL ON FUNCTION @extschema@.exists(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@.delete(key pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON session.key_shard_hash(key);
$$;
COMMENT ON FUNCTION @extschema@.delete(pg_catalog.text) IS 'routed delete(): end a session; true if it was live';
REVOKE ALL ON FUNCTION @extschema@.delete(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@.flush(key pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON session.key_shard_hash(key);
$$;
COMMENT ON FUNCTION @extschema@.flush(pg_catalog.text) IS 'routed flush(): the same as delete';
REVOKE ALL ON FUNCTION @extschema@.flush(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@.logout(key pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON session.key_shard_hash(key);
$$;
COMMENT ON FUNCTION @extschema@.logout(pg_catalog.text) IS 'routed logout(): the same as delete';
REVOKE ALL ON FUNCTION @extschema@.logout(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@.get(key pg_catalog.text, field pg_catalog.text)
RETURNS pg_catalog.jsonb
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON session.key_shard_hash(key);
$$;
COMMENT ON FUNCTION @extschema@.get(pg_catalog.text, pg_catalog.text) IS 'routed get(): one field of a live session''s data';
REVOKE ALL ON FUNCTION @extschema@.get(pg_catalog.text, pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@.set(key pg_catalog.text, field pg_catalog.text, value pg_catalog.jsonb)
RETURNS pg_catalog.bool
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON session.key_shard_hash(key);
$$;
COMMENT ON FUNCTION @extschema@.set(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb) IS 'routed set(): set one field of a live session''s data atomically';
REVOKE ALL ON FUNCTION @extschema@.set(pg_catalog.text, pg_catalog.text, pg_catalog.jsonb) FROM PUBLIC;

CREATE FUNCTION @extschema@.pop(key pg_catalog.text, field pg_catalog.text)
RETURNS pg_catalog.jsonb
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON session.key_shard_hash(key);
$$;
COMMENT ON FUNCTION @extschema@.pop(pg_catalog.text, pg_catalog.text) IS 'routed pop(): remove one field of a live session''s data atomically and return it';
REVOKE ALL ON FUNCTION @extschema@.pop(pg_catalog.text, pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@.set_expiry(key pg_catalog.text, seconds pg_catalog.int4)
RETURNS pg_catalog.bool
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON session.key_shard_hash(key);
$$;
COMMENT ON FUNCTION @extschema@.set_expiry(pg_catalog.text, pg_catalog.int4) IS 'routed set_expiry(): idle timeout in seconds';
REVOKE ALL ON FUNCTION @extschema@.set_expiry(pg_catalog.text, pg_catalog.int4) FROM PUBLIC;

CREATE FUNCTION @extschema@.set_expiry(key pg_catalog.text, expire_date pg_catalog.timestamptz)
RETURNS pg_catalog.bool
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON session.key_shard_hash(key);
$$;
COMMENT ON FUNCTION @extschema@.set_expiry(pg_catalog.text, pg_catalog.timestamptz) IS 'routed set_expiry(): a fixed expiry date';
REVOKE ALL ON FUNCTION @extschema@.set_expiry(pg_catalog.text, pg_catalog.timestamptz) FROM PUBLIC;

CREATE FUNCTION @extschema@.expiry_date(key pg_catalog.text)
RETURNS pg_catalog.timestamptz
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON session.key_shard_hash(key);
$$;
COMMENT ON FUNCTION @extschema@.expiry_date(pg_catalog.text) IS 'routed expiry_date()';
REVOKE ALL ON FUNCTION @extschema@.expiry_date(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@.expiry_age(key pg_catalog.text)
RETURNS pg_catalog.int4
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON session.key_shard_hash(key);
$$;
COMMENT ON FUNCTION @extschema@.expiry_age(pg_catalog.text) IS 'routed expiry_age()';
REVOKE ALL ON FUNCTION @extschema@.expiry_age(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@.expires_at_browser_close(key pg_catalog.text)
RETURNS pg_catalog.bool
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON session.key_shard_hash(key);
$$;
COMMENT ON FUNCTION @extschema@.expires_at_browser_close(pg_catalog.text) IS 'routed expires_at_browser_close()';
REVOKE ALL ON FUNCTION @extschema@.expires_at_browser_close(pg_catalog.text) FROM PUBLIC;

--
-- Calls that make a key.  The shard makes it (from pg_strong_random, with
-- the store's own rules), and it must hash to the partition it is made on.
-- The shard-side query runs the store's call, then cycle_key() on the
-- result until the key hashes to the target partition: on average n - 1
-- extra key changes on n partitions, all in the one statement, so in one
-- transaction on one shard.  A caller sees either the old key live (an
-- error, nothing changed) or the returned key live; never both, never
-- neither.  cycle_key keeps the row, its id, data, metadata and expiry.
-- The bound (100 tries per partition) fails one call in e^100.  A session
-- that is not live once made (create() with an expire_date in the past)
-- cannot be cycled: its key is returned as the store returns it, and the
-- purge removes the row wherever it is.
--
CREATE FUNCTION @extschema@._create_on(shard pg_catalog.int4, mask pg_catalog.int4,
									   data pg_catalog.jsonb, expire_date pg_catalog.timestamptz,
									   account pg_catalog.text, ip pg_catalog.inet,
									   user_agent pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
AS $$
	CLUSTER 'session_shards';
	RUN ON shard;
	SELECT (SELECT r.k FROM (
		WITH RECURSIVE c(n, k) AS (
			SELECT 1, session.create(data, expire_date, account, ip, user_agent)
			UNION ALL
			SELECT c.n OPERATOR(pg_catalog.+) 1, session.cycle_key(c.k)
			FROM c, LATERAL (SELECT pg_catalog.sha256(pg_catalog.convert_to(c.k, 'UTF8')) AS d) AS h
			WHERE c.k IS NOT NULL
			  AND c.n OPERATOR(pg_catalog.<) (100 OPERATOR(pg_catalog.*) (mask OPERATOR(pg_catalog.+) 1))
			  AND (((pg_catalog.get_byte(h.d, 0) OPERATOR(pg_catalog.<<) 24)
					OPERATOR(pg_catalog.|) (pg_catalog.get_byte(h.d, 1) OPERATOR(pg_catalog.<<) 16)
					OPERATOR(pg_catalog.|) (pg_catalog.get_byte(h.d, 2) OPERATOR(pg_catalog.<<) 8)
					OPERATOR(pg_catalog.|) pg_catalog.get_byte(h.d, 3))
				   OPERATOR(pg_catalog.&) mask) OPERATOR(pg_catalog.<>) shard
		)
		SELECT c.n, c.k FROM c WHERE c.k IS NOT NULL ORDER BY c.n DESC LIMIT 1) AS r) AS k;
$$;
COMMENT ON FUNCTION @extschema@._create_on(pg_catalog.int4, pg_catalog.int4, pg_catalog.jsonb, pg_catalog.timestamptz, pg_catalog.text, pg_catalog.inet, pg_catalog.text) IS
'internal: create() on partition "shard", its key cycled until it hashes there';
REVOKE ALL ON FUNCTION @extschema@._create_on(pg_catalog.int4, pg_catalog.int4, pg_catalog.jsonb, pg_catalog.timestamptz, pg_catalog.text, pg_catalog.inet, pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@._cycle_key_on(key pg_catalog.text, shard pg_catalog.int4, mask pg_catalog.int4)
RETURNS pg_catalog.text
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
AS $$
	CLUSTER 'session_shards';
	RUN ON shard;
	SELECT (SELECT r.k FROM (
		WITH RECURSIVE c(n, k) AS (
			SELECT 1, session.cycle_key(key)
			UNION ALL
			SELECT c.n OPERATOR(pg_catalog.+) 1, session.cycle_key(c.k)
			FROM c, LATERAL (SELECT pg_catalog.sha256(pg_catalog.convert_to(c.k, 'UTF8')) AS d) AS h
			WHERE c.k IS NOT NULL
			  AND c.n OPERATOR(pg_catalog.<) (100 OPERATOR(pg_catalog.*) (mask OPERATOR(pg_catalog.+) 1))
			  AND (((pg_catalog.get_byte(h.d, 0) OPERATOR(pg_catalog.<<) 24)
					OPERATOR(pg_catalog.|) (pg_catalog.get_byte(h.d, 1) OPERATOR(pg_catalog.<<) 16)
					OPERATOR(pg_catalog.|) (pg_catalog.get_byte(h.d, 2) OPERATOR(pg_catalog.<<) 8)
					OPERATOR(pg_catalog.|) pg_catalog.get_byte(h.d, 3))
				   OPERATOR(pg_catalog.&) mask) OPERATOR(pg_catalog.<>) shard
		)
		SELECT c.n, c.k FROM c WHERE c.k IS NOT NULL ORDER BY c.n DESC LIMIT 1) AS r) AS k;
$$;
COMMENT ON FUNCTION @extschema@._cycle_key_on(pg_catalog.text, pg_catalog.int4, pg_catalog.int4) IS
'internal: cycle_key() on the key''s partition, again until the new key hashes there';
REVOKE ALL ON FUNCTION @extschema@._cycle_key_on(pg_catalog.text, pg_catalog.int4, pg_catalog.int4) FROM PUBLIC;

CREATE FUNCTION @extschema@._login_on(key pg_catalog.text, account pg_catalog.text, ip pg_catalog.inet,
									  user_agent pg_catalog.text, shard pg_catalog.int4, mask pg_catalog.int4)
RETURNS pg_catalog.text
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
AS $$
	CLUSTER 'session_shards';
	RUN ON shard;
	SELECT (SELECT r.k FROM (
		WITH RECURSIVE c(n, k) AS (
			SELECT 1, session.login(key, account, ip, user_agent)
			UNION ALL
			SELECT c.n OPERATOR(pg_catalog.+) 1, session.cycle_key(c.k)
			FROM c, LATERAL (SELECT pg_catalog.sha256(pg_catalog.convert_to(c.k, 'UTF8')) AS d) AS h
			WHERE c.k IS NOT NULL
			  AND c.n OPERATOR(pg_catalog.<) (100 OPERATOR(pg_catalog.*) (mask OPERATOR(pg_catalog.+) 1))
			  AND (((pg_catalog.get_byte(h.d, 0) OPERATOR(pg_catalog.<<) 24)
					OPERATOR(pg_catalog.|) (pg_catalog.get_byte(h.d, 1) OPERATOR(pg_catalog.<<) 16)
					OPERATOR(pg_catalog.|) (pg_catalog.get_byte(h.d, 2) OPERATOR(pg_catalog.<<) 8)
					OPERATOR(pg_catalog.|) pg_catalog.get_byte(h.d, 3))
				   OPERATOR(pg_catalog.&) mask) OPERATOR(pg_catalog.<>) shard
		)
		SELECT c.n, c.k FROM c WHERE c.k IS NOT NULL ORDER BY c.n DESC LIMIT 1) AS r) AS k;
$$;
COMMENT ON FUNCTION @extschema@._login_on(pg_catalog.text, pg_catalog.text, pg_catalog.inet, pg_catalog.text, pg_catalog.int4, pg_catalog.int4) IS
'internal: login() on the key''s partition, then cycle_key() until the new key hashes there';
REVOKE ALL ON FUNCTION @extschema@._login_on(pg_catalog.text, pg_catalog.text, pg_catalog.inet, pg_catalog.text, pg_catalog.int4, pg_catalog.int4) FROM PUBLIC;

-- A new session goes to a partition drawn at random.
CREATE FUNCTION @extschema@.create(data pg_catalog.jsonb DEFAULT '{}'::pg_catalog.jsonb,
								   expire_date pg_catalog.timestamptz DEFAULT NULL::pg_catalog.timestamptz,
								   account pg_catalog.text DEFAULT NULL::pg_catalog.text,
								   ip pg_catalog.inet DEFAULT NULL::pg_catalog.inet,
								   user_agent pg_catalog.text DEFAULT NULL::pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT session._create_on((pg_catalog.random() OPERATOR(pg_catalog.*) 2147483647)::pg_catalog.int4
								  OPERATOR(pg_catalog.&) m.mask,
							  m.mask, $1, $2, $3, $4, $5)
	FROM (SELECT session.shard_count() OPERATOR(pg_catalog.-) 1 AS mask) AS m
$$;
COMMENT ON FUNCTION @extschema@.create(pg_catalog.jsonb, pg_catalog.timestamptz, pg_catalog.text, pg_catalog.inet, pg_catalog.text) IS
'routed create(): a new session on a partition drawn at random, under a key that hashes there; returns its key';
REVOKE ALL ON FUNCTION @extschema@.create(pg_catalog.jsonb, pg_catalog.timestamptz, pg_catalog.text, pg_catalog.inet, pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@.cycle_key(key pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT session._cycle_key_on($1, session.key_shard_hash($1) OPERATOR(pg_catalog.&) m.mask, m.mask)
	FROM (SELECT session.shard_count() OPERATOR(pg_catalog.-) 1 AS mask) AS m
$$;
COMMENT ON FUNCTION @extschema@.cycle_key(pg_catalog.text) IS
'routed cycle_key(): a new key for a live session, on the same partition, in one shard transaction; NULL if no live session';
REVOKE ALL ON FUNCTION @extschema@.cycle_key(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@.login(key pg_catalog.text, account pg_catalog.text,
								  ip pg_catalog.inet DEFAULT NULL::pg_catalog.inet,
								  user_agent pg_catalog.text DEFAULT NULL::pg_catalog.text)
RETURNS pg_catalog.text
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT session._login_on($1, $2, $3, $4, session.key_shard_hash($1) OPERATOR(pg_catalog.&) m.mask, m.mask)
	FROM (SELECT session.shard_count() OPERATOR(pg_catalog.-) 1 AS mask) AS m
$$;
COMMENT ON FUNCTION @extschema@.login(pg_catalog.text, pg_catalog.text, pg_catalog.inet, pg_catalog.text) IS
'routed login(): cycles the key on its partition (a new session there when the key names none), in one shard transaction; returns the new key';
REVOKE ALL ON FUNCTION @extschema@.login(pg_catalog.text, pg_catalog.text, pg_catalog.inet, pg_catalog.text) FROM PUBLIC;

--
-- Across the sessions of an account: every partition answers (RUN ON ALL,
-- in parallel) and the router merges.  Each shard's part is atomic on that
-- shard; the whole is not one transaction.  A partition that is down makes
-- the call fail: it never answers for part of the account.
--
CREATE FUNCTION @extschema@._account_sessions_all(account pg_catalog.text, current_key pg_catalog.text)
RETURNS SETOF @extschema@.session_info
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE ROWS 10
AS $$
	CLUSTER 'session_shards';
	RUN ON ALL;
	SELECT s.id, s.created, s.last_activity, s.expire_date, s.ip, s.user_agent, s.is_current
	FROM session.account_sessions(account, current_key) AS s;
$$;
COMMENT ON FUNCTION @extschema@._account_sessions_all(pg_catalog.text, pg_catalog.text) IS 'internal: account_sessions() of every partition';
REVOKE ALL ON FUNCTION @extschema@._account_sessions_all(pg_catalog.text, pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@.account_sessions(account pg_catalog.text,
											 current_key pg_catalog.text DEFAULT NULL::pg_catalog.text)
RETURNS SETOF @extschema@.session_info
LANGUAGE sql VOLATILE PARALLEL UNSAFE ROWS 10
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT s.id, s.created, s.last_activity, s.expire_date, s.ip, s.user_agent, s.is_current
	FROM session._account_sessions_all($1, $2) AS s
	ORDER BY s.last_activity DESC, s.id
$$;
COMMENT ON FUNCTION @extschema@.account_sessions(pg_catalog.text, pg_catalog.text) IS
'every live session of an account on every partition, most recently active first; is_current marks the one of current_key';
REVOKE ALL ON FUNCTION @extschema@.account_sessions(pg_catalog.text, pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@._revoke_all(account pg_catalog.text, session_id pg_catalog.int8)
RETURNS SETOF pg_catalog.bool
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
AS $$
	CLUSTER 'session_shards';
	RUN ON ALL;
	SELECT session.revoke(account, session_id);
$$;
COMMENT ON FUNCTION @extschema@._revoke_all(pg_catalog.text, pg_catalog.int8) IS 'internal: revoke() on every partition';
REVOKE ALL ON FUNCTION @extschema@._revoke_all(pg_catalog.text, pg_catalog.int8) FROM PUBLIC;

-- Session ids are unique across partitions (README.md, Session ids): one
-- partition at most has the session.
CREATE FUNCTION @extschema@.revoke(account pg_catalog.text, session_id pg_catalog.int8)
RETURNS pg_catalog.bool
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT COALESCE(pg_catalog.bool_or(r), false) FROM session._revoke_all($1, $2) AS r
$$;
COMMENT ON FUNCTION @extschema@.revoke(pg_catalog.text, pg_catalog.int8) IS
'end one live session of an account, named by its public id, on whichever partition has it; false if none has';
REVOKE ALL ON FUNCTION @extschema@.revoke(pg_catalog.text, pg_catalog.int8) FROM PUBLIC;

CREATE FUNCTION @extschema@._logout_everywhere_all(account pg_catalog.text, except_key pg_catalog.text)
RETURNS SETOF pg_catalog.int4
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
AS $$
	CLUSTER 'session_shards';
	RUN ON ALL;
	SELECT session.logout_everywhere(account, except_key);
$$;
COMMENT ON FUNCTION @extschema@._logout_everywhere_all(pg_catalog.text, pg_catalog.text) IS 'internal: logout_everywhere() on every partition';
REVOKE ALL ON FUNCTION @extschema@._logout_everywhere_all(pg_catalog.text, pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@.logout_everywhere(account pg_catalog.text,
											  except_key pg_catalog.text DEFAULT NULL::pg_catalog.text)
RETURNS pg_catalog.int4
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT COALESCE(pg_catalog.sum(n), 0)::pg_catalog.int4 FROM session._logout_everywhere_all($1, $2) AS n
$$;
COMMENT ON FUNCTION @extschema@.logout_everywhere(pg_catalog.text, pg_catalog.text) IS
'end every session of an account on every partition, except the one of except_key; returns how many live ones ended';
REVOKE ALL ON FUNCTION @extschema@.logout_everywhere(pg_catalog.text, pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION @extschema@._flag_inactive_all(idle pg_catalog.interval)
RETURNS SETOF pg_catalog.int4
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
AS $$
	CLUSTER 'session_shards';
	RUN ON ALL;
	SELECT session.flag_inactive(idle);
$$;
COMMENT ON FUNCTION @extschema@._flag_inactive_all(pg_catalog.interval) IS 'internal: flag_inactive() on every partition';
REVOKE ALL ON FUNCTION @extschema@._flag_inactive_all(pg_catalog.interval) FROM PUBLIC;

-- Each partition keeps the activity of the accounts whose sessions it
-- holds: an account is flagged on a partition where its sessions have been
-- idle for that long, and counted once per such partition.
CREATE FUNCTION @extschema@.flag_inactive(idle pg_catalog.interval DEFAULT NULL::pg_catalog.interval)
RETURNS pg_catalog.int4
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT COALESCE(pg_catalog.sum(n), 0)::pg_catalog.int4 FROM session._flag_inactive_all($1) AS n
$$;
COMMENT ON FUNCTION @extschema@.flag_inactive(pg_catalog.interval) IS
'flag_inactive() on every partition (activity is kept per partition); returns the sum of their counts';
REVOKE ALL ON FUNCTION @extschema@.flag_inactive(pg_catalog.interval) FROM PUBLIC;

--
-- Maintenance.  Each shard runs its own pg_cron job (schedule_maintenance()
-- in the shard database); these fan out for an operator or a client that
-- purges by hand (Django's clearsessions calls clear_expired()).
--
CREATE FUNCTION @extschema@._clear_expired_all()
RETURNS SETOF pg_catalog.int8
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
AS $$
	CLUSTER 'session_shards';
	RUN ON ALL;
	SELECT session.clear_expired();
$$;
COMMENT ON FUNCTION @extschema@._clear_expired_all() IS 'internal: clear_expired() on every partition';
REVOKE ALL ON FUNCTION @extschema@._clear_expired_all() FROM PUBLIC;

CREATE FUNCTION @extschema@.clear_expired()
RETURNS pg_catalog.int8
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT COALESCE(pg_catalog.sum(n), 0)::pg_catalog.int8 FROM session._clear_expired_all() AS n
$$;
COMMENT ON FUNCTION @extschema@.clear_expired() IS 'clear_expired() on every partition; returns how many sessions were deleted';
REVOKE ALL ON FUNCTION @extschema@.clear_expired() FROM PUBLIC;

CREATE FUNCTION @extschema@._purge_expired_all(batch_size pg_catalog.int4, time_budget pg_catalog.interval)
RETURNS SETOF pg_catalog.int8
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
AS $$
	CLUSTER 'session_shards';
	RUN ON ALL;
	SELECT session.purge_expired(batch_size, time_budget);
$$;
COMMENT ON FUNCTION @extschema@._purge_expired_all(pg_catalog.int4, pg_catalog.interval) IS 'internal: purge_expired() on every partition';
REVOKE ALL ON FUNCTION @extschema@._purge_expired_all(pg_catalog.int4, pg_catalog.interval) FROM PUBLIC;

CREATE FUNCTION @extschema@.purge_expired(batch_size pg_catalog.int4 DEFAULT 1000,
										  time_budget pg_catalog.interval DEFAULT '10 seconds'::pg_catalog.interval)
RETURNS pg_catalog.int8
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT COALESCE(pg_catalog.sum(n), 0)::pg_catalog.int8 FROM session._purge_expired_all($1, $2) AS n
$$;
COMMENT ON FUNCTION @extschema@.purge_expired(pg_catalog.int4, pg_catalog.interval) IS
'purge_expired() on every partition, in parallel, each with the time budget; returns the total';
REVOKE ALL ON FUNCTION @extschema@.purge_expired(pg_catalog.int4, pg_catalog.interval) FROM PUBLIC;

CREATE FUNCTION @extschema@._maintain_all()
RETURNS SETOF pg_catalog.jsonb
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
AS $$
	CLUSTER 'session_shards';
	RUN ON ALL;
	SELECT session.maintain();
$$;
COMMENT ON FUNCTION @extschema@._maintain_all() IS 'internal: maintain() on every partition';
REVOKE ALL ON FUNCTION @extschema@._maintain_all() FROM PUBLIC;

CREATE FUNCTION @extschema@.maintain()
RETURNS pg_catalog.jsonb
LANGUAGE sql VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.jsonb_build_object(
		'purged'::pg_catalog.text, COALESCE(pg_catalog.sum((m OPERATOR(pg_catalog.->>) 'purged')::pg_catalog.int8), 0),
		'flagged_inactive'::pg_catalog.text, COALESCE(pg_catalog.sum((m OPERATOR(pg_catalog.->>) 'flagged_inactive')::pg_catalog.int8), 0),
		'seconds'::pg_catalog.text, COALESCE(pg_catalog.max((m OPERATOR(pg_catalog.->>) 'seconds')::pg_catalog.numeric), 0))
	FROM session._maintain_all() AS m
$$;
COMMENT ON FUNCTION @extschema@.maintain() IS
'maintain() on every partition, in parallel; returns the summed {"purged", "flagged_inactive"} and the slowest "seconds"';
REVOKE ALL ON FUNCTION @extschema@.maintain() FROM PUBLIC;

-- A pg_cron job belongs to the database it runs in: the router has none.
CREATE FUNCTION @extschema@.schedule_maintenance(schedule pg_catalog.text DEFAULT '* * * * *'::pg_catalog.text,
												 run_details_retention pg_catalog.interval DEFAULT '1 day'::pg_catalog.interval)
RETURNS pg_catalog.int8
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'maintenance is scheduled on each shard, not on the router'
		USING ERRCODE = 'feature_not_supported',
			  DETAIL = 'Each shard database purges its own sessions with a pg_cron job of its own.',
			  HINT = pg_catalog.format('In each shard database, as the owner of the session extension, run: SELECT session.schedule_maintenance(%L);', schedule);
END
$$;
COMMENT ON FUNCTION @extschema@.schedule_maintenance(pg_catalog.text, pg_catalog.interval) IS
'refused on the router: schedule maintenance in each shard database (the error''s hint says how)';
REVOKE ALL ON FUNCTION @extschema@.schedule_maintenance(pg_catalog.text, pg_catalog.interval) FROM PUBLIC;

CREATE FUNCTION @extschema@.unschedule_maintenance()
RETURNS pg_catalog.bool
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	RAISE EXCEPTION 'maintenance is scheduled on each shard, not on the router'
		USING ERRCODE = 'feature_not_supported',
			  HINT = 'In each shard database, run: SELECT session.unschedule_maintenance();';
END
$$;
COMMENT ON FUNCTION @extschema@.unschedule_maintenance() IS 'refused on the router: unschedule in each shard database';
REVOKE ALL ON FUNCTION @extschema@.unschedule_maintenance() FROM PUBLIC;

--
-- The Django codec reads no table: any partition computes it.
--
CREATE FUNCTION @extschema@.encode(data pg_catalog.jsonb, secret pg_catalog.text,
								   salt pg_catalog.text DEFAULT 'django.contrib.sessions.SessionStore'::pg_catalog.text,
								   compress pg_catalog.bool DEFAULT true,
								   signed_at pg_catalog.timestamptz DEFAULT NULL::pg_catalog.timestamptz)
RETURNS pg_catalog.text
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON ANY;
$$;
COMMENT ON FUNCTION @extschema@.encode(pg_catalog.jsonb, pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.timestamptz) IS
'routed encode(): Django''s signed session format of the data, computed on any partition';
REVOKE ALL ON FUNCTION @extschema@.encode(pg_catalog.jsonb, pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.timestamptz) FROM PUBLIC;

CREATE FUNCTION @extschema@.decode(token pg_catalog.text, secret pg_catalog.text,
								   salt pg_catalog.text DEFAULT 'django.contrib.sessions.SessionStore'::pg_catalog.text,
								   fallback_secrets pg_catalog.text[] DEFAULT '{}'::pg_catalog.text[],
								   max_age pg_catalog.int4 DEFAULT NULL::pg_catalog.int4)
RETURNS pg_catalog.jsonb
LANGUAGE plproxy VOLATILE PARALLEL UNSAFE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
	CLUSTER 'session_shards';
	RUN ON ANY;
$$;
COMMENT ON FUNCTION @extschema@.decode(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text[], pg_catalog.int4) IS
'routed decode(): data of a Django session token, verified on any partition';
REVOKE ALL ON FUNCTION @extschema@.decode(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text[], pg_catalog.int4) FROM PUBLIC;

--
-- Who may use the router: the same grants as the store's.
--
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
'let a role (the application''s) use the routed per-session API and the Django codec';
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
	EXECUTE pg_catalog.format('REVOKE USAGE ON SCHEMA session FROM %s', app);
END
$$;
COMMENT ON FUNCTION @extschema@.revoke_access(pg_catalog.regrole) IS 'undo grant_access() for a role';
REVOKE ALL ON FUNCTION @extschema@.revoke_access(pg_catalog.regrole) FROM PUBLIC;
