\set i random(1, :h)
SELECT data FROM session.sessions WHERE key_hash = sha256(convert_to(md5(:i::text), 'UTF8'));
