#!/usr/bin/env bash
# test/integration/node_client.sh: the express-session store (clients/node)
# under a real express app on 127.0.0.1 and a real HTTP client with cookies.
#
# On the test cluster (PGHOST, PGPORT, PGUSER = a superuser): a database of
# its own with the extension, a login role for the app given grant_access
# and the account functions; npm ci from the lockfile; node --test.  Drops
# the database and the role afterwards.  Prints "node_client: N passed, N failed".
set -u
cd "$(dirname "$0")/../../clients/node" || exit 1
name=node_client
db=node_client_$$
role=node_client_app_$$
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "# installing Debian's nodejs and npm"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null 2>&1
fi
cleanup() {
	q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP ROLE IF EXISTS $role" 2>/dev/null
}
trap cleanup EXIT

start=$SECONDS
if ! npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>npm.err; then
	cat npm.err; rm -f npm.err
	echo "$name: 0 passed, 1 failed"
	exit 1
fi
rm -f npm.err
echo "# npm ci took $((SECONDS - start))s"

q -d postgres -c "CREATE DATABASE $db" -c "CREATE ROLE $role LOGIN" || { echo "$name: 0 passed, 1 failed"; exit 1; }
PGOPTIONS='-c client_min_messages=warning' q -d "$db" >/dev/null <<SQL || { echo "$name: 0 passed, 1 failed"; exit 1; }
CREATE EXTENSION session;
SELECT session.grant_access('$role');
GRANT EXECUTE ON FUNCTION session.account_sessions(text, text), session.revoke(text, bigint),
	session.logout_everywhere(text, text) TO $role;
SQL

start=$SECONDS
out=$(PGDATABASE=$db NODE_CLIENT_APP_USER=$role node --test --test-reporter=tap test/ 2>&1)
rc=$?
echo "$out"
pass=$(echo "$out" | sed -n 's/^# pass \([0-9]*\)$/\1/p' | tail -1)
fail=$(echo "$out" | sed -n 's/^# fail \([0-9]*\)$/\1/p' | tail -1)
pass=${pass:-0} fail=${fail:-0}
[ $rc -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
echo "# node --test took $((SECONDS - start))s"
echo "$name: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
