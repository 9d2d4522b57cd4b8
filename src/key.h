/*-------------------------------------------------------------------------
 * key.h
 *		Session keys: generation, validation and the digest that is stored.
 *-------------------------------------------------------------------------
 */
#ifndef SESSION_KEY_H
#define SESSION_KEY_H

#include "common/sha2.h"

/*
 * Keys the store makes: Django's format, 32 characters of [a-z0-9], about
 * 165 bits.
 */
#define SESSION_KEY_LENGTH		32

/*
 * Keys the store accepts: 8 to 128 characters of [A-Za-z0-9,_-], which holds
 * the native session ids of Django, express-session, Spring (UUIDs), PHP
 * (every session.sid_bits_per_character), Laravel and Go's scs.  Longer keys
 * would only cost hashing: none of those formats comes near 128.
 */
#define SESSION_KEY_MIN_LENGTH	8
#define SESSION_KEY_MAX_LENGTH	128

/*
 * A key the application chooses itself (save with must_create) must carry at
 * least this many bits by SessionKeyEstimatedBits: the table holds only
 * digests, and this is what keeps a leaked table of them from being
 * searched for the keys.
 */
#define SESSION_KEY_MIN_CHOSEN_BITS	128

typedef struct SessionKey
{
	char		text[SESSION_KEY_MAX_LENGTH + 1];
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
} SessionKey;

extern bool SessionKeyParse(text *key, SessionKey *out);
extern void SessionKeyParseOrError(text *key, SessionKey *out);
extern void SessionKeyParseChosen(text *key, SessionKey *out);
extern double SessionKeyEstimatedBits(const char *key, int len, int *alphabet);
extern void SessionKeyGenerate(SessionKey *out);
extern bytea *SessionKeyDigestBytea(const SessionKey *key);

#endif
