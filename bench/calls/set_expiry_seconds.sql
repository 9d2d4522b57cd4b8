\set i random(1, :n)
SELECT session.set_expiry(md5(:i::text), 1209600);
