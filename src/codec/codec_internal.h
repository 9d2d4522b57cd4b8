/*-------------------------------------------------------------------------
 *
 * codec_internal.h
 *		Building blocks shared by the codec's files, its unit tests and its
 *		fuzz harnesses.  Not for the SQL glue: it uses codec.h only.
 *
 * src/codec/codec_internal.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef CODEC_INTERNAL_H
#define CODEC_INTERNAL_H

#include "codec.h"

struct json_object;

/* buffer.c: a growable byte buffer with an optional size limit */

typedef struct CodecBuf
{
	char	   *data;			/* always NUL-terminated once allocated */
	size_t		len;
	size_t		cap;
	size_t		limit;			/* growing len past this is CODEC_TOO_LARGE */
} CodecBuf;

#define CODEC_NO_LIMIT SIZE_MAX

extern void codec_buf_init(CodecBuf *buf, size_t limit);
extern CodecStatus codec_buf_reserve(CodecBuf *buf, size_t extra);
extern CodecStatus codec_buf_append(CodecBuf *buf, const void *data, size_t len);
extern CodecStatus codec_buf_putc(CodecBuf *buf, char c);
extern char *codec_buf_release(CodecBuf *buf, size_t *len);
extern void codec_buf_free(CodecBuf *buf);

/* base64url.c: RFC 4648 encoding, and decoding as Python's binascii does */

extern size_t codec_b64_encoded_len(size_t len, bool pad);
extern size_t codec_b64_encode(const unsigned char *in, size_t len,
							   bool urlsafe, bool pad, char *out);
extern CodecStatus codec_b64_decode(const char *in, size_t len, bool urlsafe,
									bool pad_to_quad, CodecBuf *out);

/* base62.c: Django's baseconv.base62, used for the token's timestamp */

#define CODEC_BASE62_BUFSIZE 16	/* sign, 11 digits, NUL, and slack */

extern size_t codec_base62_encode(int64_t value, char *out);
extern CodecStatus codec_base62_decode(const char *in, size_t len,
									   int64_t *value);

/* sign.c: HMAC, Django's salted_hmac and Signer signatures */

typedef enum CodecHash
{
	CODEC_HASH_SHA1,
	CODEC_HASH_SHA256
} CodecHash;

#define CODEC_MAX_DIGEST 32
#define CODEC_SHA256_SIG_LEN 43	/* base64url of 32 bytes, no padding */
#define CODEC_SHA1_SIG_LEN 27	/* base64url of 20 bytes, no padding */
#define CODEC_LEGACY_HASH_LEN 40	/* hex of 20 bytes */

extern CodecStatus codec_hmac(CodecHash hash, const void *key, size_t key_len,
							  const void *msg, size_t msg_len,
							  unsigned char *out, size_t *out_len);
extern CodecStatus codec_salted_hmac(CodecHash hash, CodecBytes key_salt,
									 const char *key_salt_suffix,
									 CodecBytes secret,
									 const void *msg, size_t msg_len,
									 unsigned char *out, size_t *out_len);
extern CodecStatus codec_signature(CodecHash hash, CodecBytes salt,
								   CodecBytes secret,
								   const char *value, size_t len,
								   char *out, size_t *out_len);
extern CodecStatus codec_sign(CodecBytes salt, CodecBytes secret,
							  const char *value, size_t len,
							  char **out, size_t *out_len);
extern CodecStatus codec_legacy_hash(CodecBytes legacy_salt, CodecBytes secret,
									 const char *data, size_t len,
									 char *hex_out);
extern bool codec_text_equal(const char *a, size_t a_len,
							 const char *b, size_t b_len);

/* compress.c: zlib as Python's zlib.compress and zlib.decompress */

extern CodecStatus codec_compress(const void *in, size_t len, CodecBuf *out);
extern CodecStatus codec_decompress(const void *in, size_t len,
									size_t max_size, CodecBuf *out);

/* json.c: strict parsing into a json-c tree, and Python-style output */

typedef enum CodecText
{
	CODEC_TEXT_UTF8,			/* invalid UTF-8 is an error */
	CODEC_TEXT_LATIN1			/* every byte is one character */
} CodecText;

extern CodecStatus codec_json_parse(const char *text, size_t len,
									CodecText kind,
									struct json_object **out);
extern CodecStatus codec_json_write(struct json_object *obj, bool ascii,
									CodecBuf *out);
extern bool codec_utf8_valid(const char *s, size_t len);

/* codec.c */

extern CodecBytes codec_effective_salt(CodecBytes salt);

#endif							/* CODEC_INTERNAL_H */
