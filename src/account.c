/*-------------------------------------------------------------------------
 * account.c
 *		The account a session belongs to, and the accounts table.
 *
 * Which account a session belongs to is decided here: an explicit binding
 * (create with an account, login), or the account its data names under
 * session.account_key (Django's _auth_user_id), whichever came last.
 *
 * Lock order: a transaction writes (or locks) an account's row before any
 * session of that account.  logout_everywhere() and flag_inactive() lock
 * the account first too, so they see every session bound by a transaction
 * that committed before them and never deadlock with a request.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "account.h"
#include "pg_compat.h"
#include "policy.h"
#include "settings.h"
#include "store.h"

/*
 * An account id is text of 1 to 1024 bytes: integers, UUIDs, usernames and
 * e-mail addresses all fit.
 */
void
SessionAccountCheck(text *account)
{
	if (account == NULL)
		return;
	if (VARSIZE_ANY_EXHDR(account) == 0 ||
		VARSIZE_ANY_EXHDR(account) > SESSION_ACCOUNT_MAX_LENGTH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("account id must have 1 to %d bytes", SESSION_ACCOUNT_MAX_LENGTH)));
}

/*
 * The account named by session data under session.account_key, as text:
 * Django keeps the user's id there as a string; a number is taken as its
 * text.  NULL when the setting is empty, the data is NULL, the key is
 * absent, or it holds anything else.
 */
text *
SessionDataAccount(Jsonb *data)
{
	JsonbValue	k;
	JsonbValue *v;

	if (data == NULL || session_account_key == NULL || session_account_key[0] == '\0' ||
		!JB_ROOT_IS_OBJECT(data))
		return NULL;
	k.type = jbvString;
	k.val.string.val = session_account_key;
	k.val.string.len = strlen(session_account_key);
	v = findJsonbValueFromContainer(&data->root, JB_FOBJECT, &k);
	if (v == NULL)
		return NULL;
	if (v->type == jbvString && v->val.string.len > 0)
		return cstring_to_text_with_len(v->val.string.val, v->val.string.len);
	if (v->type == jbvNumeric)
		return cstring_to_text(DatumGetCString(DirectFunctionCall1(numeric_out,
																   NumericGetDatum(v->val.numeric))));
	return NULL;
}

/*
 * The account a session bound to "bound" belongs to once its data changes
 * from old_data to data that names the account "named" (NULL: none):
 * - the account the new data names, if it names one (a login through the
 *   data);
 * - none, if old_data named one and the new data does not (the
 *   application removed the account key: a logout through the data);
 * - otherwise the binding stays: data that never named an account does
 *   not undo a login() or create(account => ...).
 * old_data may be NULL when named is not NULL or bound is NULL.
 */
text *
SessionAccountAfter(text *bound, Jsonb *old_data, text *named)
{
	if (named != NULL)
	{
		SessionAccountCheck(named);
		return named;
	}
	if (bound != NULL && SessionDataAccount(old_data) != NULL)
		return NULL;
	return bound;
}

bool
SessionAccountEqual(text *a, text *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
		memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

/*
 * Run one of the account statements.  Each takes the account's row lock,
 * which is what orders it before the session writes that follow.
 */
static void
SessionAccountRun(SPIPlanPtr *cache, const char *sql, int nargs, text *account,
				  TimestampTz now, TimestampTz due_before, int expect)
{
	Oid			argtypes[3] = {TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		values[3];
	int			rc;

	values[0] = PointerGetDatum(account);
	values[1] = TimestampTzGetDatum(now);
	values[2] = TimestampTzGetDatum(due_before);

	SPI_connect();
	rc = SPI_execute_plan(SessionPlan(cache, sql, nargs, argtypes), values, NULL, false, 0);
	if (rc != expect)
		elog(ERROR, "account statement failed: %s", SPI_result_code_string(rc));
	SPI_finish();
}

/*
 * Make an account active now and lock its row for the rest of the
 * transaction: call it before binding a session to the account.
 */
void
SessionAccountBind(text *account, TimestampTz now)
{
	static SPIPlanPtr plan = NULL;
	static const char *sql =
	"INSERT INTO session.accounts AS a (account, last_activity, activity_floor)"
	" VALUES ($1, $2, $2)"
	" ON CONFLICT (account) DO UPDATE"
	" SET last_activity = greatest(a.last_activity, excluded.last_activity),"
	"     is_active = true, inactive_since = NULL";

	SessionAccountCheck(account);
	SessionAccountRun(&plan, sql, 2, account, now, now, SPI_OK_INSERT);
}

/*
 * Record activity of an account at "now" if its recorded activity is due
 * for a write (policy.c), or it was flagged inactive.  Locks the row
 * either way.
 */
void
SessionAccountTouch(text *account, TimestampTz now)
{
	static SPIPlanPtr plan = NULL;
	static const char *sql =
	"INSERT INTO session.accounts AS a (account, last_activity, activity_floor)"
	" VALUES ($1, $2, $2)"
	" ON CONFLICT (account) DO UPDATE"
	" SET last_activity = excluded.last_activity, is_active = true, inactive_since = NULL"
	" WHERE NOT a.is_active OR a.last_activity OPERATOR(pg_catalog.<=) $3";

	SessionAccountRun(&plan, sql, 3, account, now, SessionTouchDueBefore(now),
					  SPI_OK_INSERT);
}

/*
 * Lock an account's row against logout_everywhere() and flag_inactive()
 * (KEY SHARE: other requests of the account are not held up) before
 * writing one of its sessions without recording activity.
 */
void
SessionAccountLockShare(text *account)
{
	static SPIPlanPtr plan = NULL;
	static const char *sql =
	"SELECT FROM session.accounts AS a"
	" WHERE a.account OPERATOR(pg_catalog.=) $1"
	" FOR KEY SHARE";

	SessionAccountRun(&plan, sql, 1, account, 0, 0, SPI_OK_SELECT);
}
