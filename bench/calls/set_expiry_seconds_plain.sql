\set i random(1, :n)
UPDATE session.sessions
SET max_age = 1209600, fixed_expiry = false,
    expire_date = clock_timestamp() + make_interval(secs => 1209600)
WHERE key_hash = sha256(convert_to(md5(:i::text), 'UTF8')) AND expire_date > clock_timestamp();
