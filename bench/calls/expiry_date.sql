\set i random(1, :n)
SELECT session.expiry_date(md5(:i::text));
