/*-------------------------------------------------------------------------
 * events.h
 *		Lifecycle events, sent with NOTIFY after commit.
 *-------------------------------------------------------------------------
 */
#ifndef SESSION_EVENTS_H
#define SESSION_EVENTS_H

#define SESSION_EVENT_CHANNEL "session_events"

extern void SessionNotify(const char *event, text *account, int64 session_id, int64 count);

#endif
