--
-- lifecycle: create, load, save, exists, delete, flush, cycle_key, get, set
-- and pop.  Keys and times never reach the output: checks print booleans,
-- lengths and counts.  Malformed keys are covered in keys.sql, expiry in
-- expiry.sql, privileges in privileges.sql.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS session;
RESET client_min_messages;
\set VERBOSITY terse
-- Load the module now, so that the SETs below are checked, not kept as placeholders.
LOAD 'session';

-- Known settings, whatever the server's defaults are.
SET session.default_max_age = '14d';
SET session.touch_interval = 60;
SET session.max_lifetime = 0;
SET session.max_data_size = '1MB';

-- The row behind a key (none when there is no row), for checks that need
-- the table itself.
CREATE FUNCTION pg_temp.row_of(k text) RETURNS SETOF session.sessions
LANGUAGE sql AS $$
	SELECT * FROM session.sessions WHERE key_hash = sha256(convert_to(k, 'UTF8'))
$$;
-- The transaction that last wrote that row.
CREATE FUNCTION pg_temp.xmin_of(k text) RETURNS text
LANGUAGE sql AS $$
	SELECT xmin::text FROM session.sessions WHERE key_hash = sha256(convert_to(k, 'UTF8'))
$$;

--
-- create
--
SELECT count(*) AS n0 FROM session.sessions \gset
SELECT session.create() AS k \gset
SELECT length(:'k') = 32 AS len32, :'k' ~ '^[a-z0-9]{32}$' AS alphabet;
SELECT session.load(:'k') AS data, session.exists(:'k') AS live;
-- one row, with the defaults
SELECT count(*) = :n0 + 1 AS one_more_row FROM session.sessions;
SELECT data, account, ip, user_agent, max_age, fixed_expiry,
	   created = last_activity AS fresh,
	   expire_date = created + interval '1209600 seconds' AS default_expiry,
	   purge_after = expire_date AS purge_at_expiry,
	   created <= clock_timestamp() AND created > clock_timestamp() - interval '1 minute' AS created_now
FROM pg_temp.row_of(:'k');

-- every argument, and each key is new
SELECT session.create('{"user": 42, "cart": [1, 2], "name": "Zoë"}', NULL, 'alice',
					  '192.0.2.1', 'Mozilla/5.0') AS k2 \gset
SELECT :'k2' <> :'k' AS new_key;
SELECT session.load(:'k2') AS data;
SELECT account, ip, user_agent, max_age, fixed_expiry FROM pg_temp.row_of(:'k2');
SELECT session.create(account => 'bob', data => '{"a": 1}') AS k3 \gset
SELECT data, account, ip IS NULL AS no_ip FROM pg_temp.row_of(:'k3');
-- a fixed expiry date is kept as given
SELECT clock_timestamp() + interval '1 hour' AS at1h \gset
SELECT session.create('{}', :'at1h') AS k4 \gset
SELECT fixed_expiry, max_age, expire_date = :'at1h' AS at_date, purge_after = :'at1h' AS purge_at_date
FROM pg_temp.row_of(:'k4');
-- a date in the past makes a session that is born expired
SELECT session.create('{}', clock_timestamp() - interval '1 second') AS k5 \gset
SELECT length(:'k5') = 32 AS len32, session.exists(:'k5') AS live, session.load(:'k5') AS data;
-- data up to session.max_data_size bytes of stored jsonb, inclusive
SET session.max_data_size = 64;
SELECT pg_column_size(jsonb_build_object('a', repeat('x', 47))) AS size_64;
SELECT session.create(jsonb_build_object('a', repeat('x', 47))) AS k6 \gset
SELECT session.load(:'k6') ->> 'a' = repeat('x', 47) AS stored;
RESET session.max_data_size;

-- invalid input
SELECT count(*) AS n1 FROM session.sessions \gset
SELECT session.create(NULL);
\echo :SQLSTATE
SELECT session.create('[]');
\echo :SQLSTATE
SELECT session.create('[{"a": 1}]');
\echo :SQLSTATE
SELECT session.create('"text"');
\echo :SQLSTATE
SELECT session.create('1');
\echo :SQLSTATE
SELECT session.create('true');
\echo :SQLSTATE
SELECT session.create('null');
\echo :SQLSTATE
SELECT session.create('{}', 'infinity');
\echo :SQLSTATE
SELECT session.create('{}', '-infinity');
\echo :SQLSTATE
SET session.max_data_size = 64;
SELECT session.create(jsonb_build_object('a', repeat('x', 48)));
\echo :SQLSTATE
RESET session.max_data_size;
-- none of them left a row
SELECT count(*) = :n1 AS no_new_rows FROM session.sessions;

--
-- load
--
SELECT session.load(:'k2') -> 'cart' AS cart, session.load(:'k2') ->> 'name' AS name;
-- a well-formed key that names no session
SELECT session.load('abcdefghijklmnopqrstuvwxyz012345') IS NULL AS unknown;
-- a load sees what earlier calls in the same statement wrote
SELECT session.load(session.create('{"same": "statement"}')) AS data;
SELECT session.save(:'k3', '{"a": 2}') AS saved, session.load(:'k3') AS data;
-- ... and what the same transaction wrote, and nothing of a rolled back one
BEGIN;
SELECT session.save(:'k3', '{"a": 3}') AS saved;
SELECT session.load(:'k3') AS data;
ROLLBACK;
SELECT session.load(:'k3') AS data;

-- touch: a load moves last_activity at most once per session.touch_interval
SET session.touch_interval = 3600;
SELECT session.create('{"t": 1}') AS kt \gset
SELECT last_activity AS la0, expire_date AS ed0, purge_after AS p0, pg_temp.xmin_of(:'kt') AS x0
FROM pg_temp.row_of(:'kt') \gset
SELECT session.load(:'kt') AS data;
SELECT last_activity = :'la0' AS same_activity, expire_date = :'ed0' AS same_expiry,
	   pg_temp.xmin_of(:'kt') = :'x0' AS not_written
FROM pg_temp.row_of(:'kt');
-- once the interval has passed, the next load writes
UPDATE session.sessions SET last_activity = last_activity - interval '61 minutes'
WHERE key_hash = sha256(convert_to(:'kt', 'UTF8'));
SELECT session.load(:'kt') AS data;
SELECT last_activity > :'la0' AS moved_activity, expire_date > :'ed0' AS moved_expiry,
	   purge_after = :'p0' AS purge_kept
FROM pg_temp.row_of(:'kt');
SELECT last_activity AS la0, expire_date AS ed0 FROM pg_temp.row_of(:'kt') \gset
SET session.touch_interval = 0;
SELECT session.load(:'kt') AS data;
SELECT last_activity > :'la0' AS moved_activity, expire_date > :'ed0' AS moved_expiry,
	   expire_date > clock_timestamp() + interval '1209600 seconds' - interval '1 minute' AS slid,
	   purge_after = :'p0' AS purge_kept
FROM pg_temp.row_of(:'kt');
-- a read-only transaction loads and writes nothing
SELECT last_activity AS la1, pg_temp.xmin_of(:'kt') AS x1 FROM pg_temp.row_of(:'kt') \gset
BEGIN READ ONLY;
SELECT session.load(:'kt') AS data;
SELECT session.exists(:'kt') AS live, session.get(:'kt', 't') AS t;
COMMIT;
SELECT last_activity = :'la1' AS same_activity, pg_temp.xmin_of(:'kt') = :'x1' AS not_written
FROM pg_temp.row_of(:'kt');
-- ... and functions that write say so
BEGIN READ ONLY;
SELECT session.save(:'kt', '{}');
\echo :SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT session.set(:'kt', 'x', '1');
\echo :SQLSTATE
ROLLBACK;
BEGIN READ ONLY;
SELECT session.create();
\echo :SQLSTATE
ROLLBACK;
-- a fixed expiry date is not moved by a load
SELECT expire_date AS ed4 FROM pg_temp.row_of(:'k4') \gset
SELECT session.load(:'k4') AS data;
SELECT expire_date = :'ed4' AS same_expiry FROM pg_temp.row_of(:'k4');
SET session.touch_interval = 60;

-- invalid input
SELECT session.load(NULL) IS NULL AS null_key;

--
-- save
--
SELECT session.create('{"v": 1}', account => 'carol', ip => '198.51.100.7') AS ks \gset
SELECT id AS ks_id, created AS ks_created, last_activity AS ks_la, expire_date AS ks_ed FROM pg_temp.row_of(:'ks') \gset
SELECT session.save(:'ks', '{"v": 2, "w": [true]}') AS saved;
SELECT session.load(:'ks') AS data;
-- the data is replaced, the metadata kept, a sliding expiry moved; last activity moves
-- once per session.touch_interval
SELECT id = :ks_id AS same_id, created = :'ks_created' AS same_created, account, ip,
	   last_activity = :'ks_la' AS same_activity_within_interval,
	   expire_date > :'ks_ed' AS slid, fixed_expiry
FROM pg_temp.row_of(:'ks');
-- a save with a date fixes it; a later save without one keeps it
SELECT clock_timestamp() + interval '2 hours' AS at2h \gset
SELECT session.save(:'ks', '{"v": 3}', :'at2h') AS saved;
SELECT fixed_expiry, max_age, expire_date = :'at2h' AS at_date FROM pg_temp.row_of(:'ks');
SELECT session.save(:'ks', '{"v": 4}') AS saved;
SELECT session.load(:'ks') AS data;
SELECT fixed_expiry, expire_date = :'at2h' AS at_date FROM pg_temp.row_of(:'ks');
-- a save with a date replaces an idle timeout
SELECT session.create() AS kb \gset
SELECT session.set_expiry(:'kb', 0) AS set;
SELECT session.save(:'kb', '{}', :'at2h') AS saved;
SELECT fixed_expiry, max_age, session.expires_at_browser_close(:'kb') AS browser_close
FROM pg_temp.row_of(:'kb');
-- must_create = NULL is false
SELECT session.save(:'ks', '{"v": 5}', NULL, NULL) AS saved;
SELECT session.load(:'ks') AS data;

-- a save on a key that names no session: false, and creates nothing
SELECT count(*) AS n2 FROM session.sessions \gset
SELECT session.save('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', '{"x": 1}') AS saved;
SELECT session.save('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', '{"x": 1}', clock_timestamp() + interval '1 day') AS saved;
SELECT count(*) = :n2 AS no_new_rows FROM session.sessions;
SELECT count(*) AS rows FROM pg_temp.row_of('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz');

-- must_create inserts under a free key
SELECT session.save('mustcreate0000000000000000000001', '{"m": 1}', NULL, true) AS created;
SELECT session.load('mustcreate0000000000000000000001') AS data;
SELECT count(*) = :n2 + 1 AS one_more_row FROM session.sessions;
SELECT max_age IS NULL AS default_age, fixed_expiry, expire_date = created + interval '1209600 seconds' AS default_expiry
FROM pg_temp.row_of('mustcreate0000000000000000000001');
-- ... with a fixed date
SELECT session.save('mustcreate0000000000000000000002', '{}', :'at2h', true) AS created;
SELECT fixed_expiry, expire_date = :'at2h' AS at_date FROM pg_temp.row_of('mustcreate0000000000000000000002');
-- ... and returns false, changing nothing, when a live session has the key
SELECT id AS m1_id FROM pg_temp.row_of('mustcreate0000000000000000000001') \gset
SELECT session.save('mustcreate0000000000000000000001', '{"m": 2}', NULL, true) AS created;
SELECT session.load('mustcreate0000000000000000000001') AS data;
SELECT session.save(:'k2', '{}', NULL, true) AS created;
SELECT session.load(:'k2') ->> 'user' AS user_kept;
-- ... but replaces the row an expired session left, as a new session
SELECT session.save('mustcreate0000000000000000000001', '{"m": 1}', clock_timestamp() - interval '1 second') AS expired_it;
SELECT session.exists('mustcreate0000000000000000000001') AS live;
SELECT session.set_expiry('mustcreate0000000000000000000001', 3600) AS no_live_session;
UPDATE session.sessions SET account = 'dave', ip = '203.0.113.9', user_agent = 'curl',
	created = created - interval '1 day'
WHERE key_hash = sha256(convert_to('mustcreate0000000000000000000001', 'UTF8'));
SELECT session.save('mustcreate0000000000000000000001', '{"m": 3}', NULL, true) AS created;
SELECT session.load('mustcreate0000000000000000000001') AS data;
SELECT id <> :m1_id AS new_id, account IS NULL AS no_account, ip IS NULL AS no_ip,
	   user_agent IS NULL AS no_user_agent, max_age IS NULL AS default_age, fixed_expiry,
	   created > clock_timestamp() - interval '1 minute' AS created_now,
	   created = last_activity AS fresh
FROM pg_temp.row_of('mustcreate0000000000000000000001');
SELECT count(*) AS rows FROM pg_temp.row_of('mustcreate0000000000000000000001');

-- a save with a date in the past ends the session; later saves find nothing
SELECT session.create('{"p": 1}') AS kp \gset
SELECT session.save(:'kp', '{"p": 2}', clock_timestamp() - interval '1 second') AS saved;
SELECT session.exists(:'kp') AS live, session.load(:'kp') AS data;
SELECT session.save(:'kp', '{"p": 3}') AS saved;
SELECT data FROM pg_temp.row_of(:'kp');

-- a late save after delete, flush or cycle_key brings nothing back
SELECT session.create('{"late": 0}') AS kd \gset
SELECT session.delete(:'kd') AS deleted;
SELECT session.save(:'kd', '{"late": 1}') AS saved;
SELECT session.load(:'kd') IS NULL AS gone, count(*) AS rows FROM pg_temp.row_of(:'kd');
SELECT session.create('{"late": 0}') AS kf \gset
SELECT session.flush(:'kf') AS flushed;
SELECT session.save(:'kf', '{"late": 1}') AS saved;
SELECT session.load(:'kf') IS NULL AS gone, count(*) AS rows FROM pg_temp.row_of(:'kf');

-- invalid input
SELECT data AS ks_data FROM pg_temp.row_of(:'ks') \gset
SELECT session.save(NULL, '{}');
\echo :SQLSTATE
SELECT session.save('', '{}');
\echo :SQLSTATE
SELECT session.save('not.a.key', '{}', NULL, true);
\echo :SQLSTATE
SELECT session.save(:'ks', NULL);
\echo :SQLSTATE
SELECT session.save(:'ks', '[]');
\echo :SQLSTATE
SELECT session.save(:'ks', '"s"');
\echo :SQLSTATE
SELECT session.save(:'ks', '7');
\echo :SQLSTATE
SELECT session.save(:'ks', 'null');
\echo :SQLSTATE
SELECT session.save(:'ks', '{}', 'infinity');
\echo :SQLSTATE
SET session.max_data_size = 64;
SELECT session.save(:'ks', jsonb_build_object('a', repeat('x', 48)));
\echo :SQLSTATE
SELECT session.save(:'ks', jsonb_build_object('a', repeat('x', 48)), NULL, true);
\echo :SQLSTATE
RESET session.max_data_size;
-- bad data for a free key under must_create creates nothing
SELECT session.save('mustcreate0000000000000000000003', '[1]', NULL, true);
\echo :SQLSTATE
SELECT count(*) AS rows FROM pg_temp.row_of('mustcreate0000000000000000000003');
-- and none of them changed the session
SELECT data = :'ks_data' AS unchanged FROM pg_temp.row_of(:'ks');

--
-- exists
--
SELECT session.exists(:'k2') AS live, session.exists('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz') AS unknown;
-- exists does not touch
SET session.touch_interval = 0;
SELECT pg_temp.xmin_of(:'k2') AS x2 \gset
SELECT session.exists(:'k2') AS live;
SELECT pg_temp.xmin_of(:'k2') = :'x2' AS not_written;
SET session.touch_interval = 60;

-- invalid input
SELECT session.exists(NULL) AS null_key;

--
-- delete and flush
--
SELECT session.create() AS kx \gset
SELECT count(*) AS n3 FROM session.sessions \gset
SELECT session.delete(:'kx') AS deleted;
SELECT count(*) = :n3 - 1 AS one_row_less FROM session.sessions;
SELECT session.delete(:'kx') AS deleted_again, session.exists(:'kx') AS live;
SELECT session.delete('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz') AS unknown;
-- an expired session's row goes too, but it was not live
SELECT session.create() AS ke \gset
SELECT session.set_expiry(:'ke', clock_timestamp() - interval '1 second') AS expired_it;
SELECT count(*) AS rows FROM pg_temp.row_of(:'ke');
SELECT session.delete(:'ke') AS was_live;
SELECT count(*) AS rows FROM pg_temp.row_of(:'ke');
-- flush ends the session and creates nothing
SELECT session.create('{"cart": [1]}') AS kl \gset
SELECT count(*) AS n4 FROM session.sessions \gset
SELECT session.flush(:'kl') AS flushed;
SELECT count(*) = :n4 - 1 AS one_row_less FROM session.sessions;
SELECT session.load(:'kl') IS NULL AS gone, session.exists(:'kl') AS live;
SELECT session.flush(:'kl') AS flushed_again;
SELECT session.flush('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz') AS unknown;
SELECT count(*) = :n4 - 1 AS no_new_rows FROM session.sessions;

-- invalid input
SELECT session.delete(NULL) AS null_key, session.flush(NULL) AS null_key_flush;
SELECT session.delete('') AS empty_key, session.flush('NOT A KEY') AS bad_key_flush;

--
-- cycle_key
--
SELECT session.create('{"cart": [1, 2]}', NULL, 'erin', '192.0.2.44', 'Firefox') AS kc \gset
SELECT session.set_expiry(:'kc', 600) AS set;
SELECT id AS c_id, created AS c_created, expire_date AS c_expire, last_activity AS c_la,
	   purge_after AS c_purge
FROM pg_temp.row_of(:'kc') \gset
SELECT count(*) AS n5 FROM session.sessions \gset
SELECT session.cycle_key(:'kc') AS kc2 \gset
SELECT length(:'kc2') = 32 AS len32, :'kc2' ~ '^[a-z0-9]{32}$' AS alphabet, :'kc2' <> :'kc' AS new_key;
-- the same row: data, metadata, public id and activity kept (a new key is
-- not activity); no row added
SELECT count(*) = :n5 AS same_row_count FROM session.sessions;
SELECT id = :c_id AS same_id, data, account, ip, user_agent, max_age, fixed_expiry,
	   created = :'c_created' AS same_created, expire_date = :'c_expire' AS same_expiry,
	   purge_after = :'c_purge' AS same_purge, last_activity = :'c_la' AS same_activity
FROM pg_temp.row_of(:'kc2');
SELECT session.load(:'kc2') AS data, session.expires_at_browser_close(:'kc2') AS browser_close;
-- the old key is dead for every function
SELECT count(*) AS rows FROM pg_temp.row_of(:'kc');
SELECT session.load(:'kc') IS NULL AS load, session.exists(:'kc') AS exists,
	   session.get(:'kc', 'cart') IS NULL AS get, session.expiry_age(:'kc') IS NULL AS expiry_age,
	   session.save(:'kc', '{"stolen": true}') AS save, session.set(:'kc', 'x', '1') AS set,
	   session.pop(:'kc', 'cart') IS NULL AS pop, session.set_expiry(:'kc', 60) AS set_expiry,
	   session.cycle_key(:'kc') IS NULL AS cycle_key, session.delete(:'kc') AS delete;
SELECT session.load(:'kc2') AS data;
-- a browser-close session stays one; a fixed date stays fixed
SELECT session.create() AS kc3 \gset
SELECT session.set_expiry(:'kc3', 0) AS set;
SELECT session.cycle_key(:'kc3') AS kc4 \gset
SELECT session.expires_at_browser_close(:'kc4') AS browser_close;
SELECT session.cycle_key(:'k4') AS k4b \gset
SELECT fixed_expiry, expire_date = :'at1h' AS at_date FROM pg_temp.row_of(:'k4b');
-- no live session: NULL, and nothing created
SELECT count(*) AS n6 FROM session.sessions \gset
SELECT session.cycle_key('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz') IS NULL AS unknown;
SELECT session.cycle_key(:'kp') IS NULL AS expired;
SELECT count(*) = :n6 AS no_new_rows FROM session.sessions;

-- invalid input
SELECT session.cycle_key(NULL);
\echo :SQLSTATE
SELECT session.cycle_key('');
\echo :SQLSTATE
SELECT session.cycle_key(:'kc2' || '.');
\echo :SQLSTATE
SELECT session.exists(:'kc2') AS still_live;

--
-- get, set, pop
--
SELECT session.create('{"a": 1}') AS kg \gset
SELECT session.get(:'kg', 'a') AS a, session.get(:'kg', 'missing') IS NULL AS missing;
SELECT session.set(:'kg', 'b', '"two"') AS set;
SELECT session.set(:'kg', 'a', '{"nested": [1, {"deep": null}]}') AS set;
SELECT session.set(:'kg', '', '0') AS set_empty_name;
SELECT session.load(:'kg') AS data;
SELECT session.get(:'kg', 'a') -> 'nested' AS nested, session.get(:'kg', '') AS empty_name;
-- a SQL NULL value is stored as JSON null, which get tells from a missing field
SELECT session.set(:'kg', 'n', NULL) AS set;
SELECT session.get(:'kg', 'n') AS n, session.get(:'kg', 'n') IS NULL AS sql_null;
-- pop returns the value and removes the field, once
SELECT session.pop(:'kg', 'b') AS b;
SELECT session.pop(:'kg', 'b') IS NULL AS popped_again, session.get(:'kg', 'b') IS NULL AS gone;
SELECT session.pop(:'kg', 'missing') IS NULL AS missing;
SELECT session.pop(:'kg', 'n') AS n;
SELECT session.load(:'kg') AS data;
-- set and pop slide the expiry; they are not activity: last_activity stays (loads and saves record it)
SELECT last_activity AS g_la, expire_date AS g_ed FROM pg_temp.row_of(:'kg') \gset
SELECT session.set(:'kg', 'c', '3') AS set;
SELECT last_activity = :'g_la' AS same_activity, expire_date > :'g_ed' AS slid
FROM pg_temp.row_of(:'kg');
SELECT last_activity AS g_la, expire_date AS g_ed FROM pg_temp.row_of(:'kg') \gset
SELECT session.pop(:'kg', 'c') AS c;
SELECT last_activity = :'g_la' AS same_activity, expire_date > :'g_ed' AS slid
FROM pg_temp.row_of(:'kg');
-- ... but do not move a fixed date
SELECT session.set(:'k4b', 'f', 'true') AS set, session.pop(:'k4b', 'f') AS f;
SELECT expire_date = :'at1h' AS at_date FROM pg_temp.row_of(:'k4b');
-- no live session
SELECT count(*) AS n7 FROM session.sessions \gset
SELECT session.get('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', 'a') IS NULL AS get,
	   session.set('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', 'a', '1') AS set,
	   session.pop('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', 'a') IS NULL AS pop;
SELECT session.get(:'kp', 'p') IS NULL AS get, session.set(:'kp', 'p', '1') AS set,
	   session.pop(:'kp', 'p') IS NULL AS pop;
SELECT count(*) = :n7 AS no_new_rows FROM session.sessions;
SELECT data FROM pg_temp.row_of(:'kp');

-- invalid input
SELECT session.get(:'kg', NULL) IS NULL AS null_field, session.get(NULL, 'a') IS NULL AS null_key;
SELECT session.set(:'kg', NULL, '1');
\echo :SQLSTATE
SELECT session.pop(:'kg', NULL);
\echo :SQLSTATE
SELECT session.set(NULL, 'a', '1');
\echo :SQLSTATE
SELECT session.pop(NULL, 'a');
\echo :SQLSTATE
SELECT session.set('short', 'a', '1');
\echo :SQLSTATE
SELECT session.pop('short', 'a');
\echo :SQLSTATE
SET session.max_data_size = 64;
SELECT session.set(:'kg', 'big', to_jsonb(repeat('x', 100)));
\echo :SQLSTATE
RESET session.max_data_size;
SELECT session.load(:'kg') AS unchanged;

--
-- bounded free text: a user agent is kept up to 512 bytes, cut at a
-- character boundary; an account id has 1 to 1024 bytes
--
SELECT session.create('{}', user_agent => repeat('u', 50000)) AS kua \gset
SELECT octet_length(user_agent) AS ua_bytes FROM pg_temp.row_of(:'kua');
SELECT session.login(:'kua', 'regress-ua', NULL, repeat('é', 400)) AS kua2 \gset
SELECT octet_length(user_agent) AS ua_bytes, user_agent = repeat('é', 256) AS whole_characters
FROM pg_temp.row_of(:'kua2');
-- invalid input
SELECT session.create('{}', account => repeat('a', 1025));
\echo :SQLSTATE
SELECT session.login(NULL, '');
\echo :SQLSTATE
SELECT session.delete(:'kua2') AS cleaned;
DELETE FROM session.accounts WHERE account = 'regress-ua';

-- settings can be stored with ALTER SYSTEM once the library is loaded in
-- the connection (LOAD, or any call of the extension; or preloading)
LOAD 'session';
ALTER SYSTEM SET session.touch_interval = 30;
ALTER SYSTEM RESET session.touch_interval;
