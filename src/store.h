/*-------------------------------------------------------------------------
 * store.h
 *		Access to the session table, session.sessions.
 *-------------------------------------------------------------------------
 */
#ifndef SESSION_STORE_H
#define SESSION_STORE_H

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "executor/spi.h"
#include "storage/itemptr.h"
#include "utils/jsonb.h"

#include "key.h"
#include "policy.h"

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

/*
 * A row as read, with the version it was read at (ctid and xmin): a write
 * computed from it applies only if the row has not changed since.
 */
typedef struct SessionRow
{
	ItemPointerData ctid;
	TransactionId xmin;
	int64		id;
	Jsonb	   *data;			/* a private copy, or NULL if not asked for */
	text	   *account;		/* a private copy, or NULL */
	TimestampTz last_activity;
	TimestampTz expire_date;
	TimestampTz purge_after;
	SessionExpiryPolicy policy;
} SessionRow;

/*
 * The new values of a row, computed by the caller.  A NULL new_key, data,
 * ip or user_agent keeps what the row has; account is written as given
 * (NULL unbinds).
 */
typedef struct SessionValues
{
	bool		activity;		/* the write is activity of the session */
	const SessionKey *new_key;
	Jsonb	   *data;
	text	   *account;
	TimestampTz last_activity;
	TimestampTz expire_date;
	TimestampTz purge_after;
	SessionExpiryPolicy policy;
	Datum		ip;				/* inet, or 0 */
	text	   *user_agent;
} SessionValues;

extern void SessionStoreInit(void);
extern SPIPlanPtr SessionPlan(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes);
extern bool SessionStoreFetch(const SessionKey *key, SessionRow *row, bool want_data);
extern bool SessionStoreInsert(const SessionKey *key, const SessionValues *v, int64 *id);
extern bool SessionStoreUpdate(const SessionKey *key, const SessionRow *row,
							   const SessionValues *v);
extern bool SessionStoreTouch(const SessionKey *key, const SessionRow *row,
							  TimestampTz now, TimestampTz expire_date);
extern bool SessionStoreDelete(const SessionKey *key, const SessionRow *row);
extern void SessionStoreFetchMany(const uint8 (*digests)[PG_SHA256_DIGEST_LENGTH], int n,
								  SessionRow *rows, bool *found);
extern int	SessionStoreTouchMany(const uint8 (*digests)[PG_SHA256_DIGEST_LENGTH],
								  const SessionRow *rows, const TimestampTz *at,
								  const TimestampTz *expire_date,
								  const TimestampTz *purge_after, int n, bool *written);

/* A call that writes fails with 25006 in a read-only transaction or on a standby. */
extern void SessionStoreCheckWritable(FunctionCallInfo fcinfo);

#endif
