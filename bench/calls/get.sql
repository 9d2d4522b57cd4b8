\set i random(1, :n)
SELECT session.get(md5(:i::text), '_auth_user_id');
