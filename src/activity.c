/*-------------------------------------------------------------------------
 * activity.c
 *		Deferred activity: a load that is due to slide its session's
 *		expiry records the activity in shared memory and returns without
 *		writing; a background worker per database writes what was recorded
 *		in one transaction per flush interval.
 *
 * With shared_preload_libraries = 'session' a load whose touch is due
 * costs what a load that reads only costs; without it, loads touch inline
 * (lifecycle.c).  What a crash can lose is the activity recorded since the
 * last flush (session.activity_flush_interval): timestamps that only
 * extend sessions, never a session or its data.
 *
 * The buffer is a shared hash table keyed by database and key digest that
 * keeps the latest activity of each session; it holds at most
 * session.activity_buffer_size entries, and a load that finds it full
 * touches inline.  A launcher worker starts one worker per database that
 * has recorded activity.  Each write re-reads the session and computes its
 * expiry with policy.c at the recorded time, so a flush never brings back
 * a session that was deleted or cycled meanwhile, never moves an expiry
 * backwards (a write since the recorded time wins) and never past
 * session.max_lifetime.  The purge, flag_inactive() and maintain() flush
 * their database's activity first (session._flush_activity()), so a
 * session with recorded activity is never purged as expired.
 *
 * On a hot standby nothing can be written: with session.primary_conninfo
 * the worker forwards the recorded activity to the primary, which applies
 * it with session._apply_activity(); without it, loads on a standby do not
 * extend sessions.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_type_d.h"
#include "commands/dbcommands.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq-fe.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "tcop/tcopprot.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "account.h"
#include "activity.h"
#include "pg_compat.h"
#include "policy.h"
#include "settings.h"
#include "store.h"

/* Databases a launcher keeps workers for at once. */
#define ACTIVITY_MAX_DATABASES 64

typedef struct ActivityKey
{
	Oid			dbid;
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
} ActivityKey;

typedef struct ActivityEntry
{
	ActivityKey key;
	TimestampTz at;				/* the latest activity recorded */
} ActivityEntry;

typedef struct ActivityShared
{
	LWLock	   *lock;			/* guards the hash table */
	pg_atomic_uint64 recorded;	/* loads that recorded activity */
	pg_atomic_uint64 inline_touches;	/* loads that found the buffer full */
	pg_atomic_uint64 written;	/* sessions whose activity was written */
	pg_atomic_uint64 forwarded; /* entries sent to the primary */
} ActivityShared;

static ActivityShared *activity_shared = NULL;
static HTAB *activity_hash = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

PGDLLEXPORT void SessionActivityLauncherMain(Datum arg);
PGDLLEXPORT void SessionActivityWorkerMain(Datum arg);

static Size
SessionActivityShmemSize(void)
{
	return add_size(MAXALIGN(sizeof(ActivityShared)),
					hash_estimate_size(session_activity_buffer_size, sizeof(ActivityEntry)));
}

static void
SessionActivityShmemRequest(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(SessionActivityShmemSize());
	RequestNamedLWLockTranche("session_activity", 1);
}

static void
SessionActivityShmemStartup(void)
{
	HASHCTL		info;
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	activity_shared = ShmemInitStruct("session activity", sizeof(ActivityShared), &found);
	if (!found)
	{
		activity_shared->lock = &(GetNamedLWLockTranche("session_activity"))->lock;
		pg_atomic_init_u64(&activity_shared->recorded, 0);
		pg_atomic_init_u64(&activity_shared->inline_touches, 0);
		pg_atomic_init_u64(&activity_shared->written, 0);
		pg_atomic_init_u64(&activity_shared->forwarded, 0);
	}
	memset(&info, 0, sizeof(info));
	info.keysize = sizeof(ActivityKey);
	info.entrysize = sizeof(ActivityEntry);
	activity_hash = ShmemInitHash("session activity buffer",
								  session_activity_buffer_size, session_activity_buffer_size,
								  &info, HASH_ELEM | HASH_BLOBS);
	LWLockRelease(AddinShmemInitLock);
}

/*
 * Called from _PG_init when the library is preloaded: reserve the buffer
 * and start the launcher.
 */
void
SessionActivityInit(void)
{
	BackgroundWorker worker;

	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = SessionActivityShmemRequest;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = SessionActivityShmemStartup;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = 10;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "session");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "SessionActivityLauncherMain");
	snprintf(worker.bgw_name, BGW_MAXLEN, "session activity launcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "session activity launcher");
	RegisterBackgroundWorker(&worker);
}

/* Remember activity of a session of database dbid; false if the buffer is full. */
static bool
SessionActivityPut(Oid dbid, const uint8 *digest, TimestampTz at)
{
	ActivityKey k;
	ActivityEntry *entry;
	bool		found;

	memset(&k, 0, sizeof(k));
	k.dbid = dbid;
	memcpy(k.digest, digest, sizeof(k.digest));

	LWLockAcquire(activity_shared->lock, LW_EXCLUSIVE);
	entry = hash_search(activity_hash, &k, HASH_FIND, &found);
	if (entry == NULL)
	{
		if (hash_get_num_entries(activity_hash) >= session_activity_buffer_size)
		{
			LWLockRelease(activity_shared->lock);
			return false;
		}
		entry = hash_search(activity_hash, &k, HASH_ENTER_NULL, &found);
		if (entry == NULL)
		{
			LWLockRelease(activity_shared->lock);
			return false;
		}
		entry->at = at;
	}
	else if (entry->at < at)
		entry->at = at;
	LWLockRelease(activity_shared->lock);
	return true;
}

/*
 * Record that a session was active at "at", to be written by the worker.
 * Returns false when the activity must be written inline instead: the
 * library was not preloaded, the buffer is full, or this is a standby with
 * nowhere to forward the activity.
 */
bool
SessionActivityRecord(const SessionKey *key, TimestampTz at)
{
	if (activity_hash == NULL)
		return false;
	if (RecoveryInProgress() &&
		(session_primary_conninfo == NULL || session_primary_conninfo[0] == '\0'))
		return false;
	if (!SessionActivityPut(MyDatabaseId, key->digest, at))
	{
		pg_atomic_fetch_add_u64(&activity_shared->inline_touches, 1);
		return false;
	}
	pg_atomic_fetch_add_u64(&activity_shared->recorded, 1);
	return true;
}

/*
 * The latest activity recorded for a key and not written yet: a session
 * whose row says it expired may still be live by it.
 */
bool
SessionActivityPendingAt(const SessionKey *key, TimestampTz *at)
{
	ActivityKey k;
	ActivityEntry *entry;

	if (activity_hash == NULL)
		return false;
	memset(&k, 0, sizeof(k));
	k.dbid = MyDatabaseId;
	memcpy(k.digest, key->digest, sizeof(k.digest));
	LWLockAcquire(activity_shared->lock, LW_SHARED);
	entry = hash_search(activity_hash, &k, HASH_FIND, NULL);
	if (entry)
		*at = entry->at;
	LWLockRelease(activity_shared->lock);
	return entry != NULL;
}

/*
 * Take every entry of database dbid out of the buffer; returns how many,
 * in a palloc'd array.
 */
static int
SessionActivityTake(Oid dbid, ActivityEntry **out)
{
	HASH_SEQ_STATUS seq;
	ActivityEntry *entry;
	int			n = 0;
	int			size = 64;

	*out = palloc(sizeof(ActivityEntry) * size);
	LWLockAcquire(activity_shared->lock, LW_EXCLUSIVE);
	hash_seq_init(&seq, activity_hash);
	while ((entry = hash_seq_search(&seq)) != NULL)
	{
		if (entry->key.dbid != dbid)
			continue;
		if (n == size)
		{
			size *= 2;
			*out = repalloc(*out, sizeof(ActivityEntry) * size);
		}
		(*out)[n++] = *entry;
		hash_search(activity_hash, &entry->key, HASH_REMOVE, NULL);
	}
	LWLockRelease(activity_shared->lock);
	return n;
}

/* Sessions written with one statement each for accounts, locks and rows. */
#define ACTIVITY_WRITE_BATCH 1000

/*
 * Write a batch of recorded activity: read the sessions, compute each one's
 * expiry at its recorded time with policy.c, write the accounts first,
 * then the sessions.  A session that is gone or was written since needs
 * nothing; one that another transaction holds or changed meanwhile is
 * recorded again for the next flush, which reads it anew.  Returns how
 * many entries are done with.
 */
static int64
SessionActivityWriteBatch(const ActivityEntry *entries, int n)
{
	uint8		(*digests)[PG_SHA256_DIGEST_LENGTH] = palloc(PG_SHA256_DIGEST_LENGTH * n);
	uint8		(*to_write)[PG_SHA256_DIGEST_LENGTH] = palloc(PG_SHA256_DIGEST_LENGTH * n);
	SessionRow *rows = palloc0(sizeof(SessionRow) * n);
	SessionRow *write_rows = palloc(sizeof(SessionRow) * n);
	bool	   *found = palloc(sizeof(bool) * n);
	bool	   *written = palloc(sizeof(bool) * n);
	TimestampTz *at = palloc(sizeof(TimestampTz) * n);
	TimestampTz *expire_date = palloc(sizeof(TimestampTz) * n);
	TimestampTz *purge_after = palloc(sizeof(TimestampTz) * n);
	text	  **accounts = palloc(sizeof(text *) * n);
	TimestampTz *account_at = palloc(sizeof(TimestampTz) * n);
	TimestampTz now = GetCurrentTimestamp();
	int			k = 0;
	int			na = 0;
	int			i;

	for (i = 0; i < n; i++)
		memcpy(digests[i], entries[i].key.digest, PG_SHA256_DIGEST_LENGTH);
	SessionStoreFetchMany((const uint8 (*)[PG_SHA256_DIGEST_LENGTH]) digests, n, rows, found);
	for (i = 0; i < n; i++)
	{
		TimestampTz e;

		if (!found[i] || rows[i].last_activity >= entries[i].at)
			continue;			/* gone, or written since */
		e = SessionNextExpiry(&rows[i].policy, entries[i].at);
		if (e < rows[i].expire_date)
			e = rows[i].expire_date;	/* never backwards */

		/*
		 * Activity was recorded only by a load that found the session live
		 * (by its row, or by activity recorded before); a session it does
		 * not keep live until now stays as it is, for the purge.
		 */
		if (!SessionIsLive(e, now))
			continue;
		memcpy(to_write[k], digests[i], PG_SHA256_DIGEST_LENGTH);
		write_rows[k] = rows[i];
		at[k] = entries[i].at;
		expire_date[k] = e;
		purge_after[k] = SessionPurgeAfter(rows[i].purge_after, e);
		k++;
		if (rows[i].account)
		{
			accounts[na] = rows[i].account;
			account_at[na] = entries[i].at;
			na++;
		}
	}
	SessionAccountTouchMany(accounts, account_at, na);
	(void) SessionStoreTouchMany((const uint8 (*)[PG_SHA256_DIGEST_LENGTH]) to_write, write_rows,
								 at, expire_date, purge_after, k, written);
	for (i = 0; i < k; i++)
	{
		if (!written[i] && activity_hash != NULL)
			(void) SessionActivityPut(MyDatabaseId, to_write[i], at[i]);
	}
	return n;
}

/*
 * Write recorded activity of the current database as one batch; returns how
 * many entries.  One batch takes the account rows it writes in one sorted
 * statement and never waits for a session's row while it holds them, so
 * two flushes cannot deadlock each other, nor a flush and a request.
 */
static int64
SessionActivityWriteAll(const ActivityEntry *entries, int n)
{
	int64		done = n > 0 ? SessionActivityWriteBatch(entries, n) : 0;

	if (activity_shared != NULL)
		pg_atomic_fetch_add_u64(&activity_shared->written, done);
	return done;
}

/*
 * Write the recorded activity of the current database in the caller's
 * transaction: what the purge and flag_inactive() do first.  Returns how
 * many sessions were written; 0 when the library is not preloaded.
 */
int64
SessionActivityFlush(void)
{
	ActivityEntry *entries;
	int			n;
	int64		written;

	if (activity_hash == NULL || RecoveryInProgress())
		return 0;
	n = SessionActivityTake(MyDatabaseId, &entries);
	written = SessionActivityWriteAll(entries, n);
	pfree(entries);
	return written;
}

/*
 * The worker's write of what is recorded for its database: one transaction
 * per batch of ACTIVITY_WRITE_BATCH sessions, so that it holds locks only
 * as long as one batch takes.  A batch that fails (a deadlock with a
 * request, say) is logged and recorded again for the next flush.
 */
static void
SessionActivityWorkerWrite(void)
{
	ActivityEntry *entries;
	int			n;
	int			start;

	n = SessionActivityTake(MyDatabaseId, &entries);
	for (start = 0; start < n; start += ACTIVITY_WRITE_BATCH)
	{
		int			m = Min(ACTIVITY_WRITE_BATCH, n - start);

		CHECK_FOR_INTERRUPTS();
		PG_TRY();
		{
			SetCurrentStatementStartTimestamp();
			StartTransactionCommand();
			PushActiveSnapshot(GetTransactionSnapshot());
			pgstat_report_activity(STATE_RUNNING, "writing session activity");
			if (OidIsValid(get_namespace_oid("session", true)))
				(void) SessionActivityWriteAll(entries + start, m);
			/* else no store in this database (any more): nothing to write */
			PopActiveSnapshot();
			CommitTransactionCommand();
		}
		PG_CATCH();
		{
			int			i;

			EmitErrorReport();
			FlushErrorState();
			AbortCurrentTransaction();
			for (i = start; i < start + m; i++)
				(void) SessionActivityPut(MyDatabaseId, entries[i].key.digest, entries[i].at);
		}
		PG_END_TRY();
		pgstat_report_activity(STATE_IDLE, NULL);
	}
	pfree(entries);
}

/* The text of a bytea[] and a timestamptz[] literal of a batch, for the primary. */
static void
SessionActivityArrays(const ActivityEntry *entries, int n, StringInfo digests, StringInfo ats)
{
	int			i;
	int			j;

	appendStringInfoChar(digests, '{');
	appendStringInfoChar(ats, '{');
	for (i = 0; i < n; i++)
	{
		if (i > 0)
		{
			appendStringInfoChar(digests, ',');
			appendStringInfoChar(ats, ',');
		}
		appendStringInfoString(digests, "\"\\\\x");
		for (j = 0; j < PG_SHA256_DIGEST_LENGTH; j++)
			appendStringInfo(digests, "%02x", entries[i].key.digest[j]);
		appendStringInfoChar(digests, '"');
		appendStringInfo(ats, "\"%s\"", timestamptz_to_str(entries[i].at));
	}
	appendStringInfoChar(digests, '}');
	appendStringInfoChar(ats, '}');
}

/*
 * On a standby: send the recorded activity of this database to the
 * primary.  Entries that could not be sent are recorded again.
 */
static void
SessionActivityForward(PGconn **conn, const char *dbname)
{
	ActivityEntry *entries;
	int			n;
	StringInfoData digests;
	StringInfoData ats;
	const char *values[2];
	PGresult   *res;
	bool		ok = false;
	int			i;

	if (session_primary_conninfo == NULL || session_primary_conninfo[0] == '\0')
		return;
	n = SessionActivityTake(MyDatabaseId, &entries);
	if (n == 0)
		return;

	if (*conn == NULL || PQstatus(*conn) != CONNECTION_OK)
	{
		const char *keywords[3] = {"dbname", "dbname", NULL};
		const char *kvalues[3];

		if (*conn)
			PQfinish(*conn);
		kvalues[0] = session_primary_conninfo;
		kvalues[1] = dbname;
		kvalues[2] = NULL;
		*conn = PQconnectdbParams(keywords, kvalues, 1);
		if (PQstatus(*conn) != CONNECTION_OK)
			ereport(LOG,
					(errmsg("session activity: could not connect to the primary: %s",
							PQerrorMessage(*conn))));
	}
	if (PQstatus(*conn) == CONNECTION_OK)
	{
		initStringInfo(&digests);
		initStringInfo(&ats);
		SessionActivityArrays(entries, n, &digests, &ats);
		values[0] = digests.data;
		values[1] = ats.data;
		res = PQexecParams(*conn,
						   "SELECT session._apply_activity($1::pg_catalog.bytea[],"
						   " $2::pg_catalog.timestamptz[])",
						   2, NULL, values, NULL, NULL, 0);
		ok = PQresultStatus(res) == PGRES_TUPLES_OK;
		if (!ok)
			ereport(LOG,
					(errmsg("session activity: the primary refused the activity: %s",
							PQresultErrorMessage(res))));
		PQclear(res);
		pfree(digests.data);
		pfree(ats.data);
	}
	if (ok)
		pg_atomic_fetch_add_u64(&activity_shared->forwarded, n);
	else
		for (i = 0; i < n; i++)
			(void) SessionActivityPut(MyDatabaseId, entries[i].key.digest, entries[i].at);
	pfree(entries);
}

/* Whether the buffer holds activity of database dbid. */
static bool
SessionActivityPending(Oid dbid)
{
	HASH_SEQ_STATUS seq;
	ActivityEntry *entry;
	bool		found = false;

	LWLockAcquire(activity_shared->lock, LW_SHARED);
	hash_seq_init(&seq, activity_hash);
	while ((entry = hash_seq_search(&seq)) != NULL)
	{
		if (entry->key.dbid == dbid)
		{
			found = true;
			hash_seq_term(&seq);
			break;
		}
	}
	LWLockRelease(activity_shared->lock);
	return found;
}

/* The worker of one database: writes (or forwards) its activity each interval. */
void
SessionActivityWorkerMain(Datum arg)
{
	Oid			dbid = DatumGetObjectId(arg);
	PGconn	   *conn = NULL;
	int			idle_rounds = 0;
	char	   *dbname;
	MemoryContext round_cxt;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(dbid, InvalidOid, 0);
	pgstat_report_appname("session activity worker");
	SetConfigOption("synchronous_commit", "off", PGC_SUSET, PGC_S_OVERRIDE);

	/* the primary's database of the same name, for a standby */
	StartTransactionCommand();
	dbname = MemoryContextStrdup(TopMemoryContext, get_database_name(dbid));
	CommitTransactionCommand();
	round_cxt = AllocSetContextCreate(TopMemoryContext, "session activity round",
									  ALLOCSET_DEFAULT_SIZES);

	/* a minute without activity to write: give the worker slot back */
	while (idle_rounds * (int64) session_activity_flush_interval < 60000)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 session_activity_flush_interval, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (!SessionActivityPending(dbid))
		{
			idle_rounds++;
			continue;
		}
		idle_rounds = 0;
		if (RecoveryInProgress())
		{
			MemoryContext old = MemoryContextSwitchTo(round_cxt);

			SessionActivityForward(&conn, dbname);
			MemoryContextSwitchTo(old);
			MemoryContextReset(round_cxt);
			continue;
		}
		{
			MemoryContext old = MemoryContextSwitchTo(round_cxt);

			SessionActivityWorkerWrite();
			MemoryContextSwitchTo(old);
			MemoryContextReset(round_cxt);
		}
	}
	if (conn)
		PQfinish(conn);
	proc_exit(0);
}

/* Start the worker of a database unless it runs. */
static void
SessionActivityEnsureWorker(Oid dbid, Oid *dbids, BackgroundWorkerHandle **handles, int *n)
{
	BackgroundWorker worker;
	pid_t		pid;
	int			i;

	for (i = 0; i < *n; i++)
	{
		if (dbids[i] != dbid)
			continue;
		if (GetBackgroundWorkerPid(handles[i], &pid) != BGWH_STOPPED)
			return;
		break;
	}
	if (i == *n)
	{
		if (*n == ACTIVITY_MAX_DATABASES)
			return;
		(*n)++;
	}
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "session");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "SessionActivityWorkerMain");
	snprintf(worker.bgw_name, BGW_MAXLEN, "session activity worker for database %u", dbid);
	snprintf(worker.bgw_type, BGW_MAXLEN, "session activity worker");
	worker.bgw_main_arg = ObjectIdGetDatum(dbid);
	worker.bgw_notify_pid = MyProcPid;
	dbids[i] = dbid;
	if (!RegisterDynamicBackgroundWorker(&worker, &handles[i]))
	{
		ereport(LOG,
				(errmsg("session activity: no background worker slot for database %u", dbid),
				 errhint("Raise max_worker_processes; until then loads there touch inline once the buffer is full.")));
		(*n)--;
	}
}

/* The launcher: one worker per database that has recorded activity. */
void
SessionActivityLauncherMain(Datum arg)
{
	Oid			dbids[ACTIVITY_MAX_DATABASES];
	BackgroundWorkerHandle *handles[ACTIVITY_MAX_DATABASES];
	int			n = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();

	while (!ShutdownRequestPending)
	{
		HASH_SEQ_STATUS seq;
		ActivityEntry *entry;
		Oid			pending[ACTIVITY_MAX_DATABASES];
		int			npending = 0;
		int			i;

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 session_activity_flush_interval, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		LWLockAcquire(activity_shared->lock, LW_SHARED);
		hash_seq_init(&seq, activity_hash);
		while ((entry = hash_seq_search(&seq)) != NULL)
		{
			for (i = 0; i < npending; i++)
				if (pending[i] == entry->key.dbid)
					break;
			if (i == npending && npending < ACTIVITY_MAX_DATABASES)
				pending[npending++] = entry->key.dbid;
		}
		LWLockRelease(activity_shared->lock);

		for (i = 0; i < npending; i++)
			SessionActivityEnsureWorker(pending[i], dbids, handles, &n);
	}
	proc_exit(0);
}

PG_FUNCTION_INFO_V1(session_flush_activity);

/* _flush_activity() returns bigint: write this database's recorded activity now. */
Datum
session_flush_activity(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(SessionActivityFlush());
}

PG_FUNCTION_INFO_V1(session_apply_activity);

/*
 * _apply_activity(digests bytea[], ats timestamptz[]) returns bigint
 *
 * Internal: write activity a standby's worker forwarded.  Runs as the
 * extension's owner; grant it only to the role in session.primary_conninfo.
 */
Datum
session_apply_activity(PG_FUNCTION_ARGS)
{
	ArrayType  *digests;
	ArrayType  *ats;
	Datum	   *dvals;
	Datum	   *tvals;
	bool	   *dnulls;
	bool	   *tnulls;
	int			nd;
	int			nt;
	int			i;
	int			n = 0;
	int64		written = 0;
	ActivityEntry *entries;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_INT64(0);
	digests = PG_GETARG_ARRAYTYPE_P(0);
	ats = PG_GETARG_ARRAYTYPE_P(1);
	deconstruct_array(digests, BYTEAOID, -1, false, TYPALIGN_INT, &dvals, &dnulls, &nd);
	deconstruct_array(ats, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &tvals, &tnulls, &nt);
	if (nd != nt)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("activity arrays differ in length")));
	entries = palloc(sizeof(ActivityEntry) * Max(nd, 1));
	for (i = 0; i < nd; i++)
	{
		bytea	   *d;
		TimestampTz at;

		if (dnulls[i] || tnulls[i])
			continue;
		d = DatumGetByteaPP(dvals[i]);
		if (VARSIZE_ANY_EXHDR(d) != PG_SHA256_DIGEST_LENGTH)
			continue;
		at = DatumGetTimestampTz(tvals[i]);
		/* activity cannot be in the future of this clock */
		if (at > GetCurrentTimestamp())
			at = GetCurrentTimestamp();
		memset(&entries[n], 0, sizeof(ActivityEntry));
		entries[n].key.dbid = MyDatabaseId;
		memcpy(entries[n].key.digest, VARDATA_ANY(d), PG_SHA256_DIGEST_LENGTH);
		entries[n].at = at;
		n++;
	}
	written = SessionActivityWriteAll(entries, n);
	PG_RETURN_INT64(written);
}

PG_FUNCTION_INFO_V1(session_activity_status);

/*
 * activity_status() returns jsonb: how loads record activity here
 * ("deferred" or "inline") and the buffer's state.
 */
Datum
session_activity_status(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	long		pending = 0;

	initStringInfo(&buf);
	if (activity_hash == NULL && RecoveryInProgress())
	{
		/* a load on a standby never writes: without the worker, nothing */
		appendStringInfoString(&buf, "{\"mode\": \"none\", \"standby\": true, \"reason\": \"the library is not in shared_preload_libraries\"}");
		PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
	}
	if (activity_hash == NULL)
	{
		appendStringInfoString(&buf, "{\"mode\": \"inline\", \"reason\": \"the library is not in shared_preload_libraries\"}");
		PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
	}
	LWLockAcquire(activity_shared->lock, LW_SHARED);
	pending = hash_get_num_entries(activity_hash);
	LWLockRelease(activity_shared->lock);
	appendStringInfo(&buf,
					 "{\"mode\": \"%s\", \"standby\": %s, \"pending\": %ld, \"capacity\": %d,"
					 " \"recorded\": " UINT64_FORMAT ", \"inline_when_full\": " UINT64_FORMAT ","
					 " \"written\": " UINT64_FORMAT ", \"forwarded\": " UINT64_FORMAT ","
					 " \"flush_interval_ms\": %d}",
					 RecoveryInProgress() &&
					 (session_primary_conninfo == NULL || session_primary_conninfo[0] == '\0')
					 ? "none" : "deferred",
					 RecoveryInProgress() ? "true" : "false",
					 pending, session_activity_buffer_size,
					 pg_atomic_read_u64(&activity_shared->recorded),
					 pg_atomic_read_u64(&activity_shared->inline_touches),
					 pg_atomic_read_u64(&activity_shared->written),
					 pg_atomic_read_u64(&activity_shared->forwarded),
					 session_activity_flush_interval);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data)));
}
