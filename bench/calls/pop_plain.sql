\set i random(1, :n)
BEGIN;
-- put the field back first, so that there is one to pop (identical on both sides)
UPDATE session.sessions SET data = data || '{"flash": "saved"}' WHERE key_hash = sha256(convert_to(md5(:i::text), 'UTF8'));
UPDATE session.sessions AS s
SET data = s.data - 'flash',
    expire_date = clock_timestamp() + interval '14 days'
FROM session.sessions AS old
WHERE s.key_hash = sha256(convert_to(md5(:i::text), 'UTF8')) AND s.expire_date > clock_timestamp()
  AND old.key_hash = s.key_hash
RETURNING old.data -> 'flash';
COMMIT;
