-- test/integration/router_api.sql: every per-session call, run by
-- router.sh once on a single store and once through the router; the two
-- outputs must be the same.  Prints no key, id, date or random value.
\set VERBOSITY sqlstate
SET client_min_messages = warning;

-- create, load, exists
SELECT session.create('{"a": 1, "n": [1, 2]}', ip => '192.0.2.1', user_agent => 'UA/1') AS k \gset
SELECT length(:'k') = 32 AND :'k' ~ '^[a-z0-9]+$' AS key_format;
SELECT session.load(:'k') AS loaded;
SELECT session.exists(:'k') AS live, session.exists('unknownkey12345678') AS unknown;

-- get, set, pop
SELECT session.get(:'k', 'a') AS get_a, session.get(:'k', 'zz') AS get_missing;
SELECT session.set(:'k', 'b', '"x"') AS set_b;
SELECT session.set(:'k', 'c', NULL) AS set_null;
SELECT session.pop(:'k', 'a') AS pop_a, session.pop(:'k', 'a') AS pop_again;
SELECT session.load(:'k') AS after_fields;

-- save
SELECT session.save(:'k', '{"c": 3}') AS saved, session.load(:'k') AS after_save;
SELECT session.save('unknownkey12345678', '{}') AS save_unknown;
SELECT session.save('abcdefgh12345678ijklmnop87654321', '{"m": 1}', must_create => true) AS must_create_1,
	   session.save('abcdefgh12345678ijklmnop87654321', '{"m": 2}', must_create => true) AS must_create_2;
SELECT session.load('abcdefgh12345678ijklmnop87654321') AS must_created;

-- expiry
SELECT session.set_expiry(:'k', 0) AS browser, session.expires_at_browser_close(:'k') AS at_close;
SELECT session.set_expiry(:'k', 600) AS idle_600, session.expiry_age(:'k') BETWEEN 595 AND 600 AS age_600,
	   session.expires_at_browser_close(:'k') AS at_close;
SELECT session.set_expiry(:'k', now() + interval '1 hour') AS fixed,
	   abs(extract(epoch FROM session.expiry_date(:'k') - (now() + interval '1 hour'))) < 5 AS date_1h;
SELECT session.set_expiry(:'k', NULL::integer) AS back_to_default;
SELECT session.set_expiry('unknownkey12345678', 60) AS expiry_unknown,
	   session.expiry_age('unknownkey12345678') AS age_unknown,
	   session.expiry_date('unknownkey12345678') AS date_unknown,
	   session.expires_at_browser_close('unknownkey12345678') AS close_unknown;

-- a session created with a fixed date that has passed is not live
SELECT session.create('{}', expire_date => now() - interval '1 second') AS gone \gset
SELECT session.exists(:'gone') AS expired_live, session.load(:'gone') AS expired_data;

-- cycle_key
SELECT session.cycle_key(:'k') AS k2 \gset
SELECT :'k2' <> :'k' AS new_key, session.load(:'k') IS NULL AS old_dead, session.load(:'k2') AS cycled_data;
SELECT session.cycle_key('unknownkey12345678') IS NULL AS cycle_unknown;

-- login: binds the account, cycles the key, keeps anonymous data
SELECT session.login(:'k2', 'acct-a', '198.51.100.7', 'UA/2') AS k3 \gset
SELECT :'k3' <> :'k2' AS login_new_key, session.exists(:'k2') AS login_old_live, session.load(:'k3') AS login_data;
SELECT count(*) AS sessions_a, bool_and(is_current) AS current, min(host(ip)) AS ip, min(user_agent) AS ua
FROM session.account_sessions('acct-a', :'k3');
-- login without a session starts one for the account
SELECT session.login(NULL, 'acct-a') AS k4 \gset
SELECT session.load(:'k4') AS fresh_login_data;
SELECT count(*) AS sessions_a, count(*) FILTER (WHERE is_current) AS current
FROM session.account_sessions('acct-a', :'k4');
-- login to another account starts empty
SELECT session.login(:'k4', 'acct-b') AS k5 \gset
SELECT session.load(:'k5') AS other_account_data,
	   (SELECT count(*) FROM session.account_sessions('acct-b')) AS sessions_b;

-- data that names an account binds the session
SELECT session.create('{"_auth_user_id": "acct-c"}') AS k6 \gset
SELECT count(*) AS sessions_c FROM session.account_sessions('acct-c');
SELECT session.pop(:'k6', '_auth_user_id') AS popped_account;
SELECT count(*) AS sessions_c_after_pop FROM session.account_sessions('acct-c');

-- revoke by public id
SELECT id AS rid FROM session.account_sessions('acct-b') \gset
SELECT session.revoke('acct-b', :rid) AS revoked, session.revoke('acct-b', :rid) AS revoked_again,
	   session.exists(:'k5') AS revoked_live;

-- logout_everywhere keeps the current session
SELECT session.login(NULL, 'acct-a') IS NOT NULL AS third_login;
SELECT session.logout_everywhere('acct-a', :'k3') AS ended, session.exists(:'k3') AS kept;
SELECT session.logout_everywhere('acct-a') AS ended_all, session.exists(:'k3') AS kept_after_all;

-- flag_inactive: nobody idle for an hour
SELECT session.flag_inactive('1 hour') AS flagged;

-- delete, flush, logout
SELECT session.create('{}') AS d1 \gset
SELECT session.delete(:'d1') AS deleted, session.delete(:'d1') AS deleted_again;
SELECT session.create('{}') AS d2 \gset
SELECT session.flush(:'d2') AS flushed, session.logout(:'d2') AS logged_out_again;
SELECT session.create('{}') AS d3 \gset
SELECT session.logout(:'d3') AS logged_out, session.exists(:'d3') AS d3_live;

-- the Django codec
SELECT session.decode(session.encode('{"x": [1, "y"]}', 'secret-1'), 'secret-1') AS codec_round_trip;

-- clear_expired removes the expired one
SELECT session.clear_expired() >= 1 AS cleared;

-- invalid input
SELECT session.load('bad key!') AS load_malformed, session.exists(NULL) AS exists_null,
	   session.get('bad key!', 'a') AS get_malformed;
SELECT session.delete('bad key!') AS delete_malformed;
SELECT session.save('bad key!', '{}');
SELECT session.save(NULL, '{}');
SELECT session.set('bad key!', 'a', '1');
SELECT session.save(:'k3', '[1, 2]');
SELECT session.create('"not an object"');
SELECT session.create('{}', account => '');
SELECT session.set_expiry(:'k3', -1);
SELECT session.set_expiry(:'k3', NULL);
SELECT session.cycle_key('bad key!');
SELECT session.cycle_key(NULL);
SELECT session.login(:'k3', NULL);
SELECT session.logout_everywhere(NULL);
SELECT session.flag_inactive('-1 second');
SELECT session.decode('garbage', 'secret-1');
