\set i random(1, :n)
BEGIN;
-- put the field back first, so that there is one to pop (identical on both sides)
UPDATE session.sessions SET data = data || '{"flash": "saved"}' WHERE key_hash = sha256(convert_to(md5(:i::text), 'UTF8'));
SELECT session.pop(md5(:i::text), 'flash');
COMMIT;
