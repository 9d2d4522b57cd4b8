/*-------------------------------------------------------------------------
 * modify.c
 *		Every change to a session: read, compute with the rules, write.
 *
 * A write reads the row straight from the index, computes its new values
 * with the rules of policy.c and account.c, locks the account, and writes
 * the values only if the row is still the version it read (store.c); if
 * another transaction wrote the row meanwhile, it reads again.  Under READ
 * COMMITTED that gives every call the effect of one atomic statement: two
 * concurrent set() calls on different fields both land.  Under REPEATABLE
 * READ and SERIALIZABLE a row written after the transaction's snapshot
 * makes the write fail with 40001, as the plain UPDATE would.
 *
 * New keys are drawn here too, with the one retry rule every caller shares.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/timestamp.h"

#include "account.h"
#include "events.h"
#include "modify.h"
#include "policy.h"

/* Try this many fresh keys before concluding that something is wrong. */
#define SESSION_NEW_KEY_ATTEMPTS 10

/*
 * Read again this many times when the row keeps changing under a write;
 * each time another transaction has committed a write of the session.
 */
#define SESSION_WRITE_ATTEMPTS 100

static void
SessionWriteConflict(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("could not write a session that other transactions are changing"),
			 errdetail("Another transaction changed the session, or its account, while this call was writing it."),
			 errhint("Retry the call.")));
}

/*
 * Apply an edit to the live session of a key.  Returns false, and writes
 * nothing, when no live session has the key: a late write never brings a
 * session back.
 *
 * Account before session: the account a write binds is made active and
 * locked first; an account that stays is touched when activity is due, or
 * else locked KEY SHARE.
 */
bool
SessionModify(const SessionKey *key, bool want_data, SessionEdit edit, void *arg)
{
	int			attempt;

	for (attempt = 0; attempt < SESSION_WRITE_ATTEMPTS; attempt++)
	{
		TimestampTz now = GetCurrentTimestamp();
		SessionRow	row;
		SessionValues v;
		bool		due;
		bool		binds;

		CHECK_FOR_INTERRUPTS();
		if (!SessionStoreFetch(key, &row, want_data) || !SessionIsLive(row.expire_date, now))
			return false;

		memset(&v, 0, sizeof(v));
		v.activity = true;
		v.account = row.account;
		v.policy = row.policy;
		due = SessionTouchDue(row.last_activity, now);
		v.last_activity = due ? now : row.last_activity;
		edit(&row, &v, now, arg);
		if (v.activity)
		{
			v.expire_date = SessionNextExpiry(&v.policy, now);
			v.purge_after = SessionPurgeAfter(row.purge_after, v.expire_date);
		}
		else
		{
			due = false;
			v.last_activity = row.last_activity;
			v.expire_date = row.expire_date;
			v.purge_after = row.purge_after;
		}

		/*
		 * Account before session.  (A retry after an update that lost a
		 * race may already hold the session's row, locked by that update;
		 * if the account changed meanwhile, the new one is locked after
		 * it, and a logout_everywhere() of that account at that moment can
		 * end in a deadlock that PostgreSQL resolves.)
		 */
		binds = v.account != NULL && !SessionAccountEqual(v.account, row.account);
		if (binds)
			SessionAccountBind(v.account, now);
		else if (row.account != NULL && (due || v.last_activity == now))
			SessionAccountTouch(row.account, now);
		else if (row.account != NULL)
			SessionAccountLockShare(row.account);

		if (SessionStoreUpdate(key, &row, &v))
		{
			if (binds)
				SessionNotify("login", v.account, row.id, -1);
			return true;
		}
	}
	SessionWriteConflict();
	return false;				/* keep compiler quiet */
}

/*
 * Insert a new session under a key: v holds its data, account, metadata
 * and policy; its times are set here.  A row left under the key by an
 * expired session is replaced; a live one is left alone and false
 * returned.  The caller has bound the account.
 */
bool
SessionInsertFresh(const SessionKey *key, SessionValues *v, int64 *id)
{
	int			attempt;

	for (attempt = 0; attempt < SESSION_WRITE_ATTEMPTS; attempt++)
	{
		TimestampTz now = GetCurrentTimestamp();
		SessionRow	row;

		CHECK_FOR_INTERRUPTS();
		v->policy.created = now;
		v->last_activity = now;
		v->expire_date = SessionNextExpiry(&v->policy, now);
		v->purge_after = v->expire_date;
		if (SessionStoreInsert(key, v, id))
			return true;
		if (!SessionStoreFetch(key, &row, false))
			continue;			/* gone meanwhile: insert again */
		if (SessionIsLive(row.expire_date, now))
			return false;
		(void) SessionStoreDelete(key, &row);
	}
	SessionWriteConflict();
	return false;				/* keep compiler quiet */
}

/* Whether no row has a key: a fresh key for cycle_key and login. */
static bool
SessionKeyUnused(const SessionKey *key)
{
	SessionRow	row;

	return !SessionStoreFetch(key, &row, false);
}

/*
 * Draw fresh keys until one passes "use", which returns false when the key
 * is taken.  With 165 random bits a taken key means something is wrong, so
 * a few attempts end in an error rather than a loop.
 */
static void
SessionDrawKey(SessionKey *key, bool (*use) (const SessionKey *key, void *arg), void *arg)
{
	int			attempt;

	for (attempt = 0; attempt < SESSION_NEW_KEY_ATTEMPTS; attempt++)
	{
		SessionKeyGenerate(key);
		if (use(key, arg))
			return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INTERNAL_ERROR),
			 errmsg("could not find an unused session key after %d attempts",
					SESSION_NEW_KEY_ATTEMPTS)));
}

static bool
SessionKeyUnusedUse(const SessionKey *key, void *arg)
{
	return SessionKeyUnused(key);
}

/* A fresh key that no row has, for a session that changes its key. */
void
SessionNewKey(SessionKey *key)
{
	SessionDrawKey(key, SessionKeyUnusedUse, NULL);
}

typedef struct SessionCreateArg
{
	SessionValues *v;
	int64		id;
} SessionCreateArg;

static bool
SessionCreateUse(const SessionKey *key, void *arg)
{
	SessionCreateArg *c = (SessionCreateArg *) arg;

	return SessionInsertFresh(key, c->v, &c->id);
}

/*
 * Create a session under a fresh key, bound to v->account if any (bound
 * first: account before session), and send the login event of a bound one.
 */
void
SessionCreate(SessionKey *key, SessionValues *v)
{
	SessionCreateArg c;

	if (v->account)
		SessionAccountBind(v->account, GetCurrentTimestamp());
	c.v = v;
	c.id = 0;
	SessionDrawKey(key, SessionCreateUse, &c);
	if (v->account)
		SessionNotify("login", v->account, c.id, -1);
}

/*
 * Delete the session of a key, live or expired.  Returns whether it was
 * live; the logout event goes out for a live one bound to an account.
 */
bool
SessionDelete(const SessionKey *key)
{
	int			attempt;

	for (attempt = 0; attempt < SESSION_WRITE_ATTEMPTS; attempt++)
	{
		SessionRow	row;
		bool		live;

		CHECK_FOR_INTERRUPTS();
		if (!SessionStoreFetch(key, &row, false))
			return false;
		if (row.account != NULL)
			SessionAccountLockShare(row.account);
		if (SessionStoreDelete(key, &row))
		{
			live = SessionIsLive(row.expire_date, GetCurrentTimestamp());
			if (live && row.account != NULL)
				SessionNotify("logout", row.account, row.id, -1);
			return live;
		}
	}
	SessionWriteConflict();
	return false;				/* keep compiler quiet */
}
