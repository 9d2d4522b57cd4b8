#!/usr/bin/env bash
# test/integration/php_client.sh: PgSessionHandler (clients/php) under PHP's
# built-in web server on 127.0.0.1, driven by curl with a cookie jar.
#
# On the test cluster (PGHOST, PGPORT, PGUSER = a superuser): a database of
# its own with the extension, a login role for the app given grant_access and
# the account functions.  Checks: a visitor who stores nothing leaves no row;
# data round trip; strict mode refuses an unknown or malformed id; lazy_write
# touches through session.load; the database clock sets the expiry;
# session_regenerate_id(true) keeps the data under a new id, the old one dead;
# login binds the account with IP and user agent; the account functions;
# session_destroy leaves no row; an expired session is gone.  Drops the
# database and the role afterwards.  Prints "php_client: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
name=php_client
db=php_client_$$
role=php_client_app_$$
work=$(mktemp -d /tmp/php-client.XXXXXX)
pass=0 fail=0
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
ok() { if [ "$2" = t ]; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
is() { [ "$2" = "$3" ] && echo t || echo f; } # is NAME GOT WANT -> t/f (values never printed)
sqlt() { q -d "$db" -c "$1"; }

if ! command -v php >/dev/null || ! php -m | grep -qi pdo_pgsql; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq php8.2-cli php8.2-pgsql >/dev/null 2>&1
fi
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	rm -rf "$work"
	q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "DROP ROLE IF EXISTS $role" 2>/dev/null
}
trap cleanup EXIT
start=$SECONDS

q -d postgres -c "CREATE DATABASE $db" -c "CREATE ROLE $role LOGIN" || { echo "$name: 0 passed, 1 failed"; exit 1; }
PGOPTIONS='-c client_min_messages=warning' q -d "$db" >/dev/null <<SQL || { echo "$name: 0 passed, 1 failed"; exit 1; }
CREATE EXTENSION session;
SELECT session.grant_access('$role');
GRANT EXECUTE ON FUNCTION session.account_sessions(text, text), session.revoke(text, bigint),
	session.logout_everywhere(text, text) TO $role;
SQL

port=
for p in $(seq 58080 58180); do
	(exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { port=$p; break; }
done
PHP_CLIENT_DSN="pgsql:host=$PGHOST;port=$PGPORT;dbname=$db" PHP_CLIENT_USER=$role \
	php -S 127.0.0.1:$port clients/php/test/app.php >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/public" && break; sleep 0.1; done

# get JAR PATH [UA]: the body; the session id of the jar is $(sid JAR)
get() { curl -s -b "$work/$1" -c "$work/$1" -A "${3:-curl-test}" "http://127.0.0.1:$port$2"; }
sid() { awk '$6 == "PHPSESSID" { print $7 }' "$work/$1" 2>/dev/null | tail -1; }
hdr() { curl -s -D - -o /dev/null -b "$work/$1" -c "$work/$1" "http://127.0.0.1:$port$2"; }
rows() { sqlt "SELECT count(*) FROM session.sessions"; }
live() { sqlt "SELECT session.exists('$1')"; }

# a visitor who stores nothing
n0=$(rows)
get v /public >/dev/null
get v /peek >/dev/null
get v /peek >/dev/null
ok "a visitor who stores nothing leaves no row" "$(is x "$(rows)" "$n0")"

# data round trip, and the id is one the store accepts
ok "set then read back" "$(is x "$(get a '/set?k=color&v=blue'; get a /peek)" '{"color":"blue"}{"color":"blue"}')"
a=$(sid a)
ok "the id is 32 characters of base64url and names a live session" \
	"$(sqlt "SELECT '$a' ~ '^[A-Za-z0-9_-]{32}\$' AND session.exists('$a')")"
ok "the expiry is the store's: 600 s idle, sliding" \
	"$(sqlt "SELECT session.expiry_age('$a') BETWEEN 598 AND 600 AND NOT session.expires_at_browser_close('$a')")"

# lazy_write: an unchanged session is touched through session.load
sqlt "UPDATE session.sessions SET last_activity = last_activity - interval '120 s', expire_date = expire_date - interval '120 s', purge_after = purge_after - interval '120 s' WHERE key_hash = sha256(convert_to('$a', 'UTF8'))"
get a /peek >/dev/null
ok "lazy_write: a read-only request slides the expiry (updateTimestamp)" \
	"$(sqlt "SELECT session.expiry_age('$a') BETWEEN 598 AND 600")"

# strict mode
for forged in 'Xp-r3ss_Sess10n-Id_0123456789abc' 'bad.id.with.dots' "$(head -c 300 /dev/zero | tr '\0' x)"; do
	printf '127.0.0.1\tFALSE\t/\tFALSE\t0\tPHPSESSID\t%s\n' "$forged" >"$work/f"
	body=$(get f '/set?k=x&v=1')
	new=$(sid f)
	ok "strict mode: a forged id (${#forged} chars) is replaced by a new one" \
		"$( [ "$body" = '{"x":"1"}' ] && [ "$new" != "$forged" ] && [ "$(live "$new")" = t ] && echo t || echo f)"
done
ok "strict mode: no session was created under a forged id" \
	"$(sqlt "SELECT NOT session.exists('Xp-r3ss_Sess10n-Id_0123456789abc')")"

# session_regenerate_id(true)
old=$(sid a)
body=$(get a /regenerate)
new=$(sid a)
ok "regenerate: the data is kept" "$(is x "$body" '{"color":"blue"}')"
ok "regenerate: a new id, the old one dead" \
	"$( [ -n "$new" ] && [ "$new" != "$old" ] && [ "$(live "$new")" = t ] && [ "$(live "$old")" = f ] && echo t || echo f)"
ok "regenerate: the data is there on the next request" "$(is x "$(get a /peek)" '{"color":"blue"}')"

# login
old=$(sid a)
body=$(get a '/login?user=ana' 'Firefox/120 php')
new=$(sid a)
ok "login keeps the data" "$(is x "$body" '{"color":"blue","user":"ana"}')"
ok "login: a new id, the old one dead" \
	"$( [ "$new" != "$old" ] && [ "$(live "$old")" = f ] && echo t || echo f)"
ok "login binds the account and records IP and user agent" \
	"$(sqlt "SELECT account = 'ana' AND host(ip) = '127.0.0.1' AND user_agent = 'Firefox/120 php' FROM session.sessions WHERE key_hash = sha256(convert_to('$new', 'UTF8'))")"
ok "after login the session reads back" "$(is x "$(get a /peek)" '{"color":"blue","user":"ana"}')"

# account functions
get b '/login?user=ana' 'phone' >/dev/null
get c '/login?user=ana' 'tablet' >/dev/null
list=$(get a /sessions)
ok "account_sessions lists the three sessions, this one current" \
	"$(echo "$list" | php -r '$l = json_decode(stream_get_contents(STDIN), true); echo (count($l) == 3 && count(array_filter($l, fn ($s) => $s["current"])) == 1) ? "t" : "f";')"
phone=$(echo "$list" | php -r '$l = json_decode(stream_get_contents(STDIN), true); foreach ($l as $s) if ($s["ua"] == "phone") echo $s["id"];')
ok "revoke ends the phone's session" "$(is x "$(get a "/revoke?id=$phone")" '{"revoked":true}')"
ok "the revoked session is gone" "$(is x "$(get b /peek)" '[]')"
ok "logout everywhere else ends the tablet's" "$(is x "$(get a /logout-others)" '{"n":1}')"
ok "this session is still logged in" "$(is x "$(get a /peek)" '{"color":"blue","user":"ana"}')"

# session_destroy
k=$(sid a)
n=$(rows)
get a /logout >/dev/null
ok "session_destroy leaves no row" "$( [ "$(live "$k")" = f ] && [ "$(rows)" = $((n - 1)) ] && echo t || echo f)"
get a /peek >/dev/null
ok "and the next request mints none" "$(is x "$(rows)" $((n - 1)))"

# an expired session
get e '/set?k=y&v=2' >/dev/null
k=$(sid e)
sqlt "UPDATE session.sessions SET expire_date = now() - interval '1 s', purge_after = now() - interval '1 s' WHERE key_hash = sha256(convert_to('$k', 'UTF8'))"
ok "an expired session reads as empty" "$(is x "$(get e /peek)" '[]')"
ok "and its id is replaced" "$( [ "$(sid e)" != "$k" ] && echo t || echo f)"

if grep -qiE 'fatal|warning|exception' "$work/server.log"; then
	fail=$((fail + 1)); echo "not ok - the server logged errors"; grep -iE 'fatal|warning|exception' "$work/server.log" | head -5
fi
echo "# php_client took $((SECONDS - start))s"
echo "$name: $pass passed, $fail failed"
[ $fail -eq 0 ]
