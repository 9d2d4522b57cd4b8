/*-------------------------------------------------------------------------
 * key.h
 *		Session keys: generation, validation and the digest that is stored.
 *-------------------------------------------------------------------------
 */
#ifndef SESSION_KEY_H
#define SESSION_KEY_H

#include "common/sha2.h"

/* Django's format: 32 characters of [a-z0-9], about 165 bits. */
#define SESSION_KEY_LENGTH		32
#define SESSION_KEY_MIN_LENGTH	8
#define SESSION_KEY_MAX_LENGTH	40	/* django_session.session_key is varchar(40) */

typedef struct SessionKey
{
	char		text[SESSION_KEY_MAX_LENGTH + 1];
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
} SessionKey;

extern bool SessionKeyParse(text *key, SessionKey *out);
extern void SessionKeyParseOrError(text *key, SessionKey *out);
extern void SessionKeyGenerate(SessionKey *out);
extern bytea *SessionKeyDigestBytea(const SessionKey *key);

#endif
