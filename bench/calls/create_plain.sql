-- The key is drawn on the server as create draws it; the application would
-- keep it, the table only its digest.
\set i random(1, :n)
INSERT INTO session.sessions (key_hash, data, created, last_activity, expire_date, purge_after)
SELECT sha256(convert_to(replace(gen_random_uuid()::text, '-', ''), 'UTF8')),
       jsonb_build_object('cart', jsonb_build_array(:i::int % 7, :i::int % 11, :i::int % 13)),
       t, t, t + interval '14 days', t + interval '14 days'
FROM (SELECT clock_timestamp() AS t) AS now;
