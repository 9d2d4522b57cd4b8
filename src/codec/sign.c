/*-------------------------------------------------------------------------
 *
 * sign.c
 *		Signatures as django.utils.crypto.salted_hmac and
 *		django.core.signing.Signer compute them, and the constant-time
 *		comparison used to check them.
 *
 * salted_hmac(key_salt, value, secret) is HMAC(H(key_salt + secret), value)
 * with the same hash H on both sides.  The Signer uses key_salt = salt +
 * "signer" and publishes the HMAC as unpadded base64url; the pre-3.1
 * session format uses SHA-1 and publishes it as lowercase hex.  Django
 * compares the published text, not the bytes behind it, and so do we: a
 * signature whose last character differs only in base64's unused low bits
 * is a different text and must not verify.
 *
 * src/codec/sign.c
 *
 *-------------------------------------------------------------------------
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "codec_internal.h"

static const EVP_MD *
hash_md(CodecHash hash)
{
	return hash == CODEC_HASH_SHA1 ? EVP_sha1() : EVP_sha256();
}

/*
 * HMAC of msg under key; out must hold CODEC_MAX_DIGEST bytes.  OpenSSL
 * fails only when it cannot allocate, hence CODEC_NO_MEMORY.
 */
CodecStatus
codec_hmac(CodecHash hash, const void *key, size_t key_len,
		   const void *msg, size_t msg_len,
		   unsigned char *out, size_t *out_len)
{
	static const unsigned char empty = 0;
	unsigned int md_len = 0;

	if (key_len > INT_MAX)
		return CODEC_TOO_LARGE;
	/* OpenSSL wants a non-NULL pointer even for empty input */
	if (key == NULL)
		key = &empty;
	if (msg == NULL)
		msg = &empty;
	if (HMAC(hash_md(hash), key, (int) key_len, msg, msg_len, out, &md_len) == NULL)
		return CODEC_NO_MEMORY;
	*out_len = md_len;
	return CODEC_OK;
}

/*
 * salted_hmac(key_salt + key_salt_suffix, msg, secret, algorithm=hash).
 * The suffix saves callers from concatenating "signer" themselves.
 */
CodecStatus
codec_salted_hmac(CodecHash hash, CodecBytes key_salt,
				  const char *key_salt_suffix, CodecBytes secret,
				  const void *msg, size_t msg_len,
				  unsigned char *out, size_t *out_len)
{
	EVP_MD_CTX *ctx;
	unsigned char key[CODEC_MAX_DIGEST];
	unsigned int key_len = 0;
	CodecStatus status;
	bool		ok;

	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return CODEC_NO_MEMORY;
	ok = EVP_DigestInit_ex(ctx, hash_md(hash), NULL) == 1 &&
		(key_salt.len == 0 ||
		 EVP_DigestUpdate(ctx, key_salt.data, key_salt.len) == 1) &&
		EVP_DigestUpdate(ctx, key_salt_suffix, strlen(key_salt_suffix)) == 1 &&
		(secret.len == 0 ||
		 EVP_DigestUpdate(ctx, secret.data, secret.len) == 1) &&
		EVP_DigestFinal_ex(ctx, key, &key_len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return CODEC_NO_MEMORY;

	status = codec_hmac(hash, key, key_len, msg, msg_len, out, out_len);
	OPENSSL_cleanse(key, sizeof(key));
	return status;
}

/*
 * Signer.signature(value): base64url, unpadded, of
 * salted_hmac(salt + "signer", value, secret).  out must hold
 * CODEC_SHA256_SIG_LEN + 1 bytes; it is NUL-terminated.
 */
CodecStatus
codec_signature(CodecHash hash, CodecBytes salt, CodecBytes secret,
				const char *value, size_t len, char *out, size_t *out_len)
{
	unsigned char mac[CODEC_MAX_DIGEST];
	size_t		mac_len;
	CodecStatus status;

	status = codec_salted_hmac(hash, salt, "signer", secret, value, len,
							   mac, &mac_len);
	if (status != CODEC_OK)
		return status;
	*out_len = codec_b64_encode(mac, mac_len, true, false, out);
	out[*out_len] = '\0';
	return CODEC_OK;
}

/*
 * Signer.sign(value): value + ":" + SHA-256 signature, malloc'd and
 * NUL-terminated.  The caller has already appended the timestamp, if any.
 */
CodecStatus
codec_sign(CodecBytes salt, CodecBytes secret, const char *value, size_t len,
		   char **out, size_t *out_len)
{
	char		sig[CODEC_SHA256_SIG_LEN + 1];
	size_t		sig_len;
	CodecStatus status;
	CodecBuf	buf;

	status = codec_signature(CODEC_HASH_SHA256, salt, secret, value, len,
							 sig, &sig_len);
	if (status != CODEC_OK)
		return status;

	codec_buf_init(&buf, CODEC_NO_LIMIT);
	status = codec_buf_reserve(&buf, len + 1 + sig_len);
	if (status == CODEC_OK)
		status = codec_buf_append(&buf, value, len);
	if (status == CODEC_OK)
		status = codec_buf_putc(&buf, ':');
	if (status == CODEC_OK)
		status = codec_buf_append(&buf, sig, sig_len);
	if (status != CODEC_OK)
	{
		codec_buf_free(&buf);
		return status;
	}
	*out = codec_buf_release(&buf, out_len);
	return CODEC_OK;
}

/*
 * SessionBase._hash(data) of Django before 3.1: the lowercase hex of
 * salted_hmac(legacy_salt, data, secret) with SHA-1.  hex_out must hold
 * CODEC_LEGACY_HASH_LEN + 1 bytes.
 */
CodecStatus
codec_legacy_hash(CodecBytes legacy_salt, CodecBytes secret,
				  const char *data, size_t len, char *hex_out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[CODEC_MAX_DIGEST];
	size_t		mac_len;
	size_t		i;
	CodecStatus status;

	status = codec_salted_hmac(CODEC_HASH_SHA1, legacy_salt, "", secret,
							   data, len, mac, &mac_len);
	if (status != CODEC_OK)
		return status;
	for (i = 0; i < mac_len; i++)
	{
		hex_out[2 * i] = hex[mac[i] >> 4];
		hex_out[2 * i + 1] = hex[mac[i] & 0x0f];
	}
	hex_out[2 * mac_len] = '\0';
	return CODEC_OK;
}

/*
 * constant_time_compare: equal length and equal bytes.  The lengths are
 * public (a signature's length follows from its algorithm); the contents
 * are compared without an early exit.
 */
bool
codec_text_equal(const char *a, size_t a_len, const char *b, size_t b_len)
{
	if (a_len != b_len)
		return false;
	if (a_len == 0)
		return true;
	return CRYPTO_memcmp(a, b, a_len) == 0;
}
