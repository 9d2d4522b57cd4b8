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
