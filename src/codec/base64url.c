/*-------------------------------------------------------------------------
 *
 * base64url.c
 *		Base64 as Django uses it: url-safe without padding for tokens,
 *		standard with padding for the pre-3.1 session format.
 *
 * Encoding is plain RFC 4648.  Decoding is deliberately not: Django decodes
 * with Python's base64.urlsafe_b64decode and base64.b64decode, which call
 * binascii.a2b_base64 in its lenient mode.  A token that Django accepts must
 * decode here to the same bytes, and one it rejects must be rejected, so the
 * decoder follows Python 3.11's rules exactly:
 *
 *	- bytes outside the alphabet (including ':' '.' and non-ASCII) are
 *	  skipped;
 *	- '=' counts as padding only once two data characters of a quad are in,
 *	  and ends the input once the quad is complete; a data character resets
 *	  the count;
 *	- input that ends inside a quad is an error;
 *	- the url-safe variant also accepts '+' and '/' (urlsafe_b64decode only
 *	  translates '-' and '_' before decoding).
 *
 * The signature is checked before any of this runs, so only a holder of the
 * secret can send such input; the point is agreement with Django.
 *
 * src/codec/base64url.c
 *
 *-------------------------------------------------------------------------
 */
#include "codec_internal.h"

static const char b64_std[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#define B64_SKIP 64
#define B64_PAD 65

size_t
codec_b64_encoded_len(size_t len, bool pad)
{
	size_t		full = len / 3 * 4;

	switch (len % 3)
	{
		case 1:
			return full + (pad ? 4 : 2);
		case 2:
			return full + (pad ? 4 : 3);
		default:
			return full;
	}
}

/*
 * Caller provides codec_b64_encoded_len(len, pad) bytes at out; no NUL is
 * written.  Returns the number of characters written.
 */
size_t
codec_b64_encode(const unsigned char *in, size_t len, bool urlsafe, bool pad,
				 char *out)
{
	const char *alphabet = urlsafe ? b64_url : b64_std;
	char	   *p = out;
	size_t		i;

	for (i = 0; i + 2 < len; i += 3)
	{
		uint32_t	v = ((uint32_t) in[i] << 16) | ((uint32_t) in[i + 1] << 8) | in[i + 2];

		*p++ = alphabet[(v >> 18) & 0x3f];
		*p++ = alphabet[(v >> 12) & 0x3f];
		*p++ = alphabet[(v >> 6) & 0x3f];
		*p++ = alphabet[v & 0x3f];
	}
	if (len - i == 1)
	{
		uint32_t	v = (uint32_t) in[i] << 16;

		*p++ = alphabet[(v >> 18) & 0x3f];
		*p++ = alphabet[(v >> 12) & 0x3f];
		if (pad)
		{
			*p++ = '=';
			*p++ = '=';
		}
	}
	else if (len - i == 2)
	{
		uint32_t	v = ((uint32_t) in[i] << 16) | ((uint32_t) in[i + 1] << 8);

		*p++ = alphabet[(v >> 18) & 0x3f];
		*p++ = alphabet[(v >> 12) & 0x3f];
		*p++ = alphabet[(v >> 6) & 0x3f];
		if (pad)
			*p++ = '=';
	}
	return (size_t) (p - out);
}

/* The value of one input byte: 0..63, B64_PAD or B64_SKIP. */
static inline unsigned
b64_value(unsigned char c, bool urlsafe)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || (urlsafe && c == '-'))
		return 62;
	if (c == '/' || (urlsafe && c == '_'))
		return 63;
	if (c == '=')
		return B64_PAD;
	return B64_SKIP;
}

typedef struct B64State
{
	unsigned	quad_pos;		/* data characters seen in the current quad */
	unsigned	pads;			/* '=' counted since the last data character */
	unsigned	leftchar;		/* bits not yet written */
	bool		done;			/* a complete padded quad ended the input */
	unsigned char *out;
} B64State;

static inline void
b64_feed(B64State *st, unsigned v)
{
	if (v == B64_PAD)
	{
		if (st->quad_pos >= 2 && st->quad_pos + ++st->pads >= 4)
			st->done = true;
		return;
	}
	if (v == B64_SKIP)
		return;

	st->pads = 0;
	switch (st->quad_pos)
	{
		case 0:
			st->leftchar = v;
			st->quad_pos = 1;
			break;
		case 1:
			*st->out++ = (unsigned char) ((st->leftchar << 2) | (v >> 4));
			st->leftchar = v & 0x0f;
			st->quad_pos = 2;
			break;
		case 2:
			*st->out++ = (unsigned char) ((st->leftchar << 4) | (v >> 2));
			st->leftchar = v & 0x03;
			st->quad_pos = 3;
			break;
		default:
			*st->out++ = (unsigned char) ((st->leftchar << 6) | v);
			st->leftchar = 0;
			st->quad_pos = 0;
			break;
	}
}

/*
 * Decode in[0..len) and append the bytes to out.
 *
 * pad_to_quad first appends '=' up to a multiple of four input bytes, as
 * django.core.signing.b64_decode does (counting every byte, skipped ones
 * included).  Returns CODEC_CORRUPT where Python raises binascii.Error.
 */
CodecStatus
codec_b64_decode(const char *in, size_t len, bool urlsafe, bool pad_to_quad,
				 CodecBuf *out)
{
	B64State	st;
	CodecStatus status;
	size_t		npad;
	size_t		i;

	/* three bytes for every four input characters, rounded up */
	status = codec_buf_reserve(out, len / 4 * 3 + 3);
	if (status != CODEC_OK)
		return status;

	st.quad_pos = 0;
	st.pads = 0;
	st.leftchar = 0;
	st.done = false;
	st.out = (unsigned char *) out->data + out->len;

	for (i = 0; i < len && !st.done; i++)
		b64_feed(&st, b64_value((unsigned char) in[i], urlsafe));

	npad = pad_to_quad ? (4 - len % 4) % 4 : 0;
	for (i = 0; i < npad && !st.done; i++)
		b64_feed(&st, B64_PAD);

	if (!st.done && st.quad_pos != 0)
		return CODEC_CORRUPT;

	out->len = (size_t) (st.out - (unsigned char *) out->data);
	out->data[out->len] = '\0';
	return CODEC_OK;
}
