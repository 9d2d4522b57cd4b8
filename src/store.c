/*-------------------------------------------------------------------------
 * store.c
 *		Access to the session table, session.sessions.
 *
 * A load is the one call every web request pays for, so it reads the row
 * straight through the primary key index instead of running a query: that
 * costs less than the plain SELECT it replaces.  Writes go through SPI with
 * plans prepared once per backend, so triggers, constraints and index upkeep
 * stay the executor's business.
 *
 * The table is laid out so that the writes a live session sees most often
 * (the touch that slides an idle timeout, a save of new data) change no
 * indexed column and can be HOT updates: expire_date is not indexed; the
 * purge walks purge_after, a lower bound of expire_date that only moves when
 * a session's expiry is brought forward.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "pg_compat.h"
#include "settings.h"
#include "store.h"

static Oid	store_relid = InvalidOid;
static Oid	store_pkey = InvalidOid;

static SPIPlanPtr touch_plan = NULL;
static SPIPlanPtr insert_plan = NULL;
static SPIPlanPtr update_plan = NULL;

/* Forget the cached OIDs when the table or its index goes away. */
static void
SessionStoreRelcacheCallback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == store_relid || relid == store_pkey)
	{
		store_relid = InvalidOid;
		store_pkey = InvalidOid;
	}
}

void
SessionStoreInit(void)
{
	CacheRegisterRelcacheCallback(SessionStoreRelcacheCallback, (Datum) 0);
}

static void
SessionStoreLookup(void)
{
	Oid			nsp;

	if (OidIsValid(store_relid) && OidIsValid(store_pkey))
		return;
	nsp = get_namespace_oid("session", true);
	if (OidIsValid(nsp))
	{
		store_relid = get_relname_relid("sessions", nsp);
		store_pkey = get_relname_relid("sessions_pkey", nsp);
	}
	if (!OidIsValid(store_relid) || !OidIsValid(store_pkey))
	{
		store_relid = InvalidOid;
		store_pkey = InvalidOid;
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the session table is missing"),
				 errhint("Run CREATE EXTENSION session in this database.")));
	}
}

/*
 * Find the row of a key, live or not.  On success *row holds a copy of what
 * a load needs.  Reads with a fresh snapshot, as the query inside a volatile
 * SQL function would: a load sees what earlier calls in the same statement
 * wrote (SELECT session.save(...), session.load(...)).
 */
bool
SessionStoreFetch(const SessionKey *key, SessionRow *row, bool want_data)
{
	Relation	rel;
	Relation	idx;
	TupleTableSlot *slot;
	IndexScanDesc scan;
	ScanKeyData skey;
	bytea	   *digest = SessionKeyDigestBytea(key);
	bool		found;

	SessionStoreLookup();
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();
	rel = table_open(store_relid, AccessShareLock);
	idx = index_open(store_pkey, AccessShareLock);
	slot = table_slot_create(rel, NULL);

	ScanKeyInit(&skey, 1, BTEqualStrategyNumber, F_BYTEAEQ, PointerGetDatum(digest));
	scan = index_beginscan_compat(rel, idx, GetActiveSnapshot(), 1, 0);
	index_rescan(scan, &skey, 1, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	if (found)
	{
		bool		isnull;
		Datum		d;

		slot_getallattrs(slot);
		row->id = DatumGetInt64(slot->tts_values[Anum_sessions_id - 1]);
		d = slot->tts_values[Anum_sessions_data - 1];
		row->data = want_data ? (Jsonb *) PG_DETOAST_DATUM_COPY(d) : NULL;
		row->created = DatumGetTimestampTz(slot->tts_values[Anum_sessions_created - 1]);
		row->last_activity = DatumGetTimestampTz(slot->tts_values[Anum_sessions_last_activity - 1]);
		row->expire_date = DatumGetTimestampTz(slot->tts_values[Anum_sessions_expire_date - 1]);
		isnull = slot->tts_isnull[Anum_sessions_max_age - 1];
		row->has_max_age = !isnull;
		row->max_age = isnull ? 0 : DatumGetInt32(slot->tts_values[Anum_sessions_max_age - 1]);
		row->fixed_expiry = DatumGetBool(slot->tts_values[Anum_sessions_fixed_expiry - 1]);
		isnull = slot->tts_isnull[Anum_sessions_account - 1];
		d = slot->tts_values[Anum_sessions_account - 1];
		row->account = isnull ? NULL : (text *) PG_DETOAST_DATUM_COPY(d);
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, NoLock);
	table_close(rel, NoLock);
	PopActiveSnapshot();
	pfree(digest);
	return found;
}

static SPIPlanPtr
SessionStorePlan(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes)
{
	if (*cache == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		*cache = plan;
	}
	return *cache;
}

/*
 * Move a live session's last activity to now and slide its expiry unless it
 * is a fixed date.  A row that another transaction is writing is skipped,
 * not waited for: that writer moves the session's activity forward itself,
 * and a load never waits for a session's row.
 */
void
SessionStoreTouch(const SessionKey *key, TimestampTz now)
{
	static const char *sql =
	"UPDATE session.sessions AS s"
	" SET last_activity = $2,"
	"     expire_date = session._next_expiry(s.created, s.max_age, s.fixed_expiry, s.expire_date, $2),"
	"     purge_after = least(s.purge_after,"
	"                   session._next_expiry(s.created, s.max_age, s.fixed_expiry, s.expire_date, $2))"
	" FROM (SELECT ctid FROM session.sessions"
	"       WHERE key_hash OPERATOR(pg_catalog.=) $1"
	"       FOR NO KEY UPDATE SKIP LOCKED) AS l"
	" WHERE s.key_hash OPERATOR(pg_catalog.=) $1"
	"   AND s.ctid OPERATOR(pg_catalog.=) l.ctid"
	"   AND s.expire_date OPERATOR(pg_catalog.>) $2";
	Oid			argtypes[2] = {BYTEAOID, TIMESTAMPTZOID};
	Datum		values[2];
	int			rc;

	values[0] = PointerGetDatum(SessionKeyDigestBytea(key));
	values[1] = TimestampTzGetDatum(now);

	SPI_connect();
	rc = SPI_execute_plan(SessionStorePlan(&touch_plan, sql, 2, argtypes),
						  values, NULL, false, 0);
	if (rc != SPI_OK_UPDATE)
		elog(ERROR, "could not touch session: %s", SPI_result_code_string(rc));
	SPI_finish();
}

/*
 * Insert a new session under a key.  A row left under the same key by an
 * expired session is replaced; a live one is left alone and false returned.
 */
bool
SessionStoreInsert(const SessionKey *key, const SessionNew *s, TimestampTz now, int64 *id)
{
	static const char *sql =
	"INSERT INTO session.sessions AS s"
	" (key_hash, data, account, created, last_activity, expire_date,"
	"  fixed_expiry, purge_after, ip, user_agent)"
	" SELECT $1, $2, $5, $3, $3, e.at, $4 IS NOT NULL, e.at, $6, $7"
	" FROM (SELECT session._next_expiry($3, NULL, $4 IS NOT NULL, $4, $3) AS at) AS e"
	" ON CONFLICT (key_hash) DO UPDATE"
	" SET id = DEFAULT, data = excluded.data, account = excluded.account,"
	"     created = excluded.created, last_activity = excluded.last_activity,"
	"     expire_date = excluded.expire_date, max_age = NULL,"
	"     fixed_expiry = excluded.fixed_expiry, purge_after = excluded.purge_after,"
	"     ip = excluded.ip, user_agent = excluded.user_agent"
	" WHERE s.expire_date OPERATOR(pg_catalog.<=) $3"
	" RETURNING s.id";
	Oid			argtypes[7] = {BYTEAOID, JSONBOID, TIMESTAMPTZOID, TIMESTAMPTZOID,
	TEXTOID, INETOID, TEXTOID};
	Datum		values[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
	int			rc;
	bool		inserted;

	values[0] = PointerGetDatum(SessionKeyDigestBytea(key));
	values[1] = JsonbPGetDatum(s->data);
	values[2] = TimestampTzGetDatum(now);
	values[3] = TimestampTzGetDatum(s->expire_date);
	nulls[3] = s->has_expire_date ? ' ' : 'n';
	values[4] = PointerGetDatum(s->account);
	nulls[4] = s->account ? ' ' : 'n';
	values[5] = s->ip;
	nulls[5] = s->ip ? ' ' : 'n';
	values[6] = PointerGetDatum(s->user_agent);
	nulls[6] = s->user_agent ? ' ' : 'n';

	SPI_connect();
	rc = SPI_execute_plan(SessionStorePlan(&insert_plan, sql, 7, argtypes),
						  values, nulls, false, 0);
	if (rc != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "could not insert session: %s", SPI_result_code_string(rc));
	inserted = SPI_processed > 0;
	if (inserted)
	{
		bool		isnull;

		*id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
	return inserted;
}

/*
 * Replace the data of a live session and, once per session.touch_interval,
 * move its last activity to now (in step with the account's).  With an
 * expire_date the session gets that fixed date; without one it keeps its
 * policy (a sliding timeout slides, a fixed date stays).  A non-NULL account
 * rebinds the session; the caller must have bound the account first.
 * Returns false when no live session has the key: a late save never brings
 * a session back.
 */
bool
SessionStoreUpdate(const SessionKey *key, Jsonb *data, text *account,
				   bool has_expire_date, TimestampTz expire_date, TimestampTz now)
{
	static const char *sql =
	"UPDATE session.sessions AS s"
	" SET data = $2, account = coalesce($5, s.account),"
	"     last_activity = CASE WHEN s.last_activity OPERATOR(pg_catalog.<=)"
	"         ($3 OPERATOR(pg_catalog.-) pg_catalog.make_interval(secs => $6))"
	"         THEN $3 ELSE s.last_activity END,"
	"     max_age = CASE WHEN $4 IS NULL THEN s.max_age END,"
	"     fixed_expiry = s.fixed_expiry OR $4 IS NOT NULL,"
	"     expire_date = session._next_expiry(s.created, s.max_age,"
	"         s.fixed_expiry OR $4 IS NOT NULL, coalesce($4, s.expire_date), $3),"
	"     purge_after = least(s.purge_after, session._next_expiry(s.created, s.max_age,"
	"         s.fixed_expiry OR $4 IS NOT NULL, coalesce($4, s.expire_date), $3))"
	" WHERE s.key_hash OPERATOR(pg_catalog.=) $1"
	"   AND s.expire_date OPERATOR(pg_catalog.>) $3";
	Oid			argtypes[6] = {BYTEAOID, JSONBOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, INT4OID};
	Datum		values[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	int			rc;
	bool		updated;

	values[0] = PointerGetDatum(SessionKeyDigestBytea(key));
	values[1] = JsonbPGetDatum(data);
	values[2] = TimestampTzGetDatum(now);
	values[3] = TimestampTzGetDatum(expire_date);
	nulls[3] = has_expire_date ? ' ' : 'n';
	values[4] = PointerGetDatum(account);
	nulls[4] = account ? ' ' : 'n';
	values[5] = Int32GetDatum(session_touch_interval);

	SPI_connect();
	rc = SPI_execute_plan(SessionStorePlan(&update_plan, sql, 6, argtypes),
						  values, nulls, false, 0);
	if (rc != SPI_OK_UPDATE)
		elog(ERROR, "could not update session: %s", SPI_result_code_string(rc));
	updated = SPI_processed > 0;
	SPI_finish();
	return updated;
}

/* Whether activity at "now" is far enough from the last to be written. */
bool
SessionTouchDue(TimestampTz last_activity, TimestampTz now)
{
	return last_activity + (int64) session_touch_interval * USECS_PER_SEC <= now;
}

/*
 * Run one of the two account statements: both upsert the account's row and
 * make it active; the touch writes only when the recorded activity is older
 * than session.touch_interval.  Both take the account's row lock, which is
 * what orders them against logout_everywhere() and flag_inactive(): a
 * session is always written after its account, never before.
 */
static void
SessionAccountWrite(SPIPlanPtr *cache, const char *sql, text *account, TimestampTz now)
{
	Oid			argtypes[3] = {TEXTOID, TIMESTAMPTZOID, INT4OID};
	Datum		values[3];
	int			rc;

	values[0] = PointerGetDatum(account);
	values[1] = TimestampTzGetDatum(now);
	values[2] = Int32GetDatum(session_touch_interval);

	SPI_connect();
	rc = SPI_execute_plan(SessionStorePlan(cache, sql, 3, argtypes), values, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not record account activity: %s", SPI_result_code_string(rc));
	SPI_finish();
}

/* Make an account active now and lock its row for the rest of the transaction. */
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

	SessionAccountWrite(&plan, sql, account, now);
}

/* Record activity of an account, at most once per session.touch_interval. */
void
SessionAccountTouch(text *account, TimestampTz now)
{
	static SPIPlanPtr plan = NULL;
	static const char *sql =
	"INSERT INTO session.accounts AS a (account, last_activity, activity_floor)"
	" VALUES ($1, $2, $2)"
	" ON CONFLICT (account) DO UPDATE"
	" SET last_activity = excluded.last_activity, is_active = true, inactive_since = NULL"
	" WHERE NOT a.is_active"
	"    OR a.last_activity OPERATOR(pg_catalog.<=)"
	"       (excluded.last_activity OPERATOR(pg_catalog.-) pg_catalog.make_interval(secs => $3))";

	SessionAccountWrite(&plan, sql, account, now);
}

/*
 * The account named by session data under session.account_key, as text:
 * Django keeps the user's id there as a string; a number is taken as its
 * text.  NULL when the key is unset, absent, or holds anything else.
 */
text *
SessionDataAccount(Jsonb *data)
{
	JsonbValue	k;
	JsonbValue *v;

	if (session_account_key == NULL || session_account_key[0] == '\0' || !JB_ROOT_IS_OBJECT(data))
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
 * Session data is a JSON object no larger than session.max_data_size.  The
 * size is that of the stored jsonb value, which is what the table pays.
 */
void
SessionDataCheck(Jsonb *data)
{
	if (data == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("session data must not be null"),
				 errhint("Use '{}' for a session without data.")));
	if (!JB_ROOT_IS_OBJECT(data))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("session data must be a JSON object"),
				 errdetail("Got a JSON %s.",
						   JB_ROOT_IS_SCALAR(data) ? "scalar" : "array")));
	if (VARSIZE(data) > (Size) session_max_data_size)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("session data is too large"),
				 errdetail("The data takes %zu bytes; session.max_data_size allows %d.",
						   (size_t) VARSIZE(data), session_max_data_size)));
}
