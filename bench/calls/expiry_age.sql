\set i random(1, :n)
SELECT session.expiry_age(md5(:i::text));
