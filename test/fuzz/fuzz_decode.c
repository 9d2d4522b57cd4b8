/*-------------------------------------------------------------------------
 *
 * fuzz_decode.c
 *		libFuzzer harness for codec_decode.
 *
 * Random tokens almost never carry a valid signature, and then nothing past
 * the HMAC runs.  So the first input byte picks how the rest becomes a
 * token, and most modes sign what they build with the secret the decoder
 * is given, which lets the fuzzer reach the timestamp, base64, zlib and
 * JSON code:
 *
 *	0  the rest is the token, as received
 *	1  the rest is the signed value ("payload:timestamp"); signed here
 *	2  the rest is the JSON payload; base64url, timestamp, signed
 *	3  the rest is a zlib stream; '.', base64url, timestamp, signed
 *	4  the rest is JSON, compressed here, then as mode 3
 *	5  the rest is JSON in the pre-3.1 format (hash ":" json, base64)
 *
 * A first byte of 128 or more also sets a max_age of 60 seconds.
 *
 * Besides crashes and sanitizer reports it checks a promise: whatever
 * decodes is UTF-8 JSON text that encode accepts and that survives
 * another round trip unchanged.
 *
 * test/fuzz/fuzz_decode.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "codec_internal.h"

#define FUZZ_MAX_SIZE (256 * 1024)

static const CodecBytes fuzz_secrets[] = {
	{"an-old-fallback-secret", 22},
	{"fuzz-secret", 11},
};

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static CodecBytes
salt_bytes(void)
{
	CodecBytes	salt;

	salt.data = CODEC_DEFAULT_SALT;
	salt.len = strlen(CODEC_DEFAULT_SALT);
	return salt;
}

static void
fail(const char *why)
{
	fprintf(stderr, "fuzz_decode: %s\n", why);
	abort();
}

/* value = [prefix] base64url(raw) ":" ts, then signed. */
static char *
sign_payload(const char *prefix, const uint8_t *raw, size_t len, size_t *out_len)
{
	CodecBuf	value;
	char	   *token = NULL;

	codec_buf_init(&value, CODEC_NO_LIMIT);
	if (codec_buf_append(&value, prefix, strlen(prefix)) != CODEC_OK ||
		codec_buf_reserve(&value, codec_b64_encoded_len(len, false) + 8) != CODEC_OK)
		fail("out of memory building a token");
	value.len += codec_b64_encode(raw, len, true, false, value.data + value.len);
	if (codec_buf_append(&value, ":1r31eq", 7) != CODEC_OK ||
		codec_sign(salt_bytes(), fuzz_secrets[1], value.data, value.len,
				   &token, out_len) != CODEC_OK)
		fail("out of memory signing");
	codec_buf_free(&value);
	return token;
}

/* base64(hex hash ":" json), as SessionBase._legacy_encode writes it. */
static char *
legacy_token(const uint8_t *json, size_t len, size_t *out_len)
{
	CodecBytes	lsalt = {"django.contrib.sessionsSessionStore", 35};
	char		hash[CODEC_LEGACY_HASH_LEN + 1];
	CodecBuf	raw;
	char	   *token;

	codec_buf_init(&raw, CODEC_NO_LIMIT);
	if (codec_legacy_hash(lsalt, fuzz_secrets[1], (const char *) json, len, hash) != CODEC_OK ||
		codec_buf_append(&raw, hash, CODEC_LEGACY_HASH_LEN) != CODEC_OK ||
		codec_buf_putc(&raw, ':') != CODEC_OK ||
		codec_buf_append(&raw, json, len) != CODEC_OK)
		fail("out of memory building a legacy token");
	token = malloc(codec_b64_encoded_len(raw.len, true) + 1);
	if (token == NULL)
		fail("out of memory");
	*out_len = codec_b64_encode((const unsigned char *) raw.data, raw.len,
								false, true, token);
	token[*out_len] = '\0';
	codec_buf_free(&raw);
	return token;
}

/* Decoded output must be acceptable input and reproduce itself. */
static void
check_output(const char *json, size_t len)
{
	char	   *token = NULL;
	size_t		token_len;
	char	   *again = NULL;
	size_t		again_len;
	CodecStatus st;

	if (strlen(json) != len)
		fail("decoded JSON contains NUL");
	if (!codec_utf8_valid(json, len))
		fail("decoded JSON is not UTF-8");

	st = codec_encode(json, len, fuzz_secrets[1], salt_bytes(), true, 7,
					  SIZE_MAX, &token, &token_len);
	if (st != CODEC_OK)
		fail("encode refuses what decode produced");
	st = codec_decode(token, token_len, &fuzz_secrets[1], 1, salt_bytes(),
					  -1, 0, SIZE_MAX, &again, &again_len);
	if (st != CODEC_OK)
		fail("decode refuses what encode produced");
	if (again_len != len || memcmp(again, json, len) != 0)
		fail("decode(encode(x)) differs from x");
	codec_free(token);
	codec_free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest;
	size_t		n;
	char	   *token = NULL;
	size_t		token_len = 0;
	char	   *json = NULL;
	size_t		json_len = 0;
	CodecStatus st;
	CodecBuf	z;

	if (size == 0)
		return 0;
	rest = data + 1;
	n = size - 1;

	switch (data[0] % 6)
	{
		case 0:
			/* copy so that ASan sees reads past the end of the token */
			token = malloc(n > 0 ? n : 1);
			if (token == NULL)
				fail("out of memory");
			memcpy(token, rest, n);
			token_len = n;
			break;
		case 1:
			if (codec_sign(salt_bytes(), fuzz_secrets[1], (const char *) rest, n,
						   &token, &token_len) != CODEC_OK)
				fail("out of memory signing");
			break;
		case 2:
			token = sign_payload("", rest, n, &token_len);
			break;
		case 3:
			token = sign_payload(".", rest, n, &token_len);
			break;
		case 4:
			codec_buf_init(&z, CODEC_NO_LIMIT);
			if (codec_compress(rest, n, &z) != CODEC_OK)
				fail("compression failed");
			token = sign_payload(".", (const uint8_t *) z.data, z.len, &token_len);
			codec_buf_free(&z);
			break;
		default:
			token = legacy_token(rest, n, &token_len);
			break;
	}

	st = codec_decode(token, token_len, fuzz_secrets, 2, salt_bytes(),
					  data[0] >= 128 ? 60 : -1, 1700000000, FUZZ_MAX_SIZE,
					  &json, &json_len);
	if (st == CODEC_OK)
		check_output(json, json_len);
	else if (json != NULL || json_len != 0)
		fail("output set on failure");
	if (codec_status_message(st)[0] == '\0')
		fail("empty status message");

	codec_free(json);
	free(token);
	return 0;
}
