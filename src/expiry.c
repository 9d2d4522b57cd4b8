/*-------------------------------------------------------------------------
 * expiry.c
 *		When a session expires: idle timeouts, fixed dates and the cap.
 *
 * A session's row holds its expire_date, the moment it stops being live,
 * and the policy that moves it (Django's set_expiry): max_age NULL slides
 * by session.default_max_age, max_age > 0 slides by that many seconds,
 * max_age = 0 means the cookie dies with the browser while the row still
 * lives session.default_max_age, and a fixed date never slides.  Whatever
 * the policy, session.max_lifetime caps the date at creation + cap.  This
 * file is the only place that computes an expiry; SQL reaches it through
 * _next_expiry().
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/timestamp.h"

#include "expiry.h"
#include "settings.h"

static TimestampTz
TimestampPlusSeconds(TimestampTz t, int64 seconds)
{
	if (TIMESTAMP_NOT_FINITE(t))
		return t;
	return t + seconds * USECS_PER_SEC;
}

TimestampTz
SessionExpiryNext(TimestampTz created, bool has_max_age, int32 max_age,
				  bool fixed, TimestampTz expire_date, TimestampTz now)
{
	TimestampTz result;

	if (fixed)
	{
		if (TIMESTAMP_NOT_FINITE(expire_date))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("session expiry date must be finite")));
		result = expire_date;
	}
	else if (has_max_age && max_age > 0)
		result = TimestampPlusSeconds(now, max_age);
	else
		result = TimestampPlusSeconds(now, session_default_max_age);

	if (session_max_lifetime > 0)
	{
		TimestampTz cap = TimestampPlusSeconds(created, session_max_lifetime);

		if (cap < result)
			result = cap;
	}
	return result;
}

PG_FUNCTION_INFO_V1(session_next_expiry);

/*
 * _next_expiry(created timestamptz, max_age integer, fixed boolean,
 *				expire_date timestamptz, now timestamptz) returns timestamptz
 *
 * Internal: the expire_date a session gets when there is activity at "now".
 * A fixed session keeps expire_date (capped); any other slides.
 */
Datum
session_next_expiry(PG_FUNCTION_ARGS)
{
	bool		fixed = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);

	if (PG_ARGISNULL(0) || PG_ARGISNULL(4) || (fixed && PG_ARGISNULL(3)))
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ(SessionExpiryNext(PG_GETARG_TIMESTAMPTZ(0),
											!PG_ARGISNULL(1),
											PG_ARGISNULL(1) ? 0 : PG_GETARG_INT32(1),
											fixed,
											fixed ? PG_GETARG_TIMESTAMPTZ(3) : 0,
											PG_GETARG_TIMESTAMPTZ(4)));
}
