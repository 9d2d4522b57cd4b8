\set i random(1, :n)
UPDATE session.sessions SET data = jsonb_build_object('_auth_user_id', (:i % 50000)::text, 'n', :i::int)
WHERE key_hash = sha256(convert_to(md5(:i::text), 'UTF8'));
