--
-- expiry: set_expiry (seconds and date), expiry_age, expiry_date,
-- expires_at_browser_close, the settings that shape expiry, what an expired
-- session looks like to every function, and clear_expired.
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
-- Move a session's clock back: as if its last activity (and expiry) were
-- that long ago.
CREATE FUNCTION pg_temp.backdate(k text, by interval) RETURNS void
LANGUAGE sql AS $$
	UPDATE session.sessions
	SET created = created - by, last_activity = last_activity - by,
		expire_date = expire_date - by, purge_after = purge_after - by
	WHERE key_hash = sha256(convert_to(k, 'UTF8'))
$$;

--
-- settings
--
SHOW session.default_max_age;
SET session.default_max_age = '2h';
SHOW session.default_max_age;
SET session.default_max_age = 90;
SHOW session.default_max_age;
SET session.default_max_age = '14d';

-- invalid input (out of range: only the SQLSTATE is shown, since how the
-- message prints the range differs between PostgreSQL releases; the ranges
-- themselves are shown from pg_settings)
\set VERBOSITY sqlstate
SET session.default_max_age = 0;
SET session.touch_interval = -1;
SET session.touch_interval = '2d';
SET session.max_lifetime = -1;
SET session.max_data_size = 63;
\set VERBOSITY terse
SELECT name, min_val, max_val, unit FROM pg_settings
WHERE name IN ('session.default_max_age', 'session.touch_interval',
			   'session.max_lifetime', 'session.max_data_size')
ORDER BY name;
-- The prefix is not reserved: with the library loaded (as when it is
-- preloaded), an application's own placeholder under session. still works
-- (row-level security policies commonly read session.user_id), while the
-- extension's settings stay checked.
SET session.user_id = '42';
SELECT current_setting('session.user_id') AS app_placeholder;
RESET session.user_id;
SET session.touch_interval = 'often';
\echo :SQLSTATE
SHOW session.default_max_age;

--
-- a new session: session.default_max_age, sliding
--
SELECT session.create() AS k \gset
SELECT session.expiry_age(:'k') BETWEEN 1209590 AND 1209600 AS two_weeks,
	   session.expiry_date(:'k') = expire_date AS expiry_date,
	   session.expires_at_browser_close(:'k') AS browser_close
FROM pg_temp.row_of(:'k');
SET session.default_max_age = 100;
SELECT session.create() AS k100 \gset
SELECT session.expiry_age(:'k100') BETWEEN 95 AND 100 AS hundred_seconds;
-- activity slides it by the setting in force
SELECT session.save(:'k', '{}') AS saved;
SELECT session.expiry_age(:'k') BETWEEN 95 AND 100 AS hundred_seconds;
SELECT pg_temp.backdate(:'k100', interval '60 seconds');
SELECT session.expiry_age(:'k100') BETWEEN 35 AND 40 AS forty_seconds;
SET session.touch_interval = 0;
SELECT session.load(:'k100') AS data;
SELECT session.expiry_age(:'k100') BETWEEN 95 AND 100 AS hundred_seconds;
SET session.touch_interval = 60;
SET session.default_max_age = '14d';

--
-- set_expiry(key, seconds): an idle timeout of its own
--
SELECT session.create() AS ka \gset
SELECT session.set_expiry(:'ka', 300) AS set;
SELECT session.expiry_age(:'ka') BETWEEN 295 AND 300 AS five_minutes,
	   session.expires_at_browser_close(:'ka') AS browser_close;
SELECT max_age, fixed_expiry, expire_date BETWEEN clock_timestamp() + interval '240 seconds' AND clock_timestamp() + interval '300 seconds' AS from_now,
	   purge_after = expire_date AS purge_follows_down
FROM pg_temp.row_of(:'ka');
-- it slides with activity, by its own length
SELECT pg_temp.backdate(:'ka', interval '200 seconds');
SELECT session.expiry_age(:'ka') BETWEEN 95 AND 100 AS hundred_left;
SELECT session.set(:'ka', 'x', '1') AS set;
SELECT session.expiry_age(:'ka') BETWEEN 295 AND 300 AS five_minutes;
SELECT pg_temp.backdate(:'ka', interval '200 seconds');
SET session.touch_interval = 0;
SELECT session.load(:'ka') AS data;
SET session.touch_interval = 60;
SELECT session.expiry_age(:'ka') BETWEEN 295 AND 300 AS five_minutes;
-- a longer timeout leaves purge_after at the earlier bound
SELECT purge_after AS ka_purge FROM pg_temp.row_of(:'ka') \gset
SELECT session.set_expiry(:'ka', 3600) AS set;
SELECT session.expiry_age(:'ka') BETWEEN 3595 AND 3600 AS one_hour,
	   purge_after = :'ka_purge' AS purge_kept, purge_after <= expire_date AS lower_bound
FROM pg_temp.row_of(:'ka');
-- the largest timeout
SELECT session.set_expiry(:'ka', 2147483647) AS set;
SELECT session.expiry_age(:'ka') BETWEEN 2147483640 AND 2147483647 AS max_int;

-- 0: the cookie ends with the browser, the row lives session.default_max_age
SELECT session.set_expiry(:'ka', 0) AS set;
SELECT session.expires_at_browser_close(:'ka') AS browser_close,
	   session.expiry_age(:'ka') BETWEEN 1209590 AND 1209600 AS two_weeks;
SELECT max_age, fixed_expiry FROM pg_temp.row_of(:'ka');
SET session.default_max_age = 100;
SELECT session.save(:'ka', '{}') AS saved;
SELECT session.expires_at_browser_close(:'ka') AS browser_close,
	   session.expiry_age(:'ka') BETWEEN 95 AND 100 AS hundred_seconds;
SET session.default_max_age = '14d';

-- NULL::integer: back to session.default_max_age
SELECT session.set_expiry(:'ka', NULL::integer) AS set;
SELECT session.expires_at_browser_close(:'ka') AS browser_close,
	   session.expiry_age(:'ka') BETWEEN 1209590 AND 1209600 AS two_weeks;
SELECT max_age IS NULL AS default_age, fixed_expiry FROM pg_temp.row_of(:'ka');

-- no live session: false
SELECT session.set_expiry('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', 60) AS unknown;

-- invalid input
SELECT expire_date AS ka_expire FROM pg_temp.row_of(:'ka') \gset
SELECT session.set_expiry(:'ka', -1);
\echo :SQLSTATE
SELECT session.set_expiry(NULL, 60);
\echo :SQLSTATE
SELECT session.set_expiry('dotted.key.000000000000000000000', 60);
\echo :SQLSTATE
-- a bare NULL could be either overload
SELECT session.set_expiry(:'ka', NULL);
\echo :SQLSTATE
SELECT max_age IS NULL AS default_age, expire_date = :'ka_expire' AS unchanged FROM pg_temp.row_of(:'ka');

--
-- set_expiry(key, date): a fixed date that activity does not move
--
SELECT session.create() AS kd \gset
SELECT clock_timestamp() + interval '1 hour' AS at1h \gset
SELECT session.set_expiry(:'kd', :'at1h'::timestamptz) AS set;
SELECT session.expiry_date(:'kd') = :'at1h' AS at_date,
	   session.expiry_age(:'kd') BETWEEN 3590 AND 3600 AS one_hour,
	   session.expires_at_browser_close(:'kd') AS browser_close;
SELECT max_age, fixed_expiry, purge_after = :'at1h' AS purge_follows_down FROM pg_temp.row_of(:'kd');
SET session.touch_interval = 0;
SELECT session.load(:'kd') AS data;
SELECT session.save(:'kd', '{"x": 1}') AS saved;
SELECT session.set(:'kd', 'y', '2') AS set;
SELECT session.pop(:'kd', 'x') AS x;
SET session.touch_interval = 60;
SELECT session.expiry_date(:'kd') = :'at1h' AS still_at_date, fixed_expiry FROM pg_temp.row_of(:'kd');
-- from browser close to a date
SELECT session.set_expiry(:'kd', 0) AS set;
SELECT session.set_expiry(:'kd', :'at1h'::timestamptz) AS set;
SELECT session.expires_at_browser_close(:'kd') AS browser_close, max_age, fixed_expiry
FROM pg_temp.row_of(:'kd');
-- a date later than 2038 and than any integer number of seconds
SELECT session.set_expiry(:'kd', '9999-12-31 00:00:00+00'::timestamptz) AS set;
SELECT session.expiry_age(:'kd') AS capped_age,
	   session.expiry_date(:'kd') = '9999-12-31 00:00:00+00' AS at_date;
-- seconds replace a date
SELECT session.set_expiry(:'kd', 600) AS set;
SELECT max_age, fixed_expiry, session.expiry_age(:'kd') BETWEEN 595 AND 600 AS ten_minutes
FROM pg_temp.row_of(:'kd');
-- NULL::timestamptz: back to session.default_max_age
SELECT session.set_expiry(:'kd', :'at1h'::timestamptz) AS set;
SELECT session.set_expiry(:'kd', NULL::timestamptz) AS set;
SELECT max_age IS NULL AS default_age, fixed_expiry,
	   session.expiry_age(:'kd') BETWEEN 1209590 AND 1209600 AS two_weeks
FROM pg_temp.row_of(:'kd');
-- no live session: false
SELECT session.set_expiry('zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz', :'at1h'::timestamptz) AS unknown;

-- invalid input
SELECT expire_date AS kd_expire FROM pg_temp.row_of(:'kd') \gset
SELECT session.set_expiry(:'kd', 'infinity'::timestamptz);
\echo :SQLSTATE
SELECT session.set_expiry(:'kd', '-infinity'::timestamptz);
\echo :SQLSTATE
SELECT session.set_expiry(NULL, :'at1h'::timestamptz);
\echo :SQLSTATE
SELECT session.set_expiry('', :'at1h'::timestamptz);
\echo :SQLSTATE
SELECT expire_date = :'kd_expire' AS unchanged, fixed_expiry FROM pg_temp.row_of(:'kd');

--
-- expired sessions: every function treats them as gone
--
-- by a date in the past ...
SELECT session.create('{"e": 1}') AS ke1 \gset
SELECT session.set_expiry(:'ke1', clock_timestamp() - interval '1 second') AS set;
-- ... by a save with a date in the past ...
SELECT session.create('{"e": 2}') AS ke2 \gset
SELECT session.save(:'ke2', '{"e": 2}', clock_timestamp() - interval '1 second') AS saved;
-- ... by an idle timeout that ran out ...
SELECT session.create('{"e": 3}') AS ke3 \gset
SELECT session.set_expiry(:'ke3', 60) AS set;
SELECT pg_temp.backdate(:'ke3', interval '61 seconds');
-- ... and by the clock, for real
SELECT session.create('{"e": 4}') AS ke4 \gset
SELECT session.set_expiry(:'ke4', 1) AS set, session.exists(:'ke4') AS live_now;
SELECT pg_sleep(1.2);
CREATE TEMP TABLE expired_keys (n int, k text);
INSERT INTO expired_keys VALUES (1, :'ke1'), (2, :'ke2'), (3, :'ke3'), (4, :'ke4');
-- the rows are still there
SELECT n, expire_date <= clock_timestamp() AS past FROM expired_keys, pg_temp.row_of(k) ORDER BY n;
-- readers see nothing
SELECT n, session.load(k) IS NULL AS load, session.exists(k) AS exists,
	   session.get(k, 'e') IS NULL AS get, session.expiry_age(k) IS NULL AS expiry_age,
	   session.expiry_date(k) IS NULL AS expiry_date,
	   session.expires_at_browser_close(k) IS NULL AS browser_close
FROM expired_keys ORDER BY n;
-- a load does not touch them back to life, even when it may write
SET session.touch_interval = 0;
SELECT n, session.load(k) IS NULL AS load, session.exists(k) AS exists FROM expired_keys ORDER BY n;
SET session.touch_interval = 60;
-- writers find no live session
SELECT n, session.save(k, '{"back": true}') AS save, session.set(k, 'back', 'true') AS set,
	   session.pop(k, 'e') IS NULL AS pop, session.set_expiry(k, 3600) AS set_expiry_seconds,
	   session.set_expiry(k, clock_timestamp() + interval '1 day') AS set_expiry_date,
	   session.set_expiry(k, NULL::integer) AS set_expiry_default,
	   session.cycle_key(k) IS NULL AS cycle_key
FROM expired_keys ORDER BY n;
-- and changed nothing: data as it was, still expired
SELECT n, data, expire_date <= clock_timestamp() AS past FROM expired_keys, pg_temp.row_of(k) ORDER BY n;
-- delete removes the row but reports no live session
SELECT n, session.delete(k) AS was_live FROM expired_keys WHERE n = 1;
SELECT count(*) AS rows FROM pg_temp.row_of(:'ke1');

--
-- session.max_lifetime: no activity extends a session past creation + cap
--
SET session.max_lifetime = '10min';
SHOW session.max_lifetime;
SELECT session.create() AS kc \gset
SELECT session.expiry_age(:'kc') BETWEEN 595 AND 600 AS capped,
	   expire_date = created + interval '600 seconds' AS at_cap
FROM pg_temp.row_of(:'kc');
SELECT session.set_expiry(:'kc', 3600) AS set;
SELECT expire_date = created + interval '600 seconds' AS at_cap FROM pg_temp.row_of(:'kc');
SELECT session.set_expiry(:'kc', clock_timestamp() + interval '1 day') AS set;
SELECT expire_date = created + interval '600 seconds' AS at_cap FROM pg_temp.row_of(:'kc');
SELECT session.set_expiry(:'kc', 0) AS set;
SELECT expire_date = created + interval '600 seconds' AS at_cap FROM pg_temp.row_of(:'kc');
SELECT session.set_expiry(:'kc', NULL::integer) AS set;
SELECT session.save(:'kc', '{}') AS saved, session.set(:'kc', 'a', '1') AS set;
SET session.touch_interval = 0;
SELECT session.load(:'kc') AS data;
SET session.touch_interval = 60;
SELECT expire_date = created + interval '600 seconds' AS at_cap FROM pg_temp.row_of(:'kc');
-- a shorter timeout or an earlier date is kept
SELECT session.set_expiry(:'kc', 300) AS set;
SELECT session.expiry_age(:'kc') BETWEEN 295 AND 300 AS five_minutes;
SELECT session.create('{}', clock_timestamp() + interval '300 seconds') AS kc2 \gset
SELECT session.expiry_age(:'kc2') BETWEEN 295 AND 300 AS five_minutes;
-- a fixed date beyond the cap, at create and at save
SELECT session.create('{}', clock_timestamp() + interval '1 day') AS kc3 \gset
SELECT expire_date = created + interval '600 seconds' AS at_cap FROM pg_temp.row_of(:'kc3');
SELECT session.save(:'kc3', '{}', clock_timestamp() + interval '1 day') AS saved;
SELECT expire_date = created + interval '600 seconds' AS at_cap FROM pg_temp.row_of(:'kc3');
-- a session whose cap has passed is not revived by a touch
SELECT session.create('{"old": true}') AS kc4 \gset
SELECT pg_temp.backdate(:'kc4', interval '601 seconds');
SET session.touch_interval = 0;
SELECT session.load(:'kc4') IS NULL AS gone, session.save(:'kc4', '{}') AS saved;
SET session.touch_interval = 60;
-- the cap counts from creation, not from the last key change
SELECT session.create() AS kc5 \gset
SELECT pg_temp.backdate(:'kc5', interval '500 seconds');
SELECT session.cycle_key(:'kc5') AS kc6 \gset
SELECT session.set_expiry(:'kc6', 3600) AS set;
SELECT session.expiry_age(:'kc6') BETWEEN 95 AND 100 AS hundred_left;
-- 0 turns the cap off
SET session.max_lifetime = 0;
SELECT session.set_expiry(:'kc', 3600) AS set;
SELECT session.expiry_age(:'kc') BETWEEN 3595 AND 3600 AS one_hour;

--
-- clear_expired
--
SELECT session.create() AS live1 \gset
SELECT session.create() AS live2 \gset
-- live2's purge_after is in the past, but it is live: it stays
UPDATE session.sessions SET purge_after = clock_timestamp() - interval '1 hour'
WHERE key_hash = sha256(convert_to(:'live2', 'UTF8'));
SELECT clock_timestamp() AS t_clear \gset
SELECT session.clear_expired() >= 3 AS cleared;
-- every row expired before the call is gone, the live ones stay
SELECT count(*) AS expired_rows FROM session.sessions WHERE expire_date <= :'t_clear';
SELECT count(*) AS rows FROM expired_keys, pg_temp.row_of(k);
SELECT session.exists(:'live1') AS live1, session.exists(:'live2') AS live2;
