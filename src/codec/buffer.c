/*-------------------------------------------------------------------------
 *
 * buffer.c
 *		Growable byte buffer used by every stage of the codec.
 *
 * The limit lets a stage stop as soon as its output passes the caller's
 * max_size, instead of building something huge and measuring it after.
 * Sizes are checked for overflow, since a token's length comes from outside.
 *
 * src/codec/buffer.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"

#define CODEC_BUF_MIN 64

void
codec_buf_init(CodecBuf *buf, size_t limit)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
	buf->limit = limit;
}

/*
 * Make room for extra more bytes plus a terminating NUL, and terminate the
 * current contents (callers may have shortened len).
 */
CodecStatus
codec_buf_reserve(CodecBuf *buf, size_t extra)
{
	size_t		need;
	size_t		newcap;
	char	   *newdata;

	if (extra > SIZE_MAX - 1 - buf->len)
		return CODEC_TOO_LARGE;
	if (buf->len + extra > buf->limit)
		return CODEC_TOO_LARGE;
	need = buf->len + extra + 1;
	if (need <= buf->cap)
	{
		buf->data[buf->len] = '\0';
		return CODEC_OK;
	}

	newcap = buf->cap < CODEC_BUF_MIN ? CODEC_BUF_MIN : buf->cap;
	while (newcap < need)
	{
		if (newcap > SIZE_MAX / 2)
		{
			newcap = need;
			break;
		}
		newcap *= 2;
	}
	newdata = realloc(buf->data, newcap);
	if (newdata == NULL)
		return CODEC_NO_MEMORY;
	buf->data = newdata;
	buf->cap = newcap;
	buf->data[buf->len] = '\0';
	return CODEC_OK;
}

CodecStatus
codec_buf_append(CodecBuf *buf, const void *data, size_t len)
{
	CodecStatus st;

	st = codec_buf_reserve(buf, len);
	if (st != CODEC_OK)
		return st;
	if (len > 0)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
	return CODEC_OK;
}

CodecStatus
codec_buf_putc(CodecBuf *buf, char c)
{
	if (buf->len + 1 < buf->cap && buf->len < buf->limit)
	{
		buf->data[buf->len++] = c;
		buf->data[buf->len] = '\0';
		return CODEC_OK;
	}
	return codec_buf_append(buf, &c, 1);
}

/*
 * Hand the NUL-terminated contents over to the caller, who frees them with
 * free(); the buffer is left empty.  NULL only when memory ran out.
 */
char *
codec_buf_release(CodecBuf *buf, size_t *len)
{
	char	   *data;

	if (codec_buf_reserve(buf, 0) != CODEC_OK)
		return NULL;
	data = buf->data;
	if (len != NULL)
		*len = buf->len;
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
	return data;
}

void
codec_buf_free(CodecBuf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}
