/*-------------------------------------------------------------------------
 * key.c
 *		Session keys: generation, validation and the digest that is stored.
 *
 * The table never holds a key, only its SHA-256 digest, so a backup, a
 * replica or a leaked SELECT yields no usable session.  Keys are 32
 * characters of [a-z0-9] drawn from pg_strong_random, as Django makes them.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

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

/*
 * Validate a key and compute its digest.  Returns false for a key that is
 * NULL, shorter than 8 or longer than 40 characters, or that holds anything
 * but [a-z0-9]: such a key can name no session.
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
		char		c = p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return false;
		out->text[i] = c;
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
				 errdetail("A session key has %d to %d characters, each a lowercase letter a-z or a digit.",
						   SESSION_KEY_MIN_LENGTH, SESSION_KEY_MAX_LENGTH)));
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
