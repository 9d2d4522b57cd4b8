/*-------------------------------------------------------------------------
 *
 * base62.c
 *		The token's timestamp, as django.utils.baseconv.base62 writes and
 *		reads it.
 *
 * Digits are 0-9A-Za-z; a negative number gets a leading '-'.  Django's
 * decoder is looser than its encoder, and the decoder here matches it: any
 * number of leading zeros, a lone "-" (zero), and any length.  Python's
 * integers have no bound; here a value beyond int64 saturates, which keeps
 * the age comparison right (far future: not expired; far past: expired).
 *
 * src/codec/base62.c
 *
 *-------------------------------------------------------------------------
 */
#include "codec_internal.h"

static const char base62_digits[] =
"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/*
 * Write value to out (at least CODEC_BASE62_BUFSIZE bytes), NUL-terminated;
 * returns the length.
 */
size_t
codec_base62_encode(int64_t value, char *out)
{
	char		tmp[CODEC_BASE62_BUFSIZE];
	size_t		n = 0;
	size_t		len = 0;
	uint64_t	mag;

	/* negate in unsigned arithmetic so INT64_MIN works */
	mag = value < 0 ? (uint64_t) 0 - (uint64_t) value : (uint64_t) value;
	do
	{
		tmp[n++] = base62_digits[mag % 62];
		mag /= 62;
	} while (mag > 0);

	if (value < 0)
		out[len++] = '-';
	while (n > 0)
		out[len++] = tmp[--n];
	out[len] = '\0';
	return len;
}

static inline int
base62_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 36;
	return -1;
}

/*
 * Parse in[0..len).  CODEC_CORRUPT where Django raises: an empty string
 * (IndexError) or a character outside the alphabet (ValueError).
 */
CodecStatus
codec_base62_decode(const char *in, size_t len, int64_t *value)
{
	bool		negative = false;
	bool		overflow = false;
	uint64_t	mag = 0;
	uint64_t	bound;
	size_t		i = 0;

	if (len == 0)
		return CODEC_CORRUPT;
	if (in[0] == '-')
	{
		negative = true;
		i = 1;
	}

	for (; i < len; i++)
	{
		int			d = base62_value((unsigned char) in[i]);

		if (d < 0)
			return CODEC_CORRUPT;
		if (!overflow)
		{
			if (mag > (UINT64_MAX - (uint64_t) d) / 62)
				overflow = true;
			else
				mag = mag * 62 + (uint64_t) d;
		}
	}

	bound = negative ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
	if (overflow || mag > bound)
		mag = bound;
	if (negative)
		*value = mag == bound ? INT64_MIN : -(int64_t) mag;
	else
		*value = (int64_t) mag;
	return CODEC_OK;
}
