--
-- keys: the format of new keys, the digest that is stored instead of the
-- key, the native session ids of each web stack, keys an application
-- chooses that are too weak to create a session under, and what every
-- function does with a malformed key (reading functions treat it as
-- unknown, writing functions reject it).
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS session;
RESET client_min_messages;
\set VERBOSITY terse
-- Load the module now, so that the SETs below are checked, not kept as placeholders.
LOAD 'session';

SET session.default_max_age = '14d';
SET session.touch_interval = 60;
SET session.max_lifetime = 0;
SET session.max_data_size = '1MB';

CREATE FUNCTION pg_temp.row_of(k text) RETURNS SETOF session.sessions
LANGUAGE sql AS $$
	SELECT * FROM session.sessions WHERE key_hash = sha256(convert_to(k, 'UTF8'))
$$;

-- Run a statement with $1 = key: 'ok', or the SQLSTATE it raised.  An error
-- whose message, detail, hint or context holds the key gets ' LEAK'.
CREATE FUNCTION pg_temp.outcome(stmt text, k text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	msg text;
	det text;
	hnt text;
	ctx text;
BEGIN
	EXECUTE stmt USING k;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
							hnt = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT;
	RETURN SQLSTATE ||
		CASE WHEN length(k) >= 6
				  AND strpos(concat_ws(' ', msg, det, hnt, ctx), k) > 0
			 THEN ' LEAK' ELSE '' END;
END
$$;

--
-- new keys: 32 characters of [a-z0-9], all different, every character used
--
CREATE TEMP TABLE new_keys AS
SELECT session.create('{"keys": "test"}') AS k FROM generate_series(1, 1000);
SELECT count(*) AS keys, count(DISTINCT k) AS distinct_keys,
	   count(*) FILTER (WHERE k ~ '^[a-z0-9]{32}$') AS well_formed
FROM new_keys;
-- 32,000 characters, about 889 of each of the 36: all appear, none is rare
-- or common (the bounds are ten standard deviations out)
SELECT count(*) AS characters, min(n) >= 600 AS none_rare, max(n) <= 1200 AS none_common
FROM (SELECT c, count(*) AS n
	  FROM new_keys, regexp_split_to_table(k, '') AS c GROUP BY c) AS freq;
-- no two share a prefix of 12 characters (about 62 bits)
SELECT count(DISTINCT left(k, 12)) AS distinct_prefixes FROM new_keys;
-- each is a live session
SELECT count(*) FILTER (WHERE session.exists(k)) AS live FROM new_keys;
SELECT count(*) AS deleted FROM new_keys WHERE session.delete(k);

--
-- the table holds the SHA-256 digest of the key, and the key nowhere
--
SELECT session.create('{"who": "digest"}', NULL, 'frank', '192.0.2.8', 'Safari') AS k \gset
SELECT key_hash = sha256(convert_to(:'k', 'UTF8')) AS sha256_of_key,
	   octet_length(key_hash) AS digest_bytes
FROM pg_temp.row_of(:'k');
SELECT count(*) AS rows_with_key_text
FROM session.sessions AS s
WHERE strpos(s::text, :'k') > 0
   OR position(convert_to(:'k', 'UTF8') IN s.key_hash) > 0
   OR strpos(encode(s.key_hash, 'escape'), :'k') > 0;
-- the same for a key chosen by the caller (save with must_create) ...
SELECT session.save('chosen0key0000000000000000000000', '{}', NULL, true) AS created;
SELECT key_hash = sha256('chosen0key0000000000000000000000'::bytea) AS sha256_of_key
FROM pg_temp.row_of('chosen0key0000000000000000000000');
SELECT count(*) AS rows_with_key_text FROM session.sessions AS s
WHERE strpos(s::text, 'chosen0key0000000000000000000000') > 0;
-- ... and for the key cycle_key hands out
SELECT session.cycle_key(:'k') AS k2 \gset
SELECT key_hash = sha256(convert_to(:'k2', 'UTF8')) AS sha256_of_new_key
FROM pg_temp.row_of(:'k2');
SELECT count(*) AS rows_with_key_text FROM session.sessions AS s
WHERE strpos(s::text, :'k2') > 0 OR strpos(s::text, :'k') > 0;

--
-- well-formed keys: 8 to 128 characters of [A-Za-z0-9,_-], which holds the
-- native ids of each web stack; each one below a session can be created
-- under (save with must_create), read, changed, cycled and ended
--
CREATE TEMP TABLE native_keys (n int, stack text, k text);
INSERT INTO native_keys VALUES
	(1, 'django [a-z0-9]{32}', 'djangokey0abcdefghijklmnopqrstu9'),
	(2, 'express base64url{32}', 'Xp-r3ss_Sess10n-Id_0123456789abc'),
	(3, 'php bits 4 [0-9a-f]{32}', '0123456789abcdef0123456789abcdef'),
	(4, 'php bits 5 [0-9a-v]{26}', '0123456789abcdefghijklmnop'),
	(5, 'php bits 6 [0-9a-zA-Z,-]{32}', 'Php,6bits-0123456789abcdefABCDEF'),
	(6, 'laravel [A-Za-z0-9]{40}', 'LaravelSessionId0123456789abcdefghijklmn'),
	(7, 'go scs base64url{43}', 'GoScsSessionToken_0123456789-abcdefghijklmn'),
	(8, 'uppercase hex{32}', '0123456789ABCDEF0123456789ABCDEF'),
	(9, '128 characters', repeat('Ab0-_,xY', 16));
SELECT n, stack, length(k) AS len,
	   session.save(k, jsonb_build_object('n', n), NULL, true) AS created
FROM native_keys ORDER BY n;
SELECT n, session.load(k) = jsonb_build_object('n', n) AS loads,
	   session.exists(k) AS exists,
	   session.set(k, 'x', '1') AND session.get(k, 'x') = '1' AS set_get,
	   session.save(k, jsonb_build_object('n', -n)) AS saves,
	   session.set_expiry(k, 60) AND session.expiry_age(k) BETWEEN 59 AND 60 AS expiry
FROM native_keys ORDER BY n;
-- the digest is of the key as given: case matters
SELECT session.load(upper('djangokey0abcdefghijklmnopqrstu9')) IS NULL AS upper_unknown,
	   session.load(lower('Xp-r3ss_Sess10n-Id_0123456789abc')) IS NULL AS lower_unknown,
	   session.save(lower('LaravelSessionId0123456789abcdefghijklmn'), '{}') AS lower_saves;
CREATE TEMP TABLE cycled AS
SELECT n, session.cycle_key(k) AS k2 FROM native_keys;
SELECT n, k2 ~ '^[a-z0-9]{32}$' AS cycled_to_32, session.exists(k) AS old_live,
	   session.load(k2) = jsonb_build_object('n', -n) AS data_kept,
	   session.delete(k2) AS deleted
FROM native_keys JOIN cycled USING (n) ORDER BY n;

-- a Spring session id, a UUID, is a well-formed key: reading it finds
-- nothing, saving it without must_create returns false, no error
SELECT session.load('0b1e5f8c-7d2a-4c3b-9e6f-a1b2c3d4e5f6') IS NULL AS uuid_load,
	   session.exists('0b1e5f8c-7d2a-4c3b-9e6f-a1b2c3d4e5f6') AS uuid_exists,
	   session.save('0b1e5f8c-7d2a-4c3b-9e6f-a1b2c3d4e5f6', '{}') AS uuid_save,
	   session.delete('0b1e5f8c-7d2a-4c3b-9e6f-a1b2c3d4e5f6') AS uuid_delete;

--
-- keys an application chooses: must_create refuses one whose estimated
-- randomness (length times log2 of the smallest standard alphabet that holds
-- its characters: 10, 16, 26, 32, 36, 52, 62, 64 or 65) is under 128 bits
--
CREATE TEMP TABLE chosen_keys (n int, kind text, k text);
INSERT INTO chosen_keys VALUES
	(1, '8 letters a-z: 37 bits', 'abcdefgh'),
	(2, '38 digits: 126 bits', repeat('0123456789', 4)::varchar(38)),
	(3, '39 digits: 129 bits', repeat('1234567890', 4)::varchar(39)),
	(4, '31 hex: 124 bits', repeat('0123456789abcdef', 2)::varchar(31)),
	(5, '32 hex: 128 bits', repeat('fedcba9876543210', 2)),
	(6, '25 of [0-9a-v]: 125 bits', '0123456789abcdefghijklmno'),
	(7, '26 of [0-9a-v]: 130 bits', '0123456789abcdefghijklmnov'),
	(8, '24 of [a-z0-9]: 124 bits', 'abcdefghijklmnopqrstuvw0'),
	(9, '25 of [a-z0-9]: 129 bits', 'abcdefghijklmnopqrstuvwx0'),
	(10, '21 of [A-Za-z0-9]: 125 bits', 'ABCDEFGHIJabcdefghij0'),
	(11, '22 of [A-Za-z0-9]: 131 bits', 'ABCDEFGHIJabcdefghij01'),
	(12, '21 base64url: 126 bits', 'ABCDEFGHIJabcdefghi-_'),
	(13, '22 base64url: 132 bits', 'ABCDEFGHIJabcdefghij-_'),
	(14, 'UUID: 122 bits', '0b1e5f8c-7d2a-4c3b-9e6f-a1b2c3d4e5f6'),
	(15, 'UUID without dashes: 128 bits', '0b1e5f8c7d2a4c3b9e6fa1b2c3d4e5f6'),
	(16, '31 hex and dashes: 124 bits', 'abcdef01-23456789-abcdef01-2345678');
SELECT n, kind, length(k) AS len,
	   pg_temp.outcome('SELECT session.save($1, ''{}'', NULL, true)', k) AS must_create,
	   session.exists(k) AS exists
FROM chosen_keys ORDER BY n;
-- a weak key is still well-formed: reading and updating work as for any key
SELECT session.load('abcdefgh') IS NULL AS weak_load, session.save('abcdefgh', '{}') AS weak_save;
SELECT count(*) FILTER (WHERE session.delete(k)) AS deleted FROM chosen_keys;
-- the message, with its detail and hint
\set VERBOSITY default
SELECT session.save('0b1e5f8c-7d2a-4c3b-9e6f-a1b2c3d4e5f6', '{}', must_create => true);
SELECT session.save(repeat('0123456789abcdef', 2)::varchar(31), '{}', must_create => true);
-- and the one of a malformed key
SELECT session.save('0b1e5f8c-7d2a-4c3b-9e6f.a1b2c3d4e5f6', '{}', must_create => true);
\set VERBOSITY terse

--
-- malformed keys
--
SELECT session.create('{"victim": true}') AS live \gset
CREATE TEMP TABLE bad_keys (n int, kind text, k text);
INSERT INTO bad_keys VALUES
	(1, 'null', NULL),
	(2, 'empty', ''),
	(3, '7 chars', 'abcdefg'),
	(4, '129 chars', repeat('Ab0-_,xY', 16) || 'z'),
	(5, '1000 chars', repeat('a', 1000)),
	(6, 'dot', 'abcdefgh.jklmnopqrstuvwxyz012345'),
	(7, 'base64 plus', 'abcdefgh+jklmnopqrstuvwxyz012345'),
	(8, 'base64 slash', 'abcdefgh/jklmnopqrstuvwxyz012345'),
	(9, 'colon', 's:abcdefghjklmnopqrstuvwxyz01234'),
	(10, 'signed cookie', 's:Xp-r3ss_Sess10n-Id_0123456789abc.c2lnbmF0dXJl'),
	(11, 'space inside', 'abcdefgh jklmnopqrstuvwxyz012345'),
	(12, 'live key + space', :'live' || ' '),
	(13, 'space + live key', ' ' || :'live'),
	(14, 'live key + newline', :'live' || E'\n'),
	(15, 'tab', E'abcdefgh\tjklmnopqrstuvwxyz012345'),
	(16, 'quote', 'abcdefgh''jklmnopqrstuvwxyz012345'),
	(17, 'percent', 'abcdefgh%jklmnopqrstuvwxyz012345'),
	(18, 'backslash', E'abcdefgh\\jklmnopqrstuvwxyz012345'),
	(19, 'base64 padding', 'abcdefghijklmnopqrstuvwxyz0123=='),
	(20, 'e acute', 'abcdefghijklmnopqrstuvwxyzé12345'),
	(21, 'fullwidth digit', 'abcdefghijklmnopqrstuvwxyz０12345'),
	(22, 'cyrillic a', 'аbcdefghijklmnopqrstuvwxyz012345'),
	(23, 'emoji', 'abcdefghijklmnopqrstuvwxyz0123😀'),
	(24, 'zero-width space', 'abcdefgh' || U&'\200B' || 'ijklmnopqrstuvwxyz01234'),
	(25, '8 chars of 2 bytes', 'éééééééé');
SELECT count(*) AS n0 FROM session.sessions \gset

-- reading functions: no session, no error
SELECT n, kind, session.load(k) IS NULL AS load, session.exists(k) AS exists,
	   session.get(k, 'victim') IS NULL AS get, session.expiry_age(k) IS NULL AS expiry_age,
	   session.expiry_date(k) IS NULL AS expiry_date,
	   session.expires_at_browser_close(k) IS NULL AS browser_close,
	   session.delete(k) AS delete, session.flush(k) AS flush
FROM bad_keys ORDER BY n;

-- writing functions: 22004 for NULL, 22023 for every other malformed key
SELECT n, kind,
	   pg_temp.outcome('SELECT session.save($1, ''{}'')', k) AS save,
	   pg_temp.outcome('SELECT session.save($1, ''{}'', NULL, true)', k) AS save_create,
	   pg_temp.outcome('SELECT session.set($1, ''a'', ''1'')', k) AS set,
	   pg_temp.outcome('SELECT session.pop($1, ''victim'')', k) AS pop,
	   pg_temp.outcome('SELECT session.set_expiry($1, 60)', k) AS expiry_secs,
	   pg_temp.outcome('SELECT session.set_expiry($1, now() + interval ''1 day'')', k) AS expiry_date,
	   pg_temp.outcome('SELECT session.cycle_key($1)', k) AS cycle_key
FROM bad_keys ORDER BY n;

-- none created a row, and the live session is untouched
SELECT count(*) = :n0 AS no_new_rows FROM session.sessions;
SELECT session.load(:'live') AS live_data, session.exists(:'live') AS still_live;

-- the messages, once each
SELECT session.save(NULL, '{}');
SELECT session.save('not.a.key', '{}');
SELECT session.cycle_key('short');

-- the internal digest function agrees: NULL when reading, an error when writing
SELECT n, kind, session._key_digest(k, false) IS NULL AS read_null,
	   pg_temp.outcome('SELECT session._key_digest($1, true)', k) AS write
FROM bad_keys WHERE n IN (1, 2, 6, 20) ORDER BY n;
SELECT session._key_digest(:'live', false) = sha256(convert_to(:'live', 'UTF8')) AS read_digest,
	   session._key_digest(:'live', true) = sha256(convert_to(:'live', 'UTF8')) AS write_digest,
	   session._key_digest(:'live', NULL) = sha256(convert_to(:'live', 'UTF8')) AS null_flag_reads;

-- errors about a well-formed key do not show it either
SELECT pg_temp.outcome('SELECT session.save($1, ''[]'')', :'live') AS non_object,
	   pg_temp.outcome('SELECT session.set($1, NULL, ''1'')', :'live') AS null_field,
	   pg_temp.outcome('SELECT session.set_expiry($1, -5)', :'live') AS negative,
	   pg_temp.outcome('SELECT session.save($1, ''{}'', ''infinity'')', :'live') AS infinite;
