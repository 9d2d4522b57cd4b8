\set a random(1, :accounts)
SELECT count(*) FROM session.account_sessions(:a::text);
