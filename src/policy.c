/*-------------------------------------------------------------------------
 * policy.c
 *		The rules of a session, decided here and nowhere else.
 *
 * A session's row holds its expire_date, the moment it stops being live,
 * and the policy that moves it (Django's set_expiry): max_age NULL slides
 * by session.default_max_age, max_age > 0 slides by that many seconds,
 * max_age = 0 means the cookie dies with the browser while the row still
 * lives session.default_max_age, and a fixed date never slides.  Whatever
 * the policy, session.max_lifetime caps the date at creation + cap.
 *
 * These are pure functions of their arguments and the settings: no table
 * is read here.  Every SQL-callable function computes new values with them
 * and hands those to the store (store.c), which only writes what it is
 * given.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "utils/timestamp.h"

#include "policy.h"
#include "settings.h"

static TimestampTz
TimestampPlusSeconds(TimestampTz t, int64 seconds)
{
	if (TIMESTAMP_NOT_FINITE(t))
		return t;
	return t + seconds * USECS_PER_SEC;
}

/* A session is live until its expire_date, on the database clock. */
bool
SessionIsLive(TimestampTz expire_date, TimestampTz now)
{
	return expire_date > now;
}

/*
 * The expire_date a session gets when there is activity at "now": a fixed
 * date stays, anything else slides; the absolute cap applies to both.
 */
TimestampTz
SessionNextExpiry(const SessionExpiryPolicy *policy, TimestampTz now)
{
	TimestampTz result;

	if (policy->fixed)
	{
		if (TIMESTAMP_NOT_FINITE(policy->fixed_date))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("session expiry date must be finite")));
		result = policy->fixed_date;
	}
	else if (policy->has_max_age && policy->max_age > 0)
		result = TimestampPlusSeconds(now, policy->max_age);
	else
		result = TimestampPlusSeconds(now, session_default_max_age);

	if (session_max_lifetime > 0)
	{
		TimestampTz cap = TimestampPlusSeconds(policy->created, session_max_lifetime);

		if (cap < result)
			result = cap;
	}
	return result;
}

/*
 * purge_after is a lower bound of expire_date that the purge walks: it
 * follows an expiry brought forward and ignores one pushed back, so that
 * sliding never touches its index.
 */
TimestampTz
SessionPurgeAfter(TimestampTz purge_after, TimestampTz expire_date)
{
	return expire_date < purge_after ? expire_date : purge_after;
}

/*
 * Whether activity at "now" is far enough from the last recorded activity
 * to be written: at most one write per session.touch_interval.  Activity
 * recorded at or before SessionTouchDueBefore(now) is due.
 */
TimestampTz
SessionTouchDueBefore(TimestampTz now)
{
	return now - (int64) session_touch_interval * USECS_PER_SEC;
}

bool
SessionTouchDue(TimestampTz last_activity, TimestampTz now)
{
	return last_activity <= SessionTouchDueBefore(now);
}

/* Whole seconds from now until expire_date, at most INT_MAX. */
int32
SessionSecondsLeft(TimestampTz expire_date, TimestampTz now)
{
	int64		secs;

	if (TIMESTAMP_IS_NOEND(expire_date))
		return INT_MAX;
	secs = (expire_date - now) / USECS_PER_SEC;
	if ((expire_date - now) < 0 && (expire_date - now) % USECS_PER_SEC != 0)
		secs--;					/* floor, as for a negative interval */
	return secs > INT_MAX ? INT_MAX : (int32) secs;
}

/* Django's get_expire_at_browser_close(): set_expiry(0). */
bool
SessionExpiresAtBrowserClose(const SessionExpiryPolicy *policy)
{
	return policy->has_max_age && policy->max_age == 0;
}
