\set i random(1, :n)
SELECT session.save(md5(:i::text), jsonb_build_object('_auth_user_id', (:i % 50000)::text, 'n', :i::int));
