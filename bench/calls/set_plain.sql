\set i random(1, :n)
UPDATE session.sessions
SET data = data || jsonb_build_object('n', :i::int),
    expire_date = clock_timestamp() + interval '14 days'
WHERE key_hash = sha256(convert_to(md5(:i::text), 'UTF8')) AND expire_date > clock_timestamp();
