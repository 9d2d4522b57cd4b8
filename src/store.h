/*-------------------------------------------------------------------------
 * store.h
 *		Access to the session table, session.sessions.
 *-------------------------------------------------------------------------
 */
#ifndef SESSION_STORE_H
#define SESSION_STORE_H

#include "datatype/timestamp.h"
#include "utils/jsonb.h"

#include "key.h"

/* Column numbers of session.sessions, in the order the install script makes them. */
#define Anum_sessions_id			1
#define Anum_sessions_key_hash		2
#define Anum_sessions_data			3
#define Anum_sessions_account		4
#define Anum_sessions_created		5
#define Anum_sessions_last_activity 6
#define Anum_sessions_expire_date	7
#define Anum_sessions_max_age		8
#define Anum_sessions_fixed_expiry	9
#define Anum_sessions_purge_after	10
#define Anum_sessions_ip			11
#define Anum_sessions_user_agent	12

/* What a load needs of a row. */
typedef struct SessionRow
{
	int64		id;
	Jsonb	   *data;			/* a private copy, palloc'd */
	TimestampTz created;
	TimestampTz last_activity;
	TimestampTz expire_date;
	bool		has_max_age;
	int32		max_age;
	bool		fixed_expiry;
	text	   *account;		/* a private copy, or NULL */
} SessionRow;

/* What a new session starts with; NULL pointers mean "not given". */
typedef struct SessionNew
{
	Jsonb	   *data;
	bool		has_expire_date;
	TimestampTz expire_date;
	text	   *account;
	Datum		ip;				/* inet, or 0 */
	text	   *user_agent;
} SessionNew;

extern void SessionStoreInit(void);
extern bool SessionStoreFetch(const SessionKey *key, SessionRow *row, bool want_data);
extern void SessionStoreTouch(const SessionKey *key, TimestampTz now);
extern bool SessionStoreInsert(const SessionKey *key, const SessionNew *s, TimestampTz now,
							   int64 *id);
extern bool SessionStoreUpdate(const SessionKey *key, Jsonb *data, text *account,
							   bool has_expire_date, TimestampTz expire_date,
							   TimestampTz now);
extern void SessionAccountBind(text *account, TimestampTz now);
extern void SessionAccountTouch(text *account, TimestampTz now);
extern bool SessionTouchDue(TimestampTz last_activity, TimestampTz now);
extern void SessionDataCheck(Jsonb *data);
extern text *SessionDataAccount(Jsonb *data);

#endif
