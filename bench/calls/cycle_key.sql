-- Cycle the key of session i, then give the session its old key back in
-- the same transaction so that the set of keys is never used up;
-- cycle_key_plain.sql does the same with the same UPDATE.
\set i random(1, :n)
BEGIN;
SELECT session.cycle_key(md5(:i::text)) AS new_key \gset
-- give session i its key back (identical on both sides)
UPDATE session.sessions SET key_hash = sha256(convert_to(md5(:i::text), 'UTF8'))
WHERE key_hash = sha256(convert_to(:new_key, 'UTF8'));
COMMIT;
