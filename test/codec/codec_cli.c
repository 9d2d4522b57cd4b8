/*-------------------------------------------------------------------------
 *
 * codec_cli.c
 *		Line-oriented front end to the codec, so that interop.py can hold it
 *		up against Django.
 *
 * One request per line on stdin, one reply per line on stdout.  Every
 * byte string travels as lowercase hex ("-" for empty), so tokens, secrets
 * and JSON of any content fit on a line:
 *
 *	encode SECRET SALT COMPRESS(0|1) TIMESTAMP MAX_SIZE JSON
 *	decode SALT MAX_AGE NOW MAX_SIZE TOKEN SECRET [SECRET ...]
 *	b64 URLSAFE(0|1) PAD_TO_QUAD(0|1) TEXT		(the lenient base64 decoder)
 *	b62 TEXT									(the timestamp decoder)
 *
 * Replies: the status name (CODEC_OK, CODEC_CORRUPT, ...), then for
 * CODEC_OK the result in hex (b62: in decimal).
 *
 * test/codec/codec_cli.c
 *
 *-------------------------------------------------------------------------
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "codec_internal.h"

#define MAX_FIELDS 64

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode hex in place; "-" is the empty string.  false on bad hex. */
static bool
unhex(char *s, CodecBytes *out)
{
	size_t		n = strlen(s);
	size_t		i;

	out->data = s;
	out->len = 0;
	if (strcmp(s, "-") == 0)
		return true;
	if (n % 2 != 0)
		return false;
	for (i = 0; i < n; i += 2)
	{
		int			hi = hexval((unsigned char) s[i]);
		int			lo = hexval((unsigned char) s[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		s[i / 2] = (char) (hi << 4 | lo);
	}
	out->len = n / 2;
	return true;
}

static void
put_hex(const char *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t		i;

	if (len == 0)
	{
		fputs("-", stdout);
		return;
	}
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) data[i];

		putchar(hex[c >> 4]);
		putchar(hex[c & 0xF]);
	}
}

static void
reply(CodecStatus status, const char *data, size_t len)
{
	fputs(codec_status_name(status), stdout);
	if (status == CODEC_OK)
	{
		putchar(' ');
		put_hex(data, len);
	}
	putchar('\n');
}

static bool
do_encode(char **f, int n)
{
	CodecBytes	secret;
	CodecBytes	salt;
	CodecBytes	json;
	char	   *token = NULL;
	size_t		token_len = 0;
	CodecStatus status;

	if (n != 7 || !unhex(f[1], &secret) || !unhex(f[2], &salt) ||
		!unhex(f[6], &json))
		return false;
	status = codec_encode(json.data, json.len, secret, salt,
						  strcmp(f[3], "1") == 0,
						  strtoll(f[4], NULL, 10),
						  (size_t) strtoull(f[5], NULL, 10),
						  &token, &token_len);
	reply(status, token, token_len);
	codec_free(token);
	return true;
}

static bool
do_decode(char **f, int n)
{
	CodecBytes	salt;
	CodecBytes	token;
	CodecBytes	secrets[MAX_FIELDS];
	char	   *json = NULL;
	size_t		json_len = 0;
	CodecStatus status;
	int			i;

	if (n < 6 || !unhex(f[1], &salt) || !unhex(f[5], &token))
		return false;
	for (i = 6; i < n; i++)
		if (!unhex(f[i], &secrets[i - 6]))
			return false;
	status = codec_decode(token.data, token.len, secrets, n - 6, salt,
						  strtoll(f[2], NULL, 10), strtoll(f[3], NULL, 10),
						  (size_t) strtoull(f[4], NULL, 10),
						  &json, &json_len);
	reply(status, json, json_len);
	codec_free(json);
	return true;
}

static bool
do_b64(char **f, int n)
{
	CodecBytes	text;
	CodecBuf	out;
	CodecStatus status;

	if (n != 4 || !unhex(f[3], &text))
		return false;
	codec_buf_init(&out, CODEC_NO_LIMIT);
	status = codec_b64_decode(text.data, text.len, strcmp(f[1], "1") == 0,
							  strcmp(f[2], "1") == 0, &out);
	reply(status, out.data, out.len);
	codec_buf_free(&out);
	return true;
}

static bool
do_b62(char **f, int n)
{
	CodecBytes	text;
	int64_t		value;
	CodecStatus status;

	if (n != 2 || !unhex(f[1], &text))
		return false;
	status = codec_base62_decode(text.data, text.len, &value);
	fputs(codec_status_name(status), stdout);
	if (status == CODEC_OK)
		printf(" %" PRId64, value);
	putchar('\n');
	return true;
}

int
main(void)
{
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		len;

	while ((len = getline(&line, &cap, stdin)) > 0)
	{
		char	   *f[MAX_FIELDS + 6];
		int			n = 0;
		char	   *save = NULL;
		char	   *tok;
		bool		ok = false;

		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		for (tok = strtok_r(line, " ", &save); tok != NULL && n < MAX_FIELDS + 6;
			 tok = strtok_r(NULL, " ", &save))
			f[n++] = tok;
		if (n > 0 && strcmp(f[0], "encode") == 0)
			ok = do_encode(f, n);
		else if (n > 0 && strcmp(f[0], "decode") == 0)
			ok = do_decode(f, n);
		else if (n > 0 && strcmp(f[0], "b64") == 0)
			ok = do_b64(f, n);
		else if (n > 0 && strcmp(f[0], "b62") == 0)
			ok = do_b62(f, n);
		if (!ok)
		{
			fprintf(stderr, "codec_cli: malformed request\n");
			free(line);
			return 2;
		}
		fflush(stdout);
	}
	free(line);
	return 0;
}
