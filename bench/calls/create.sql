-- The new sessions stay until the runner removes them after this call.
\set i random(1, :n)
SELECT session.create(jsonb_build_object('cart', jsonb_build_array(:i::int % 7, :i::int % 11, :i::int % 13)));
