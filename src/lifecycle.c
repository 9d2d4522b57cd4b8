/*-------------------------------------------------------------------------
 * lifecycle.c
 *		SQL-callable create, load, save, exists, delete, cycle_key and login.
 *
 * Reading functions treat a malformed key as unknown (a forged cookie is
 * never an error); writing functions reject it, except those that end a
 * session, for which a key that can name no session is simply not there.
 * All times are the database clock at the moment of the call, never the
 * transaction start, because an application may make many calls inside
 * one transaction.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "account.h"
#include "activity.h"
#include "data.h"
#include "events.h"
#include "key.h"
#include "modify.h"
#include "pg_compat.h"
#include "policy.h"
#include "store.h"
#include "subxact.h"

/* A user agent is kept up to this many bytes (cut at a character boundary). */
#define SESSION_USER_AGENT_MAX_LENGTH 512

static text *
SessionUserAgentArg(FunctionCallInfo fcinfo, int argno)
{
	text	   *ua;
	int			len;

	if (PG_ARGISNULL(argno))
		return NULL;
	ua = PG_GETARG_TEXT_PP(argno);
	len = VARSIZE_ANY_EXHDR(ua);
	if (len <= SESSION_USER_AGENT_MAX_LENGTH)
		return ua;
	len = pg_mbcliplen(VARDATA_ANY(ua), len, SESSION_USER_AGENT_MAX_LENGTH);
	return cstring_to_text_with_len(VARDATA_ANY(ua), len);
}

/* The policy of a new session: a fixed date, or the default idle timeout. */
static void
SessionNewPolicy(SessionExpiryPolicy *policy, bool has_expire_date, TimestampTz expire_date)
{
	memset(policy, 0, sizeof(*policy));
	policy->fixed = has_expire_date;
	policy->fixed_date = expire_date;
}

PG_FUNCTION_INFO_V1(session_create);

/*
 * create(data jsonb, expire_date timestamptz, account text, ip inet,
 *		  user_agent text) returns text
 *
 * The account is the one given, or else the one the data names; both,
 * when they differ, are an error.
 */
Datum
session_create(PG_FUNCTION_ARGS)
{
	SessionValues v;
	SessionKey	key;
	text	   *named;

	SessionStoreCheckWritable(fcinfo);
	memset(&v, 0, sizeof(v));
	v.data = PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0);
	SessionDataCheck(v.data);
	SessionNewPolicy(&v.policy, !PG_ARGISNULL(1), PG_ARGISNULL(1) ? 0 : PG_GETARG_TIMESTAMPTZ(1));
	named = SessionDataAccount(v.data);
	v.account = PG_ARGISNULL(2) ? named : PG_GETARG_TEXT_PP(2);
	SessionAccountCheck(v.account);
	if (named != NULL && !SessionAccountEqual(named, v.account))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("account does not match the account the session data names"),
				 errhint("Pass the same account in both, or only one of them.")));
	v.ip = PG_ARGISNULL(3) ? (Datum) 0 : PG_GETARG_DATUM(3);
	v.user_agent = SessionUserAgentArg(fcinfo, 4);

	SessionCreate(&key, &v);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(key.text, SESSION_KEY_LENGTH));
}

/*
 * Slide a loaded session's expiry and record its activity (and its
 * account's).  Best effort: under REPEATABLE READ or SERIALIZABLE a row
 * written after the transaction's snapshot cannot be written by it, and
 * then the touch is left to the writer that moved the row.  There the
 * touch runs in a subtransaction so that the load itself never fails for
 * a serialization failure (any other error is raised as it is); each such
 * touch takes a subtransaction id.
 */
typedef struct SessionTouchArg
{
	const SessionKey *key;
	const SessionRow *row;
	TimestampTz now;
} SessionTouchArg;

static void
SessionLoadTouchStep(void *arg)
{
	SessionTouchArg *t = (SessionTouchArg *) arg;

	if (t->row->account)
		SessionAccountTouch(t->row->account, t->now);
	(void) SessionStoreTouch(t->key, t->row, t->now, SessionNextExpiry(&t->row->policy, t->now));
}

static bool
SessionSerializationFailure(int sqlerrcode)
{
	return sqlerrcode == ERRCODE_T_R_SERIALIZATION_FAILURE;
}

static void
SessionLoadTouch(const SessionKey *key, const SessionRow *row, TimestampTz now)
{
	SessionTouchArg t;

	t.key = key;
	t.row = row;
	t.now = now;
	if (!IsolationUsesXactSnapshot())
		SessionLoadTouchStep(&t);
	else
		(void) SessionSubtransaction(SessionLoadTouchStep, &t, SessionSerializationFailure);
}

PG_FUNCTION_INFO_V1(session_load);

/*
 * load(key text) returns jsonb
 *
 * The data of a live session, or NULL.  Never creates a row.  Activity is
 * recorded at most once per session.touch_interval: in shared memory when
 * the library is preloaded (activity.c), else written inline, never in a
 * read-only transaction or on a standby.
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
	if (!SessionStoreFetch(&key, &row, true))
		PG_RETURN_NULL();
	if (!SessionIsLive(row.expire_date, now))
	{
		TimestampTz at;

		/* live by activity recorded but not written yet? */
		if (!SessionActivityPendingAt(&key, &at) || at <= row.last_activity ||
			!SessionIsLive(SessionNextExpiry(&row.policy, at), now))
			PG_RETURN_NULL();
	}
	if (SessionTouchDue(row.last_activity, now) &&
		!SessionActivityRecord(&key, now) && !XactReadOnly)
		SessionLoadTouch(&key, &row, now);
	PG_RETURN_JSONB_P(row.data);
}

typedef struct SessionSaveArg
{
	Jsonb	   *data;
	text	   *named;
	bool		has_expire_date;
	TimestampTz expire_date;
} SessionSaveArg;

static void
SessionSaveEdit(const SessionRow *row, SessionValues *v, TimestampTz now, void *arg)
{
	SessionSaveArg *a = (SessionSaveArg *) arg;

	v->data = a->data;
	v->account = SessionAccountAfter(row->account, row->data, a->named);
	if (a->has_expire_date)
		SessionNewPolicy(&v->policy, true, a->expire_date);
	v->policy.created = row->policy.created;
}

PG_FUNCTION_INFO_V1(session_save);

/*
 * save(key text, data jsonb, expire_date timestamptz, must_create boolean)
 *		returns boolean
 *
 * With must_create, inserts and returns false if a live session has the key;
 * otherwise updates and returns false if none has.  With an expire_date the
 * session gets that fixed date; without one it keeps its policy.  The
 * session's account follows the data (SessionAccountAfter): that is how a
 * Django login reaches the store.
 */
Datum
session_save(PG_FUNCTION_ARGS)
{
	SessionKey	key;
	SessionSaveArg a;
	bool		must_create = !PG_ARGISNULL(3) && PG_GETARG_BOOL(3);

	SessionStoreCheckWritable(fcinfo);
	/* A key the application chose must also be random enough. */
	if (must_create)
		SessionKeyParseChosen(PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0), &key);
	else
		SessionKeyParseOrError(PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0), &key);
	a.data = PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1);
	SessionDataCheck(a.data);
	a.named = SessionDataAccount(a.data);
	SessionAccountCheck(a.named);
	a.has_expire_date = !PG_ARGISNULL(2);
	a.expire_date = a.has_expire_date ? PG_GETARG_TIMESTAMPTZ(2) : 0;

	if (must_create)
	{
		SessionValues v;
		int64		id;

		memset(&v, 0, sizeof(v));
		v.data = a.data;
		v.account = a.named;
		SessionNewPolicy(&v.policy, a.has_expire_date, a.expire_date);
		if (v.account)
			SessionAccountBind(v.account, GetCurrentTimestamp());
		if (!SessionInsertFresh(&key, &v, &id))
			PG_RETURN_BOOL(false);
		if (v.account)
			SessionNotify("login", v.account, id, -1);
		PG_RETURN_BOOL(true);
	}
	/* The old data matters only when the new data names no account. */
	PG_RETURN_BOOL(SessionModify(&key, a.named == NULL, SessionSaveEdit, &a));
}

PG_FUNCTION_INFO_V1(session_exists);

/* exists(key text) returns boolean */
Datum
session_exists(PG_FUNCTION_ARGS)
{
	SessionKey	key;
	SessionRow	row;

	if (PG_ARGISNULL(0) || !SessionKeyParse(PG_GETARG_TEXT_PP(0), &key))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(SessionStoreFetch(&key, &row, false) &&
				   SessionIsLive(row.expire_date, GetCurrentTimestamp()));
}

PG_FUNCTION_INFO_V1(session_delete);

/*
 * delete(key text) returns boolean; also flush(key) and logout(key)
 *
 * Ends a session, live or expired, and creates nothing; true if it was live.
 */
Datum
session_delete(PG_FUNCTION_ARGS)
{
	SessionKey	key;

	SessionStoreCheckWritable(fcinfo);
	if (PG_ARGISNULL(0) || !SessionKeyParse(PG_GETARG_TEXT_PP(0), &key))
		PG_RETURN_BOOL(false);	/* a malformed key names no session to end */
	PG_RETURN_BOOL(SessionDelete(&key));
}

/* A new key is no activity: the session keeps its expiry. */
static void
SessionCycleKeyEdit(const SessionRow *row, SessionValues *v, TimestampTz now, void *arg)
{
	v->new_key = (const SessionKey *) arg;
	v->activity = false;
}

PG_FUNCTION_INFO_V1(session_cycle_key);

/*
 * cycle_key(key text) returns text
 *
 * The live session of the key gets a fresh key and keeps everything else;
 * the old key names nothing afterwards.  NULL if no live session.
 */
Datum
session_cycle_key(PG_FUNCTION_ARGS)
{
	SessionKey	key;
	SessionKey	new_key;

	SessionStoreCheckWritable(fcinfo);
	SessionKeyParseOrError(PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0), &key);
	SessionNewKey(&new_key);
	if (!SessionModify(&key, false, SessionCycleKeyEdit, &new_key))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(new_key.text, SESSION_KEY_LENGTH));
}

typedef struct SessionLoginArg
{
	SessionKey	new_key;
	text	   *account;
	Datum		ip;
	text	   *user_agent;
	bool		was_bound;		/* the session had this account already */
	int64		session_id;
} SessionLoginArg;

static void
SessionLoginEdit(const SessionRow *row, SessionValues *v, TimestampTz now, void *arg)
{
	SessionLoginArg *a = (SessionLoginArg *) arg;

	v->new_key = &a->new_key;
	/* another account's data does not pass to this one (as Django flushes) */
	if (row->account != NULL && !SessionAccountEqual(row->account, a->account))
		v->data = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")));
	a->was_bound = SessionAccountEqual(row->account, a->account);
	a->session_id = row->id;
	v->account = a->account;
	v->ip = a->ip;
	v->user_agent = a->user_agent;
	v->last_activity = now;
}

PG_FUNCTION_INFO_V1(session_login);

/*
 * login(key text, account text, ip inet, user_agent text) returns text
 *
 * Logs an account in: the live session of the key gets a fresh key
 * (against session fixation), the account, and the client's IP and user
 * agent; a key that names no live session gets a new session for the
 * account.  Returns the new key.
 */
Datum
session_login(PG_FUNCTION_ARGS)
{
	SessionLoginArg a;
	SessionKey	key;
	SessionValues v;

	SessionStoreCheckWritable(fcinfo);
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("account id must not be null")));
	memset(&a, 0, sizeof(a));
	a.account = PG_GETARG_TEXT_PP(1);
	SessionAccountCheck(a.account);
	a.ip = PG_ARGISNULL(2) ? (Datum) 0 : PG_GETARG_DATUM(2);
	a.user_agent = SessionUserAgentArg(fcinfo, 3);

	if (!PG_ARGISNULL(0) && SessionKeyParse(PG_GETARG_TEXT_PP(0), &key))
	{
		SessionNewKey(&a.new_key);
		if (SessionModify(&key, false, SessionLoginEdit, &a))
		{
			if (a.was_bound)
				SessionNotify("login", a.account, a.session_id, -1);
			PG_RETURN_TEXT_P(cstring_to_text_with_len(a.new_key.text, SESSION_KEY_LENGTH));
		}
	}

	/* no live session to carry over: start one for the account */
	memset(&v, 0, sizeof(v));
	v.data = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")));
	v.account = a.account;
	v.ip = a.ip;
	v.user_agent = a.user_agent;
	SessionNewPolicy(&v.policy, false, 0);
	SessionCreate(&key, &v);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(key.text, SESSION_KEY_LENGTH));
}
