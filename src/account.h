/*-------------------------------------------------------------------------
 * account.h
 *		The account a session belongs to, and the accounts table.
 *-------------------------------------------------------------------------
 */
#ifndef SESSION_ACCOUNT_H
#define SESSION_ACCOUNT_H

#include "datatype/timestamp.h"
#include "utils/jsonb.h"

/* An account id has 1 to this many bytes. */
#define SESSION_ACCOUNT_MAX_LENGTH 1024

extern void SessionAccountCheck(text *account);
extern text *SessionDataAccount(Jsonb *data);
extern text *SessionAccountAfter(text *bound, Jsonb *old_data, text *named);
extern bool SessionAccountEqual(text *a, text *b);
extern void SessionAccountBind(text *account, TimestampTz now);
extern void SessionAccountTouch(text *account, TimestampTz now);
extern void SessionAccountLockShare(text *account);
extern void SessionAccountTouchMany(text **accounts, const TimestampTz *at, int n);

#endif
