/*-------------------------------------------------------------------------
 *
 * json.c
 *		Session JSON: a strict parser that builds a json-c tree, and the
 *		writers that print it the way Python's json.dumps does (for
 *		tokens) or as plain UTF-8 JSON (for jsonb_in).
 *
 * Why not json_tokener: Django reads and writes with Python's json module,
 * and the tree must keep what Python would keep.  json-c's tokener turns
 * integers beyond 64 bits into errors or saturated values and accepts
 * literals Python refuses, so the grammar here is Python's own: RFC 8259's,
 * plus NaN and Infinity, which are refused nonetheless because jsonb cannot
 * hold them.  Every number keeps its source text
 * (json_object_new_double_s), so 2.50 stays 2.50 and a 40-digit integer
 * survives.  Strings are stored as UTF-8.  What jsonb cannot hold is
 * refused as well: \u0000 and lone surrogates.
 *
 * Depth is capped at CODEC_MAX_DEPTH, counting the top-level object as 1,
 * which also bounds the recursion here, in the writer and in json-c's
 * json_object_put.
 *
 * src/codec/json.c
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "codec_internal.h"

typedef struct JsonParser
{
	const unsigned char *p;
	const unsigned char *end;
	CodecText	kind;
	int			depth;
	CodecBuf	scratch;		/* string and number text being collected */
} JsonParser;

static CodecStatus parse_value(JsonParser *ps, json_object **out);

static inline void
skip_ws(JsonParser *ps)
{
	while (ps->p < ps->end &&
		   (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static inline bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Length of the well-formed UTF-8 sequence at s (Unicode's table 3-7: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0.
 */
static size_t
utf8_seq_len(const unsigned char *s, const unsigned char *end)
{
	size_t		avail = (size_t) (end - s);
	unsigned char c = s[0];
	unsigned char lo = 0x80;
	unsigned char hi = 0xBF;
	size_t		n;
	size_t		i;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	}
	else
		return 0;

	if (avail < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

bool
codec_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *end = p + len;

	while (p < end)
	{
		size_t		n = utf8_seq_len(p, end);

		if (n == 0)
			return false;
		p += n;
	}
	return true;
}

static CodecStatus
put_utf8(CodecBuf *buf, uint32_t cp)
{
	char		tmp[4];
	size_t		n;

	if (cp < 0x80)
	{
		tmp[0] = (char) cp;
		n = 1;
	}
	else if (cp < 0x800)
	{
		tmp[0] = (char) (0xC0 | (cp >> 6));
		tmp[1] = (char) (0x80 | (cp & 0x3F));
		n = 2;
	}
	else if (cp < 0x10000)
	{
		tmp[0] = (char) (0xE0 | (cp >> 12));
		tmp[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		tmp[2] = (char) (0x80 | (cp & 0x3F));
		n = 3;
	}
	else
	{
		tmp[0] = (char) (0xF0 | (cp >> 18));
		tmp[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
		tmp[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
		tmp[3] = (char) (0x80 | (cp & 0x3F));
		n = 4;
	}
	return codec_buf_append(buf, tmp, n);
}

/* Four hex digits at p (either case, as Python accepts), or -1. */
static long
read_hex4(const unsigned char *p, const unsigned char *end)
{
	long		v = 0;
	int			i;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++)
	{
		unsigned char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * The \u escape whose "u" is at ps->p: one code point, or a surrogate pair
 * written as two escapes.  Python keeps lone surrogates; jsonb does not.
 */
static CodecStatus
parse_unicode_escape(JsonParser *ps)
{
	long		cp = read_hex4(ps->p + 1, ps->end);

	if (cp < 0)
		return CODEC_INVALID_INPUT;
	ps->p += 5;

	if (cp >= 0xD800 && cp <= 0xDBFF)
	{
		long		lo = -1;

		if (ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u')
			lo = read_hex4(ps->p + 2, ps->end);
		if (lo < 0xDC00 || lo > 0xDFFF)
			return CODEC_INVALID_INPUT;
		ps->p += 6;
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	else if (cp >= 0xDC00 && cp <= 0xDFFF)
		return CODEC_INVALID_INPUT;
	else if (cp == 0)
		return CODEC_INVALID_INPUT;

	return put_utf8(&ps->scratch, (uint32_t) cp);
}

/*
 * The string starting at the opening quote at ps->p, unescaped into
 * ps->scratch as UTF-8.  Python's strict mode refuses raw control
 * characters; in Latin-1 text each byte from 0x80 is the code point of the
 * same value.
 */
/*
 * Empty the scratch buffer, leaving it allocated and NUL-terminated so that
 * an empty string still has a valid pointer to hand to json-c.
 */
static CodecStatus
scratch_reset(JsonParser *ps)
{
	ps->scratch.len = 0;
	return codec_buf_reserve(&ps->scratch, 0);
}

static CodecStatus
parse_string(JsonParser *ps)
{
	CodecStatus status;

	status = scratch_reset(ps);
	if (status != CODEC_OK)
		return status;
	ps->p++;
	for (;;)
	{
		const unsigned char *run = ps->p;
		unsigned char c;

		/* copy plain ASCII in bulk */
		while (ps->p < ps->end && *ps->p >= 0x20 && *ps->p < 0x80 &&
			   *ps->p != '"' && *ps->p != '\\')
			ps->p++;
		if (ps->p > run)
		{
			status = codec_buf_append(&ps->scratch, run, (size_t) (ps->p - run));
			if (status != CODEC_OK)
				return status;
		}
		if (ps->p >= ps->end)
			return CODEC_INVALID_INPUT; /* unterminated */

		c = *ps->p;
		if (c == '"')
		{
			ps->p++;
			return CODEC_OK;
		}
		if (c < 0x20)
			return CODEC_INVALID_INPUT;
		if (c >= 0x80)
		{
			if (ps->kind == CODEC_TEXT_LATIN1)
			{
				status = put_utf8(&ps->scratch, c);
				ps->p++;
			}
			else
			{
				size_t		n = utf8_seq_len(ps->p, ps->end);

				if (n == 0)
					return CODEC_INVALID_INPUT;
				status = codec_buf_append(&ps->scratch, ps->p, n);
				ps->p += n;
			}
			if (status != CODEC_OK)
				return status;
			continue;
		}

		/* a backslash escape */
		ps->p++;
		if (ps->p >= ps->end)
			return CODEC_INVALID_INPUT;
		switch (*ps->p)
		{
			case '"':
			case '\\':
			case '/':
				status = codec_buf_putc(&ps->scratch, (char) *ps->p);
				break;
			case 'b':
				status = codec_buf_putc(&ps->scratch, '\b');
				break;
			case 'f':
				status = codec_buf_putc(&ps->scratch, '\f');
				break;
			case 'n':
				status = codec_buf_putc(&ps->scratch, '\n');
				break;
			case 'r':
				status = codec_buf_putc(&ps->scratch, '\r');
				break;
			case 't':
				status = codec_buf_putc(&ps->scratch, '\t');
				break;
			case 'u':
				status = parse_unicode_escape(ps);
				if (status != CODEC_OK)
					return status;
				continue;
			default:
				return CODEC_INVALID_INPUT;
		}
		if (status != CODEC_OK)
			return status;
		ps->p++;
	}
}

/*
 * Whether PostgreSQL's numeric can hold a number whose integer part is
 * int_len digits (no leading zeros, or the single digit 0), whose fraction
 * is frac_len digits of which the first nonzero one is the frac_lead'th
 * (counting from 1, or 0 if all are zero), scaled by 10^exponent.  numeric
 * keeps at most CODEC_NUMERIC_MAX_SCALE digits after the decimal point, and
 * its leading digit must stand below 10^(CODEC_NUMERIC_MAX_WEIGHT + 1).
 */
static bool
numeric_can_hold(size_t int_len, bool int_zero, size_t frac_len, size_t frac_lead,
				 long exponent)
{
	long		scale = (long) frac_len - exponent;
	long		lead;

	if (scale > CODEC_NUMERIC_MAX_SCALE)
		return false;
	if (!int_zero)
		lead = (long) int_len - 1 + exponent;
	else if (frac_lead > 0)
		lead = exponent - (long) frac_lead;
	else
		return true;			/* zero */
	return lead <= CODEC_NUMERIC_MAX_WEIGHT;
}

/*
 * A number, by Python's pattern -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?
 * A fraction or exponent without digits ends the number before it, and the
 * stray character then fails wherever the number stands, as in Python.
 * Numbers PostgreSQL's numeric cannot hold are refused too: jsonb could not
 * keep them.
 */
static CodecStatus
parse_number(JsonParser *ps, json_object **out)
{
	const unsigned char *start = ps->p;
	const unsigned char *digits;
	bool		integral = true;
	size_t		int_len;
	size_t		frac_len = 0;
	size_t		frac_lead = 0;
	long		exponent = 0;
	CodecStatus status;
	json_object *num;

	if (*ps->p == '-')
		ps->p++;
	digits = ps->p;
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else if (ps->p < ps->end && *ps->p >= '1' && *ps->p <= '9')
	{
		while (ps->p < ps->end && is_digit(*ps->p))
			ps->p++;
	}
	else
		return CODEC_INVALID_INPUT; /* includes -Infinity */
	int_len = (size_t) (ps->p - digits);

	if (ps->end - ps->p >= 2 && ps->p[0] == '.' && is_digit(ps->p[1]))
	{
		const unsigned char *frac = ps->p + 1;

		integral = false;
		ps->p = frac;
		while (ps->p < ps->end && is_digit(*ps->p))
		{
			if (frac_lead == 0 && *ps->p != '0')
				frac_lead = (size_t) (ps->p - frac) + 1;
			ps->p++;
		}
		frac_len = (size_t) (ps->p - frac);
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E'))
	{
		const unsigned char *q = ps->p + 1;
		bool		negative = false;

		if (q < ps->end && (*q == '+' || *q == '-'))
			negative = (*q++ == '-');
		if (q < ps->end && is_digit(*q))
		{
			integral = false;
			ps->p = q;
			while (ps->p < ps->end && is_digit(*ps->p))
			{
				if (exponent <= CODEC_MAX_EXPONENT)
					exponent = exponent * 10 + (*ps->p - '0');
				ps->p++;
			}

			/*
			 * No float Python writes has an exponent beyond 308; beyond
			 * 1000 is refused outright, which also keeps the arithmetic of
			 * numeric_can_hold small.
			 */
			if (exponent > CODEC_MAX_EXPONENT)
				return CODEC_INVALID_INPUT;
			if (negative)
				exponent = -exponent;
		}
	}

	if (integral && int_len > CODEC_MAX_INT_DIGITS)
		return CODEC_INVALID_INPUT;
	if (!numeric_can_hold(int_len, *digits == '0', frac_len, frac_lead, exponent))
		return CODEC_INVALID_INPUT;

	status = scratch_reset(ps);
	if (status == CODEC_OK)
		status = codec_buf_append(&ps->scratch, start, (size_t) (ps->p - start));
	if (status != CODEC_OK)
		return status;

	/*
	 * The text is what gets written back; the double is only what json-c
	 * reports if asked, so it need not be exact.  Parsing it with strtod
	 * would be locale-dependent and slow on long inputs, and nothing here
	 * asks.
	 */
	num = json_object_new_double_s(0.0, ps->scratch.data);
	if (num == NULL)
		return CODEC_NO_MEMORY;
	*out = num;
	return CODEC_OK;
}

static CodecStatus
parse_literal(JsonParser *ps, const char *word, json_object **out)
{
	size_t		n = strlen(word);

	if ((size_t) (ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return CODEC_INVALID_INPUT;
	ps->p += n;
	if (word[0] == 'n')
	{
		*out = NULL;			/* json-c's null */
		return CODEC_OK;
	}
	*out = json_object_new_boolean(word[0] == 't');
	return *out == NULL ? CODEC_NO_MEMORY : CODEC_OK;
}

static CodecStatus
enter(JsonParser *ps)
{
	ps->p++;
	if (++ps->depth > CODEC_MAX_DEPTH)
		return CODEC_TOO_DEEP;
	return CODEC_OK;
}

/*
 * An object.  A repeated key keeps its first position and takes the last
 * value, as a Python dict does; json_object_object_add replaces in place.
 */
static CodecStatus
parse_object(JsonParser *ps, json_object **out)
{
	CodecStatus status;
	json_object *obj;

	status = enter(ps);
	if (status != CODEC_OK)
		return status;
	obj = json_object_new_object();
	if (obj == NULL)
		return CODEC_NO_MEMORY;

	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}')
		ps->p++;
	else
	{
		for (;;)
		{
			char	   *key;
			json_object *val = NULL;

			if (ps->p >= ps->end || *ps->p != '"')
			{
				status = CODEC_INVALID_INPUT;
				break;
			}
			status = parse_string(ps);
			if (status != CODEC_OK)
				break;
			/* the value reuses the scratch buffer, so keep the key apart */
			key = malloc(ps->scratch.len + 1);
			if (key == NULL)
			{
				status = CODEC_NO_MEMORY;
				break;
			}
			memcpy(key, ps->scratch.data, ps->scratch.len + 1);

			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				status = CODEC_INVALID_INPUT;
			else
			{
				ps->p++;
				status = parse_value(ps, &val);
			}
			if (status == CODEC_OK && json_object_object_add(obj, key, val) != 0)
			{
				json_object_put(val);
				status = CODEC_NO_MEMORY;
			}
			free(key);
			if (status != CODEC_OK)
				break;

			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == ',')
			{
				ps->p++;
				skip_ws(ps);
				continue;
			}
			if (ps->p < ps->end && *ps->p == '}')
			{
				ps->p++;
				break;
			}
			status = CODEC_INVALID_INPUT;
			break;
		}
	}

	if (status != CODEC_OK)
	{
		json_object_put(obj);
		return status;
	}
	ps->depth--;
	*out = obj;
	return CODEC_OK;
}

static CodecStatus
parse_array(JsonParser *ps, json_object **out)
{
	CodecStatus status;
	json_object *arr;

	status = enter(ps);
	if (status != CODEC_OK)
		return status;
	arr = json_object_new_array();
	if (arr == NULL)
		return CODEC_NO_MEMORY;

	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']')
		ps->p++;
	else
	{
		for (;;)
		{
			json_object *val = NULL;

			status = parse_value(ps, &val);
			if (status == CODEC_OK && json_object_array_add(arr, val) != 0)
			{
				json_object_put(val);
				status = CODEC_NO_MEMORY;
			}
			if (status != CODEC_OK)
				break;

			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == ',')
			{
				ps->p++;
				continue;
			}
			if (ps->p < ps->end && *ps->p == ']')
			{
				ps->p++;
				break;
			}
			status = CODEC_INVALID_INPUT;
			break;
		}
	}

	if (status != CODEC_OK)
	{
		json_object_put(arr);
		return status;
	}
	ps->depth--;
	*out = arr;
	return CODEC_OK;
}

static CodecStatus
parse_value(JsonParser *ps, json_object **out)
{
	CodecStatus status;

	skip_ws(ps);
	if (ps->p >= ps->end)
		return CODEC_INVALID_INPUT;

	switch (*ps->p)
	{
		case '{':
			return parse_object(ps, out);
		case '[':
			return parse_array(ps, out);
		case '"':
			status = parse_string(ps);
			if (status != CODEC_OK)
				return status;
			if (ps->scratch.len > INT_MAX)
				return CODEC_TOO_LARGE;
			*out = json_object_new_string_len(ps->scratch.data,
											  (int) ps->scratch.len);
			return *out == NULL ? CODEC_NO_MEMORY : CODEC_OK;
		case 't':
			return parse_literal(ps, "true", out);
		case 'f':
			return parse_literal(ps, "false", out);
		case 'n':
			return parse_literal(ps, "null", out);
		default:
			if (*ps->p == '-' || is_digit(*ps->p))
				return parse_number(ps, out);
			return CODEC_INVALID_INPUT;
	}
}

/*
 * Parse text[0..len) as a JSON object.  Errors: CODEC_INVALID_INPUT for
 * anything that is not the JSON text of an object (callers decoding a token
 * report it as CODEC_CORRUPT), CODEC_TOO_DEEP, CODEC_TOO_LARGE (a string
 * beyond json-c's 2 GB), CODEC_NO_MEMORY.  On success the caller owns *out
 * and releases it with json_object_put.
 */
CodecStatus
codec_json_parse(const char *text, size_t len, CodecText kind,
				 json_object **out)
{
	JsonParser	ps;
	CodecStatus status;
	json_object *root = NULL;

	*out = NULL;
	ps.p = (const unsigned char *) text;
	ps.end = ps.p + len;
	ps.kind = kind;
	ps.depth = 0;
	codec_buf_init(&ps.scratch, CODEC_NO_LIMIT);
	if (text == NULL)
		ps.p = ps.end = (const unsigned char *) "";

	status = parse_value(&ps, &root);
	codec_buf_free(&ps.scratch);
	if (status != CODEC_OK)
		return status;

	skip_ws(&ps);
	if (ps.p != ps.end || !json_object_is_type(root, json_type_object))
	{
		json_object_put(root);
		return CODEC_INVALID_INPUT;
	}
	*out = root;
	return CODEC_OK;
}

/* Writing */

static CodecStatus write_value(json_object *obj, bool ascii, CodecBuf *out);

static CodecStatus
put_u_escape(CodecBuf *out, uint32_t unit)
{
	static const char hex[] = "0123456789abcdef";
	char		tmp[6];

	tmp[0] = '\\';
	tmp[1] = 'u';
	tmp[2] = hex[(unit >> 12) & 0xF];
	tmp[3] = hex[(unit >> 8) & 0xF];
	tmp[4] = hex[(unit >> 4) & 0xF];
	tmp[5] = hex[unit & 0xF];
	return codec_buf_append(out, tmp, 6);
}

/*
 * The escape Python's json.dumps writes for an ASCII control character,
 * '"' or '\\'.
 */
static CodecStatus
put_short_escape(CodecBuf *out, unsigned char c)
{
	char		tmp[2];

	tmp[0] = '\\';
	switch (c)
	{
		case '"':
			tmp[1] = '"';
			break;
		case '\\':
			tmp[1] = '\\';
			break;
		case '\b':
			tmp[1] = 'b';
			break;
		case '\f':
			tmp[1] = 'f';
			break;
		case '\n':
			tmp[1] = 'n';
			break;
		case '\r':
			tmp[1] = 'r';
			break;
		case '\t':
			tmp[1] = 't';
			break;
		default:
			return put_u_escape(out, c);
	}
	return codec_buf_append(out, tmp, 2);
}

/*
 * A string, from the tree's valid UTF-8.  ascii: as Python's
 * encode_basestring_ascii, everything outside ' '..'~' escaped with
 * lowercase hex, characters above the BMP as surrogate pairs.  Otherwise
 * only '"', '\\' and control characters are escaped.
 */
static CodecStatus
write_string(const char *s, size_t len, bool ascii, CodecBuf *out)
{
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *end = p + len;
	CodecStatus status;

	status = codec_buf_putc(out, '"');
	while (status == CODEC_OK && p < end)
	{
		const unsigned char *run = p;

		while (p < end && *p >= 0x20 && *p != '"' && *p != '\\' &&
			   (!ascii || *p < 0x7F))
			p++;
		if (p > run)
		{
			status = codec_buf_append(out, run, (size_t) (p - run));
			continue;
		}

		if (*p < 0x80)
		{
			status = put_short_escape(out, *p);
			p++;
		}
		else
		{
			size_t		n = utf8_seq_len(p, end);
			uint32_t	cp;

			/* the parser only stores valid UTF-8; refuse anything else */
			if (n < 2)
				return CODEC_INVALID_INPUT;
			if (n == 2)
				cp = ((uint32_t) (p[0] & 0x1F) << 6) | (p[1] & 0x3F);
			else if (n == 3)
				cp = ((uint32_t) (p[0] & 0x0F) << 12) |
					((uint32_t) (p[1] & 0x3F) << 6) | (p[2] & 0x3F);
			else
				cp = ((uint32_t) (p[0] & 0x07) << 18) |
					((uint32_t) (p[1] & 0x3F) << 12) |
					((uint32_t) (p[2] & 0x3F) << 6) | (p[3] & 0x3F);
			p += n;
			if (cp < 0x10000)
				status = put_u_escape(out, cp);
			else
			{
				cp -= 0x10000;
				status = put_u_escape(out, 0xD800 | (cp >> 10));
				if (status == CODEC_OK)
					status = put_u_escape(out, 0xDC00 | (cp & 0x3FF));
			}
		}
	}
	if (status == CODEC_OK)
		status = codec_buf_putc(out, '"');
	return status;
}

static CodecStatus
write_object(json_object *obj, bool ascii, CodecBuf *out)
{
	struct json_object_iterator it = json_object_iter_begin(obj);
	struct json_object_iterator itend = json_object_iter_end(obj);
	CodecStatus status;
	bool		first = true;

	status = codec_buf_putc(out, '{');
	while (status == CODEC_OK && !json_object_iter_equal(&it, &itend))
	{
		const char *key = json_object_iter_peek_name(&it);

		if (!first)
			status = codec_buf_putc(out, ',');
		first = false;
		if (status == CODEC_OK)
			status = write_string(key, strlen(key), ascii, out);
		if (status == CODEC_OK)
			status = codec_buf_putc(out, ':');
		if (status == CODEC_OK)
			status = write_value(json_object_iter_peek_value(&it), ascii, out);
		json_object_iter_next(&it);
	}
	if (status == CODEC_OK)
		status = codec_buf_putc(out, '}');
	return status;
}

static CodecStatus
write_array(json_object *arr, bool ascii, CodecBuf *out)
{
	size_t		n = json_object_array_length(arr);
	size_t		i;
	CodecStatus status;

	status = codec_buf_putc(out, '[');
	for (i = 0; status == CODEC_OK && i < n; i++)
	{
		if (i > 0)
			status = codec_buf_putc(out, ',');
		if (status == CODEC_OK)
			status = write_value(json_object_array_get_idx(arr, i), ascii, out);
	}
	if (status == CODEC_OK)
		status = codec_buf_putc(out, ']');
	return status;
}

static CodecStatus
write_value(json_object *obj, bool ascii, CodecBuf *out)
{
	const char *text;

	switch (json_object_get_type(obj))
	{
		case json_type_null:
			return codec_buf_append(out, "null", 4);
		case json_type_boolean:
			if (json_object_get_boolean(obj))
				return codec_buf_append(out, "true", 4);
			return codec_buf_append(out, "false", 5);
		case json_type_double:
			/* json_object_new_double_s keeps the source text as userdata */
			text = json_object_get_userdata(obj);
			if (text == NULL)
				return CODEC_INVALID_INPUT;
			return codec_buf_append(out, text, strlen(text));
		case json_type_string:
			return write_string(json_object_get_string(obj),
								(size_t) json_object_get_string_len(obj),
								ascii, out);
		case json_type_array:
			return write_array(obj, ascii, out);
		case json_type_object:
			return write_object(obj, ascii, out);
		default:
			/* integers never come out of codec_json_parse */
			return CODEC_INVALID_INPUT;
	}
}

/*
 * Append obj, a tree from codec_json_parse, to out in compact form
 * (separators "," and ":", as Django's JSONSerializer).  ascii selects
 * Python's ensure_ascii escaping; without it the text is UTF-8 for jsonb.
 * CODEC_TOO_LARGE once out passes its limit.
 */
CodecStatus
codec_json_write(json_object *obj, bool ascii, CodecBuf *out)
{
	return write_value(obj, ascii, out);
}
