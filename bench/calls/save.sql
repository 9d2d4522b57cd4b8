-- the same data as the session already holds: the store keeps its shape
\set i random(1, :n)
SELECT session.save(md5(:i::text), jsonb_build_object('_auth_user_id', (:i::int % 50000)::text,
                          '_auth_user_backend', 'django.contrib.auth.backends.ModelBackend',
                          '_auth_user_hash', md5((:i::int * 7)::text) || md5((:i::int * 11)::text),
                          'cart', jsonb_build_array(:i::int % 7, :i::int % 11, :i::int % 13)));
