/*-------------------------------------------------------------------------
 * policy.h
 *		The rules of a session: when it is live, when it expires, when
 *		activity is due to be written.
 *-------------------------------------------------------------------------
 */
#ifndef SESSION_POLICY_H
#define SESSION_POLICY_H

#include "datatype/timestamp.h"

/*
 * How a session's expiry moves (Django's set_expiry): the row's max_age and
 * fixed_expiry columns.
 */
typedef struct SessionExpiryPolicy
{
	TimestampTz created;		/* start of the absolute cap */
	bool		has_max_age;	/* max_age is not NULL */
	int32		max_age;		/* idle seconds; 0: until the browser closes */
	bool		fixed;			/* expire_date is a fixed date */
	TimestampTz fixed_date;		/* that date, when fixed */
} SessionExpiryPolicy;

extern bool SessionIsLive(TimestampTz expire_date, TimestampTz now);
extern TimestampTz SessionNextExpiry(const SessionExpiryPolicy *policy, TimestampTz now);
extern TimestampTz SessionPurgeAfter(TimestampTz purge_after, TimestampTz expire_date);
extern TimestampTz SessionTouchDueBefore(TimestampTz now);
extern bool SessionTouchDue(TimestampTz last_activity, TimestampTz now);
extern int32 SessionSecondsLeft(TimestampTz expire_date, TimestampTz now);
extern bool SessionExpiresAtBrowserClose(const SessionExpiryPolicy *policy);

#endif
