/*-------------------------------------------------------------------------
 * key.c
 *		Session keys: generation, validation and the digest that is stored.
 *
 * The table never holds a key, only its SHA-256 digest, so a backup, a
 * replica or a leaked SELECT yields no usable session.  Keys the store makes
 * are 32 characters of [a-z0-9] drawn from pg_strong_random, as Django makes
 * them; it accepts the native ids of other web stacks too (key.h).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>
#include <openssl/evp.h>

#include "fmgr.h"
#include "utils/builtins.h"

#include "key.h"
#include "pg_compat.h"

static const char key_alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

/*
 * SHA-256 of the key.  Every load pays for it, so the algorithm is fetched
 * from OpenSSL once per process and one digest context is reused: looking
 * the algorithm up on each call (what EVP_sha256() does in OpenSSL 3) took
 * a tenth of a load's time.
 */
static void
SessionKeyDigest(SessionKey *key, size_t len)
{
	static EVP_MD *sha256 = NULL;
	static EVP_MD_CTX *ctx = NULL;
	unsigned int out_len = 0;

	if (sha256 == NULL)
		sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (ctx == NULL)
		ctx = EVP_MD_CTX_new();
	if (sha256 == NULL || ctx == NULL ||
		EVP_DigestInit_ex2(ctx, sha256, NULL) != 1 ||
		EVP_DigestUpdate(ctx, key->text, len) != 1 ||
		EVP_DigestFinal_ex(ctx, key->digest, &out_len) != 1 ||
		out_len != sizeof(key->digest))
		elog(ERROR, "could not compute SHA-256 digest of a session key");
}

/* Whether c may appear in a key: [A-Za-z0-9,_-]. */
static inline bool
SessionKeyChar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '_' || c == ',';
}

/*
 * Validate a key and compute its digest.  Returns false for a key that is
 * NULL, shorter than SESSION_KEY_MIN_LENGTH or longer than
 * SESSION_KEY_MAX_LENGTH characters, or that holds anything but
 * [A-Za-z0-9,_-]: such a key can name no session.
 */
bool
SessionKeyParse(text *key, SessionKey *out)
{
	const char *p;
	int			len;
	int			i;

	if (key == NULL)
		return false;
	p = VARDATA_ANY(key);
	len = VARSIZE_ANY_EXHDR(key);
	if (len < SESSION_KEY_MIN_LENGTH || len > SESSION_KEY_MAX_LENGTH)
		return false;
	for (i = 0; i < len; i++)
	{
		if (!SessionKeyChar(p[i]))
			return false;
		out->text[i] = p[i];
	}
	out->text[len] = '\0';
	SessionKeyDigest(out, len);
	return true;
}

/* As SessionKeyParse, for functions that write: a malformed key is an error. */
void
SessionKeyParseOrError(text *key, SessionKey *out)
{
	if (key == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("session key must not be null")));
	if (!SessionKeyParse(key, out))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("malformed session key"),
				 errdetail("A session key has %d to %d characters, each a letter A-Z or a-z, a digit, \"-\", \"_\" or \",\".",
						   SESSION_KEY_MIN_LENGTH, SESSION_KEY_MAX_LENGTH)));
}

/* The classes of characters SessionKeyEstimatedBits tells apart. */
#define KC_DIGIT	0x001		/* 0-9 */
#define KC_LOW_AF	0x002		/* a-f */
#define KC_LOW_GV	0x004		/* g-v */
#define KC_LOW_WZ	0x008		/* w-z */
#define KC_UP_AF	0x010		/* A-F */
#define KC_UP_GZ	0x020		/* G-Z */
#define KC_DASH		0x040		/* - */
#define KC_UNDER	0x080		/* _ */
#define KC_COMMA	0x100		/* , */
#define KC_LOWER	(KC_LOW_AF | KC_LOW_GV | KC_LOW_WZ)
#define KC_UPPER	(KC_UP_AF | KC_UP_GZ)
#define KC_ALNUM	(KC_DIGIT | KC_LOWER | KC_UPPER)

/*
 * The standard alphabets of session ids, smallest first: hex (PHP's
 * sid_bits_per_character 4, Rails), [0-9a-v] (PHP's 5), [a-z0-9] (Django),
 * [A-Za-z0-9] (Laravel), base64url (express-session, Go's scs) and PHP's
 * [A-Za-z0-9,-] (its 6), and last the whole alphabet the store accepts.
 */
static const struct
{
	int			classes;
	int			size;
}			key_alphabets[] =
{
	{KC_DIGIT, 10},
	{KC_DIGIT | KC_LOW_AF, 16},
	{KC_DIGIT | KC_UP_AF, 16},
	{KC_LOWER, 26},
	{KC_UPPER, 26},
	{KC_DIGIT | KC_LOW_AF | KC_LOW_GV, 32},
	{KC_DIGIT | KC_LOWER, 36},
	{KC_DIGIT | KC_UPPER, 36},
	{KC_LOWER | KC_UPPER, 52},
	{KC_ALNUM, 62},
	{KC_ALNUM | KC_DASH | KC_UNDER, 64},
	{KC_ALNUM | KC_DASH | KC_COMMA, 64},
	{KC_ALNUM | KC_DASH | KC_UNDER | KC_COMMA, 65},
};

/*
 * An upper bound of the randomness of a well-formed key, in bits: its length
 * times log2 of the size of the smallest standard alphabet that holds all its
 * characters (*alphabet is set to that size).  A key of hex digits and dashes
 * counts its dashes as separators that carry nothing, and one laid out as a
 * UUID counts 122 bits, what a version 4 UUID draws: the version and variant
 * bits are fixed.  The estimate cannot see a key that is random-looking but
 * not random (a counter, a timestamp); it only refuses what is too short for
 * its alphabet to be safe however it was made.
 */
double
SessionKeyEstimatedBits(const char *key, int len, int *alphabet)
{
	int			classes = 0;
	int			dashes = 0;
	int			i;

	for (i = 0; i < len; i++)
	{
		char		c = key[i];

		if (c >= '0' && c <= '9')
			classes |= KC_DIGIT;
		else if (c >= 'a' && c <= 'f')
			classes |= KC_LOW_AF;
		else if (c >= 'g' && c <= 'v')
			classes |= KC_LOW_GV;
		else if (c >= 'w' && c <= 'z')
			classes |= KC_LOW_WZ;
		else if (c >= 'A' && c <= 'F')
			classes |= KC_UP_AF;
		else if (c >= 'G' && c <= 'Z')
			classes |= KC_UP_GZ;
		else if (c == '-')
		{
			classes |= KC_DASH;
			dashes++;
		}
		else if (c == '_')
			classes |= KC_UNDER;
		else if (c == ',')
			classes |= KC_COMMA;
	}

	if ((classes & KC_DASH) &&
		((classes & ~(KC_DASH | KC_DIGIT | KC_LOW_AF)) == 0 ||
		 (classes & ~(KC_DASH | KC_DIGIT | KC_UP_AF)) == 0))
	{
		*alphabet = 16;
		if (len == 36 && dashes == 4 && key[8] == '-' && key[13] == '-' &&
			key[18] == '-' && key[23] == '-')
			return 122.0;
		return 4.0 * (len - dashes);
	}

	for (i = 0; i < lengthof(key_alphabets); i++)
	{
		if ((classes & ~key_alphabets[i].classes) == 0)
			break;
	}
	Assert(i < lengthof(key_alphabets));
	*alphabet = key_alphabets[i].size;
	return len * log2((double) key_alphabets[i].size);
}

/*
 * As SessionKeyParseOrError, for a key the application chose itself and asks
 * the store to create a session under: one that carries too little
 * randomness is an error too.
 */
void
SessionKeyParseChosen(text *key, SessionKey *out)
{
	int			len;
	int			alphabet;
	double		bits;

	SessionKeyParseOrError(key, out);
	len = strlen(out->text);
	bits = SessionKeyEstimatedBits(out->text, len, &alphabet);
	if (bits < SESSION_KEY_MIN_CHOSEN_BITS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("session key is too weak to create a session with"),
				 errdetail("A key of %d characters from an alphabet of %d carries at most %d bits of randomness; a key chosen by the application needs at least %d.",
						   len, alphabet, (int) bits, SESSION_KEY_MIN_CHOSEN_BITS),
				 errhint("Let session.create() make the key, or draw at least %d random bits, for example 22 characters of base64url.",
						 SESSION_KEY_MIN_CHOSEN_BITS)));
}

/*
 * Draw a fresh key.  Bytes of 252 and above are rejected so that each of the
 * 36 characters is equally likely.
 */
void
SessionKeyGenerate(SessionKey *out)
{
	uint8		buf[64];
	int			n = 0;

	while (n < SESSION_KEY_LENGTH)
	{
		int			i;

		if (!pg_strong_random(buf, sizeof(buf)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random session key")));
		for (i = 0; i < (int) sizeof(buf) && n < SESSION_KEY_LENGTH; i++)
		{
			if (buf[i] < 252)
				out->text[n++] = key_alphabet[buf[i] % 36];
		}
	}
	out->text[SESSION_KEY_LENGTH] = '\0';
	explicit_bzero(buf, sizeof(buf));
	SessionKeyDigest(out, SESSION_KEY_LENGTH);
}

bytea *
SessionKeyDigestBytea(const SessionKey *key)
{
	bytea	   *result = (bytea *) palloc(VARHDRSZ + sizeof(key->digest));

	SET_VARSIZE(result, VARHDRSZ + sizeof(key->digest));
	memcpy(VARDATA(result), key->digest, sizeof(key->digest));
	return result;
}

PG_FUNCTION_INFO_V1(session_key_digest);

/*
 * _key_digest(key text, for_write boolean) returns bytea
 *
 * Internal: the stored digest of a key.  A malformed key gives NULL when
 * reading, an error when writing.
 */
Datum
session_key_digest(PG_FUNCTION_ARGS)
{
	SessionKey	key;
	bool		for_write = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	text	   *arg = PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0);

	if (for_write)
		SessionKeyParseOrError(arg, &key);
	else if (!SessionKeyParse(arg, &key))
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(SessionKeyDigestBytea(&key));
}
