SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS session;
RESET client_min_messages;

SELECT session.create('{"a": 1}') AS k \gset
SELECT length(:'k') = 32 AS ok, :'k' ~ '^[a-z0-9]+$' AS alphabet;
SELECT session.load(:'k');
