/*-------------------------------------------------------------------------
 * modify.h
 *		Every change to a session: read, compute with the rules, write.
 *-------------------------------------------------------------------------
 */
#ifndef SESSION_MODIFY_H
#define SESSION_MODIFY_H

#include "store.h"

/*
 * What a write does to a live session.  *v starts as the row's values with
 * activity recorded when due; the edit changes what it writes.  The expiry
 * is then computed from v->policy, unless the edit says that the write is
 * no activity of the session (v->activity = false: the expiry and the last
 * activity stay), and the account binding follows v->account.
 */
typedef void (*SessionEdit) (const SessionRow *row, SessionValues *v, TimestampTz now,
							 void *arg);

extern bool SessionModify(const SessionKey *key, bool want_data, SessionEdit edit, void *arg);
extern bool SessionInsertFresh(const SessionKey *key, SessionValues *v, int64 *id);
extern void SessionCreate(SessionKey *key, SessionValues *v);
extern void SessionNewKey(SessionKey *key);
extern bool SessionDelete(const SessionKey *key);

#endif
