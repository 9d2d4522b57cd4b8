\set i random(1, :n)
SELECT EXISTS (SELECT FROM session.sessions WHERE key_hash = sha256(convert_to(md5(:i::text), 'UTF8')) AND expire_date > clock_timestamp());
