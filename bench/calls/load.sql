\set i random(1, :n)
SELECT session.load(md5(:i::text));
