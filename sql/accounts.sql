--
-- accounts: binding sessions to accounts (create, save, login), logout,
-- account_sessions, revoke, logout_everywhere, the accounts table and its
-- throttled activity, flag_inactive, maintain and its pg_cron schedule, and
-- who may call what.  Keys, ids and times never reach the output: checks
-- print booleans, counts and names.  Concurrency is in the isolation specs
-- logout_everywhere_login and flag_inactive_activity; the events sent on
-- channel session_events are checked by test/integration/events.py, since
-- psql prints a notification with the sender's PID.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS session;
DROP ROLE IF EXISTS regress_session_accounts;
RESET client_min_messages;
\set VERBOSITY terse
-- Load the module now, so that the SETs below are checked, not kept as placeholders.
LOAD 'session';

-- Known settings, whatever the server's defaults are.
SET session.default_max_age = '14d';
SET session.touch_interval = 60;
SET session.max_lifetime = 0;
SET session.max_data_size = '1MB';
SET session.account_key = '_auth_user_id';
SET session.inactive_after = '30min';
SET session.logout_inactive = off;

-- What is there before, so that this test can leave nothing behind.
SELECT coalesce(max(id), 0) AS id0 FROM session.sessions \gset
CREATE TEMP TABLE accounts_before AS SELECT account FROM session.accounts;

-- The row behind a key (none when there is no row).
CREATE FUNCTION pg_temp.row_of(k text) RETURNS SETOF session.sessions
LANGUAGE sql AS $$
	SELECT * FROM session.sessions WHERE key_hash = sha256(convert_to(k, 'UTF8'))
$$;
-- The account a key's session is bound to.
CREATE FUNCTION pg_temp.account_of(k text) RETURNS text
LANGUAGE sql AS $$
	SELECT account FROM session.sessions WHERE key_hash = sha256(convert_to(k, 'UTF8'))
$$;
-- The row of an account, and the transaction that last wrote it.
CREATE FUNCTION pg_temp.account_row(a text) RETURNS SETOF session.accounts
LANGUAGE sql AS $$
	SELECT * FROM session.accounts WHERE account = a
$$;
CREATE FUNCTION pg_temp.account_xmin(a text) RETURNS text
LANGUAGE sql AS $$
	SELECT xmin::text FROM session.accounts WHERE account = a
$$;
-- Live sessions of an account, read from the table.
CREATE FUNCTION pg_temp.live(a text) RETURNS bigint
LANGUAGE sql AS $$
	SELECT count(*) FROM session.sessions WHERE account = a AND expire_date > clock_timestamp()
$$;
-- Move an account's clock back: as if its last activity were that long ago.
CREATE FUNCTION pg_temp.idle_account(a text, by interval) RETURNS void
LANGUAGE sql AS $$
	UPDATE session.accounts SET last_activity = t.at, activity_floor = t.at
	FROM (SELECT clock_timestamp() - by AS at) AS t
	WHERE account = a;
	UPDATE session.sessions SET last_activity = clock_timestamp() - by
	WHERE account = a;
$$;
-- Run a statement: 'ok', or the SQLSTATE it raised.
CREATE FUNCTION pg_temp.outcome(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE stmt;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END
$$;

--
-- binding: create
--
-- the account argument binds the session, and writes the account first
SELECT session.create('{}', account => 'regress-a') AS ka \gset
SELECT pg_temp.account_of(:'ka') AS account;
SELECT is_active, inactive_since IS NULL AS never_inactive,
	   last_activity <= (SELECT created FROM pg_temp.row_of(:'ka')) AS written_before,
	   activity_floor = last_activity AS floor_at_activity
FROM pg_temp.account_row('regress-a');
-- the data key session.account_key names the account: a string ...
SELECT session.create('{"_auth_user_id": "7"}') AS k7 \gset
SELECT pg_temp.account_of(:'k7') AS account, session.load(:'k7') AS data;
SELECT is_active FROM pg_temp.account_row('7');
-- ... or a number, taken as its text: the same account
SELECT session.create('{"_auth_user_id": 7}') AS kn \gset
SELECT pg_temp.account_of(:'kn') AS account;
SELECT session.create('{"_auth_user_id": 7.50}') AS kn2 \gset
SELECT pg_temp.account_of(:'kn2') AS account;
SELECT account FROM session.accounts WHERE account IN ('7', '7.5', '7.50') ORDER BY 1;
-- anything else names no account
SELECT pg_temp.account_of(session.create('{"_auth_user_id": ""}')) IS NULL AS empty_string,
	   pg_temp.account_of(session.create('{"_auth_user_id": null}')) IS NULL AS json_null,
	   pg_temp.account_of(session.create('{"_auth_user_id": true}')) IS NULL AS json_bool,
	   pg_temp.account_of(session.create('{"_auth_user_id": [7]}')) IS NULL AS json_array,
	   pg_temp.account_of(session.create('{"_auth_user_id": {"id": 7}}')) IS NULL AS json_object,
	   pg_temp.account_of(session.create('{"nested": {"_auth_user_id": "7"}}')) IS NULL AS nested,
	   pg_temp.account_of(session.create('{}')) IS NULL AS no_key;
-- the argument and the data name the same account
SELECT session.create('{"_auth_user_id": "regress-arg"}', account => 'regress-arg') AS kw \gset
SELECT pg_temp.account_of(:'kw') AS account;
-- invalid input: they name different ones
SELECT session.create('{"_auth_user_id": "regress-data"}', account => 'regress-arg');
\echo :SQLSTATE
SELECT count(*) AS data_account_rows FROM session.accounts WHERE account = 'regress-data';
-- must_create binds the same way
SELECT session.save('regressaccounts00000000000000001', '{"_auth_user_id": "regress-mc"}', NULL, true) AS created;
SELECT pg_temp.account_of('regressaccounts00000000000000001') AS account,
	   (SELECT is_active FROM pg_temp.account_row('regress-mc')) AS account_row;
-- another data key, and none at all
SET session.account_key = 'user';
SELECT pg_temp.account_of(session.create('{"user": "regress-u", "_auth_user_id": "regress-x"}')) AS account;
SET session.account_key = '';
SELECT pg_temp.account_of(session.create('{"_auth_user_id": "regress-off"}')) IS NULL AS not_derived,
	   pg_temp.account_of(session.create('{}', account => 'regress-off-arg')) AS by_argument;
SELECT count(*) AS derived_rows FROM session.accounts WHERE account IN ('regress-x', 'regress-off');
SET session.account_key = '_auth_user_id';
-- set() of the account key binds; set() of another field keeps the
-- account; pop() of the account key unbinds
SELECT session.create('{}') AS kf \gset
SELECT session.set(:'kf', '_auth_user_id', '"regress-set"') AS set,
	   pg_temp.account_of(:'kf') AS account;
SELECT session.set(:'kf', 'cart', '1') AS set, pg_temp.account_of(:'kf') AS account;
SELECT session.pop(:'kf', '_auth_user_id') AS popped, pg_temp.account_of(:'kf') AS account;
-- an explicit binding survives data that never named an account
SELECT session.login(:'kf', 'regress-explicit') AS kl \gset
SELECT session.save(:'kl', '{"cart": 3}') AS saved, session.set(:'kl', 'x', '1') AS set,
	   session.pop(:'kl', 'x') AS popped;
SELECT pg_temp.account_of(:'kl') AS account_kept;
-- an account id has 1 to 1024 bytes
SELECT pg_temp.account_of(session.create('{}', account => repeat('x', 1024))) = repeat('x', 1024) AS ascii_1024,
	   pg_temp.account_of(session.create('{}', account => repeat('é', 512))) = repeat('é', 512) AS bytes_1024,
	   pg_temp.account_of(session.create(jsonb_build_object('_auth_user_id', repeat('y', 1024)))) = repeat('y', 1024) AS data_1024;

-- invalid input
SELECT count(*) AS n0 FROM session.sessions \gset
SELECT count(*) AS a0 FROM session.accounts \gset
SELECT session.create('{}', account => '');
\echo :SQLSTATE
SELECT session.create('{}', account => repeat('x', 1025));
\echo :SQLSTATE
SELECT session.create('{}', account => repeat('é', 513));
\echo :SQLSTATE
SELECT session.create(jsonb_build_object('_auth_user_id', repeat('y', 1025)));
\echo :SQLSTATE
SELECT session.create(jsonb_build_object('_auth_user_id', repeat('9', 1025)::numeric));
\echo :SQLSTATE
SELECT session.save('regressaccounts00000000000000002', jsonb_build_object('_auth_user_id', repeat('y', 1025)), NULL, true);
\echo :SQLSTATE
-- none of them left a row
SELECT count(*) = :n0 AS no_new_sessions FROM session.sessions;
SELECT count(*) = :a0 AS no_new_accounts FROM session.accounts;

--
-- binding: save
--
SELECT session.create('{"cart": 1}') AS ks \gset
SELECT pg_temp.account_of(:'ks') IS NULL AS anonymous;
-- a save whose data names an account binds the session (a Django login)
SELECT session.save(:'ks', '{"cart": 1, "_auth_user_id": "regress-s1"}') AS saved;
SELECT pg_temp.account_of(:'ks') AS account,
	   (SELECT is_active FROM pg_temp.account_row('regress-s1')) AS account_row;
-- a save without the key unbinds: the data named the account and no
-- longer does (the application logged the user out through its data)
SELECT session.save(:'ks', '{"cart": 2}') AS saved;
SELECT pg_temp.account_of(:'ks') AS account;
-- a save that names another account rebinds
SELECT session.save(:'ks', '{"_auth_user_id": "regress-s2"}') AS saved;
SELECT pg_temp.account_of(:'ks') AS account,
	   (SELECT is_active FROM pg_temp.account_row('regress-s2')) AS account_row;
-- ... a number too
SELECT session.save(:'ks', '{"_auth_user_id": 8}') AS saved;
SELECT pg_temp.account_of(:'ks') AS account;
-- with the derivation off, a save neither binds nor unbinds
SET session.account_key = '';
SELECT session.save(:'ks', '{"_auth_user_id": "regress-s3"}') AS saved;
SELECT pg_temp.account_of(:'ks') AS account,
	   (SELECT count(*) FROM pg_temp.account_row('regress-s3')) AS account_rows;
SET session.account_key = '_auth_user_id';
-- a save that finds no live session binds nothing
SELECT session.save('regressaccounts00000000000000003', '{"_auth_user_id": "regress-s4"}') AS saved;
SELECT count(*) AS account_rows FROM pg_temp.account_row('regress-s4');

-- invalid input
SELECT session.save(:'ks', jsonb_build_object('_auth_user_id', repeat('z', 1025)));
\echo :SQLSTATE
SELECT pg_temp.account_of(:'ks') AS account, session.load(:'ks') AS data;

--
-- login
--
SELECT session.create('{"cart": [1, 2]}', ip => '192.0.2.1', user_agent => 'Old/1.0') AS kl \gset
SELECT id AS kl_id, created AS kl_created FROM pg_temp.row_of(:'kl') \gset
SELECT count(*) AS n1 FROM session.sessions \gset
SELECT session.login(:'kl', 'regress-login', '198.51.100.2', 'New/2.0') AS kl2 \gset
-- a new key for the same session: the old key is dead, the data kept
SELECT length(:'kl2') = 32 AS len32, :'kl2' ~ '^[a-z0-9]{32}$' AS alphabet, :'kl2' <> :'kl' AS new_key;
SELECT session.load(:'kl') IS NULL AS old_dead, count(*) AS old_rows FROM pg_temp.row_of(:'kl');
SELECT session.load(:'kl2') AS data;
SELECT id = :kl_id AS same_id, created = :'kl_created' AS same_created, account, ip, user_agent,
	   last_activity > created AS moved_activity
FROM pg_temp.row_of(:'kl2');
SELECT count(*) = :n1 AS no_new_rows FROM session.sessions;
SELECT is_active FROM pg_temp.account_row('regress-login');
-- without ip and user agent, a login keeps those the session has
SELECT session.login(:'kl2', 'regress-login') AS kl3 \gset
SELECT id = :kl_id AS same_id, account, ip, user_agent FROM pg_temp.row_of(:'kl3');
-- a login as another account rebinds the session
SELECT session.login(:'kl3', 'regress-login-2') AS kl4 \gset
SELECT id = :kl_id AS same_id, account FROM pg_temp.row_of(:'kl4');
SELECT session.load(:'kl3') IS NULL AS old_dead;
-- no live session under the key: a new session for the account
SELECT session.login(NULL, 'regress-login-n', '203.0.113.5', 'Null/1.0') AS kn1 \gset
SELECT session.login('NOT A KEY', 'regress-login-n') AS kn2 \gset
SELECT session.login('regressaccountsunknown0000000001', 'regress-login-n', NULL, 'Unknown/1.0') AS kn3 \gset
SELECT session.create('{"stale": true}', clock_timestamp() - interval '1 second') AS kexp \gset
SELECT session.login(:'kexp', 'regress-login-n') AS kn4 \gset
SELECT length(k) = 32 AS len32, r.data, r.account, r.ip, r.user_agent
FROM unnest(ARRAY[:'kn1', :'kn2', :'kn3', :'kn4']) WITH ORDINALITY AS u(k, i), pg_temp.row_of(k) AS r
ORDER BY i;
SELECT count(DISTINCT k) AS distinct_keys FROM unnest(ARRAY[:'kn1', :'kn2', :'kn3', :'kn4']) AS k;
SELECT pg_temp.live('regress-login-n') AS live;
-- the expired session stays as it was: not revived
SELECT account IS NULL AS anonymous, data FROM pg_temp.row_of(:'kexp');
SELECT count(*) AS unknown_rows FROM pg_temp.row_of('regressaccountsunknown0000000001');

-- invalid input
SELECT count(*) AS n2 FROM session.sessions \gset
SELECT session.login(:'kl4', NULL);
\echo :SQLSTATE
SELECT session.login(NULL, NULL);
\echo :SQLSTATE
SELECT session.login(:'kl4', '');
\echo :SQLSTATE
SELECT session.login(:'kl4', repeat('x', 1025));
\echo :SQLSTATE
SELECT count(*) = :n2 AS no_new_rows FROM session.sessions;
-- the session is untouched
SELECT session.load(:'kl4') AS data, pg_temp.account_of(:'kl4') AS account;

--
-- logout
--
SELECT count(*) AS n3 FROM session.sessions \gset
SELECT session.logout(:'kl4') AS logged_out;
SELECT session.logout(:'kl4') AS logged_out_again, session.load(:'kl4') IS NULL AS gone;
SELECT count(*) = :n3 - 1 AS one_row_less FROM session.sessions;
-- creates nothing, whatever the key
SELECT session.logout(NULL) AS null_key, session.logout('NOT A KEY') AS malformed,
	   session.logout('regressaccountsunknown0000000001') AS unknown;
SELECT count(*) = :n3 - 1 AS no_new_rows FROM session.sessions;
-- an expired session's row goes too, but it was not live
SELECT session.create('{}', clock_timestamp() - interval '1 second', 'regress-login') AS kle \gset
SELECT session.logout(:'kle') AS was_live;
SELECT count(*) AS rows FROM pg_temp.row_of(:'kle');
-- the account stays
SELECT is_active FROM pg_temp.account_row('regress-login-2');

--
-- account_sessions
--
-- regress-list has three live sessions, one expired; regress-other one
SELECT session.create('{}', NULL, 'regress-list', '192.0.2.10', 'A') AS l1 \gset
SELECT session.create('{}', NULL, 'regress-list', '192.0.2.11', 'B') AS l2 \gset
SELECT session.create('{}', NULL, 'regress-list', '192.0.2.12', 'C') AS l3 \gset
SELECT session.create('{}', clock_timestamp() - interval '1 second', 'regress-list', '192.0.2.13', 'D') AS l4 \gset
SELECT session.create('{}', NULL, 'regress-other', '192.0.2.20', 'E') AS o1 \gset
SELECT (SELECT id FROM pg_temp.row_of(:'l1')) AS l1_id, (SELECT id FROM pg_temp.row_of(:'l2')) AS l2_id,
	   (SELECT id FROM pg_temp.row_of(:'l3')) AS l3_id, (SELECT id FROM pg_temp.row_of(:'l4')) AS l4_id,
	   (SELECT id FROM pg_temp.row_of(:'o1')) AS o1_id \gset
-- most recently active first: C, then A, then B
UPDATE session.sessions SET last_activity = clock_timestamp() - interval '1 hour'
WHERE key_hash = sha256(convert_to(:'l2', 'UTF8'));
UPDATE session.sessions SET last_activity = clock_timestamp() - interval '1 minute'
WHERE key_hash = sha256(convert_to(:'l1', 'UTF8'));
SELECT user_agent, ip, is_current,
	   id = CASE user_agent WHEN 'A' THEN :l1_id WHEN 'B' THEN :l2_id WHEN 'C' THEN :l3_id END AS right_id,
	   created IS NOT NULL AND expire_date > clock_timestamp() AND last_activity <= clock_timestamp() AS times
FROM session.account_sessions('regress-list');
-- is_current marks the session of current_key
SELECT user_agent, is_current FROM session.account_sessions('regress-list', :'l1');
-- a key of another account's session, or no session, marks none
SELECT count(*) AS rows, count(*) FILTER (WHERE is_current) AS current
FROM session.account_sessions('regress-list', :'o1');
SELECT count(*) AS rows, count(*) FILTER (WHERE is_current) AS current
FROM session.account_sessions('regress-list', 'NOT A KEY');
SELECT count(*) AS rows, count(*) FILTER (WHERE is_current) AS current
FROM session.account_sessions('regress-list', :'l4');
-- equal activity: by id
UPDATE session.sessions SET last_activity = '2000-01-01 00:00:00+00'
WHERE key_hash IN (sha256(convert_to(:'l1', 'UTF8')), sha256(convert_to(:'l2', 'UTF8')),
				   sha256(convert_to(:'l3', 'UTF8')));
SELECT user_agent FROM session.account_sessions('regress-list');
SELECT array_agg(id ORDER BY ord) = ARRAY[:l1_id, :l2_id, :l3_id]::bigint[] AS by_id
FROM session.account_sessions('regress-list') WITH ORDINALITY AS a(id, created, last_activity,
	expire_date, ip, user_agent, is_current, ord);
-- other accounts: their own sessions, or none
SELECT user_agent, is_current FROM session.account_sessions('regress-other', :'o1');
SELECT count(*) AS rows FROM session.account_sessions('regress-nobody');
SELECT count(*) AS rows FROM session.account_sessions(NULL);
-- the query goes through sessions_account_idx: run the function's own
-- query with its parameters as a generic plan, as the SQL function does
SELECT prosrc AS account_sessions_query FROM pg_proc
WHERE oid = 'session.account_sessions(text, text)'::regprocedure \gset
PREPARE account_sessions_query(text, text) AS :account_sessions_query;
SET plan_cache_mode = force_generic_plan;
-- other tests leave any number of rows: only an index scan is acceptable
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) EXECUTE account_sessions_query('regress-list', NULL);
RESET enable_seqscan;
RESET enable_bitmapscan;
RESET plan_cache_mode;
DEALLOCATE account_sessions_query;

--
-- revoke
--
-- the right account and id: true, once
SELECT session.revoke('regress-list', :l2_id) AS revoked;
SELECT session.revoke('regress-list', :l2_id) AS revoked_again;
SELECT count(*) AS rows FROM pg_temp.row_of(:'l2');
SELECT user_agent FROM session.account_sessions('regress-list');
-- another account's session: false, and nothing is deleted
SELECT session.revoke('regress-list', :o1_id) AS revoked;
SELECT session.revoke('regress-other', :l1_id) AS revoked;
SELECT session.exists(:'o1') AS o1_live, session.exists(:'l1') AS l1_live;
-- an expired session is not live: false, and its row stays for the purge
SELECT session.revoke('regress-list', :l4_id) AS revoked;
SELECT count(*) AS rows FROM pg_temp.row_of(:'l4');
-- unknown ids and NULLs: false
SELECT session.revoke('regress-list', -1) AS unknown_id, session.revoke('regress-list', NULL) AS null_id,
	   session.revoke(NULL, :l1_id) AS null_account;
SELECT pg_temp.live('regress-list') AS live_list, pg_temp.live('regress-other') AS live_other;

--
-- logout_everywhere
--
SELECT session.create('{}', NULL, 'regress-every') AS e1 \gset
SELECT session.create('{}', NULL, 'regress-every') AS e2 \gset
SELECT session.create('{}', NULL, 'regress-every') AS e3 \gset
SELECT session.create('{}', clock_timestamp() - interval '1 second', 'regress-every') AS e4 \gset
SELECT session.create('{}', NULL, 'regress-every-not') AS f1 \gset
-- the live ones but except_key's end; the expired one goes but is not counted
SELECT session.logout_everywhere('regress-every', :'e2') AS ended;
SELECT session.exists(:'e1') AS e1, session.exists(:'e2') AS e2, session.exists(:'e3') AS e3,
	   (SELECT count(*) FROM pg_temp.row_of(:'e4')) AS e4_rows, session.exists(:'f1') AS other_account;
SELECT session.logout_everywhere('regress-every', :'e2') AS ended_again;
-- a malformed except_key, or one of another account, ends them all
SELECT session.create('{}', NULL, 'regress-every') AS e5 \gset
SELECT session.logout_everywhere('regress-every', 'NOT A KEY') AS ended;
SELECT session.create('{}', NULL, 'regress-every') AS e6 \gset
SELECT session.logout_everywhere('regress-every', :'f1') AS ended;
SELECT pg_temp.live('regress-every') AS live, session.exists(:'f1') AS other_account;
-- without except_key too
SELECT session.logout_everywhere('regress-every-not') AS ended;
SELECT pg_temp.live('regress-every-not') AS live;
-- an account with no live session, or no account at all: 0
SELECT session.logout_everywhere('regress-nobody') AS ended;
-- the accounts stay, and active
SELECT account, is_active FROM session.accounts WHERE account LIKE 'regress-every%' ORDER BY 1;

-- invalid input
SELECT session.create('{}', NULL, 'regress-every') AS e7 \gset
SELECT session.logout_everywhere(NULL);
\echo :SQLSTATE
SELECT session.logout_everywhere(NULL, :'e7');
\echo :SQLSTATE
SELECT session.exists(:'e7') AS live;

--
-- the accounts table: activity, throttled by session.touch_interval
--
SELECT session.create('{}', account => 'regress-act') AS ta \gset
SELECT pg_temp.idle_account('regress-act', '10 minutes');
SELECT last_activity AS la0, pg_temp.account_xmin('regress-act') AS x0
FROM pg_temp.account_row('regress-act') \gset
-- a load within session.touch_interval of the last activity writes no account
SET session.touch_interval = '1h';
SELECT session.load(:'ta') AS data;
SELECT last_activity = :'la0' AS same_activity, pg_temp.account_xmin('regress-act') = :'x0' AS not_written
FROM pg_temp.account_row('regress-act');
-- a save neither
SELECT session.save(:'ta', '{"v": 1}') AS saved;
SELECT last_activity = :'la0' AS same_activity, pg_temp.account_xmin('regress-act') = :'x0' AS not_written
FROM pg_temp.account_row('regress-act');
-- once it has passed, a load moves it to now
SET session.touch_interval = 0;
SELECT session.load(:'ta') AS data;
SELECT last_activity > :'la0' AS moved, last_activity > clock_timestamp() - interval '1 minute' AS recent,
	   activity_floor < last_activity AS floor_kept
FROM pg_temp.account_row('regress-act');
-- ... and so does a save
SELECT pg_temp.idle_account('regress-act', '10 minutes');
SELECT last_activity AS la1 FROM pg_temp.account_row('regress-act') \gset
SELECT session.save(:'ta', '{"v": 2}') AS saved;
SELECT last_activity > :'la1' AS moved, last_activity > clock_timestamp() - interval '1 minute' AS recent
FROM pg_temp.account_row('regress-act');
-- a session due for a touch does not write an account another session of
-- it has kept current within session.touch_interval
SELECT session.create('{}', account => 'regress-act') AS tb \gset
UPDATE session.sessions SET last_activity = clock_timestamp() - interval '2 hours'
WHERE key_hash = sha256(convert_to(:'ta', 'UTF8'));
SET session.touch_interval = '1h';
SELECT last_activity AS la2, pg_temp.account_xmin('regress-act') AS x2
FROM pg_temp.account_row('regress-act') \gset
SELECT session.load(:'ta') AS data;
SELECT last_activity = :'la2' AS same_activity, pg_temp.account_xmin('regress-act') = :'x2' AS not_written
FROM pg_temp.account_row('regress-act');
SELECT last_activity > clock_timestamp() - interval '1 minute' AS session_touched FROM pg_temp.row_of(:'ta');
-- a read-only transaction writes no account
SET session.touch_interval = 0;
SELECT pg_temp.account_xmin('regress-act') AS x3 \gset
BEGIN READ ONLY;
SELECT session.load(:'ta') AS data;
COMMIT;
SELECT pg_temp.account_xmin('regress-act') = :'x3' AS not_written;
-- activity makes a flagged account active again, once it is recorded: a
-- load within session.touch_interval records nothing
UPDATE session.accounts SET is_active = false, inactive_since = clock_timestamp()
WHERE account = 'regress-act';
SET session.touch_interval = '1h';
SELECT session.load(:'tb') AS data;
SELECT is_active, inactive_since IS NULL AS not_inactive FROM pg_temp.account_row('regress-act');
SET session.touch_interval = 0;
SELECT session.load(:'tb') AS data;
SELECT is_active, inactive_since IS NULL AS not_inactive FROM pg_temp.account_row('regress-act');
-- ... however recent its recorded activity is
UPDATE session.accounts SET is_active = false, inactive_since = clock_timestamp()
WHERE account = 'regress-act';
SET session.touch_interval = 60;
UPDATE session.sessions SET last_activity = clock_timestamp() - interval '2 minutes'
WHERE key_hash = sha256(convert_to(:'tb', 'UTF8'));
SELECT session.save(:'tb', '{"back": true}') AS saved;
SELECT is_active, inactive_since IS NULL AS not_inactive FROM pg_temp.account_row('regress-act');
-- ... and so do binding a session and a login
UPDATE session.accounts SET is_active = false, inactive_since = clock_timestamp()
WHERE account = 'regress-act';
SELECT session.create('{}', account => 'regress-act') IS NOT NULL AS created;
SELECT is_active, inactive_since IS NULL AS not_inactive FROM pg_temp.account_row('regress-act');
UPDATE session.accounts SET is_active = false, inactive_since = clock_timestamp()
WHERE account = 'regress-act';
SELECT session.login(NULL, 'regress-act') IS NOT NULL AS logged_in;
SELECT is_active, inactive_since IS NULL AS not_inactive FROM pg_temp.account_row('regress-act');
-- binding never moves the recorded activity back
UPDATE session.accounts SET last_activity = clock_timestamp() + interval '1 hour' WHERE account = 'regress-act';
SELECT session.create('{}', account => 'regress-act') IS NOT NULL AS created;
SELECT last_activity > clock_timestamp() + interval '59 minutes' AS kept FROM pg_temp.account_row('regress-act');
SET session.touch_interval = 60;

--
-- flag_inactive
--
-- idle for 10 days: regress-idle-1 (two sessions) and regress-idle-2;
-- regress-floor has an old floor but recent activity; regress-busy is busy;
-- regress-idle-5 has been idle for 5 days
SELECT session.create('{}', account => 'regress-idle-1') AS i1a \gset
SELECT session.create('{}', account => 'regress-idle-1') AS i1b \gset
SELECT session.create('{}', account => 'regress-idle-2') AS i2 \gset
SELECT session.create('{}', account => 'regress-floor') AS fl \gset
SELECT session.create('{}', account => 'regress-busy') AS bu \gset
SELECT session.create('{}', account => 'regress-idle-5') AS i5 \gset
SELECT pg_temp.idle_account('regress-idle-1', '10 days'), pg_temp.idle_account('regress-idle-2', '10 days'),
	   pg_temp.idle_account('regress-idle-5', '5 days');
UPDATE session.accounts SET activity_floor = clock_timestamp() - interval '10 days'
WHERE account = 'regress-floor';
CREATE TEMP VIEW mine AS
SELECT account, is_active, inactive_since IS NOT NULL AS has_inactive_since,
	   inactive_since > clock_timestamp() - interval '1 minute' AS flagged_now,
	   activity_floor = last_activity AS floor_at_activity,
	   pg_temp.live(account) AS live
FROM session.accounts
WHERE account IN ('regress-idle-1', 'regress-idle-2', 'regress-floor', 'regress-busy', 'regress-idle-5')
ORDER BY account;
SELECT * FROM mine;
-- idle for more than 9 days: flagged, with the time; their sessions stay
SELECT session.flag_inactive('9 days') AS flagged;
SELECT * FROM mine;
-- flagged once: a second run flags nothing and keeps inactive_since
SELECT inactive_since AS since1 FROM pg_temp.account_row('regress-idle-1') \gset
SELECT session.flag_inactive('9 days') AS flagged;
SELECT inactive_since = :'since1' AS same_since FROM pg_temp.account_row('regress-idle-1');
-- NULL takes session.inactive_after
SET session.inactive_after = '4d';
SELECT session.flag_inactive(NULL) AS flagged;
SELECT account, is_active FROM mine;
-- activity makes an account active again; with session.logout_inactive
-- flagging it again ends its sessions, and only its sessions
SET session.touch_interval = 0;
SELECT session.load(:'i2') AS data;
SELECT is_active, inactive_since IS NULL AS not_inactive FROM pg_temp.account_row('regress-idle-2');
SELECT pg_temp.idle_account('regress-idle-2', '10 days');
SET session.touch_interval = 60;
SET session.logout_inactive = on;
SELECT session.flag_inactive('9 days') AS flagged;
SELECT * FROM mine;
SELECT session.exists(:'i2') AS i2, session.exists(:'i1a') AS i1a, session.exists(:'fl') AS fl,
	   session.exists(:'bu') AS bu;
RESET session.logout_inactive;
-- an account idle for 10 minutes, the default idle time being 30 minutes
SET session.inactive_after = '30min';
SELECT session.create('{}', account => 'regress-idle-10m') AS i10 \gset
SELECT pg_temp.idle_account('regress-idle-10m', '10 minutes');
SELECT session.flag_inactive() AS flagged_by_default;
SELECT is_active FROM pg_temp.account_row('regress-idle-10m');
-- 5 minutes (other tests' accounts may be idle that long too)
SET session.inactive_after = 300;
SHOW session.inactive_after;
SELECT session.flag_inactive() >= 1 AS flagged;
SELECT is_active FROM pg_temp.account_row('regress-idle-10m');
SET session.inactive_after = '30min';

-- invalid input
SELECT session.flag_inactive('0');
\echo :SQLSTATE
SELECT session.flag_inactive('-1 hour');
\echo :SQLSTATE
SELECT session.flag_inactive('1 day -25 hours');
\echo :SQLSTATE
-- session.inactive_after is at least a second (only the SQLSTATE is shown:
-- how the message prints the range differs between PostgreSQL releases)
\set VERBOSITY sqlstate
SET session.inactive_after = 0;
\set VERBOSITY terse
SELECT min_val, max_val, unit FROM pg_settings WHERE name = 'session.inactive_after';

--
-- maintain
--
SELECT session.create('{}', clock_timestamp() - interval '1 second') IS NOT NULL AS expired_one;
SELECT session.maintain() AS m \gset
SELECT ARRAY(SELECT jsonb_object_keys(:'m'::jsonb) ORDER BY 1) AS keys,
	   jsonb_typeof(:'m'::jsonb -> 'purged') AS purged, jsonb_typeof(:'m'::jsonb -> 'flagged_inactive') AS flagged,
	   jsonb_typeof(:'m'::jsonb -> 'seconds') AS seconds,
	   (:'m'::jsonb ->> 'purged')::bigint >= 1 AS purged_one,
	   (:'m'::jsonb ->> 'seconds')::numeric >= 0 AS seconds_ok;

--
-- schedule_maintenance and unschedule_maintenance without pg_cron in this
-- database: an error whose hint says what to do.  The hint depends on
-- whether the server preloads pg_cron and for which database, and names
-- this database: print whether it fits, not the hint itself.
--
CREATE FUNCTION pg_temp.cron_error(stmt text, schedule text) RETURNS TABLE (sqlstate text, message_ok boolean, hint_ok boolean)
LANGUAGE plpgsql AS $$
DECLARE
	msg text;
	hnt text;
	cron_db text := current_setting('cron.database_name', true);
BEGIN
	EXECUTE stmt;
	RETURN QUERY SELECT 'ok'::text, NULL::boolean, NULL::boolean;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, hnt = PG_EXCEPTION_HINT;
	RETURN QUERY SELECT SQLSTATE::text,
		msg = format('pg_cron is not installed in database "%s"', current_database()),
		CASE
			WHEN cron_db IS NULL THEN
				strpos(hnt, 'shared_preload_libraries') > 0
				AND strpos(hnt, format('cron.database_name = %L', current_database())) > 0
				AND strpos(hnt, format('CREATE EXTENSION pg_cron in database %I', current_database())) > 0
			WHEN cron_db <> current_database() THEN
				strpos(hnt, format('pg_cron runs in database %I.', cron_db)) > 0
				AND strpos(hnt, format('SELECT cron.schedule_in_database(%L, %L, %L, %L);',
									   'session-maintenance', schedule, session._maintenance_command(),
									   current_database())) > 0
			ELSE strpos(hnt, 'CREATE EXTENSION pg_cron here') > 0
		END;
END
$$;
SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_cron') AS pg_cron_here;
SELECT * FROM pg_temp.cron_error('SELECT session.schedule_maintenance()', '* * * * *');
SELECT * FROM pg_temp.cron_error($$SELECT session.schedule_maintenance('*/5 * * * *', '2 days')$$, '*/5 * * * *');
SELECT * FROM pg_temp.cron_error($$SELECT session.schedule_maintenance('*/5 * * * *', NULL)$$, '*/5 * * * *');
SELECT * FROM pg_temp.cron_error('SELECT session.unschedule_maintenance()', '* * * * *');

-- invalid input
SELECT session.schedule_maintenance(NULL);
\echo :SQLSTATE
SELECT session.schedule_maintenance('* * * * *', '-1 day');
\echo :SQLSTATE

--
-- privileges: a role given the API may log in and out, nothing else here
--
CREATE ROLE regress_session_accounts;
SELECT session.grant_access('regress_session_accounts');
SET ROLE regress_session_accounts;
SELECT session.login(NULL, 'regress-role', '192.0.2.99', 'Role/1.0') AS kr \gset
SELECT length(:'kr') = 32 AS len32, session.load(:'kr') AS data;
SELECT session.login(:'kr', 'regress-role') AS kr2 \gset
SELECT session.load(:'kr') IS NULL AS old_dead, session.load(:'kr2') AS data;
SELECT session.save(:'kr2', '{"_auth_user_id": "regress-role-2"}') AS saved;
SELECT session.logout(:'kr2') AS logged_out, session.logout(:'kr2') AS logged_out_again;

-- invalid input
SELECT pg_temp.outcome($$SELECT * FROM session.account_sessions('regress-list')$$) AS account_sessions,
	   pg_temp.outcome($$SELECT session.revoke('regress-list', 1)$$) AS revoke,
	   pg_temp.outcome($$SELECT session.logout_everywhere('regress-list')$$) AS logout_everywhere,
	   pg_temp.outcome($$SELECT session.flag_inactive('1 hour')$$) AS flag_inactive,
	   pg_temp.outcome($$SELECT session.maintain()$$) AS maintain;
SELECT pg_temp.outcome($$SELECT session.schedule_maintenance()$$) AS schedule_maintenance,
	   pg_temp.outcome($$SELECT session.unschedule_maintenance()$$) AS unschedule_maintenance,
	   pg_temp.outcome($$SELECT session._live_at(now(), now())$$) AS _live_at,
	   pg_temp.outcome($$SELECT session._cron_hint('* * * * *')$$) AS _cron_hint,
	   pg_temp.outcome($$SELECT session._notify('logout', 'regress-list', 1, NULL)$$) AS _notify;
SELECT pg_temp.outcome($$SELECT count(*) FROM session.accounts$$) AS select_accounts,
	   pg_temp.outcome($$UPDATE session.accounts SET is_active = true$$) AS update_accounts,
	   pg_temp.outcome($$DELETE FROM session.accounts$$) AS delete_accounts,
	   pg_temp.outcome($$INSERT INTO session.accounts VALUES ('x', now(), true, NULL, now())$$) AS insert_accounts;
SET session.logout_inactive = on;
\echo :SQLSTATE
RESET ROLE;
SELECT pg_temp.live('regress-list') AS live_list;
SELECT account, is_active FROM session.accounts WHERE account LIKE 'regress-role%' ORDER BY 1;

-- the catalog: who may run what
SELECT f, has_function_privilege('public', f, 'EXECUTE') AS public, p.prosecdef AS security_definer
FROM unnest(ARRAY['session.login(text, text, inet, text)',
				  'session.logout(text)',
				  'session.account_sessions(text, text)',
				  'session.revoke(text, bigint)',
				  'session.logout_everywhere(text, text)',
				  'session.flag_inactive(interval)',
				  'session.maintain()',
				  'session.schedule_maintenance(text, interval)',
				  'session.unschedule_maintenance()',
				  'session._live_at(timestamptz, timestamptz)',
				  'session._cron_hint(text)']::regprocedure[]) AS f
JOIN pg_proc AS p ON p.oid = f;
SELECT privilege, has_table_privilege('public', 'session.accounts', privilege) AS granted
FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS privilege;
-- a grant is what lets the application list and end an account's sessions
GRANT EXECUTE ON FUNCTION session.account_sessions(text, text), session.revoke(text, bigint),
	session.logout_everywhere(text, text) TO regress_session_accounts;
SET ROLE regress_session_accounts;
SELECT user_agent, is_current FROM session.account_sessions('regress-list', :'l1');
SELECT session.revoke('regress-list', :l3_id) AS revoked;
SELECT session.logout_everywhere('regress-list') AS ended;
RESET ROLE;
SELECT pg_temp.live('regress-list') AS live_list;

-- clean up: no account or session of this test stays behind
DELETE FROM session.sessions WHERE id > :id0;
DELETE FROM session.accounts WHERE account NOT IN (SELECT account FROM accounts_before);
REVOKE EXECUTE ON FUNCTION session.account_sessions(text, text), session.revoke(text, bigint),
	session.logout_everywhere(text, text) FROM regress_session_accounts;
SELECT session.revoke_access('regress_session_accounts');
DROP ROLE regress_session_accounts;

-- flag_inactive and maintain in a backend that has not loaded the module,
-- as a pg_cron job's is
\c -
SELECT session.flag_inactive('1000 days') AS flagged;
\c -
SELECT ARRAY(SELECT jsonb_object_keys(session.maintain()) ORDER BY 1) AS maintain_keys;
-- ... where session.logout_inactive, set before the module loaded by a role
-- that may not set it, must not end sessions
SELECT session.create('{}', account => 'regress-fresh') IS NOT NULL AS created;
UPDATE session.accounts SET last_activity = '2000-01-01', activity_floor = '2000-01-01'
WHERE account = 'regress-fresh';
CREATE ROLE regress_session_accounts;
GRANT USAGE ON SCHEMA session TO regress_session_accounts;
GRANT EXECUTE ON FUNCTION session.flag_inactive(interval) TO regress_session_accounts;
\c -
SET ROLE regress_session_accounts;
SET session.logout_inactive = on;
SELECT session.flag_inactive('1000 days') AS flagged;
RESET ROLE;
SELECT is_active, (SELECT count(*) FROM session.sessions AS s WHERE s.account = a.account) AS sessions
FROM session.accounts AS a WHERE account = 'regress-fresh';
DELETE FROM session.sessions WHERE account = 'regress-fresh';
DELETE FROM session.accounts WHERE account = 'regress-fresh';
REVOKE EXECUTE ON FUNCTION session.flag_inactive(interval) FROM regress_session_accounts;
REVOKE USAGE ON SCHEMA session FROM regress_session_accounts;
DROP ROLE regress_session_accounts;

--
-- saves record the account's activity, once per session.touch_interval,
-- even when every request saves (no load ever finds a touch due)
--
SET session.touch_interval = '2s';
SELECT session.create('{"_auth_user_id": "regress-saver"}') AS ksv \gset
UPDATE session.sessions SET last_activity = clock_timestamp() - interval '1 second'
WHERE key_hash = sha256(convert_to(:'ksv', 'UTF8'));
UPDATE session.accounts SET last_activity = now() - interval '2 hours',
	activity_floor = now() - interval '2 hours', is_active = false, inactive_since = now()
WHERE account = 'regress-saver';
-- a save within the interval of the last recorded activity records nothing
SELECT session.save(:'ksv', '{"_auth_user_id": "regress-saver", "n": 1}') AS saved;
SELECT is_active AS active_yet FROM session.accounts WHERE account = 'regress-saver';
SELECT pg_sleep(1.2);
-- the next one, past the interval, does
SELECT session.save(:'ksv', '{"_auth_user_id": "regress-saver", "n": 2}') AS saved;
RESET session.touch_interval;
SELECT is_active, last_activity > clock_timestamp() - interval '1 minute' AS recorded
FROM session.accounts WHERE account = 'regress-saver';
SELECT last_activity > clock_timestamp() - interval '1 minute' AS session_recorded
FROM session.sessions WHERE key_hash = sha256(convert_to(:'ksv', 'UTF8'));
SELECT session.delete(:'ksv') AS cleaned;
DELETE FROM session.accounts WHERE account = 'regress-saver';
