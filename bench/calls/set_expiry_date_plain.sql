\set i random(1, :n)
UPDATE session.sessions
SET max_age = NULL, fixed_expiry = true,
    expire_date = now() + interval '30 days',
    purge_after = least(purge_after, now() + interval '30 days')
WHERE key_hash = sha256(convert_to(md5(:i::text), 'UTF8')) AND expire_date > clock_timestamp();
