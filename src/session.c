/*-------------------------------------------------------------------------
 * session.c
 *		Module entry point and settings of the session extension.
 *
 * Every setting lives under the prefix "session.".  Knobs that protect the
 * server or bound how long a stolen key stays useful are PGC_SUSET; pure
 * tuning knobs are PGC_USERSET.
 *
 * The prefix is not reserved (no MarkGUCPrefixReserved): "session." is the
 * prefix applications commonly use for their own placeholders, such as
 * SET session.user_id for row-level security policies, and a preloaded
 * library would make those fail in every database of the cluster.  The
 * settings defined here are checked all the same; only a name under the
 * prefix that this library does not define stays a placeholder.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "fmgr.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "activity.h"
#include "miscadmin.h"
#include "settings.h"
#include "store.h"

PG_MODULE_MAGIC;

int			session_default_max_age = 1209600;
int			session_max_lifetime = 0;
int			session_touch_interval = 60;
int			session_max_data_size = 1024 * 1024;
char	   *session_account_key = NULL;
int			session_inactive_after = 1800;
bool		session_logout_inactive = false;
bool		session_events = false;
int			session_activity_buffer_size = 65536;
int			session_activity_flush_interval = 1000;
char	   *session_primary_conninfo = NULL;

void		_PG_init(void);

void
SessionDefineSettings(void)
{
	DefineCustomIntVariable("session.default_max_age",
							"Idle lifetime of a session whose expiry is not set.",
							"Also the lifetime of the row behind a session that "
							"expires when the browser closes.",
							&session_default_max_age,
							1209600, 1, INT_MAX,
							PGC_USERSET, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("session.max_lifetime",
							"Absolute cap on a session's life, counted from its creation.",
							"No activity extends a session past creation plus this; 0 disables the cap.",
							&session_max_lifetime,
							0, 0, INT_MAX,
							PGC_SUSET, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("session.touch_interval",
							"Least time between two writes that extend an idle timeout on load.",
							"A load within this time of the last activity only reads.",
							&session_touch_interval,
							60, 0, 86400,
							PGC_USERSET, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("session.max_data_size",
							"Largest session data accepted, in bytes of its stored form.",
							NULL,
							&session_max_data_size,
							1024 * 1024, 64, MaxAllocSize / 2,
							PGC_SUSET, GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomStringVariable("session.account_key",
							   "Key of session data that names the session's account.",
							   "A save binds the session to the account this key holds "
							   "(Django: _auth_user_id); empty turns that off.",
							   &session_account_key,
							   "_auth_user_id",
							   PGC_SUSET, 0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("session.inactive_after",
							"Idle time after which flag_inactive() marks an account inactive.",
							NULL,
							&session_inactive_after,
							1800, 1, INT_MAX,
							PGC_USERSET, GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomBoolVariable("session.logout_inactive",
							 "Whether flag_inactive() also ends the sessions of the accounts it flags.",
							 NULL,
							 &session_logout_inactive,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("session.events",
							 "Whether lifecycle events are sent on channel session_events.",
							 "Every role can LISTEN on a channel (and NOTIFY on it): turn "
							 "this on only where that is acceptable.",
							 &session_events,
							 false,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomIntVariable("session.activity_flush_interval",
							"Time between two writes of the recorded activity of sessions.",
							"A crash loses at most this much activity: timestamps, never sessions.",
							&session_activity_flush_interval,
							1000, 10, 60000,
							PGC_SIGHUP, GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomStringVariable("session.primary_conninfo",
							   "Connection string a standby uses to send session activity to the primary.",
							   "Empty: loads on a standby do not extend sessions.",
							   &session_primary_conninfo,
							   "",
							   PGC_SIGHUP, GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	/* the buffer exists only when the library is preloaded */
	if (process_shared_preload_libraries_in_progress)
		DefineCustomIntVariable("session.activity_buffer_size",
								"Sessions whose activity shared memory holds until it is written.",
								"Needs shared_preload_libraries = 'session'; about 80 bytes each. "
								"A load that finds the buffer full writes its activity inline.",
								&session_activity_buffer_size,
								65536, 16, INT_MAX / 2,
								PGC_POSTMASTER, 0,
								NULL, NULL, NULL);
}

void
_PG_init(void)
{
	SessionDefineSettings();
	SessionStoreInit();
	if (process_shared_preload_libraries_in_progress)
		SessionActivityInit();
}

/*
 * Settings for SQL-language code.  current_setting() cannot be used there:
 * in a connection that has not loaded the library yet the settings do not
 * exist, or exist only as unchecked placeholders that any role may set.
 * Calling into the library loads it, which checks them.
 */
PG_FUNCTION_INFO_V1(session_inactive_after_setting);

/* _inactive_after() returns interval: internal, session.inactive_after. */
Datum
session_inactive_after_setting(PG_FUNCTION_ARGS)
{
	Interval   *result = (Interval *) palloc0(sizeof(Interval));

	result->time = (int64) session_inactive_after * USECS_PER_SEC;
	PG_RETURN_INTERVAL_P(result);
}

PG_FUNCTION_INFO_V1(session_logout_inactive_setting);

/* _logout_inactive() returns boolean: internal, session.logout_inactive. */
Datum
session_logout_inactive_setting(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(session_logout_inactive);
}
