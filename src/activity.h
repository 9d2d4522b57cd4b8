/*-------------------------------------------------------------------------
 * activity.h
 *		Deferred activity: loads record it in shared memory, a background
 *		worker writes it in batches.
 *-------------------------------------------------------------------------
 */
#ifndef SESSION_ACTIVITY_H
#define SESSION_ACTIVITY_H

#include "datatype/timestamp.h"

#include "key.h"

extern void SessionActivityInit(void);
extern bool SessionActivityRecord(const SessionKey *key, TimestampTz at);
extern bool SessionActivityPendingAt(const SessionKey *key, TimestampTz *at);
extern int64 SessionActivityFlush(void);

#endif
