\set i random(1, :n)
UPDATE session.sessions
SET data = jsonb_build_object('_auth_user_id', (:i::int % 50000)::text,
                          '_auth_user_backend', 'django.contrib.auth.backends.ModelBackend',
                          '_auth_user_hash', md5((:i::int * 7)::text) || md5((:i::int * 11)::text),
                          'cart', jsonb_build_array(:i::int % 7, :i::int % 11, :i::int % 13)),
    expire_date = clock_timestamp() + interval '14 days'
WHERE key_hash = sha256(convert_to(md5(:i::text), 'UTF8')) AND expire_date > clock_timestamp();
