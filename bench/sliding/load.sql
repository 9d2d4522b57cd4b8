\set i random(1, :h)
SELECT session.load(md5(:i::text));
