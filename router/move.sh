#!/usr/bin/env bash
# router/move.sh: move sessions between shard databases when partitions are
# added (README.md, "Growing from 2 to 4 shards").
#
#   move.sh copy  FROM TO PART COUNT   copy into TO (an empty new shard) every
#                                      session of FROM that partition PART of
#                                      COUNT owns, with its account's row
#   move.sh purge FROM PART COUNT      delete from FROM every session that
#                                      partition PART of COUNT does not own
#
# FROM and TO are libpq connection strings of shard databases, run as the
# owner of the session extension there.  A session's partition is
# shard_hash(key_hash) & (COUNT - 1), shard_hash() being the first four
# bytes of the stored SHA-256 digest as a big-endian int4: the router's
# session.shard_hash(), computed here from the digest alone.  copy replaces
# what TO holds, in one transaction, so it can be run again.
set -euo pipefail
PSQL=${PSQL:-psql}

hash_expr="((pg_catalog.get_byte(s.key_hash, 0) OPERATOR(pg_catalog.<<) 24)
	OPERATOR(pg_catalog.|) (pg_catalog.get_byte(s.key_hash, 1) OPERATOR(pg_catalog.<<) 16)
	OPERATOR(pg_catalog.|) (pg_catalog.get_byte(s.key_hash, 2) OPERATOR(pg_catalog.<<) 8)
	OPERATOR(pg_catalog.|) pg_catalog.get_byte(s.key_hash, 3))"
cols="id, key_hash, data, account, created, last_activity, expire_date, max_age, fixed_expiry, purge_after, ip, user_agent"

usage() { echo "usage: $0 copy FROM TO PART COUNT | purge FROM PART COUNT" >&2; exit 2; }
check_part() { # part count
	[[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]] || usage
	[ "$2" -gt 0 ] && [ $(($2 & ($2 - 1))) -eq 0 ] && [ "$1" -lt "$2" ] || {
		echo "$0: COUNT must be a power of two and PART below it" >&2
		exit 2
	}
}

case ${1:-} in
copy)
	[ $# -eq 5 ] || usage
	from=$2 to=$3 part=$4 count=$5
	check_part "$part" "$count"
	where="($hash_expr OPERATOR(pg_catalog.&) $((count - 1))) OPERATOR(pg_catalog.=) $part"
	# The sessions, then the accounts they belong to, as one stream.
	$PSQL -X -q -v ON_ERROR_STOP=1 -d "$from" \
		-c "COPY (SELECT 's', $cols, NULL, NULL, NULL FROM session.sessions AS s WHERE $where) TO STDOUT" \
		-c "COPY (SELECT 'a', NULL, NULL, NULL, a.account, NULL, a.last_activity, NULL, NULL, NULL, NULL, NULL, NULL,
					a.is_active, a.inactive_since, a.activity_floor
				  FROM session.accounts AS a
				  WHERE a.account IN (SELECT s.account FROM session.sessions AS s WHERE $where)) TO STDOUT" |
	$PSQL -X -q -v ON_ERROR_STOP=1 -d "$to" -1 \
		-c "CREATE TEMP TABLE moving (kind text, id bigint, key_hash bytea, data jsonb, account text,
				created timestamptz, last_activity timestamptz, expire_date timestamptz, max_age integer,
				fixed_expiry boolean, purge_after timestamptz, ip inet, user_agent text,
				is_active boolean, inactive_since timestamptz, activity_floor timestamptz) ON COMMIT DROP" \
		-c "COPY moving FROM STDIN" \
		-c "DELETE FROM session.sessions" \
		-c "INSERT INTO session.accounts AS a (account, last_activity, is_active, inactive_since, activity_floor)
			SELECT account, last_activity, is_active, inactive_since, activity_floor FROM moving WHERE kind = 'a'
			ON CONFLICT (account) DO UPDATE SET last_activity = greatest(a.last_activity, excluded.last_activity),
				activity_floor = least(a.activity_floor, excluded.activity_floor),
				is_active = a.is_active OR excluded.is_active,
				inactive_since = CASE WHEN a.is_active OR excluded.is_active THEN NULL ELSE a.inactive_since END" \
		-c "INSERT INTO session.sessions ($cols) OVERRIDING SYSTEM VALUE
			SELECT $cols FROM moving WHERE kind = 's'"
	;;
purge)
	[ $# -eq 4 ] || usage
	from=$2 part=$3 count=$4
	check_part "$part" "$count"
	$PSQL -X -q -v ON_ERROR_STOP=1 -d "$from" \
		-c "DELETE FROM session.sessions AS s
			WHERE ($hash_expr OPERATOR(pg_catalog.&) $((count - 1))) OPERATOR(pg_catalog.<>) $part"
	;;
*) usage ;;
esac
