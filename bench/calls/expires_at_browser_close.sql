\set i random(1, :n)
SELECT session.expires_at_browser_close(md5(:i::text));
