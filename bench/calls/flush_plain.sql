\set i random(1, :n)
BEGIN;
DELETE FROM session.sessions WHERE key_hash = sha256(convert_to(md5(:i::text), 'UTF8'));
-- put session i back as bench/setup.sql made it (identical on both sides)
INSERT INTO session.sessions (key_hash, data, account, created, last_activity,
                              expire_date, purge_after, ip, user_agent)
VALUES (sha256(convert_to(md5(:i::text), 'UTF8')),
        jsonb_build_object('_auth_user_id', (:i::int % 50000)::text,
                          '_auth_user_backend', 'django.contrib.auth.backends.ModelBackend',
                          '_auth_user_hash', md5((:i::int * 7)::text) || md5((:i::int * 11)::text),
                          'cart', jsonb_build_array(:i::int % 7, :i::int % 11, :i::int % 13)),
        (:i::int % 50000)::text, now(), now(), now() + interval '14 days', now() + interval '14 days',
        '10.0.0.1', 'Mozilla/5.0 (X11; Linux x86_64)')
ON CONFLICT (key_hash) DO NOTHING;
COMMIT;
