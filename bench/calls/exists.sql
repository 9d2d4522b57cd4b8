\set i random(1, :n)
SELECT session.exists(md5(:i::text));
