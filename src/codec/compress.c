/*-------------------------------------------------------------------------
 *
 * compress.c
 *		zlib compression as Python's zlib.compress and zlib.decompress do it.
 *
 * zlib.compress(data) is deflate at Z_DEFAULT_COMPRESSION with a 32 KB
 * window, memLevel 8 and the default strategy, in a zlib wrapper; the same
 * zlib library then produces the same bytes, which is what lets encode
 * match Django byte for byte.  zlib.decompress requires the stream to end
 * (a truncated stream is an error) and ignores anything after the end.
 *
 * Decompression is bounded: a token of a few kilobytes can inflate to
 * gigabytes, so output stops at max_size.
 *
 * Setting a deflate stream up costs far more than compressing a session
 * (some 256 kB allocated and zeroed), so each process keeps one stream of
 * each kind and resets it between calls; a reset stream produces exactly
 * the bytes of a new one.  This makes the functions not thread-safe, which
 * a PostgreSQL backend does not need.
 *
 * src/codec/compress.c
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <string.h>

#include <zlib.h>

#include "codec_internal.h"

/* zlib counts in uInt; feed it pieces no larger than this */
#define ZCHUNK ((size_t) 1 << 30)

static z_stream deflater;
static bool deflater_ready = false;
static z_stream inflater;
static bool inflater_ready = false;

/* The process's deflate stream, reset; NULL when zlib has no memory. */
static z_stream *
codec_deflater(void)
{
	if (deflater_ready)
	{
		if (deflateReset(&deflater) == Z_OK)
			return &deflater;
		deflateEnd(&deflater);
		deflater_ready = false;
	}
	memset(&deflater, 0, sizeof(deflater));
	if (deflateInit(&deflater, Z_DEFAULT_COMPRESSION) != Z_OK)
		return NULL;
	deflater_ready = true;
	return &deflater;
}

static z_stream *
codec_inflater(void)
{
	if (inflater_ready)
	{
		if (inflateReset(&inflater) == Z_OK)
			return &inflater;
		inflateEnd(&inflater);
		inflater_ready = false;
	}
	memset(&inflater, 0, sizeof(inflater));
	if (inflateInit(&inflater) != Z_OK)
		return NULL;
	inflater_ready = true;
	return &inflater;
}

/*
 * Append the zlib stream of in[0..len) to out.
 */
CodecStatus
codec_compress(const void *in, size_t len, CodecBuf *out)
{
	z_stream   *zs = codec_deflater();
	CodecStatus status;
	size_t		remaining = len;
	int			rc;

	if (zs == NULL)
		return CODEC_NO_MEMORY;
	zs->next_in = (Bytef *) in;
	zs->avail_in = 0;			/* a reused stream keeps the last call's count */
	do
	{
		size_t		avail;

		if (zs->avail_in == 0 && remaining > 0)
		{
			zs->avail_in = (uInt) (remaining < ZCHUNK ? remaining : ZCHUNK);
			remaining -= zs->avail_in;
		}
		/* one step for a session-sized input: no 64 kB buffer per call */
		status = codec_buf_reserve(out, len < 32 * 1024 ? deflateBound(zs, (uLong) len) + 16 : 64 * 1024);
		if (status != CODEC_OK)
		{
			return status;
		}
		avail = out->cap - out->len - 1;
		if (avail > ZCHUNK)
			avail = ZCHUNK;
		zs->next_out = (Bytef *) out->data + out->len;
		zs->avail_out = (uInt) avail;
		rc = deflate(zs, remaining > 0 ? Z_NO_FLUSH : Z_FINISH);
		out->len += avail - zs->avail_out;
		out->data[out->len] = '\0';
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
		{
			return CODEC_NO_MEMORY;
		}
	} while (rc != Z_STREAM_END);

	return CODEC_OK;
}

/*
 * Inflate the zlib stream in[0..len) and append it to out, at most
 * max_size bytes.  CODEC_CORRUPT where zlib.decompress raises zlib.error;
 * CODEC_TOO_LARGE as soon as the output would pass max_size.
 */
CodecStatus
codec_decompress(const void *in, size_t len, size_t max_size, CodecBuf *out)
{
	z_stream   *zs = codec_inflater();
	CodecStatus status = CODEC_OK;
	size_t		remaining = len;
	size_t		start = out->len;
	size_t		saved_limit = out->limit;
	int			rc;

	if (zs == NULL)
		return CODEC_NO_MEMORY;

	/* max_size governs here, not whatever limit the buffer came with */
	out->limit = CODEC_NO_LIMIT;
	zs->next_in = (Bytef *) in;
	zs->avail_in = 0;			/* a reused stream keeps the last call's count */
	for (;;)
	{
		size_t		allowance;
		size_t		avail;

		if (zs->avail_in == 0)
		{
			if (remaining == 0)
			{
				/* the input ran out before the stream ended */
				status = CODEC_CORRUPT;
				break;
			}
			zs->avail_in = (uInt) (remaining < ZCHUNK ? remaining : ZCHUNK);
			remaining -= zs->avail_in;
		}

		/*
		 * Offer one byte more than max_size allows, so that a stream of
		 * exactly max_size bytes can reach its end while a longer one is
		 * caught.
		 */
		allowance = max_size - (out->len - start);
		if (allowance < SIZE_MAX)
			allowance++;
		if (out->cap - out->len <= 1)
		{
			size_t		grow = out->len < 16 * 1024 ? 16 * 1024 : out->len;

			if (grow > allowance)
				grow = allowance;
			if (grow > ZCHUNK)
				grow = ZCHUNK;
			status = codec_buf_reserve(out, grow);
			if (status != CODEC_OK)
				break;
		}
		avail = out->cap - out->len - 1;
		if (avail > allowance)
			avail = allowance;
		if (avail > ZCHUNK)
			avail = ZCHUNK;

		zs->next_out = (Bytef *) out->data + out->len;
		zs->avail_out = (uInt) avail;
		rc = inflate(zs, Z_NO_FLUSH);
		out->len += avail - zs->avail_out;
		out->data[out->len] = '\0';

		if (out->len - start > max_size)
		{
			status = CODEC_TOO_LARGE;
			break;
		}
		if (rc == Z_STREAM_END)
			break;
		if (rc == Z_MEM_ERROR)
		{
			status = CODEC_NO_MEMORY;
			break;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR)
		{
			/* Z_DATA_ERROR, or Z_NEED_DICT for a preset dictionary */
			status = CODEC_CORRUPT;
			break;
		}
	}

	out->limit = saved_limit;
	return status;
}
