/*-------------------------------------------------------------------------
 *
 * codec.h
 *		Django's signed session format (signing.dumps with compress=True and
 *		the pre-3.1 session format), encoded and decoded in pure C.
 *
 * Nothing here depends on PostgreSQL: the codec is unit-tested and fuzzed
 * on its own, and the SQL glue turns its status codes into ereports.
 *
 * src/codec/codec.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef CODEC_H
#define CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef enum CodecStatus
{
	CODEC_OK = 0,
	CODEC_BAD_SIGNATURE,		/* malformed token, or no secret verifies it
								 * (also legacy format failing) */
	CODEC_EXPIRED,				/* signature valid, but older than max_age */
	CODEC_CORRUPT,				/* signature valid, content undecodable:
								 * base64, zlib, invalid UTF-8, NUL, JSON
								 * syntax, lone surrogate, NaN/Infinity, not a
								 * JSON object */
	CODEC_TOO_LARGE,			/* input or decompressed data larger than
								 * max_size */
	CODEC_TOO_DEEP,				/* JSON nesting deeper than CODEC_MAX_DEPTH */
	CODEC_INVALID_INPUT,		/* encode: input is not valid JSON text of an
								 * object */
	CODEC_NO_MEMORY
} CodecStatus;

/* The top-level object counts as depth 1. */
#define CODEC_MAX_EXPONENT 1000	/* largest |exponent| of a JSON number */
#define CODEC_MAX_DEPTH 512

/*
 * PostgreSQL's numeric, which jsonb keeps numbers in, holds at most 16383
 * digits after the decimal point, and a leading digit no higher than the
 * 10^131071 place.  JSON numbers beyond either are refused like NaN.
 */
#define CODEC_NUMERIC_MAX_SCALE 16383
#define CODEC_NUMERIC_MAX_WEIGHT 131071

/*
 * Python 3.11 refuses to convert integers longer than this many digits
 * (sys.int_info.default_max_str_digits), so Django can neither write nor
 * read them.  Integer literals (no fraction, no exponent) with more digits
 * are CODEC_INVALID_INPUT for encode and CODEC_CORRUPT for decode.
 */
#define CODEC_MAX_INT_DIGITS 4300

#define CODEC_DEFAULT_SALT "django.contrib.sessions.SessionStore"

typedef struct CodecBytes
{
	const char *data;
	size_t		len;
} CodecBytes;

/* Short lowercase English phrase; never includes input. */
extern const char *codec_status_message(CodecStatus status);

/* The enumerator's name, e.g. "CODEC_OK", for tests and tools. */
extern const char *codec_status_name(CodecStatus status);

/*
 * json: UTF-8 JSON text of an object (as PostgreSQL's jsonb output prints
 * it, e.g. {"a": 1, "b": [1, 2.50]}).
 *
 * Output: malloc'd NUL-terminated token in *out (length in *out_len),
 * exactly what Django's signing.dumps would produce for the same dict (same
 * key order as in the input text) at that timestamp.  Numbers are written
 * as their text in the input; strings are re-escaped as Python's json.dumps
 * does (ASCII only).  A key that appears twice keeps its first position and
 * its last value, as a Python dict built from the text would.
 *
 * The input must not contain \u0000 or lone surrogates (jsonb cannot hold
 * them, so decode would refuse the token); an empty secret is refused.  An
 * empty salt means Django's default, "django.core.signing.TimestampSigner".
 *
 * CODEC_TOO_LARGE when the input, the serialized JSON or the token is
 * larger than max_size, so that whatever is encoded also decodes under the
 * same limit.
 */
extern CodecStatus codec_encode(const char *json, size_t json_len,
								CodecBytes secret, CodecBytes salt,
								bool compress, int64_t timestamp,
								size_t max_size,
								char **out, size_t *out_len);

/*
 * Verifies with secrets[0], then each further secret (Django's
 * SECRET_KEY_FALLBACKS), all in constant-time comparisons; both the SHA-256
 * signature and the legacy SHA-1 one that Django 3.2 still accepts verify.
 * A token in the pre-3.1 format is tried with the same secrets when the
 * salt is a session salt ("django.contrib.sessions." + class name); that
 * format carries no timestamp, so max_age does not apply to it.
 *
 * max_age < 0 means no age check; now is the current Unix time, and a
 * token is expired when now - timestamp > max_age, as in
 * TimestampSigner.unsign.
 *
 * On success *json_out is malloc'd, NUL-terminated JSON text of an object
 * that PostgreSQL's jsonb_in accepts (UTF-8, no \u0000, no lone
 * surrogates, no NaN/Infinity), length in *json_len.  Numbers keep their
 * text from the token.  As in Django, the payload bytes are read as
 * Latin-1, so a raw byte 0xE9 in a string becomes U+00E9 (Django itself
 * only ever writes ASCII there).
 *
 * Decompression happens only after the signature verifies, and stops at
 * max_size bytes (CODEC_TOO_LARGE), as does a token longer than max_size.
 */
extern CodecStatus codec_decode(const char *token, size_t token_len,
								const CodecBytes *secrets, int nsecrets,
								CodecBytes salt, int64_t max_age, int64_t now,
								size_t max_size,
								char **json_out, size_t *json_len);

extern void codec_free(void *ptr);

#endif							/* CODEC_H */
