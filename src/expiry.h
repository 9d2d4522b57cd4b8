/*-------------------------------------------------------------------------
 * expiry.h
 *		When a session expires: idle timeouts, fixed dates and the cap.
 *-------------------------------------------------------------------------
 */
#ifndef SESSION_EXPIRY_H
#define SESSION_EXPIRY_H

#include "datatype/timestamp.h"

extern TimestampTz SessionExpiryNext(TimestampTz created, bool has_max_age, int32 max_age,
									 bool fixed, TimestampTz expire_date, TimestampTz now);

#endif
