-- bench/setup.sql: a store of :n sessions whose keys the scripts can name.
-- Key i is md5(i), 32 characters of [0-9a-f], a valid session key.
TRUNCATE session.sessions;
INSERT INTO session.sessions (key_hash, data, account, created, last_activity,
							  expire_date, purge_after, ip, user_agent)
SELECT sha256(convert_to(md5(i::text), 'UTF8')),
	   jsonb_build_object('_auth_user_id', (i % 50000)::text,
						  '_auth_user_backend', 'django.contrib.auth.backends.ModelBackend',
						  '_auth_user_hash', md5((i * 7)::text) || md5((i * 11)::text),
						  'cart', jsonb_build_array(i % 7, i % 11, i % 13)),
	   (i % 50000)::text, now(), now(), now() + interval '14 days', now() + interval '14 days',
	   '10.0.0.1', 'Mozilla/5.0 (X11; Linux x86_64)'
FROM generate_series(1, :n) AS i;
VACUUM (ANALYZE) session.sessions;
