\set i random(1, :n)
SELECT session.set(md5(:i::text), 'n', to_jsonb(:i::int));
