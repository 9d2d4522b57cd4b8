/*-------------------------------------------------------------------------
 * store.c
 *		Access to the session table, session.sessions.
 *
 * This file reads and writes rows and decides nothing: the values it
 * writes are computed by its callers with the rules of policy.c.
 *
 * A read goes straight through the primary key index instead of running a
 * query, which costs less than the plain SELECT it replaces.  Writes go
 * through SPI with plans prepared once per backend, so triggers,
 * constraints and index upkeep stay the executor's business.  A write is
 * computed from a row read earlier, so it names the row version it was
 * computed from (ctid and xmin) and changes nothing if the row has changed
 * since; the caller then reads again and recomputes.  xmin is what makes
 * that check hold: a row version's xmin is the transaction that wrote it,
 * and the version a reader saw is the newest one exactly when the newest
 * still carries that xmin.
 *
 * The table is laid out so that the writes a live session sees most often
 * (the touch that slides an idle timeout, a save of new data) change no
 * indexed column and can be HOT updates: expire_date is not indexed; the
 * purge walks purge_after, a lower bound of expire_date that only moves when
 * a session's expiry is brought forward.
 *
 * Every query names its table with its schema and writes every operator
 * and type as pg_catalog's, so nothing in the caller's search_path can
 * change what it does.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/sysattr.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type_d.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "pg_compat.h"
#include "store.h"

static Oid	store_relid = InvalidOid;
static Oid	store_pkey = InvalidOid;

/* Forget the cached OIDs when the table or its index may have gone. */
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

/*
 * The OIDs of the table and its primary key index, into the caller's
 * variables: an invalidation that arrives while the caller opens them (any
 * ANALYZE or VACUUM sends one) resets the cache, never the caller's copy.
 */
static void
SessionStoreLookup(Oid *relid, Oid *pkey)
{
	if (!OidIsValid(store_relid) || !OidIsValid(store_pkey))
	{
		Oid			nsp = get_namespace_oid("session", true);
		Oid			r = InvalidOid;
		Oid			i = InvalidOid;

		if (OidIsValid(nsp))
		{
			r = get_relname_relid("sessions", nsp);
			i = get_relname_relid("sessions_pkey", nsp);
		}
		if (!OidIsValid(r) || !OidIsValid(i))
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the session table is missing"),
					 errhint("Run CREATE EXTENSION session in this database.")));
		store_relid = r;
		store_pkey = i;
	}
	*relid = store_relid;
	*pkey = store_pkey;
}

/*
 * Open the table and its primary key.  A table dropped since it was looked
 * up (DROP EXTENSION and CREATE EXTENSION in another connection) is looked
 * up once more.
 */
static void
SessionStoreOpen(Relation *rel, Relation *idx)
{
	int			attempt;

	for (attempt = 0; attempt < 2; attempt++)
	{
		Oid			relid;
		Oid			pkey;

		SessionStoreLookup(&relid, &pkey);
		*rel = try_table_open(relid, AccessShareLock);
		if (*rel != NULL)
		{
			*idx = try_relation_open(pkey, AccessShareLock);
			if (*idx != NULL)
				return;
			table_close(*rel, AccessShareLock);
		}
		store_relid = InvalidOid;
		store_pkey = InvalidOid;
	}
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("the session table is missing"),
			 errhint("Run CREATE EXTENSION session in this database.")));
}

/*
 * Find the row of a key, live or not.  On success *row holds a copy of the
 * row (its data only when want_data).  Reads with a fresh snapshot, as the
 * query inside a volatile SQL function would: a call sees what earlier
 * calls in the same statement wrote (SELECT session.save(...),
 * session.load(...)).  Under REPEATABLE READ that is the transaction's
 * snapshot.
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

	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();
	SessionStoreOpen(&rel, &idx);
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
		row->ctid = slot->tts_tid;
		row->xmin = DatumGetTransactionId(slot_getsysattr(slot, MinTransactionIdAttributeNumber,
														  &isnull));
		row->id = DatumGetInt64(slot->tts_values[Anum_sessions_id - 1]);
		d = slot->tts_values[Anum_sessions_data - 1];
		row->data = want_data ? (Jsonb *) PG_DETOAST_DATUM_COPY(d) : NULL;
		isnull = slot->tts_isnull[Anum_sessions_account - 1];
		d = slot->tts_values[Anum_sessions_account - 1];
		row->account = isnull ? NULL : (text *) PG_DETOAST_DATUM_COPY(d);
		row->last_activity = DatumGetTimestampTz(slot->tts_values[Anum_sessions_last_activity - 1]);
		row->expire_date = DatumGetTimestampTz(slot->tts_values[Anum_sessions_expire_date - 1]);
		row->purge_after = DatumGetTimestampTz(slot->tts_values[Anum_sessions_purge_after - 1]);
		row->policy.created = DatumGetTimestampTz(slot->tts_values[Anum_sessions_created - 1]);
		isnull = slot->tts_isnull[Anum_sessions_max_age - 1];
		row->policy.has_max_age = !isnull;
		row->policy.max_age = isnull ? 0 : DatumGetInt32(slot->tts_values[Anum_sessions_max_age - 1]);
		row->policy.fixed = DatumGetBool(slot->tts_values[Anum_sessions_fixed_expiry - 1]);
		row->policy.fixed_date = row->expire_date;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, NoLock);
	table_close(rel, NoLock);
	PopActiveSnapshot();
	pfree(digest);
	return found;
}

/*
 * A plan kept for the life of the backend, prepared on first use.  Every
 * statement of the extension's C code goes through here; each names its
 * tables with their schema and its operators as pg_catalog's, so a
 * re-plan under another caller's search_path finds the same objects.
 */
SPIPlanPtr
SessionPlan(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes)
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

/* Run a kept plan; returns the rows it processed.  The caller is connected. */
static uint64
SessionStoreRun(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes,
				Datum *values, const char *nulls, int expect)
{
	int			rc;

	rc = SPI_execute_plan(SessionPlan(cache, sql, nargs, argtypes),
						  values, nulls, false, 0);
	if (rc != expect)
		elog(ERROR, "session table statement failed: %s", SPI_result_code_string(rc));
	return SPI_processed;
}

/*
 * Insert a new session under a key that no row has.  Returns false, and
 * writes nothing, when a row (live or expired) has the key: the caller
 * decides what that means.
 */
bool
SessionStoreInsert(const SessionKey *key, const SessionValues *v, int64 *id)
{
	static SPIPlanPtr plan = NULL;
	static const char *sql =
	"INSERT INTO session.sessions"
	" (key_hash, data, account, created, last_activity, expire_date,"
	"  max_age, fixed_expiry, purge_after, ip, user_agent)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
	" ON CONFLICT (key_hash) DO NOTHING"
	" RETURNING id";
	Oid			argtypes[11] = {BYTEAOID, JSONBOID, TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID,
	TIMESTAMPTZOID, INT4OID, BOOLOID, TIMESTAMPTZOID, INETOID, TEXTOID};
	Datum		values[11];
	char		nulls[11];
	bool		inserted;

	memset(nulls, ' ', sizeof(nulls));
	values[0] = PointerGetDatum(SessionKeyDigestBytea(key));
	values[1] = JsonbPGetDatum(v->data);
	values[2] = PointerGetDatum(v->account);
	nulls[2] = v->account ? ' ' : 'n';
	values[3] = TimestampTzGetDatum(v->policy.created);
	values[4] = TimestampTzGetDatum(v->last_activity);
	values[5] = TimestampTzGetDatum(v->expire_date);
	values[6] = Int32GetDatum(v->policy.max_age);
	nulls[6] = v->policy.has_max_age ? ' ' : 'n';
	values[7] = BoolGetDatum(v->policy.fixed);
	values[8] = TimestampTzGetDatum(v->purge_after);
	values[9] = v->ip;
	nulls[9] = v->ip ? ' ' : 'n';
	values[10] = PointerGetDatum(v->user_agent);
	nulls[10] = v->user_agent ? ' ' : 'n';

	SPI_connect();
	inserted = SessionStoreRun(&plan, sql, 11, argtypes, values, nulls,
							   SPI_OK_INSERT_RETURNING) > 0;
	if (inserted)
	{
		bool		isnull;

		*id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
	return inserted;
}

/*
 * Write new values over the row version read as *row.  Returns false, and
 * writes nothing, when the row has changed or gone since it was read.
 *
 * The ctid lets the planner fetch the row directly; the key and xmin are
 * checked on whatever version the update finally reaches, so a version
 * written meanwhile by another transaction is never overwritten.
 */
bool
SessionStoreUpdate(const SessionKey *key, const SessionRow *row, const SessionValues *v)
{
	static SPIPlanPtr plan = NULL;
	static const char *sql =
	"UPDATE session.sessions AS s"
	" SET key_hash = coalesce($4, s.key_hash), data = coalesce($5, s.data),"
	"     account = $6, last_activity = $7, expire_date = $8, max_age = $9,"
	"     fixed_expiry = $10, purge_after = $11,"
	"     ip = coalesce($12, s.ip), user_agent = coalesce($13, s.user_agent)"
	" WHERE s.ctid OPERATOR(pg_catalog.=) $2"
	"   AND s.key_hash OPERATOR(pg_catalog.=) $1"
	"   AND s.xmin OPERATOR(pg_catalog.=) $3";
	Oid			argtypes[13] = {BYTEAOID, TIDOID, XIDOID, BYTEAOID, JSONBOID, TEXTOID,
		TIMESTAMPTZOID, TIMESTAMPTZOID, INT4OID, BOOLOID, TIMESTAMPTZOID, INETOID, TEXTOID};
	Datum		values[13];
	char		nulls[13];
	bool		updated;

	memset(nulls, ' ', sizeof(nulls));
	values[0] = PointerGetDatum(SessionKeyDigestBytea(key));
	values[1] = PointerGetDatum(&row->ctid);
	values[2] = TransactionIdGetDatum(row->xmin);
	values[3] = v->new_key ? PointerGetDatum(SessionKeyDigestBytea(v->new_key)) : (Datum) 0;
	nulls[3] = v->new_key ? ' ' : 'n';
	values[4] = PointerGetDatum(v->data);
	nulls[4] = v->data ? ' ' : 'n';
	values[5] = PointerGetDatum(v->account);
	nulls[5] = v->account ? ' ' : 'n';
	values[6] = TimestampTzGetDatum(v->last_activity);
	values[7] = TimestampTzGetDatum(v->expire_date);
	values[8] = Int32GetDatum(v->policy.max_age);
	nulls[8] = v->policy.has_max_age ? ' ' : 'n';
	values[9] = BoolGetDatum(v->policy.fixed);
	values[10] = TimestampTzGetDatum(v->purge_after);
	values[11] = v->ip;
	nulls[11] = v->ip ? ' ' : 'n';
	values[12] = PointerGetDatum(v->user_agent);
	nulls[12] = v->user_agent ? ' ' : 'n';

	SPI_connect();
	updated = SessionStoreRun(&plan, sql, 13, argtypes, values, nulls, SPI_OK_UPDATE) > 0;
	SPI_finish();
	return updated;
}

/*
 * Record activity at "now" on the row version read as *row, with the
 * expiry the caller computed.  A row that another transaction holds is
 * skipped, not waited for: that writer moves the session's activity
 * forward itself, and a load never waits for a session's row.  Returns
 * whether the row was written.
 */
bool
SessionStoreTouch(const SessionKey *key, const SessionRow *row, TimestampTz now,
				  TimestampTz expire_date)
{
	static SPIPlanPtr plan = NULL;
	static const char *sql =
	"UPDATE session.sessions AS s"
	" SET last_activity = $4, expire_date = $5, purge_after = $6"
	" FROM (SELECT l.ctid FROM session.sessions AS l"
	"       WHERE l.ctid OPERATOR(pg_catalog.=) $2"
	"         AND l.key_hash OPERATOR(pg_catalog.=) $1"
	"       FOR NO KEY UPDATE SKIP LOCKED) AS l"
	" WHERE s.ctid OPERATOR(pg_catalog.=) l.ctid"
	"   AND s.key_hash OPERATOR(pg_catalog.=) $1"
	"   AND s.xmin OPERATOR(pg_catalog.=) $3";
	Oid			argtypes[6] = {BYTEAOID, TIDOID, XIDOID, TIMESTAMPTZOID, TIMESTAMPTZOID,
	TIMESTAMPTZOID};
	Datum		values[6];
	bool		updated;

	values[0] = PointerGetDatum(SessionKeyDigestBytea(key));
	values[1] = PointerGetDatum(&row->ctid);
	values[2] = TransactionIdGetDatum(row->xmin);
	values[3] = TimestampTzGetDatum(now);
	values[4] = TimestampTzGetDatum(expire_date);
	values[5] = TimestampTzGetDatum(SessionPurgeAfter(row->purge_after, expire_date));

	SPI_connect();
	updated = SessionStoreRun(&plan, sql, 6, argtypes, values, NULL, SPI_OK_UPDATE) > 0;
	SPI_finish();
	return updated;
}

/*
 * Delete the row version read as *row.  Returns false, and deletes
 * nothing, when the row has changed or gone since it was read.
 */
bool
SessionStoreDelete(const SessionKey *key, const SessionRow *row)
{
	static SPIPlanPtr plan = NULL;
	static const char *sql =
	"DELETE FROM session.sessions AS s"
	" WHERE s.ctid OPERATOR(pg_catalog.=) $2"
	"   AND s.key_hash OPERATOR(pg_catalog.=) $1"
	"   AND s.xmin OPERATOR(pg_catalog.=) $3";
	Oid			argtypes[3] = {BYTEAOID, TIDOID, XIDOID};
	Datum		values[3];
	bool		deleted;

	values[0] = PointerGetDatum(SessionKeyDigestBytea(key));
	values[1] = PointerGetDatum(&row->ctid);
	values[2] = TransactionIdGetDatum(row->xmin);

	SPI_connect();
	deleted = SessionStoreRun(&plan, sql, 3, argtypes, values, NULL, SPI_OK_DELETE) > 0;
	SPI_finish();
	return deleted;
}

/*
 * A call that writes fails at once, with the SQLSTATE and message of
 * PostgreSQL (25006, "cannot execute session.save() in a read-only
 * transaction"), in a read-only transaction or on a hot standby: without
 * this check the first statement it runs is what fails, and that is often
 * the account's row lock ("cannot execute SELECT FOR KEY SHARE").  Costs
 * nothing in a writable transaction.
 */
void
SessionStoreCheckWritable(FunctionCallInfo fcinfo)
{
	char	   *name;

	if (!XactReadOnly)
		return;
	name = get_func_name(fcinfo->flinfo->fn_oid);
	PreventCommandIfReadOnly(psprintf("session.%s()", name ? name : "?"));
}

/* A bytea[] of the digests of n keys. */
static ArrayType *
SessionStoreDigestArray(const uint8 (*digests)[PG_SHA256_DIGEST_LENGTH], int n)
{
	Datum	   *d = palloc(sizeof(Datum) * n);
	int			i;

	for (i = 0; i < n; i++)
	{
		bytea	   *b = (bytea *) palloc(VARHDRSZ + PG_SHA256_DIGEST_LENGTH);

		SET_VARSIZE(b, VARHDRSZ + PG_SHA256_DIGEST_LENGTH);
		memcpy(VARDATA(b), digests[i], PG_SHA256_DIGEST_LENGTH);
		d[i] = PointerGetDatum(b);
	}
	return construct_array(d, n, BYTEAOID, -1, false, TYPALIGN_INT);
}

/*
 * Read the rows of many keys at once, live or not, without their data:
 * fills rows[] and found[] (which digests[i] has a row), in the order of
 * digests[].  Reads with a fresh snapshot, as SessionStoreFetch.
 */
void
SessionStoreFetchMany(const uint8 (*digests)[PG_SHA256_DIGEST_LENGTH], int n,
					  SessionRow *rows, bool *found)
{
	static SPIPlanPtr plan = NULL;
	static const char *sql =
	"SELECT v.i, s.ctid, s.xmin, s.id, s.account, s.last_activity, s.expire_date,"
	"       s.purge_after, s.created, s.max_age, s.fixed_expiry"
	" FROM pg_catalog.unnest($1::pg_catalog.bytea[]) WITH ORDINALITY AS v(kh, i)"
	" JOIN session.sessions AS s ON s.key_hash OPERATOR(pg_catalog.=) v.kh";
	Oid			argtypes[1] = {BYTEAARRAYOID};
	Datum		values[1];
	uint64		r;
	MemoryContext caller = CurrentMemoryContext;

	memset(found, 0, sizeof(bool) * n);
	values[0] = PointerGetDatum(SessionStoreDigestArray(digests, n));
	SPI_connect();
	SessionStoreRun(&plan, sql, 1, argtypes, values, NULL, SPI_OK_SELECT);
	for (r = 0; r < SPI_processed; r++)
	{
		HeapTuple	t = SPI_tuptable->vals[r];
		TupleDesc	d = SPI_tuptable->tupdesc;
		bool		isnull;
		int64		i = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull)) - 1;
		SessionRow *row;
		Datum		v;

		if (i < 0 || i >= n)
			continue;
		row = &rows[i];
		found[i] = true;
		row->ctid = *((ItemPointer) DatumGetPointer(SPI_getbinval(t, d, 2, &isnull)));
		row->xmin = DatumGetTransactionId(SPI_getbinval(t, d, 3, &isnull));
		row->id = DatumGetInt64(SPI_getbinval(t, d, 4, &isnull));
		row->data = NULL;
		v = SPI_getbinval(t, d, 5, &isnull);
		row->account = NULL;
		if (!isnull)
		{
			MemoryContext old = MemoryContextSwitchTo(caller);

			row->account = (text *) PG_DETOAST_DATUM_COPY(v);
			MemoryContextSwitchTo(old);
		}
		row->last_activity = DatumGetTimestampTz(SPI_getbinval(t, d, 6, &isnull));
		row->expire_date = DatumGetTimestampTz(SPI_getbinval(t, d, 7, &isnull));
		row->purge_after = DatumGetTimestampTz(SPI_getbinval(t, d, 8, &isnull));
		row->policy.created = DatumGetTimestampTz(SPI_getbinval(t, d, 9, &isnull));
		v = SPI_getbinval(t, d, 10, &isnull);
		row->policy.has_max_age = !isnull;
		row->policy.max_age = isnull ? 0 : DatumGetInt32(v);
		row->policy.fixed = DatumGetBool(SPI_getbinval(t, d, 11, &isnull));
		row->policy.fixed_date = row->expire_date;
	}
	SPI_finish();
}

/*
 * Record activity on many rows at once, each with the values the caller
 * computed (at, expire_date, purge_after), on the row version it read.
 * Rows that another transaction holds or changed since are left alone,
 * never waited for; written[i] says which were written.  Returns how many.
 */
int
SessionStoreTouchMany(const uint8 (*digests)[PG_SHA256_DIGEST_LENGTH], const SessionRow *rows,
					  const TimestampTz *at, const TimestampTz *expire_date,
					  const TimestampTz *purge_after, int n, bool *written)
{
	static SPIPlanPtr lock_plan = NULL;
	static const char *lock_sql =
	"SELECT v.i FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.bytea[]),"
	"                           pg_catalog.unnest($2::pg_catalog.tid[]),"
	"                           pg_catalog.unnest($3::pg_catalog.xid[]))"
	"      WITH ORDINALITY AS v(kh, tid, x, i)"
	" JOIN session.sessions AS s ON s.key_hash OPERATOR(pg_catalog.=) v.kh"
	" WHERE s.ctid OPERATOR(pg_catalog.=) v.tid AND s.xmin OPERATOR(pg_catalog.=) v.x"
	" FOR NO KEY UPDATE OF s SKIP LOCKED";
	static SPIPlanPtr update_plan = NULL;
	static const char *update_sql =
	"UPDATE session.sessions AS s"
	" SET last_activity = v.at, expire_date = v.e, purge_after = v.p"
	" FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.bytea[]),"
	"                 pg_catalog.unnest($2::pg_catalog.timestamptz[]),"
	"                 pg_catalog.unnest($3::pg_catalog.timestamptz[]),"
	"                 pg_catalog.unnest($4::pg_catalog.timestamptz[])) AS v(kh, at, e, p)"
	" WHERE s.key_hash OPERATOR(pg_catalog.=) v.kh";
	Oid			lock_types[3] = {BYTEAARRAYOID, TIDARRAYOID, XIDARRAYOID};
	Oid			update_types[4] = {BYTEAARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID,
	TIMESTAMPTZARRAYOID};
	Datum		values[4];
	Datum	   *tids = palloc(sizeof(Datum) * n);
	Datum	   *xids = palloc(sizeof(Datum) * n);
	uint8		(*locked_digests)[PG_SHA256_DIGEST_LENGTH];
	Datum	   *ats;
	Datum	   *exps;
	Datum	   *pas;
	int			nlocked = 0;
	uint64		r;
	int			i;

	memset(written, 0, sizeof(bool) * n);
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
	{
		tids[i] = PointerGetDatum(&rows[i].ctid);
		xids[i] = TransactionIdGetDatum(rows[i].xmin);
	}
	values[0] = PointerGetDatum(SessionStoreDigestArray(digests, n));
	values[1] = PointerGetDatum(construct_array(tids, n, TIDOID, sizeof(ItemPointerData), false,
												TYPALIGN_SHORT));
	values[2] = PointerGetDatum(construct_array(xids, n, XIDOID, sizeof(TransactionId), true,
												TYPALIGN_INT));

	SPI_connect();
	SessionStoreRun(&lock_plan, lock_sql, 3, lock_types, values, NULL, SPI_OK_SELECT);
	for (r = 0; r < SPI_processed; r++)
	{
		bool		isnull;
		int64		k = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc,
												   1, &isnull)) - 1;

		if (k >= 0 && k < n)
			written[k] = true;
	}

	locked_digests = palloc(PG_SHA256_DIGEST_LENGTH * n);
	ats = palloc(sizeof(Datum) * n);
	exps = palloc(sizeof(Datum) * n);
	pas = palloc(sizeof(Datum) * n);
	for (i = 0; i < n; i++)
	{
		if (!written[i])
			continue;
		memcpy(locked_digests[nlocked], digests[i], PG_SHA256_DIGEST_LENGTH);
		ats[nlocked] = TimestampTzGetDatum(at[i]);
		exps[nlocked] = TimestampTzGetDatum(expire_date[i]);
		pas[nlocked] = TimestampTzGetDatum(purge_after[i]);
		nlocked++;
	}
	if (nlocked > 0)
	{
		values[0] = PointerGetDatum(SessionStoreDigestArray((const uint8 (*)[PG_SHA256_DIGEST_LENGTH]) locked_digests,
															nlocked));
		values[1] = PointerGetDatum(construct_array(ats, nlocked, TIMESTAMPTZOID, sizeof(TimestampTz),
													FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		values[2] = PointerGetDatum(construct_array(exps, nlocked, TIMESTAMPTZOID, sizeof(TimestampTz),
													FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		values[3] = PointerGetDatum(construct_array(pas, nlocked, TIMESTAMPTZOID, sizeof(TimestampTz),
													FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		SessionStoreRun(&update_plan, update_sql, 4, update_types, values, NULL, SPI_OK_UPDATE);
	}
	SPI_finish();
	return nlocked;
}
