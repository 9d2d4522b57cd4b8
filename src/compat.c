/*-------------------------------------------------------------------------
 * compat.c
 *		SQL-callable functions that only the 1.0 install script names.
 *
 * A database keeps running the functions of the version it has installed
 * until ALTER EXTENSION session UPDATE, and those of 1.0 call these
 * internal helpers.  They stay as long as an upgrade from 1.0 is
 * supported, and compute with the same rules as every other call.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "account.h"
#include "data.h"
#include "key.h"
#include "policy.h"

PG_FUNCTION_INFO_V1(session_next_expiry);

/*
 * 1.0's _next_expiry(created timestamptz, max_age integer, fixed boolean,
 *					  expire_date timestamptz, now timestamptz) returns timestamptz
 */
Datum
session_next_expiry(PG_FUNCTION_ARGS)
{
	SessionExpiryPolicy policy;

	policy.fixed = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
	if (PG_ARGISNULL(0) || PG_ARGISNULL(4) || (policy.fixed && PG_ARGISNULL(3)))
		PG_RETURN_NULL();
	policy.created = PG_GETARG_TIMESTAMPTZ(0);
	policy.has_max_age = !PG_ARGISNULL(1);
	policy.max_age = policy.has_max_age ? PG_GETARG_INT32(1) : 0;
	policy.fixed_date = policy.fixed ? PG_GETARG_TIMESTAMPTZ(3) : 0;
	PG_RETURN_TIMESTAMPTZ(SessionNextExpiry(&policy, PG_GETARG_TIMESTAMPTZ(4)));
}

PG_FUNCTION_INFO_V1(session_check_data);

/* 1.0's _check_data(data jsonb) returns jsonb */
Datum
session_check_data(PG_FUNCTION_ARGS)
{
	Jsonb	   *data = PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0);

	SessionDataCheck(data);
	PG_RETURN_JSONB_P(data);
}

PG_FUNCTION_INFO_V1(session_account_bind);

/* 1.0's _account_bind(account text) */
Datum
session_account_bind(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("account id must not be null")));
	SessionAccountBind(PG_GETARG_TEXT_PP(0), GetCurrentTimestamp());
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(session_new_key);

/* 1.0's _new_key() returns text */
Datum
session_new_key(PG_FUNCTION_ARGS)
{
	SessionKey	key;

	SessionKeyGenerate(&key);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(key.text, SESSION_KEY_LENGTH));
}
