--
-- keys: the format of new keys, the digest that is stored instead of the
-- key, and what every function does with a malformed key (reading functions
-- treat it as unknown, writing functions reject it).
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
-- well-formed keys: 8 to 40 characters of [a-z0-9], as Django allows
--
SELECT session.save('abcdefgh', '{"len": 8}', NULL, true) AS created_8,
	   session.save('0123456789abcdefghijklmnopqrstuvwxyz0123', '{"len": 40}', NULL, true) AS created_40,
	   session.save('00000000000000000000000000000000', '{"len": 32}', NULL, true) AS created_digits;
SELECT session.load('abcdefgh') AS data_8,
	   session.load('0123456789abcdefghijklmnopqrstuvwxyz0123') AS data_40,
	   session.load('00000000000000000000000000000000') AS data_digits;
SELECT session.set('abcdefgh', 'x', '1') AS set_8, session.get('abcdefgh', 'x') AS get_8,
	   session.cycle_key('abcdefgh') ~ '^[a-z0-9]{32}$' AS cycled_to_32;
SELECT session.exists('abcdefgh') AS old_8_live;
SELECT session.delete('0123456789abcdefghijklmnopqrstuvwxyz0123') AS deleted_40,
	   session.delete('00000000000000000000000000000000') AS deleted_digits;

--
-- malformed keys
--
SELECT session.create('{"victim": true}') AS live \gset
CREATE TEMP TABLE bad_keys (n int, kind text, k text);
INSERT INTO bad_keys VALUES
	(1, 'null', NULL),
	(2, 'empty', ''),
	(3, '7 chars', 'abcdefg'),
	(4, '41 chars', '0123456789abcdefghijklmnopqrstuvwxyz01234'),
	(5, '1000 chars', repeat('a', 1000)),
	(6, 'uppercase', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'),
	(7, 'one uppercase', 'abcdefghijklmnopqrstuvwxyZ012345'),
	(8, 'live key upper', upper(:'live')),
	(9, 'hyphen', 'abcdefgh-jklmnopqrstuvwxyz012345'),
	(10, 'underscore', 'abcdefgh_jklmnopqrstuvwxyz012345'),
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
SELECT session.save('NOT-A-KEY', '{}');
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
