/*-------------------------------------------------------------------------
 * lifecycle.c
 *		SQL-callable create, load and save: the calls every request makes.
 *
 * Reading functions treat a malformed key as unknown (a forged cookie is
 * never an error); writing functions reject it.  All times are the database
 * clock at the moment of the call, never the transaction start, because an
 * application may make many calls inside one transaction.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "key.h"
#include "settings.h"
#include "store.h"

/* Try this many fresh keys before concluding that something is wrong. */
#define SESSION_CREATE_ATTEMPTS 10

PG_FUNCTION_INFO_V1(session_create);

/*
 * create(data jsonb, expire_date timestamptz, account text, ip inet,
 *		  user_agent text) returns text
 */
Datum
session_create(PG_FUNCTION_ARGS)
{
	SessionNew	s;
	SessionKey	key;
	int			attempt;

	s.data = PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0);
	SessionDataCheck(s.data);
	s.has_expire_date = !PG_ARGISNULL(1);
	s.expire_date = s.has_expire_date ? PG_GETARG_TIMESTAMPTZ(1) : 0;
	s.account = PG_ARGISNULL(2) ? NULL : PG_GETARG_TEXT_PP(2);
	s.ip = PG_ARGISNULL(3) ? (Datum) 0 : PG_GETARG_DATUM(3);
	s.user_agent = PG_ARGISNULL(4) ? NULL : PG_GETARG_TEXT_PP(4);

	for (attempt = 0; attempt < SESSION_CREATE_ATTEMPTS; attempt++)
	{
		SessionKeyGenerate(&key);
		if (SessionStoreInsert(&key, &s, GetCurrentTimestamp()))
			PG_RETURN_TEXT_P(cstring_to_text_with_len(key.text, SESSION_KEY_LENGTH));
	}
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("could not find an unused session key after %d attempts",
					SESSION_CREATE_ATTEMPTS)));
	PG_RETURN_NULL();			/* keep compiler quiet */
}

/* Whether a load at "now" must slide the session's idle timeout. */
static bool
SessionNeedsTouch(const SessionRow *row, TimestampTz now)
{
	if (row->fixed_expiry || XactReadOnly)
		return false;
	return row->last_activity + (int64) session_touch_interval * USECS_PER_SEC <= now;
}

PG_FUNCTION_INFO_V1(session_load);

/*
 * load(key text) returns jsonb
 *
 * The data of a live session, or NULL.  Never creates a row; writes at most
 * once per session.touch_interval, and never in a read-only transaction or
 * on a standby.
 */
Datum
session_load(PG_FUNCTION_ARGS)
{
	SessionKey	key;
	SessionRow	row;
	TimestampTz now;

	if (PG_ARGISNULL(0) || !SessionKeyParse(PG_GETARG_TEXT_PP(0), &key))
		PG_RETURN_NULL();		/* malformed keys are simply unknown */
	now = GetCurrentTimestamp();
	if (!SessionStoreFetch(&key, &row) || row.expire_date <= now)
		PG_RETURN_NULL();
	if (SessionNeedsTouch(&row, now))
		SessionStoreTouch(&key, now);
	PG_RETURN_JSONB_P(row.data);
}

PG_FUNCTION_INFO_V1(session_save);

/*
 * save(key text, data jsonb, expire_date timestamptz, must_create boolean)
 *		returns boolean
 *
 * With must_create, inserts and returns false if a live session has the key;
 * otherwise updates and returns false if none has.
 */
Datum
session_save(PG_FUNCTION_ARGS)
{
	SessionKey	key;
	Jsonb	   *data;
	bool		must_create = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
	bool		has_expire_date = !PG_ARGISNULL(2);
	TimestampTz expire_date = has_expire_date ? PG_GETARG_TIMESTAMPTZ(2) : 0;

	SessionKeyParseOrError(PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0), &key);
	data = PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1);
	SessionDataCheck(data);

	if (must_create)
	{
		SessionNew	s;

		memset(&s, 0, sizeof(s));
		s.data = data;
		s.has_expire_date = has_expire_date;
		s.expire_date = expire_date;
		PG_RETURN_BOOL(SessionStoreInsert(&key, &s, GetCurrentTimestamp()));
	}
	PG_RETURN_BOOL(SessionStoreUpdate(&key, data, has_expire_date, expire_date,
									  GetCurrentTimestamp()));
}

PG_FUNCTION_INFO_V1(session_check_data);

/* _check_data(data jsonb) returns jsonb: internal, raises unless data may be stored. */
Datum
session_check_data(PG_FUNCTION_ARGS)
{
	Jsonb	   *data = PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0);

	SessionDataCheck(data);
	PG_RETURN_JSONB_P(data);
}
