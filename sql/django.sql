--
-- Django's signed session format, and the import of a django_session table.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS session;
RESET client_min_messages;

-- What Django 3.2's signing.dumps writes for the same data, key, salt and time.
SELECT session.encode('{"a": 1}', 'secret', signed_at => to_timestamp(1700000000))
	= 'eyJhIjoxfQ:1r31eq:LCqGWTQrIoydnMbNSWtFF-F-L8oddWBGrXkjMkkC0SI' AS same_as_django;
-- (jsonb orders keys by length, then bytes: Django signed this dict in that order)
SELECT session.encode('{"cart": ["é", 2], "_auth_user_id": "7"}', 'secret',
					  signed_at => to_timestamp(1700000000))
	= 'eyJjYXJ0IjpbIlx1MDBlOSIsMl0sIl9hdXRoX3VzZXJfaWQiOiI3In0:1r31eq:Egn9PRAl9HUIccruoDvB4vcyeRmDgoQYcndZb218EXc'
	AS same_as_django;
SELECT session.encode(jsonb_build_object('big', repeat('abc', 50)), 'secret',
					  signed_at => to_timestamp(1700000000))
	= '.eJyrVkrKTFeyUkpMSh6ESKkWAM2sPFk:1r31eq:M5lj_eVl1vJtbaYi0IMFZQa4EXr0QzQO0buZpBZkpbk'
	AS compressed_same_as_django;

-- Decoding Django's tokens, the pre-3.1 format and fallback secrets.
SELECT session.decode('eyJfYXV0aF91c2VyX2lkIjoiNyIsImNhcnQiOlsiXHUwMGU5IiwyXX0:1r31eq:jVvfd_n44wGdr1zxvf3MCJWHlZWiI-_-g5XBW2VMojM',
					  'secret');
SELECT session.decode('OWUzNTNmNWQxNTBjOWExZmM4MmQ3NzNhMDRmMjU4NmYwNDUyNGI2NDp7ImEgdGVzdCBrZXkiOiJhIHRlc3QgdmFsdWUifQ==',
					  'django_tests_secret_key') AS legacy;
SELECT session.decode(session.encode('{"a": [1, 2.50, null, true]}', 'old'), 'new',
					  fallback_secrets => '{other,old}') AS rotated;
SELECT session.decode(session.encode('{"a": 1}', 'old'), 'new',
					  fallback_secrets => array_fill('other'::text, ARRAY[99]) || '{old}')
	AS hundredth_fallback;
SELECT session.decode(session.encode('{"a": 1}', 'secret', 'my.salt'), 'secret', 'my.salt') AS own_salt;
SELECT session.decode(session.encode('{"a": 1}', 'secret', compress => false), 'secret') AS uncompressed;
SELECT session.decode(session.encode('{"a": 1}', 'secret'), 'secret', max_age => 60) AS fresh;
SELECT session.encode(NULL, 'secret') IS NULL AS null_data, session.decode(NULL, 'secret') IS NULL AS null_token;

-- invalid input: messages name neither the token nor the secret nor the data
SELECT session.decode(session.encode('{"a": "data"}', 'secret'), 'wrong');
SELECT session.decode('not a token', 'secret');
SELECT session.decode(session.encode('{"a": 1}', 'secret', signed_at => now() - interval '1 hour'),
					  'secret', max_age => 60);
SELECT session.decode('WzEsMl0:1r31eq:apxZf8WRk3OgDTe0AJZKBa7icLwF4X54GGIzaaZnn3c', 'secret');
SELECT session.decode(session.encode('{"a": 1}', 'secret'), '');
SELECT session.decode(session.encode('{"a": 1}', 'secret'), NULL);
SELECT session.decode(session.encode('{"a": 1}', 'secret'), 'secret', fallback_secrets => '{NULL}');
SELECT session.decode(session.encode('{"a": 1}', 'secret'), 'secret', max_age => -1);
SELECT session.decode(session.encode('{"a": 1}', 'secret'), 'secret',
					  fallback_secrets => array_fill('other'::text, ARRAY[101]));
SELECT session.decode(session.encode('{"a": 1}', 'secret'), 'secret',
					  fallback_secrets => array_fill('other'::text, ARRAY[10, 11]));
-- signed by Django, holding numbers jsonb cannot: 16384 digits after the
-- point ({"a": 1.111...}), 131073 before it ({"n": 1000...0.5})
SELECT session.decode('.eJztwUENADAIBDAvJ2AJX9ygY5l3ZOzT9mbSdQoAAAAAAAAAAAAAAAAAAAD47i3q60Lr:1xWYTa:KifpSlna5coAEVBiB_81qGvtXbJJ8oPmhhz3kxGq8jI',
					  'secret');
SELECT session.decode('.eJztwTENACAMADAvE7DAsQdRGFjmnQcZbTtunL0AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAvqx5pI8IGQ:1xWYTa:ADMP4D0CHnnW5JZb_NjLGUPsldWw1VirwYO9n8bmGAo',
					  'secret');
SELECT session.encode('[1]', 'secret');
SELECT session.encode('{}', 'secret', compress => NULL);
SELECT session.encode('{}', 'secret', signed_at => 'infinity');
SELECT session.encode(('{"a": ' || repeat('[', 600) || repeat(']', 600) || '}')::jsonb, 'secret');
SELECT session.encode(('{"a": ' || repeat('9', 5000) || '}')::jsonb, 'secret');
SET session.max_data_size = '1kB';
SELECT session.encode(jsonb_build_object('a', repeat('x', 2000)), 'secret');
RESET session.max_data_size;
SELECT session.encode(jsonb_build_object('a', repeat('x', 2000)), 'secret') AS t \gset
SET session.max_data_size = '1kB';
SELECT session.decode(:'t', 'secret');
RESET session.max_data_size;
\set VERBOSITY sqlstate
SELECT session.decode(session.encode('{"a": 1}', 'secret'), 'wrong');
SELECT session.decode(session.encode('{"a": 1}', 'secret', signed_at => now() - interval '1 hour'),
					  'secret', max_age => 60);
SELECT session.decode('WzEsMl0:1r31eq:apxZf8WRk3OgDTe0AJZKBa7icLwF4X54GGIzaaZnn3c', 'secret');
SELECT session.decode('.eJztwUENADAIBDAvJ2AJX9ygY5l3ZOzT9mbSdQoAAAAAAAAAAAAAAAAAAAD47i3q60Lr:1xWYTa:KifpSlna5coAEVBiB_81qGvtXbJJ8oPmhhz3kxGq8jI',
					  'secret');
SELECT session.decode(session.encode('{"a": 1}', 'secret'), 'secret',
					  fallback_secrets => array_fill('other'::text, ARRAY[101]));
\set VERBOSITY default

-- A cancel is served between secrets: 101 HMACs of a 16 MB token take
-- seconds, the timeout half a second.
CREATE TEMP TABLE slow_token AS
SELECT repeat('a', 16000000) || ':' || repeat('A', 43) AS token;
SET session.max_data_size = '64MB';
SET statement_timeout = '500ms';
SELECT session.decode(token, 'secret', fallback_secrets => array_fill('other'::text, ARRAY[100]))
FROM slow_token;
RESET statement_timeout;
RESET session.max_data_size;
DROP TABLE slow_token;

-- Every single-byte change of a token is a bad signature.
CREATE FUNCTION pg_temp.tampered(token text) RETURNS TABLE (state text, n bigint)
LANGUAGE plpgsql AS $$
DECLARE
	states text[] := '{}';
	s text;
BEGIN
	FOR pos IN 1 .. length(token) LOOP
		FOREACH s IN ARRAY ARRAY['a', 'Z', '0', ':', '.', '_', '-', '=', ' '] LOOP
			CONTINUE WHEN substr(token, pos, 1) = s;
			BEGIN
				PERFORM session.decode(overlay(token PLACING s FROM pos FOR 1), 'secret');
				states := states || 'accepted'::text;
			EXCEPTION WHEN OTHERS THEN
				states := states || SQLSTATE::text;
			END;
		END LOOP;
	END LOOP;
	RETURN QUERY SELECT u, count(*) FROM unnest(states) AS u GROUP BY u;
END
$$;
SELECT state, n > 100 AS many FROM pg_temp.tampered(session.encode('{"a": 1}', 'secret'));
SELECT state, n > 100 AS many FROM pg_temp.tampered(session.encode(jsonb_build_object('big', repeat('abc', 50)), 'secret'));

--
-- import_django
--
CREATE TABLE public.django_session (
	session_key varchar(40) PRIMARY KEY,
	session_data text NOT NULL,
	expire_date timestamptz NOT NULL
);
INSERT INTO public.django_session VALUES
	('alice000000000000000000000000001', session.encode('{"_auth_user_id": "django-1", "x": "é"}', 'secret'), now() + interval '1 day'),
	('bob00000000000000000000000000002', session.encode('{"_auth_user_id": 4242}', 'secret'), now() + interval '2 days'),
	('anon0000000000000000000000000003', session.encode('{"cart": [1, 2]}', 'old'), now() + interval '1 hour'),
	('legacy00000000000000000000000004',
	 'OWUzNTNmNWQxNTBjOWExZmM4MmQ3NzNhMDRmMjU4NmYwNDUyNGI2NDp7ImEgdGVzdCBrZXkiOiJhIHRlc3QgdmFsdWUifQ==',
	 now() + interval '1 day'),
	('expired0000000000000000000000005', session.encode('{"a": 1}', 'secret'), now() - interval '1 second'),
	('forged00000000000000000000000006', session.encode('{"_auth_user_id": "django-1"}', 'attacker'), now() + interval '1 day'),
	('bad.key0000000000000000000000007', session.encode('{"a": 1}', 'secret'), now() + interval '1 day'),
	('corrupt0000000000000000000000008', 'WzEsMl0:1r31eq:apxZf8WRk3OgDTe0AJZKBa7icLwF4X54GGIzaaZnn3c', now() + interval '1 day');
SELECT session.create('{"already": "here"}') AS present_key \gset
INSERT INTO public.django_session VALUES
	(:'present_key', session.encode('{"from": "django"}', 'secret'), now() + interval '1 day');

SELECT session.import_django(secret => 'secret', fallback_secrets => '{old,django_tests_secret_key}') AS imported;
SELECT session.load('alice000000000000000000000000001') AS alice,
	   session.load('bob00000000000000000000000000002') AS bob,
	   session.load('anon0000000000000000000000000003') AS anon;
SELECT session.load('legacy00000000000000000000000004') AS legacy;
SELECT session.exists('expired0000000000000000000000005') AS expired,
	   session.exists('forged00000000000000000000000006') AS forged,
	   session.exists('corrupt0000000000000000000000008') AS corrupt;
SELECT session.load(:'present_key') AS kept;
SELECT session.expiry_date('bob00000000000000000000000000002') = d.expire_date AS expiry_kept
FROM public.django_session AS d WHERE d.session_key = 'bob00000000000000000000000000002';
SELECT s.account, s.fixed_expiry
FROM session.sessions AS s
WHERE s.key_hash IN (session._key_digest('alice000000000000000000000000001', false),
					 session._key_digest('bob00000000000000000000000000002', false),
					 session._key_digest('anon0000000000000000000000000003', false))
ORDER BY s.account NULLS LAST;
SELECT a.account, a.is_active FROM session.accounts AS a WHERE a.account IN ('django-1', '4242') ORDER BY 1;
SELECT count(*) AS digests_only FROM session.sessions
WHERE position(convert_to('alice', 'UTF8') IN key_hash) > 0;

-- Safe to run again.
SELECT count(*) AS before FROM session.sessions \gset
SELECT session.import_django('public.django_session', 'secret', '{old,django_tests_secret_key}') AS imported_again;
SELECT count(*) = :before AS nothing_duplicated FROM session.sessions;

-- A project whose session store class has another name signs with another salt.
INSERT INTO public.django_session VALUES
	('custom0000000000000000000000009',
	 session.encode('{"custom": true}', 'secret', 'django.contrib.sessions.MySessionStore'),
	 now() + interval '1 day');
SELECT session.import_django(secret => 'secret', salt => 'django.contrib.sessions.MySessionStore') AS custom_salt;
SELECT session.load('custom0000000000000000000000009') AS custom;

-- A row that expires at infinity, or whose data holds a number jsonb
-- cannot, is skipped with the others that cannot be imported.
CREATE TABLE public.django_session_edge (LIKE public.django_session);
INSERT INTO public.django_session_edge VALUES
	('forever0000000000000000000000010', session.encode('{"a": 1}', 'secret'), 'infinity'),
	('never000000000000000000000000011', session.encode('{"a": 1}', 'secret'), '-infinity'),
	('bignumber00000000000000000000012',
	 '.eJztwUENADAIBDAvJ2AJX9ygY5l3ZOzT9mbSdQoAAAAAAAAAAAAAAAAAAAD47i3q60Lr:1xWYTa:KifpSlna5coAEVBiB_81qGvtXbJJ8oPmhhz3kxGq8jI',
	 now() + interval '1 day'),
	('fine0000000000000000000000000013', session.encode('{"a": 1}', 'secret'), now() + interval '1 day');
SELECT session.import_django('public.django_session_edge', 'secret') AS imported;
SELECT session.exists('forever0000000000000000000000010') AS forever,
	   session.exists('never000000000000000000000000011') AS never,
	   session.exists('bignumber00000000000000000000012') AS bignumber,
	   session.exists('fine0000000000000000000000000013') AS fine;
DELETE FROM session.sessions
WHERE key_hash = session._key_digest('fine0000000000000000000000000013', false);

-- A cancel ends the import, leaving nothing imported, and comes while a row
-- is verified: the last row here takes seconds to fail with 101 secrets.
TRUNCATE public.django_session_edge;
INSERT INTO public.django_session_edge VALUES
	('first000000000000000000000000014', session.encode('{"a": 1}', 'secret'), now() + interval '1 day'),
	('slow0000000000000000000000000015', repeat('a', 16000000) || ':' || repeat('A', 43),
	 now() + interval '1 day');
SET session.max_data_size = '64MB';
SELECT clock_timestamp() AS started \gset
SET statement_timeout = '500ms';
SELECT session.import_django('public.django_session_edge', 'secret',
							 array_fill('other'::text, ARRAY[100]));
RESET statement_timeout;
SELECT clock_timestamp() - :'started' < interval '3 s' AS cancelled_promptly,
	   session.exists('first000000000000000000000000014') AS first_imported;
RESET session.max_data_size;
DROP TABLE public.django_session_edge;

-- invalid input
SELECT session.import_django('public.no_such_table', 'secret');
SELECT session.import_django(secret => 'secret', fallback_secrets => array_fill('other'::text, ARRAY[101]));
SELECT session.import_django(secret => 'secret', salt => NULL);
SELECT session.import_django(secret => NULL);
SELECT session.import_django(secret => '');
CREATE TABLE public.not_django (a int);
SELECT session.import_django('public.not_django', 'secret');
DROP TABLE public.not_django;

--
-- Privileges
--
CREATE ROLE regress_django_app;
CREATE ROLE regress_django_migrator;
SELECT session.grant_access('regress_django_app');
GRANT USAGE ON SCHEMA session TO regress_django_migrator;
SET ROLE regress_django_app;
SELECT session.decode(session.encode('{"a": 1}', 'secret'), 'secret') AS app_can_sign;
SELECT session.import_django(secret => 'secret');
RESET ROLE;
GRANT EXECUTE ON FUNCTION session.import_django(regclass, text, text[], text) TO regress_django_migrator;
SET ROLE regress_django_migrator;
SELECT session.import_django(secret => 'secret');
RESET ROLE;
GRANT SELECT ON public.django_session TO regress_django_migrator;
DELETE FROM session.sessions WHERE key_hash = session._key_digest('bob00000000000000000000000000002', false);
SET ROLE regress_django_migrator;
SELECT session.import_django(secret => 'secret') AS imported_by_migrator;
SELECT count(*) FROM session.sessions;
RESET ROLE;
SELECT session.exists('bob00000000000000000000000000002') AS bob_back;
SELECT p.proname, p.prosecdef,
	   has_function_privilege('regress_django_app', p.oid, 'EXECUTE') AS app_may_execute
FROM pg_proc AS p
WHERE p.pronamespace = 'session'::regnamespace AND p.proname IN ('encode', 'decode', 'import_django')
ORDER BY 1;

DELETE FROM session.sessions AS s
USING public.django_session AS d
WHERE s.key_hash = session._key_digest(d.session_key, false);
DELETE FROM session.accounts WHERE account IN ('django-1', '4242');
DROP TABLE public.django_session;
DROP OWNED BY regress_django_app, regress_django_migrator;
DROP ROLE regress_django_app;
DROP ROLE regress_django_migrator;
