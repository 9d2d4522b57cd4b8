/*-------------------------------------------------------------------------
 *
 * fuzz_encode.c
 *		libFuzzer harness for codec_encode.
 *
 * The input is the JSON text handed to encode.  Besides crashes and
 * sanitizer reports it checks the codec's round trip: a token encode
 * produced must decode, and the decoded text must encode to the very same
 * token.  Leading whitespace turns compression off, to cover both payload
 * forms.
 *
 * test/fuzz/fuzz_encode.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

#define FUZZ_MAX_SIZE (256 * 1024)

static const CodecBytes fuzz_secret = {"fuzz-secret", 11};

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *why)
{
	fprintf(stderr, "fuzz_encode: %s\n", why);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CodecBytes	salt = {CODEC_DEFAULT_SALT, sizeof(CODEC_DEFAULT_SALT) - 1};
	bool		compress = size == 0 || data[0] != ' ';
	char	   *input;
	char	   *token = NULL;
	size_t		token_len = 0;
	char	   *json = NULL;
	size_t		json_len = 0;
	char	   *again = NULL;
	size_t		again_len = 0;
	CodecStatus st;

	/* an exact-size copy, so that ASan sees any read past the end */
	input = malloc(size > 0 ? size : 1);
	if (input == NULL)
		fail("out of memory");
	memcpy(input, data, size);

	st = codec_encode(input, size, fuzz_secret, salt, compress, 1700000000,
					  FUZZ_MAX_SIZE, &token, &token_len);
	switch (st)
	{
		case CODEC_OK:
			break;
		case CODEC_INVALID_INPUT:
		case CODEC_TOO_DEEP:
		case CODEC_TOO_LARGE:
			if (token != NULL || token_len != 0)
				fail("output set on failure");
			free(input);
			return 0;
		default:
			fail("unexpected status from encode");
	}

	if (strlen(token) != token_len)
		fail("token length wrong");
	st = codec_decode(token, token_len, &fuzz_secret, 1, salt, -1, 0,
					  SIZE_MAX, &json, &json_len);
	if (st != CODEC_OK)
		fail("decode refuses a token encode produced");
	st = codec_encode(json, json_len, fuzz_secret, salt, compress, 1700000000,
					  SIZE_MAX, &again, &again_len);
	if (st != CODEC_OK)
		fail("encode refuses what decode produced");
	if (again_len != token_len || memcmp(again, token, token_len) != 0)
		fail("encode(decode(token)) differs from token");

	codec_free(token);
	codec_free(json);
	codec_free(again);
	free(input);
	return 0;
}
