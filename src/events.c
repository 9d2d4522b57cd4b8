/*-------------------------------------------------------------------------
 * events.c
 *		Lifecycle events, sent with NOTIFY after commit.
 *
 * Apps LISTEN on the channel session_events to push "you were logged out"
 * without polling.  A payload is a small JSON object: the event, and where
 * it applies the account, the session's public id or a count.  It never
 * carries a key or session data.  PostgreSQL delivers a notification only
 * when the transaction that sent it commits.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/async.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/json.h"

#include "events.h"
#include "settings.h"

/* session_id and count are left out of the payload when negative. */
void
SessionNotify(const char *event, text *account, int64 session_id, int64 count)
{
	StringInfoData buf;

	if (!session_events)
		return;
	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"event\":");
	escape_json(&buf, event);
	if (account != NULL)
	{
		appendStringInfoString(&buf, ",\"account\":");
		escape_json(&buf, text_to_cstring(account));
	}
	if (session_id >= 0)
		appendStringInfo(&buf, ",\"session_id\":" INT64_FORMAT, session_id);
	if (count >= 0)
		appendStringInfo(&buf, ",\"count\":" INT64_FORMAT, count);
	appendStringInfoChar(&buf, '}');

	/*
	 * PostgreSQL refuses a payload of BLCKSZ - NAMEDATALEN - 128 bytes or
	 * more (async.c).  An account id is at most 1024 bytes, but escaped as
	 * JSON it can take six times that: such a one is left out of the
	 * event rather than fail the transaction that sends it.
	 */
	if (buf.len >= BLCKSZ - NAMEDATALEN - 128 && account != NULL)
	{
		SessionNotify(event, NULL, session_id, count);
		pfree(buf.data);
		return;
	}
	Async_Notify(SESSION_EVENT_CHANNEL, buf.data);
	pfree(buf.data);
}

PG_FUNCTION_INFO_V1(session_notify);

/* _notify(event text, account text, session_id bigint, count bigint): internal. */
Datum
session_notify(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_VOID();
	SessionNotify(text_to_cstring(PG_GETARG_TEXT_PP(0)),
				  PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1),
				  PG_ARGISNULL(2) ? -1 : PG_GETARG_INT64(2),
				  PG_ARGISNULL(3) ? -1 : PG_GETARG_INT64(3));
	PG_RETURN_VOID();
}
