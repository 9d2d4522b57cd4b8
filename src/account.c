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
#include "utils/array.h"
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

typedef struct AccountAt
{
	text	   *account;
	TimestampTz at;
} AccountAt;

static int
AccountAtCompare(const void *a, const void *b)
{
	const AccountAt *x = (const AccountAt *) a;
	const AccountAt *y = (const AccountAt *) b;
	int			lx = VARSIZE_ANY_EXHDR(x->account);
	int			ly = VARSIZE_ANY_EXHDR(y->account);
	int			c = memcmp(VARDATA_ANY(x->account), VARDATA_ANY(y->account), Min(lx, ly));

	return c != 0 ? c : (lx > ly) - (lx < ly);
}

/*
 * Record activity of many accounts at once (the deferred activity of a
 * batch of sessions): each at its latest time, written only when due (by
 * the batch's latest time) or flagged inactive; never moved backwards.
 * Locks every row it touches, before the batch's sessions are written.
 */
void
SessionAccountTouchMany(text **accounts, const TimestampTz *at, int n)
{
	static SPIPlanPtr plan = NULL;
	static const char *sql =
	"INSERT INTO session.accounts AS a (account, last_activity, activity_floor)"
	" SELECT v.acc, v.at, v.at"
	" FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]),"
	"                 pg_catalog.unnest($2::pg_catalog.timestamptz[])) AS v(acc, at)"
	" ON CONFLICT (account) DO UPDATE"
	" SET last_activity = greatest(a.last_activity, excluded.last_activity),"
	"     is_active = true, inactive_since = NULL"
	" WHERE NOT a.is_active OR a.last_activity OPERATOR(pg_catalog.<=) $3";
	Oid			argtypes[3] = {TEXTARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZOID};
	Datum		values[3];
	AccountAt  *v = palloc(sizeof(AccountAt) * n);
	Datum	   *accs;
	Datum	   *ats;
	TimestampTz latest = 0;
	int			m = 0;
	int			i;
	int			rc;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
	{
		v[i].account = accounts[i];
		v[i].at = at[i];
		if (at[i] > latest)
			latest = at[i];
	}
	qsort(v, n, sizeof(AccountAt), AccountAtCompare);
	/* one row per account (ON CONFLICT may touch a row once), its latest time */
	for (i = 0; i < n; i++)
	{
		if (m > 0 && AccountAtCompare(&v[m - 1], &v[i]) == 0)
		{
			if (v[i].at > v[m - 1].at)
				v[m - 1].at = v[i].at;
			continue;
		}
		v[m++] = v[i];
	}
	accs = palloc(sizeof(Datum) * m);
	ats = palloc(sizeof(Datum) * m);
	for (i = 0; i < m; i++)
	{
		accs[i] = PointerGetDatum(v[i].account);
		ats[i] = TimestampTzGetDatum(v[i].at);
	}
	values[0] = PointerGetDatum(construct_array(accs, m, TEXTOID, -1, false, TYPALIGN_INT));
	values[1] = PointerGetDatum(construct_array(ats, m, TIMESTAMPTZOID, sizeof(TimestampTz),
												FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[2] = TimestampTzGetDatum(SessionTouchDueBefore(latest));

	SPI_connect();
	rc = SPI_execute_plan(SessionPlan(&plan, sql, 3, argtypes), values, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "account statement failed: %s", SPI_result_code_string(rc));
	SPI_finish();
}
