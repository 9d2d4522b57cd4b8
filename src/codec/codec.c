/*-------------------------------------------------------------------------
 *
 * codec.c
 *		Encode and decode Django session tokens: the order of the steps and
 *		the status each failure maps to.
 *
 * A token, as signing.dumps(obj, salt=..., compress=True) writes it:
 *
 *		[.]base64url(json or zlib(json)) ":" base62(unix time) ":" signature
 *
 * where the signature is base64url(HMAC-SHA256(SHA256(salt + "signer" +
 * secret), everything before the last ':')).  Decoding follows
 * SessionBase.decode: TimestampSigner.unsign first (SHA-256 or the legacy
 * SHA-1 signature, then the timestamp and its age), then the payload; and
 * when no secret verifies, the pre-3.1 format, base64(hex hash ":" json).
 *
 * Nothing is decompressed or parsed before a signature verifies, and no
 * message produced here ever contains the token, the data or a secret.
 *
 * src/codec/codec.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "codec_internal.h"

/* What Signer.__init__ falls back to when the salt is empty. */
#define CODEC_SIGNER_DEFAULT_SALT "django.core.signing.TimestampSigner"

/* Session salts are "django.contrib.sessions." + the store's class name. */
#define CODEC_SESSION_SALT_PREFIX "django.contrib.sessions."

const char *
codec_status_message(CodecStatus status)
{
	switch (status)
	{
		case CODEC_OK:
			return "success";
		case CODEC_BAD_SIGNATURE:
			return "bad signature";
		case CODEC_EXPIRED:
			return "signature expired";
		case CODEC_CORRUPT:
			return "corrupt session data";
		case CODEC_TOO_LARGE:
			return "session data too large";
		case CODEC_TOO_DEEP:
			return "session data nested too deeply";
		case CODEC_INVALID_INPUT:
			return "session data is not a valid JSON object";
		case CODEC_NO_MEMORY:
			return "out of memory";
	}
	return "unknown codec status";
}

const char *
codec_status_name(CodecStatus status)
{
	switch (status)
	{
		case CODEC_OK:
			return "CODEC_OK";
		case CODEC_BAD_SIGNATURE:
			return "CODEC_BAD_SIGNATURE";
		case CODEC_EXPIRED:
			return "CODEC_EXPIRED";
		case CODEC_CORRUPT:
			return "CODEC_CORRUPT";
		case CODEC_TOO_LARGE:
			return "CODEC_TOO_LARGE";
		case CODEC_TOO_DEEP:
			return "CODEC_TOO_DEEP";
		case CODEC_INVALID_INPUT:
			return "CODEC_INVALID_INPUT";
		case CODEC_NO_MEMORY:
			return "CODEC_NO_MEMORY";
	}
	return "CODEC_UNKNOWN";
}

void
codec_free(void *ptr)
{
	free(ptr);
}

/* Signer(salt='') signs with its own default salt, not with an empty one. */
CodecBytes
codec_effective_salt(CodecBytes salt)
{
	if (salt.data == NULL || salt.len == 0)
	{
		salt.data = CODEC_SIGNER_DEFAULT_SALT;
		salt.len = strlen(CODEC_SIGNER_DEFAULT_SALT);
	}
	return salt;
}

static const char *
last_colon(const char *s, size_t len)
{
	while (len > 0)
	{
		len--;
		if (s[len] == ':')
			return s + len;
	}
	return NULL;
}

/*
 * Encoding.
 */
CodecStatus
codec_encode(const char *json, size_t json_len, CodecBytes secret,
			 CodecBytes salt, bool compress, int64_t timestamp,
			 size_t max_size, char **out, size_t *out_len)
{
	CodecStatus status;
	json_object *root = NULL;
	CodecBuf	data;
	CodecBuf	zdata;
	CodecBuf	value;
	const CodecBuf *payload;
	char		ts[CODEC_BASE62_BUFSIZE];
	size_t		ts_len;
	char	   *token = NULL;
	size_t		token_len = 0;

	if (out == NULL || out_len == NULL)
		return CODEC_INVALID_INPUT;
	*out = NULL;
	*out_len = 0;
	if (json == NULL && json_len > 0)
		return CODEC_INVALID_INPUT;
	if (secret.data == NULL || secret.len == 0)
		return CODEC_INVALID_INPUT; /* Django refuses an empty SECRET_KEY */
	if (json_len > max_size)
		return CODEC_TOO_LARGE;
	salt = codec_effective_salt(salt);

	status = codec_json_parse(json, json_len, CODEC_TEXT_UTF8, &root);
	if (status != CODEC_OK)
		return status;

	codec_buf_init(&data, max_size);
	codec_buf_init(&zdata, CODEC_NO_LIMIT);
	codec_buf_init(&value, CODEC_NO_LIMIT);	/* the token is checked */
	status = codec_json_write(root, true, &data);
	json_object_put(root);

	/* signing.Signer.sign_object: compress only when that saves 2+ bytes */
	payload = &data;
	if (status == CODEC_OK && compress)
	{
		status = codec_compress(data.data, data.len, &zdata);
		if (status == CODEC_OK && zdata.len + 1 < data.len)
			payload = &zdata;
	}

	if (status == CODEC_OK)
		status = codec_buf_reserve(&value, 1 + codec_b64_encoded_len(payload->len, false) +
								   1 + CODEC_BASE62_BUFSIZE);
	if (status == CODEC_OK)
	{
		if (payload == &zdata)
			value.data[value.len++] = '.';
		value.len += codec_b64_encode((const unsigned char *) payload->data,
									  payload->len, true, false,
									  value.data + value.len);
		value.data[value.len++] = ':';
		ts_len = codec_base62_encode(timestamp, ts);
		status = codec_buf_append(&value, ts, ts_len);
	}
	if (status == CODEC_OK)
		status = codec_sign(salt, secret, value.data, value.len,
							&token, &token_len);
	if (status == CODEC_OK && token_len > max_size)
	{
		free(token);
		status = CODEC_TOO_LARGE;
	}

	codec_buf_free(&data);
	codec_buf_free(&zdata);
	codec_buf_free(&value);
	if (status != CODEC_OK)
		return status;
	*out = token;
	*out_len = token_len;
	return CODEC_OK;
}

/*
 * Decoding.
 */

/*
 * now - timestamp > max_age, computed without overflow.
 */
static bool
is_expired(int64_t now, int64_t timestamp, int64_t max_age)
{
	if (timestamp < 0 && now > INT64_MAX + timestamp)
		return true;			/* the age exceeds any int64 */
	if (timestamp > 0 && now < INT64_MIN + timestamp)
		return false;			/* far in the future */
	return now - timestamp > max_age;
}

/*
 * Parse Latin-1 JSON from a verified token and hand it out as UTF-8.
 */
static CodecStatus
finish_json(const char *data, size_t len, char **json_out, size_t *json_len)
{
	CodecStatus status;
	json_object *root = NULL;
	CodecBuf	out;

	status = codec_json_parse(data, len, CODEC_TEXT_LATIN1, &root);
	if (status == CODEC_INVALID_INPUT)
		return CODEC_CORRUPT;
	if (status != CODEC_OK)
		return status;

	codec_buf_init(&out, CODEC_NO_LIMIT);
	status = codec_json_write(root, false, &out);
	json_object_put(root);
	if (status == CODEC_OK)
	{
		*json_out = codec_buf_release(&out, json_len);
		if (*json_out == NULL)
			status = CODEC_NO_MEMORY;
	}
	codec_buf_free(&out);
	return status;
}

/*
 * Does sig verify value under any secret?  CODEC_BAD_SIGNATURE if not.
 * Each secret is tried with SHA-256 and, as Signer.unsign in Django 3.2,
 * with the legacy SHA-1 signature; the signature's length tells which can
 * match.
 */
static CodecStatus
verify_signature(const char *value, size_t value_len,
				 const char *sig, size_t sig_len,
				 const CodecBytes *secrets, int nsecrets, CodecBytes salt)
{
	CodecHash	hash;
	int			i;

	if (sig_len == CODEC_SHA256_SIG_LEN)
		hash = CODEC_HASH_SHA256;
	else if (sig_len == CODEC_SHA1_SIG_LEN)
		hash = CODEC_HASH_SHA1;
	else
		return CODEC_BAD_SIGNATURE;

	for (i = 0; i < nsecrets; i++)
	{
		char		expected[CODEC_SHA256_SIG_LEN + 1];
		size_t		expected_len;
		CodecStatus status;

		if (secrets[i].data == NULL || secrets[i].len == 0)
			continue;
		status = codec_signature(hash, salt, secrets[i], value, value_len,
								 expected, &expected_len);
		if (status != CODEC_OK)
			return status;
		if (codec_text_equal(sig, sig_len, expected, expected_len))
			return CODEC_OK;
	}
	return CODEC_BAD_SIGNATURE;
}

/*
 * The verified part of a token, "payload:timestamp": TimestampSigner.unsign
 * after the signature, then Signer.unsign_object.
 */
static CodecStatus
decode_signed_value(const char *value, size_t len, int64_t max_age,
					int64_t now, size_t max_size,
					char **json_out, size_t *json_len)
{
	const char *sep = last_colon(value, len);
	const char *payload = value;
	size_t		payload_len;
	bool		compressed;
	int64_t		timestamp;
	CodecStatus status;
	CodecBuf	raw;
	CodecBuf	inflated;
	const CodecBuf *data;

	if (sep == NULL)
		return CODEC_CORRUPT;
	status = codec_base62_decode(sep + 1, len - (size_t) (sep + 1 - value),
								 &timestamp);
	if (status != CODEC_OK)
		return status;
	if (max_age >= 0 && is_expired(now, timestamp, max_age))
		return CODEC_EXPIRED;

	payload_len = (size_t) (sep - value);
	compressed = payload_len > 0 && payload[0] == '.';
	if (compressed)
	{
		payload++;
		payload_len--;
	}

	codec_buf_init(&raw, CODEC_NO_LIMIT);
	codec_buf_init(&inflated, CODEC_NO_LIMIT);
	status = codec_b64_decode(payload, payload_len, true, true, &raw);
	data = &raw;
	if (status == CODEC_OK && compressed)
	{
		status = codec_decompress(raw.data, raw.len, max_size, &inflated);
		data = &inflated;
	}
	if (status == CODEC_OK)
		status = finish_json(data->data, data->len, json_out, json_len);

	codec_buf_free(&raw);
	codec_buf_free(&inflated);
	return status;
}

/*
 * The key salt of SessionBase._hash: "django.contrib.sessions" + the class
 * name, where the new format's salt has "django.contrib.sessions." + the
 * qualified name.  Other salts have no legacy form (false).
 */
static bool
legacy_salt(CodecBytes salt, CodecBuf *out)
{
	const size_t prefix_len = strlen(CODEC_SESSION_SALT_PREFIX);
	const char *name;
	size_t		name_len;

	if (salt.len <= prefix_len ||
		memcmp(salt.data, CODEC_SESSION_SALT_PREFIX, prefix_len) != 0)
		return false;
	/* __name__ is the last component of __qualname__ */
	name = salt.data + salt.len;
	while (name > salt.data + prefix_len && name[-1] != '.')
		name--;
	name_len = (size_t) (salt.data + salt.len - name);
	return codec_buf_append(out, CODEC_SESSION_SALT_PREFIX, prefix_len - 1) == CODEC_OK &&
		codec_buf_append(out, name, name_len) == CODEC_OK;
}

/*
 * SessionBase._legacy_decode: base64 (standard alphabet, lenient, no
 * padding added) of hash ":" json, the hash being hex HMAC-SHA1.  Every
 * failure before the hash matches is CODEC_BAD_SIGNATURE, since Django
 * answers all of them alike, with an empty session.
 */
static CodecStatus
decode_legacy(const char *token, size_t token_len,
			  const CodecBytes *secrets, int nsecrets, CodecBytes salt,
			  char **json_out, size_t *json_len)
{
	CodecStatus status = CODEC_BAD_SIGNATURE;
	CodecBuf	lsalt;
	CodecBuf	raw;
	const char *colon;
	size_t		i;
	int			s;

	/* session_data.encode('ascii') */
	for (i = 0; i < token_len; i++)
		if ((unsigned char) token[i] >= 0x80)
			return CODEC_BAD_SIGNATURE;

	codec_buf_init(&lsalt, CODEC_NO_LIMIT);
	codec_buf_init(&raw, CODEC_NO_LIMIT);
	if (!legacy_salt(salt, &lsalt))
		goto done;
	status = codec_b64_decode(token, token_len, false, false, &raw);
	if (status == CODEC_CORRUPT)
		status = CODEC_BAD_SIGNATURE;
	if (status != CODEC_OK)
		goto done;

	status = CODEC_BAD_SIGNATURE;
	colon = raw.len > 0 ? memchr(raw.data, ':', raw.len) : NULL;
	if (colon == NULL)
		goto done;

	for (s = 0; s < nsecrets; s++)
	{
		CodecBytes	ls;
		char		expected[CODEC_LEGACY_HASH_LEN + 1];
		const char *serialized = colon + 1;
		size_t		serialized_len = raw.len - (size_t) (serialized - raw.data);
		CodecStatus hst;

		if (secrets[s].data == NULL || secrets[s].len == 0)
			continue;
		ls.data = lsalt.data;
		ls.len = lsalt.len;
		hst = codec_legacy_hash(ls, secrets[s], serialized, serialized_len,
								expected);
		if (hst != CODEC_OK)
		{
			status = hst;
			break;
		}
		if (codec_text_equal(raw.data, (size_t) (colon - raw.data),
							 expected, CODEC_LEGACY_HASH_LEN))
		{
			status = finish_json(serialized, serialized_len, json_out, json_len);
			break;
		}
	}

done:
	codec_buf_free(&lsalt);
	codec_buf_free(&raw);
	return status;
}

CodecStatus
codec_decode(const char *token, size_t token_len, const CodecBytes *secrets,
			 int nsecrets, CodecBytes salt, int64_t max_age, int64_t now,
			 size_t max_size, char **json_out, size_t *json_len)
{
	const char *sep;
	CodecStatus status;

	if (json_out == NULL || json_len == NULL)
		return CODEC_INVALID_INPUT;
	*json_out = NULL;
	*json_len = 0;
	if (token == NULL || token_len == 0)
		return CODEC_BAD_SIGNATURE;
	if (token_len > max_size)
		return CODEC_TOO_LARGE;
	if (secrets == NULL || nsecrets < 0)
		nsecrets = 0;
	salt = codec_effective_salt(salt);

	/* Signer.unsign: the signature follows the last ':' */
	sep = last_colon(token, token_len);
	if (sep != NULL)
	{
		size_t		value_len = (size_t) (sep - token);

		status = verify_signature(token, value_len,
								  sep + 1, token_len - value_len - 1,
								  secrets, nsecrets, salt);
		if (status == CODEC_OK)
			return decode_signed_value(token, value_len, max_age, now,
									   max_size, json_out, json_len);
		if (status != CODEC_BAD_SIGNATURE)
			return status;
	}

	return decode_legacy(token, token_len, secrets, nsecrets, salt,
						 json_out, json_len);
}
