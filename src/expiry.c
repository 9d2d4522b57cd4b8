/*-------------------------------------------------------------------------
 * expiry.c
 *		SQL-callable expiry functions, with Django's set_expiry semantics.
 *
 * The rules themselves are policy.c's; these read a live session's policy
 * or give it a new one.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/timestamp.h"

#include "key.h"
#include "modify.h"
#include "policy.h"
#include "store.h"

/* The row of the live session of a key, for the readers below. */
static bool
SessionExpiryRead(FunctionCallInfo fcinfo, SessionRow *row, TimestampTz *now)
{
	SessionKey	key;

	if (PG_ARGISNULL(0) || !SessionKeyParse(PG_GETARG_TEXT_PP(0), &key))
		return false;
	*now = GetCurrentTimestamp();
	return SessionStoreFetch(&key, row, false) && SessionIsLive(row->expire_date, *now);
}

static void
SessionSetPolicyEdit(const SessionRow *row, SessionValues *v, TimestampTz now, void *arg)
{
	const SessionExpiryPolicy *policy = (const SessionExpiryPolicy *) arg;

	v->policy = *policy;
	v->policy.created = row->policy.created;
}

PG_FUNCTION_INFO_V1(session_set_expiry_seconds);

/*
 * set_expiry(key text, seconds integer) returns boolean
 *
 * An idle timeout of that many seconds, sliding on activity; 0: until the
 * browser closes; NULL: session.default_max_age.  False if no live session.
 */
Datum
session_set_expiry_seconds(PG_FUNCTION_ARGS)
{
	SessionKey	key;
	SessionExpiryPolicy policy;

	SessionStoreCheckWritable(fcinfo);
	SessionKeyParseOrError(PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0), &key);
	memset(&policy, 0, sizeof(policy));
	policy.has_max_age = !PG_ARGISNULL(1);
	policy.max_age = policy.has_max_age ? PG_GETARG_INT32(1) : 0;
	if (policy.max_age < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("session expiry must not be negative"),
				 errhint("Use session.delete() to end a session now.")));
	PG_RETURN_BOOL(SessionModify(&key, false, SessionSetPolicyEdit, &policy));
}

PG_FUNCTION_INFO_V1(session_set_expiry_date);

/*
 * set_expiry(key text, expire_date timestamptz) returns boolean
 *
 * A fixed date that activity does not move (capped by session.max_lifetime);
 * NULL: back to the default.  False if no live session.
 */
Datum
session_set_expiry_date(PG_FUNCTION_ARGS)
{
	SessionKey	key;
	SessionExpiryPolicy policy;

	SessionStoreCheckWritable(fcinfo);
	SessionKeyParseOrError(PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0), &key);
	memset(&policy, 0, sizeof(policy));
	policy.fixed = !PG_ARGISNULL(1);
	policy.fixed_date = policy.fixed ? PG_GETARG_TIMESTAMPTZ(1) : 0;
	PG_RETURN_BOOL(SessionModify(&key, false, SessionSetPolicyEdit, &policy));
}

PG_FUNCTION_INFO_V1(session_expiry_date);

/* expiry_date(key text) returns timestamptz */
Datum
session_expiry_date(PG_FUNCTION_ARGS)
{
	SessionRow	row;
	TimestampTz now;

	if (!SessionExpiryRead(fcinfo, &row, &now))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(row.expire_date);
}

PG_FUNCTION_INFO_V1(session_expiry_age);

/* expiry_age(key text) returns integer: whole seconds left */
Datum
session_expiry_age(PG_FUNCTION_ARGS)
{
	SessionRow	row;
	TimestampTz now;

	if (!SessionExpiryRead(fcinfo, &row, &now))
		PG_RETURN_NULL();
	PG_RETURN_INT32(SessionSecondsLeft(row.expire_date, now));
}

PG_FUNCTION_INFO_V1(session_expires_at_browser_close);

/* expires_at_browser_close(key text) returns boolean */
Datum
session_expires_at_browser_close(PG_FUNCTION_ARGS)
{
	SessionRow	row;
	TimestampTz now;

	if (!SessionExpiryRead(fcinfo, &row, &now))
		PG_RETURN_NULL();
	PG_RETURN_BOOL(SessionExpiresAtBrowserClose(&row.policy));
}

PG_FUNCTION_INFO_V1(session_live_at);

/*
 * _live_at(expire_date timestamptz, at timestamptz) returns boolean
 *
 * Internal: whether a session that expires at expire_date is live at "at",
 * for the set-based SQL functions (purge, account listings).
 */
Datum
session_live_at(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(SessionIsLive(PG_GETARG_TIMESTAMPTZ(0), PG_GETARG_TIMESTAMPTZ(1)));
}
