\set i random(1, :n)
SELECT data -> '_auth_user_id' FROM session.sessions WHERE key_hash = sha256(convert_to(md5(:i::text), 'UTF8')) AND expire_date > clock_timestamp();
