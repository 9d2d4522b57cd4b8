/*-------------------------------------------------------------------------
 * settings.h
 *		Settings (GUCs) of the session extension.
 *-------------------------------------------------------------------------
 */
#ifndef SESSION_SETTINGS_H
#define SESSION_SETTINGS_H

extern int	session_default_max_age;	/* seconds */
extern int	session_max_lifetime;	/* seconds, 0 = no absolute cap */
extern int	session_touch_interval; /* seconds */
extern int	session_max_data_size;	/* bytes */
extern char *session_account_key;	/* data key naming the account */
extern int	session_inactive_after; /* seconds */
extern bool session_logout_inactive;
extern bool session_events;
extern int	session_activity_buffer_size;	/* entries */
extern int	session_activity_flush_interval;	/* ms */
extern char *session_primary_conninfo;	/* send NOTIFY on session_events */

extern void SessionDefineSettings(void);

#endif
