\set i random(1, :n)
BEGIN;
WITH k AS (SELECT replace(gen_random_uuid()::text, '-', '') AS key),
     u AS (UPDATE session.sessions AS s SET key_hash = sha256(convert_to(k.key, 'UTF8'))
           FROM k WHERE s.key_hash = sha256(convert_to(md5(:i::text), 'UTF8')) AND s.expire_date > clock_timestamp()
           RETURNING k.key)
SELECT (SELECT key FROM u) AS new_key \gset
-- give session i its key back (identical on both sides)
UPDATE session.sessions SET key_hash = sha256(convert_to(md5(:i::text), 'UTF8'))
WHERE key_hash = sha256(convert_to(:new_key, 'UTF8'));
COMMIT;
