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

#include "events.h"
#include "key.h"
#include "pg_compat.h"
#include "settings.h"
#include "store.h"

/* Try this many fresh keys before concluding that something is wrong. */
#define SESSION_CREATE_ATTEMPTS 10

static void SessionAccountCheck(text *account);

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
	s.account = PG_ARGISNULL(2) ? SessionDataAccount(s.data) : PG_GETARG_TEXT_PP(2);
	s.ip = PG_ARGISNULL(3) ? (Datum) 0 : PG_GETARG_DATUM(3);
	s.user_agent = PG_ARGISNULL(4) ? NULL : PG_GETARG_TEXT_PP(4);
	SessionAccountCheck(s.account);
	if (s.account)
		SessionAccountBind(s.account, GetCurrentTimestamp());

	for (attempt = 0; attempt < SESSION_CREATE_ATTEMPTS; attempt++)
	{
		int64		id;

		SessionKeyGenerate(&key);
		if (SessionStoreInsert(&key, &s, GetCurrentTimestamp(), &id))
		{
			if (s.account)
				SessionNotify("login", s.account, id, -1);
			PG_RETURN_TEXT_P(cstring_to_text_with_len(key.text, SESSION_KEY_LENGTH));
		}
	}
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("could not find an unused session key after %d attempts",
					SESSION_CREATE_ATTEMPTS)));
	PG_RETURN_NULL();			/* keep compiler quiet */
}

/*
 * An account id is text of 1 to 1024 bytes: integers, UUIDs, usernames and
 * e-mail addresses all fit.
 */
static void
SessionAccountCheck(text *account)
{
	if (account == NULL)
		return;
	if (VARSIZE_ANY_EXHDR(account) == 0 || VARSIZE_ANY_EXHDR(account) > 1024)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("account id must have 1 to 1024 bytes")));
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
	if (!SessionStoreFetch(&key, &row, true) || row.expire_date <= now)
		PG_RETURN_NULL();
	if (!XactReadOnly && SessionTouchDue(row.last_activity, now))
	{
		if (row.account)
			SessionAccountTouch(row.account, now);
		SessionStoreTouch(&key, now);
	}
	PG_RETURN_JSONB_P(row.data);
}

PG_FUNCTION_INFO_V1(session_save);

/*
 * save(key text, data jsonb, expire_date timestamptz, must_create boolean)
 *		returns boolean
 *
 * With must_create, inserts and returns false if a live session has the key;
 * otherwise updates and returns false if none has.  When the data names an
 * account (session.account_key) that the session is not bound to yet, the
 * save binds it: that is how a Django login reaches the store.
 */
Datum
session_save(PG_FUNCTION_ARGS)
{
	SessionKey	key;
	SessionRow	row;
	Jsonb	   *data;
	text	   *account;
	bool		must_create = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);
	bool		has_expire_date = !PG_ARGISNULL(2);
	TimestampTz expire_date = has_expire_date ? PG_GETARG_TIMESTAMPTZ(2) : 0;
	TimestampTz now;
	bool		bound = false;

	SessionKeyParseOrError(PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0), &key);
	data = PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1);
	SessionDataCheck(data);
	account = SessionDataAccount(data);
	SessionAccountCheck(account);
	now = GetCurrentTimestamp();

	if (must_create)
	{
		SessionNew	s;
		int64		id;

		memset(&s, 0, sizeof(s));
		s.data = data;
		s.has_expire_date = has_expire_date;
		s.expire_date = expire_date;
		s.account = account;
		if (account)
			SessionAccountBind(account, now);
		if (!SessionStoreInsert(&key, &s, now, &id))
			PG_RETURN_BOOL(false);
		if (account)
			SessionNotify("login", account, id, -1);
		PG_RETURN_BOOL(true);
	}

	/*
	 * Read the row first, straight from the index: no live session means
	 * nothing to write, and the account the session has decides whether this
	 * save binds an account or only records its activity.  Accounts are
	 * written before sessions (see SessionAccountWrite).
	 */
	if (!SessionStoreFetch(&key, &row, false) || row.expire_date <= now)
		PG_RETURN_BOOL(false);
	if (account && (row.account == NULL ||
					VARSIZE_ANY_EXHDR(account) != VARSIZE_ANY_EXHDR(row.account) ||
					memcmp(VARDATA_ANY(account), VARDATA_ANY(row.account),
						   VARSIZE_ANY_EXHDR(account)) != 0))
	{
		SessionAccountBind(account, now);
		bound = true;
	}
	else if (row.account && SessionTouchDue(row.last_activity, now))
		SessionAccountTouch(row.account, now);

	if (!SessionStoreUpdate(&key, data, account, has_expire_date, expire_date, now))
		PG_RETURN_BOOL(false);
	if (bound)
		SessionNotify("login", account, row.id, -1);
	PG_RETURN_BOOL(true);
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

PG_FUNCTION_INFO_V1(session_account_bind);

/*
 * _account_bind(account text): internal.  Makes the account active and holds
 * its row lock until commit; call it before binding a session to it.
 */
Datum
session_account_bind(PG_FUNCTION_ARGS)
{
	text	   *account = PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0);

	if (account == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("account id must not be null")));
	SessionAccountCheck(account);
	SessionAccountBind(account, GetCurrentTimestamp());
	PG_RETURN_VOID();
}
