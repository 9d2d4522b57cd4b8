-- A date later than every session's purge_after, so that purge_after (an
-- indexed column) stays and the update is HOT on both sides.
\set i random(1, :n)
SELECT session.set_expiry(md5(:i::text), now() + interval '30 days');
