/*-------------------------------------------------------------------------
 *
 * test_codec.c
 *		Unit tests of the session codec: the primitives against their
 *		standards, and the whole against tokens Django itself wrote
 *		(django_vectors.txt, from make_vectors.py).
 *
 * Usage: test_codec django_vectors.txt
 * Prints one line per failure and ends with "codec: N passed, N failed";
 * exits non-zero on any failure.
 *
 * test/codec/test_codec.c
 *
 *-------------------------------------------------------------------------
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json.h>
#include <zlib.h>

#include "codec.h"
#include "codec_internal.h"

static int	n_passed;
static int	n_failed;
static bool test_ok;
static const char *test_name;

static void
check_at(bool ok, const char *what, const char *file, int line)
{
	if (ok)
		return;
	if (test_ok)
		printf("FAIL: %s\n", test_name);
	printf("  %s:%d: %s\n", file, line, what);
	test_ok = false;
}

#define CHECK(cond) check_at((cond), #cond, __FILE__, __LINE__)

static void
begin_test(const char *name)
{
	test_name = name;
	test_ok = true;
}

static void
end_test(void)
{
	if (test_ok)
		n_passed++;
	else
		n_failed++;
}

typedef void (*TestFn) (void);

static void
run_test(const char *name, TestFn fn)
{
	begin_test(name);
	fn();
	end_test();
}

static CodecBytes
bytes(const char *s)
{
	CodecBytes	b;

	b.data = s;
	b.len = strlen(s);
	return b;
}

static const CodecBytes test_secret = {"unit-test-secret", 16};

/* codec_encode with the test secret and default salt */
static CodecStatus
enc(const char *json, char **out, size_t *out_len)
{
	return codec_encode(json, strlen(json), test_secret,
						bytes(CODEC_DEFAULT_SALT), true, 1700000000,
						1 << 24, out, out_len);
}

/* codec_decode with the test secret and default salt, no age check */
static CodecStatus
dec(const char *token, size_t len, char **out, size_t *out_len)
{
	return codec_decode(token, len, &test_secret, 1,
						bytes(CODEC_DEFAULT_SALT), -1, 0, 1 << 24,
						out, out_len);
}

/* A token with exactly this payload text, signed with the test secret. */
static char *
sign_value(const char *value)
{
	char	   *token = NULL;
	size_t		len;

	if (codec_sign(bytes(CODEC_DEFAULT_SALT), test_secret, value,
				   strlen(value), &token, &len) != CODEC_OK)
		return NULL;
	return token;
}

/* A token whose payload is the base64url of raw bytes, timestamp "1". */
static char *
sign_raw(const char *raw, size_t len)
{
	char	   *value = malloc(codec_b64_encoded_len(len, false) + 3);
	size_t		n;
	char	   *token;

	n = codec_b64_encode((const unsigned char *) raw, len, true, false, value);
	memcpy(value + n, ":1", 3);
	token = sign_value(value);
	free(value);
	return token;
}

/* Decode a signed payload and return the status; *out may be set. */
static CodecStatus
decode_raw(const char *raw, char **out)
{
	char	   *token = sign_raw(raw, strlen(raw));
	size_t		len;
	CodecStatus st;

	*out = NULL;
	st = dec(token, strlen(token), out, &len);
	free(token);
	return st;
}

/* Encode, then return the JSON payload of the token, uncompressed. */
static char *
encoded_payload(const char *json, CodecStatus *st)
{
	char	   *token = NULL;
	size_t		len;
	CodecBuf	raw;
	const char *colon;

	*st = codec_encode(json, strlen(json), test_secret,
					   bytes(CODEC_DEFAULT_SALT), false, 0, 1 << 24,
					   &token, &len);
	if (*st != CODEC_OK)
		return NULL;
	colon = strchr(token, ':');
	codec_buf_init(&raw, CODEC_NO_LIMIT);
	if (codec_b64_decode(token, (size_t) (colon - token), true, true, &raw) != CODEC_OK)
		*st = CODEC_CORRUPT;
	free(token);
	return codec_buf_release(&raw, NULL);
}

/*
 * HMAC-SHA256, RFC 4231 section 4: all seven test cases.
 */
typedef struct HmacVector
{
	const char *key_hex;
	const char *data_hex;
	const char *mac_hex;
	size_t		truncate;		/* case 5 compares 128 bits only */
} HmacVector;

static size_t
from_hex(const char *hex, unsigned char *out)
{
	size_t		n = strlen(hex) / 2;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		unsigned int v;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (unsigned char) v;
	}
	return n;
}

static const HmacVector rfc4231[] = {
	{
		"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		"4869205468657265",
		"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", 32
	},
	{
		"4a656665",
		"7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32
	},
	{
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
		"dddddddddddddddddddddddddddddddd",
		"773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", 32
	},
	{
		"0102030405060708090a0b0c0d0e0f10111213141516171819",
		"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
		"cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		"82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", 32
	},
	{
		"0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c",
		"546573742057697468205472756e636174696f6e",
		"a3b6167473100ee06e0c796c2955552b", 16
	},
	{
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65"
		"204b6579202d2048617368204b6579204669727374",
		"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 32
	},
	{
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"5468697320697320612074657374207573696e672061206c6172676572207468616e"
		"20626c6f636b2d73697a65206b657920616e642061206c6172676572207468616e"
		"20626c6f636b2d73697a6520646174612e20546865206b6579206e6565647320746f"
		"20626520686173686564206265666f7265206265696e6720757365642062792074"
		"686520484d414320616c676f726974686d2e",
		"9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", 32
	},
};

static void
check_rfc4231(int i)
{
	unsigned char key[256];
	unsigned char data[256];

	unsigned char want[CODEC_MAX_DIGEST];
	unsigned char mac[CODEC_MAX_DIGEST];
	size_t		key_len = from_hex(rfc4231[i].key_hex, key);
	size_t		data_len = from_hex(rfc4231[i].data_hex, data);
	size_t		mac_len = 0;

	from_hex(rfc4231[i].mac_hex, want);
	CHECK(codec_hmac(CODEC_HASH_SHA256, key, key_len, data, data_len,
					 mac, &mac_len) == CODEC_OK);
	CHECK(mac_len == 32);
	CHECK(memcmp(mac, want, rfc4231[i].truncate) == 0);
}

static void
test_rfc4231_1(void)
{
	check_rfc4231(0);
}
static void
test_rfc4231_2(void)
{
	check_rfc4231(1);
}
static void
test_rfc4231_3(void)
{
	check_rfc4231(2);
}
static void
test_rfc4231_4(void)
{
	check_rfc4231(3);
}
static void
test_rfc4231_5(void)
{
	check_rfc4231(4);
}
static void
test_rfc4231_6(void)
{
	check_rfc4231(5);
}
static void
test_rfc4231_7(void)
{
	check_rfc4231(6);
}

/* RFC 2202 test case 2, for the SHA-1 paths (legacy signatures). */
static void
test_hmac_sha1(void)
{
	unsigned char mac[CODEC_MAX_DIGEST];
	unsigned char want[20];
	size_t		mac_len = 0;

	from_hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", want);
	CHECK(codec_hmac(CODEC_HASH_SHA1, "Jefe", 4, "what do ya want for nothing?",
					 28, mac, &mac_len) == CODEC_OK);
	CHECK(mac_len == 20 && memcmp(mac, want, 20) == 0);
}

/* salted_hmac, against values Python computed with Django's formula. */
static void
test_salted_hmac(void)
{
	unsigned char mac[CODEC_MAX_DIGEST];
	unsigned char want[CODEC_MAX_DIGEST];
	size_t		mac_len = 0;
	char		hex[CODEC_LEGACY_HASH_LEN + 1];

	from_hex("8d4eeb2b54e5ec34abf5b301f77a81e5d22a9a2e21b592e289b8c9d80809fae1", want);
	CHECK(codec_salted_hmac(CODEC_HASH_SHA256, bytes(CODEC_DEFAULT_SALT),
							"signer", bytes("secret"), "value", 5,
							mac, &mac_len) == CODEC_OK);
	CHECK(mac_len == 32 && memcmp(mac, want, 32) == 0);

	CHECK(codec_legacy_hash(bytes("django.contrib.sessionsSessionStore"),
							bytes("secret"), "{\"a\":1}", 7, hex) == CODEC_OK);
	CHECK(strcmp(hex, "57db2a040d08f2241f2c5b39f898d903d0a7044f") == 0);
}

static void
test_text_equal(void)
{
	CHECK(codec_text_equal("abc", 3, "abc", 3));
	CHECK(!codec_text_equal("abc", 3, "abd", 3));
	CHECK(!codec_text_equal("abc", 3, "abcd", 4));
	CHECK(codec_text_equal("", 0, "", 0));
}

/*
 * base64: RFC 4648 section 10 vectors, both alphabets, with and without
 * padding, covering every remainder (0, 1 and 2 bytes past a triple).
 */
static void
test_b64_encode(void)
{
	static const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *padded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
	"Zm9vYmE=", "Zm9vYmFy"};
	static const char *bare[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE",
	"Zm9vYmFy"};
	char		out[16];
	size_t		i;
	size_t		n;

	for (i = 0; i < 7; i++)
	{
		n = codec_b64_encode((const unsigned char *) in[i], strlen(in[i]),
							 false, true, out);
		CHECK(n == strlen(padded[i]) && memcmp(out, padded[i], n) == 0);
		CHECK(codec_b64_encoded_len(strlen(in[i]), true) == n);
		n = codec_b64_encode((const unsigned char *) in[i], strlen(in[i]),
							 true, false, out);
		CHECK(n == strlen(bare[i]) && memcmp(out, bare[i], n) == 0);
		CHECK(codec_b64_encoded_len(strlen(in[i]), false) == n);
	}
	/* the two alphabets differ in 62 and 63 only */
	n = codec_b64_encode((const unsigned char *) "\xfb\xff", 2, true, false, out);
	CHECK(n == 3 && memcmp(out, "-_8", 3) == 0);
	n = codec_b64_encode((const unsigned char *) "\xfb\xff", 2, false, true, out);
	CHECK(n == 4 && memcmp(out, "+/8=", 4) == 0);
}

/* Decode as Python: returns the status, *out gets the bytes. */
static CodecStatus
b64d(const char *in, bool urlsafe, bool pad, char *out, size_t *len)
{
	CodecBuf	buf;
	CodecStatus st;

	codec_buf_init(&buf, CODEC_NO_LIMIT);
	st = codec_b64_decode(in, strlen(in), urlsafe, pad, &buf);
	*len = buf.len;
	if (st == CODEC_OK && buf.len > 0)
		memcpy(out, buf.data, buf.len);
	codec_buf_free(&buf);
	return st;
}

static void
test_b64_decode(void)
{
	char		out[32];
	size_t		n;

	CHECK(b64d("", true, true, out, &n) == CODEC_OK && n == 0);
	CHECK(b64d("Zg", true, true, out, &n) == CODEC_OK && n == 1 && out[0] == 'f');
	CHECK(b64d("Zm8", true, true, out, &n) == CODEC_OK && n == 2);
	CHECK(b64d("Zm9v", true, true, out, &n) == CODEC_OK && n == 3);
	CHECK(b64d("Zg==", false, false, out, &n) == CODEC_OK && n == 1);
	/* unpadded input without signing.b64_decode's padding fails */
	CHECK(b64d("Zg", false, false, out, &n) == CODEC_CORRUPT);
	CHECK(b64d("Zm8", false, false, out, &n) == CODEC_CORRUPT);
	/* one character past a quad can never be valid */
	CHECK(b64d("Z", true, true, out, &n) == CODEC_CORRUPT);
	CHECK(b64d("Zm9vY", true, true, out, &n) == CODEC_CORRUPT);
	/* characters outside the alphabet are skipped, as binascii does */
	CHECK(b64d("Zm!9v", true, false, out, &n) == CODEC_OK && n == 3 &&
		  memcmp(out, "foo", 3) == 0);
	CHECK(b64d("Z m\n9:v.", false, false, out, &n) == CODEC_OK && n == 3);
	/* url-safe decoding accepts both alphabets' 62 and 63 */
	CHECK(b64d("-_8", true, true, out, &n) == CODEC_OK && n == 2 &&
		  memcmp(out, "\xfb\xff", 2) == 0);
	CHECK(b64d("+/8", true, true, out, &n) == CODEC_OK && n == 2 &&
		  memcmp(out, "\xfb\xff", 2) == 0);
	/* the standard alphabet skips '-' and '_' */
	CHECK(b64d("-Zm9v_", false, false, out, &n) == CODEC_OK && n == 3);
	/* padding ends the input once a quad is complete */
	CHECK(b64d("Zg==Zm9v", false, false, out, &n) == CODEC_OK && n == 1);
	CHECK(b64d("Zm8=Zm9v", false, false, out, &n) == CODEC_OK && n == 2);
	/* '=' before the second data character is ignored */
	CHECK(b64d("Z=m9v", false, false, out, &n) == CODEC_OK && n == 3);
	/* a data character resets the padding count */
	CHECK(b64d("AB=CDEF=", false, false, out, &n) == CODEC_CORRUPT);
	CHECK(b64d("AB=C=", false, false, out, &n) == CODEC_OK && n == 2);
}

static void
test_base62_encode(void)
{
	char		out[CODEC_BASE62_BUFSIZE];

	CHECK(codec_base62_encode(0, out) == 1 && strcmp(out, "0") == 0);
	codec_base62_encode(61, out);
	CHECK(strcmp(out, "z") == 0);
	codec_base62_encode(62, out);
	CHECK(strcmp(out, "10") == 0);
	codec_base62_encode(-1, out);
	CHECK(strcmp(out, "-1") == 0);
	codec_base62_encode(1700000000, out);
	CHECK(strcmp(out, "1r31eq") == 0);
	codec_base62_encode(INT64_MAX, out);
	CHECK(strcmp(out, "AzL8n0Y58m7") == 0);
	codec_base62_encode(INT64_MIN, out);
	CHECK(strcmp(out, "-AzL8n0Y58m8") == 0);
}

static int64_t
b62(const char *s, CodecStatus *st)
{
	int64_t		v = 12345;

	*st = codec_base62_decode(s, strlen(s), &v);
	return v;
}

static void
test_base62_decode(void)
{
	CodecStatus st;
	int64_t		i;

	CHECK(b62("0", &st) == 0 && st == CODEC_OK);
	CHECK(b62("z", &st) == 61 && st == CODEC_OK);
	CHECK(b62("10", &st) == 62 && st == CODEC_OK);
	CHECK(b62("0000z", &st) == 61 && st == CODEC_OK);
	CHECK(b62("-1", &st) == -1 && st == CODEC_OK);
	/* baseconv reads a lone "-" as zero */
	CHECK(b62("-", &st) == 0 && st == CODEC_OK);
	CHECK(b62("-0", &st) == 0 && st == CODEC_OK);
	b62("", &st);
	CHECK(st == CODEC_CORRUPT);
	b62("1!", &st);
	CHECK(st == CODEC_CORRUPT);
	b62("--1", &st);
	CHECK(st == CODEC_CORRUPT);
	b62("1-", &st);
	CHECK(st == CODEC_CORRUPT);
	b62(" 1", &st);
	CHECK(st == CODEC_CORRUPT);
	CHECK(b62("AzL8n0Y58m7", &st) == INT64_MAX && st == CODEC_OK);
	CHECK(b62("-AzL8n0Y58m8", &st) == INT64_MIN && st == CODEC_OK);
	/* beyond int64: saturates */
	CHECK(b62("AzL8n0Y58m8", &st) == INT64_MAX && st == CODEC_OK);
	CHECK(b62("-AzL8n0Y58m9", &st) == INT64_MIN && st == CODEC_OK);
	CHECK(b62("zzzzzzzzzzzzzzzzzzzzzzzzz", &st) == INT64_MAX && st == CODEC_OK);
	for (i = -100000; i <= 100000; i += 7)
	{
		char		buf[CODEC_BASE62_BUFSIZE];
		int64_t		v = 0;

		codec_base62_encode(i * 1000003, buf);
		if (codec_base62_decode(buf, strlen(buf), &v) != CODEC_OK || v != i * 1000003)
		{
			CHECK(!"base62 round trip");
			break;
		}
	}
}

/*
 * The compression rule of sign_object: the zlib form is used only when it
 * is shorter by more than one byte.  Scan deterministic texts until both
 * sides of the boundary turn up, and check encode on each.
 */
static void
test_compress_threshold(void)
{
	static const char *words[] = {"alpha", "beta", "gamma", "x", "yz", "0a", "f3"};
	bool		seen1 = false;
	bool		seen2 = false;
	uint32_t	rng = 12345;
	int			tries;

	for (tries = 0; tries < 100000 && !(seen1 && seen2); tries++)
	{
		char		json[512];
		size_t		len;
		int			words_n;
		CodecBuf	z;
		long		saved;

		strcpy(json, "{\"s\":\"");
		rng = rng * 1103515245 + 12345;
		for (words_n = (int) (rng >> 16) % 40 + 2; words_n > 0; words_n--)
		{
			rng = rng * 1103515245 + 12345;
			strcat(json, words[(rng >> 16) % 7]);
			strcat(json, " ");
		}
		strcat(json, "\"}");
		len = strlen(json);

		codec_buf_init(&z, CODEC_NO_LIMIT);
		CHECK(codec_compress(json, len, &z) == CODEC_OK);
		saved = (long) len - (long) z.len;
		codec_buf_free(&z);
		if (saved == 1 || saved == 2)
		{
			char	   *token = NULL;
			size_t		token_len;

			CHECK(enc(json, &token, &token_len) == CODEC_OK);
			CHECK((token[0] == '.') == (saved == 2));
			free(token);
			if (saved == 1)
				seen1 = true;
			else
				seen2 = true;
		}
	}
	CHECK(seen1 && seen2);
}

static void
test_decompress(void)
{
	const char *json = "{\"z\":\"00000000000000000000000000000000000000\"}";
	size_t		len = strlen(json);
	CodecBuf	z;
	CodecBuf	out;
	z_stream	zs;
	unsigned char dict_stream[128];

	codec_buf_init(&z, CODEC_NO_LIMIT);
	CHECK(codec_compress(json, len, &z) == CODEC_OK);

	/* exactly max_size bytes is fine, one more is too large */
	codec_buf_init(&out, CODEC_NO_LIMIT);
	CHECK(codec_decompress(z.data, z.len, len, &out) == CODEC_OK);
	CHECK(out.len == len && memcmp(out.data, json, len) == 0);
	codec_buf_free(&out);
	CHECK(codec_decompress(z.data, z.len, len - 1, &out) == CODEC_TOO_LARGE);
	codec_buf_free(&out);
	CHECK(codec_decompress(z.data, z.len, 0, &out) == CODEC_TOO_LARGE);
	codec_buf_free(&out);

	/* truncated: an error; trailing bytes after the end: ignored */
	CHECK(codec_decompress(z.data, z.len - 1, 1000, &out) == CODEC_CORRUPT);
	codec_buf_free(&out);
	CHECK(codec_decompress("", 0, 1000, &out) == CODEC_CORRUPT);
	codec_buf_free(&out);
	CHECK(codec_buf_append(&z, "trailing", 8) == CODEC_OK);
	CHECK(codec_decompress(z.data, z.len, 1000, &out) == CODEC_OK);
	CHECK(out.len == len);
	codec_buf_free(&out);
	codec_buf_free(&z);

	/* a stream that needs a preset dictionary cannot be read */
	memset(&zs, 0, sizeof(zs));
	CHECK(deflateInit(&zs, Z_DEFAULT_COMPRESSION) == Z_OK);
	CHECK(deflateSetDictionary(&zs, (const Bytef *) "dict", 4) == Z_OK);
	zs.next_in = (Bytef *) "dictdict";
	zs.avail_in = 8;
	zs.next_out = dict_stream;
	zs.avail_out = sizeof(dict_stream);
	CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END);
	CHECK(codec_decompress(dict_stream, sizeof(dict_stream) - zs.avail_out,
						   1000, &out) == CODEC_CORRUPT);
	deflateEnd(&zs);
	codec_buf_free(&out);
}

/* Python's json.dumps escapes, byte for byte. */
static void
test_escapes(void)
{
	CodecStatus st;
	char	   *p;

	p = encoded_payload("{\"s\": \"\\\" \\\\ / \\b \\f \\n \\r \\t \\u0001 \\u001f \\u007f ~\"}", &st);
	CHECK(st == CODEC_OK && p != NULL &&
		  strcmp(p, "{\"s\":\"\\\" \\\\ / \\b \\f \\n \\r \\t \\u0001 \\u001f \\u007f ~\"}") == 0);
	free(p);

	/* raw UTF-8 in, lowercase \u escapes out */
	p = encoded_payload("{\"\xc3\xa9\": \"\xe4\xb8\xad\xe2\x80\xa8\xef\xbf\xbf\x7f\"}", &st);
	CHECK(st == CODEC_OK && p != NULL &&
		  strcmp(p, "{\"\\u00e9\":\"\\u4e2d\\u2028\\uffff\\u007f\"}") == 0);
	free(p);
}

static void
test_surrogate_pairs(void)
{
	CodecStatus st;
	char	   *p;
	char	   *out = NULL;

	/* U+1F600 and U+10FFFF: raw UTF-8 becomes a pair of escapes */
	p = encoded_payload("{\"e\": \"\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"}", &st);
	CHECK(st == CODEC_OK && p != NULL &&
		  strcmp(p, "{\"e\":\"\\ud83d\\ude00\\udbff\\udfff\"}") == 0);
	free(p);
	/* an escaped pair in the input is the same character */
	p = encoded_payload("{\"e\": \"\\uD83D\\uDE00\"}", &st);
	CHECK(st == CODEC_OK && p != NULL && strcmp(p, "{\"e\":\"\\ud83d\\ude00\"}") == 0);
	free(p);
	/* and decoding gives UTF-8 back */
	CHECK(decode_raw("{\"e\":\"\\ud83d\\ude00\"}", &out) == CODEC_OK);
	CHECK(out != NULL && strcmp(out, "{\"e\":\"\xf0\x9f\x98\x80\"}") == 0);
	free(out);
	/* lone or reversed surrogates are refused both ways */
	CHECK(decode_raw("{\"e\":\"\\ud83d\"}", &out) == CODEC_CORRUPT);
	CHECK(decode_raw("{\"e\":\"\\ude00\\ud83d\"}", &out) == CODEC_CORRUPT);
	CHECK(decode_raw("{\"e\":\"\\ud83d\\u0041\"}", &out) == CODEC_CORRUPT);
	p = encoded_payload("{\"e\": \"\\ud83d\"}", &st);
	CHECK(st == CODEC_INVALID_INPUT && p == NULL);
}

static void
test_numbers_kept(void)
{
	CodecStatus st;
	char	   *p;
	char		json[8192];

	p = encoded_payload("{\"a\": 2.50, \"b\": 123456789012345678901234567890123, "
						"\"c\": -0, \"d\": 1E+400, \"e\": -9.0e-7}", &st);
	CHECK(st == CODEC_OK && p != NULL &&
		  strcmp(p, "{\"a\":2.50,\"b\":123456789012345678901234567890123,"
				 "\"c\":-0,\"d\":1E+400,\"e\":-9.0e-7}") == 0);
	free(p);

	/* Python's int() limit: 4300 digits pass, 4301 do not */
	strcpy(json, "{\"n\": -");
	memset(json + 7, '7', 4300);
	strcpy(json + 7 + 4300, "}");
	p = encoded_payload(json, &st);
	CHECK(st == CODEC_OK);
	free(p);
	strcpy(json + 7 + 4300, "7}");
	p = encoded_payload(json, &st);
	CHECK(st == CODEC_INVALID_INPUT);
	/* the limit is on integers; a float may be longer */
	strcpy(json + 7 + 4300, "7.0}");
	p = encoded_payload(json, &st);
	CHECK(st == CODEC_OK);
	free(p);
}

static void
test_duplicate_keys(void)
{
	CodecStatus st;
	char	   *p;
	char	   *out = NULL;

	p = encoded_payload("{\"a\": 1, \"b\": 2, \"a\": {\"x\": [3]}}", &st);
	CHECK(st == CODEC_OK && p != NULL && strcmp(p, "{\"a\":{\"x\":[3]},\"b\":2}") == 0);
	free(p);
	CHECK(decode_raw("{\"a\":1,\"b\":2,\"a\":3}", &out) == CODEC_OK);
	CHECK(out != NULL && strcmp(out, "{\"a\":3,\"b\":2}") == 0);
	free(out);
}

static void
test_latin1_payload(void)
{
	char	   *out = NULL;

	/* Django reads payload bytes as Latin-1, never as UTF-8 */
	CHECK(decode_raw("{\"k\":\"\xc3\xa9\"}", &out) == CODEC_OK);
	CHECK(out != NULL && strcmp(out, "{\"k\":\"\xc3\x83\xc2\xa9\"}") == 0);
	free(out);
	CHECK(decode_raw("{\"k\":\"\x80\xff\x7f\"}", &out) == CODEC_OK);
	CHECK(out != NULL && strcmp(out, "{\"k\":\"\xc2\x80\xc3\xbf\x7f\"}") == 0);
	free(out);
	/* outside strings such bytes are syntax errors */
	CHECK(decode_raw("{\"k\":1\xa0}", &out) == CODEC_CORRUPT);
}

/* What encode refuses, and why. */
static void
test_encode_invalid_input(void)
{
	static const char *bad[] = {
		"", " ", "[]", "[1]", "\"s\"", "1", "null", "{", "{\"a\"}", "{\"a\":}",
		"{\"a\":1,}", "{a:1}", "{'a':1}", "{\"a\":NaN}", "{\"a\":Infinity}",
		"{\"a\":-Infinity}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}",
		"{\"a\":+1}", "{\"a\":1e}", "{\"a\":True}", "{\"a\":\"\\u0000\"}",
		"{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\t\"}",
		"{\"a\":1} {}", "{\"a\":1}\f", "\xef\xbb\xbf{}",
		/* invalid UTF-8: overlong, surrogate, too large, truncated, bare */
		"{\"a\":\"\xc0\x80\"}", "{\"a\":\"\xed\xa0\x80\"}",
		"{\"a\":\"\xf4\x90\x80\x80\"}", "{\"a\":\"\xe4\xb8\"}",
		"{\"a\":\"\x80\"}", "{\"a\":\"\xff\"}",
	};
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		char	   *token = (char *) 1;
		size_t		len = 1;

		if (enc(bad[i], &token, &len) != CODEC_INVALID_INPUT ||
			token != NULL || len != 0)
		{
			printf("  input %zu\n", i);
			CHECK(!"encode must refuse this input");
		}
	}
}

static void
test_encode_limits(void)
{
	char	   *token = NULL;
	size_t		len = 0;
	const char *json = "{\"a\": \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}";
	CodecBytes	empty = {"", 0};

	/* an empty secret is refused, as Django refuses an empty SECRET_KEY */
	CHECK(codec_encode("{}", 2, empty, bytes(CODEC_DEFAULT_SALT), true, 1,
					   1000, &token, &len) == CODEC_INVALID_INPUT);
	/* input larger than max_size */
	CHECK(codec_encode("{}", 2, test_secret, bytes(CODEC_DEFAULT_SALT), true,
					   1, 1, &token, &len) == CODEC_TOO_LARGE);
	/* serialized JSON (\u00e9 is 6 bytes for 2) larger than max_size */
	CHECK(codec_encode(json, strlen(json), test_secret,
					   bytes(CODEC_DEFAULT_SALT), false, 1, strlen(json) + 1,
					   &token, &len) == CODEC_TOO_LARGE);
	/* the token itself larger than max_size, and exactly max_size */
	CHECK(codec_encode("{}", 2, test_secret, bytes(CODEC_DEFAULT_SALT), true,
					   1, 1000, &token, &len) == CODEC_OK);
	free(token);
	CHECK(len == strlen("e30:1:") + CODEC_SHA256_SIG_LEN);
	CHECK(codec_encode("{}", 2, test_secret, bytes(CODEC_DEFAULT_SALT), true,
					   1, len, &token, &len) == CODEC_OK);
	free(token);
	CHECK(codec_encode("{}", 2, test_secret, bytes(CODEC_DEFAULT_SALT), true,
					   1, len - 1, &token, &len) == CODEC_TOO_LARGE);
	CHECK(token == NULL);
	/* missing output pointers */
	CHECK(codec_encode("{}", 2, test_secret, bytes(CODEC_DEFAULT_SALT), true,
					   1, 1000, NULL, &len) == CODEC_INVALID_INPUT);
	CHECK(codec_encode(NULL, 2, test_secret, bytes(CODEC_DEFAULT_SALT), true,
					   1, 1000, &token, &len) == CODEC_INVALID_INPUT);
}

/* {"a": [[...]]} with the given number of levels, the object included */
static void
make_deep(char *json, int levels)
{
	int			n = 0;
	int			i;

	memcpy(json, "{\"a\":", 5);
	n = 5;
	for (i = 1; i < levels; i++)
		json[n++] = '[';
	for (i = 1; i < levels; i++)
		json[n++] = ']';
	json[n++] = '}';
	json[n] = '\0';
}

static void
test_depth(void)
{
	char		json[4 * CODEC_MAX_DEPTH + 16];
	char	   *token = NULL;
	char	   *out = NULL;
	size_t		len;
	int			n = 0;
	int			i;

	make_deep(json, CODEC_MAX_DEPTH);
	CHECK(enc(json, &token, &len) == CODEC_OK);
	CHECK(token != NULL && dec(token, len, &out, &len) == CODEC_OK);
	CHECK(out != NULL && strcmp(out, json) == 0);
	free(token);
	free(out);

	/* one more level is refused both ways */
	make_deep(json, CODEC_MAX_DEPTH + 1);
	CHECK(enc(json, &token, &len) == CODEC_TOO_DEEP);
	CHECK(decode_raw(json, &out) == CODEC_TOO_DEEP);

	/* nested objects count the same way, even unterminated */
	for (i = 0; i < CODEC_MAX_DEPTH + 1; i++)
	{
		memcpy(json + n, "{\"\":", 4);
		n += 4;
	}
	json[n] = '\0';
	CHECK(enc(json, &token, &len) == CODEC_TOO_DEEP);
}

static void
test_round_trip(void)
{
	static const char *cases[] = {
		"{}",
		"{\"a\": 1, \"b\": [1, 2.50, -3e-7, true, false, null], \"c\": {\"d\": \"\"}}",
		"{\"_auth_user_id\": \"1\", \"_session_expiry\": 1209600}",
		"{\"\xe2\x82\xac\": \"\xf0\x9f\x98\x80 \\n \\\" \\\\\", \"z\": \"\x7f\"}",
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char	   *token = NULL;
		char	   *out = NULL;
		char	   *again = NULL;
		size_t		len;
		size_t		out_len;
		size_t		again_len;

		CHECK(enc(cases[i], &token, &len) == CODEC_OK);
		CHECK(dec(token, len, &out, &out_len) == CODEC_OK);
		CHECK(out != NULL && strlen(out) == out_len);
		/* the decoded text encodes to the very same token */
		CHECK(enc(out, &again, &again_len) == CODEC_OK);
		CHECK(again != NULL && again_len == len && memcmp(again, token, len) == 0);
		free(token);
		free(out);
		free(again);
	}
}

static void
test_max_age(void)
{
	char	   *token = NULL;
	char	   *out = NULL;
	size_t		len;
	size_t		out_len;

	CHECK(codec_encode("{}", 2, test_secret, bytes(CODEC_DEFAULT_SALT), true,
					   1000, 1000, &token, &len) == CODEC_OK);
#define DEC_AGE(age, now) codec_decode(token, len, &test_secret, 1, \
		bytes(CODEC_DEFAULT_SALT), (age), (now), 1000, &out, &out_len)
	CHECK(DEC_AGE(300, 1300) == CODEC_OK);
	free(out);
	CHECK(DEC_AGE(300, 1301) == CODEC_EXPIRED);
	CHECK(out == NULL);
	CHECK(DEC_AGE(0, 1000) == CODEC_OK);
	free(out);
	CHECK(DEC_AGE(0, 1001) == CODEC_EXPIRED);
	CHECK(DEC_AGE(-1, INT64_MAX) == CODEC_OK);
	free(out);
	CHECK(DEC_AGE(INT64_MAX, INT64_MAX) == CODEC_OK);
	free(out);
	CHECK(DEC_AGE(0, INT64_MIN) == CODEC_OK);	/* far future */
	free(out);
#undef DEC_AGE
	free(token);

	/* extreme timestamps do not overflow the age */
	CHECK(codec_encode("{}", 2, test_secret, bytes(CODEC_DEFAULT_SALT), true,
					   INT64_MIN, 1000, &token, &len) == CODEC_OK);
	CHECK(codec_decode(token, len, &test_secret, 1, bytes(CODEC_DEFAULT_SALT),
					   INT64_MAX, INT64_MAX, 1000, &out, &out_len) == CODEC_EXPIRED);
	free(token);
	CHECK(codec_encode("{}", 2, test_secret, bytes(CODEC_DEFAULT_SALT), true,
					   INT64_MAX, 1000, &token, &len) == CODEC_OK);
	CHECK(codec_decode(token, len, &test_secret, 1, bytes(CODEC_DEFAULT_SALT),
					   0, INT64_MIN, 1000, &out, &out_len) == CODEC_OK);
	free(out);
	free(token);
}

static void
test_fallback_secrets(void)
{
	char	   *token = NULL;
	char	   *out = NULL;
	size_t		len;
	size_t		out_len;
	CodecBytes	secrets[3];

	CHECK(codec_encode("{\"k\": 1}", 8, bytes("older"), bytes(CODEC_DEFAULT_SALT),
					   true, 5, 1000, &token, &len) == CODEC_OK);
	secrets[0] = bytes("current");
	secrets[1] = bytes("");		/* an empty secret never verifies */
	secrets[2] = bytes("older");
	CHECK(codec_decode(token, len, secrets, 3, bytes(CODEC_DEFAULT_SALT), -1, 0,
					   1000, &out, &out_len) == CODEC_OK);
	CHECK(out != NULL && strcmp(out, "{\"k\":1}") == 0);
	free(out);
	CHECK(codec_decode(token, len, secrets, 2, bytes(CODEC_DEFAULT_SALT), -1, 0,
					   1000, &out, &out_len) == CODEC_BAD_SIGNATURE);
	CHECK(codec_decode(token, len, NULL, 3, bytes(CODEC_DEFAULT_SALT), -1, 0,
					   1000, &out, &out_len) == CODEC_BAD_SIGNATURE);
	CHECK(codec_decode(token, len, secrets, -1, bytes(CODEC_DEFAULT_SALT), -1, 0,
					   1000, &out, &out_len) == CODEC_BAD_SIGNATURE);
	free(token);
}

/* A modern token with a valid signature but bad content is not retried as legacy. */
static void
test_corrupt_statuses(void)
{
	char	   *out = NULL;
	char	   *token;
	size_t		len;

	token = sign_value("eyJhIjoxfQ:1!");
	CHECK(dec(token, strlen(token), &out, &len) == CODEC_CORRUPT);
	free(token);
	token = sign_value("eyJhIjoxfQ");
	CHECK(dec(token, strlen(token), &out, &len) == CODEC_CORRUPT);
	free(token);
	token = sign_value(".eJzLSM3JyQcABiwCFQ:1");	/* zlib of "hello": not JSON */
	CHECK(dec(token, strlen(token), &out, &len) == CODEC_CORRUPT);
	free(token);
	CHECK(decode_raw("{\"a\":\"\\u0000\"}", &out) == CODEC_CORRUPT);
	CHECK(decode_raw("{\"a\":NaN}", &out) == CODEC_CORRUPT);
	CHECK(decode_raw("[]", &out) == CODEC_CORRUPT);
	CHECK(out == NULL);
}

static void
test_bad_signature_statuses(void)
{
	char	   *out = NULL;
	size_t		len;

	CHECK(dec("", 0, &out, &len) == CODEC_BAD_SIGNATURE);
	CHECK(dec(NULL, 5, &out, &len) == CODEC_BAD_SIGNATURE);
	CHECK(dec(":", 1, &out, &len) == CODEC_BAD_SIGNATURE);
	CHECK(dec("a:b:c", 5, &out, &len) == CODEC_BAD_SIGNATURE);
	CHECK(dec("\xff\xfe", 2, &out, &len) == CODEC_BAD_SIGNATURE);
	CHECK(dec("e30:1:\0", 7, &out, &len) == CODEC_BAD_SIGNATURE);
	CHECK(out == NULL);
}

static void
test_status_messages(void)
{
	int			s;
	int			t;

	for (s = CODEC_OK; s <= CODEC_NO_MEMORY; s++)
	{
		const char *m = codec_status_message((CodecStatus) s);
		const char *c;

		/* PostgreSQL's style: no capital to start, no period to end */
		CHECK(m != NULL && m[0] >= 'a' && m[0] <= 'z');
		for (c = m; *c; c++)
			CHECK(c[1] != '\0' || *c != '.');
		for (t = CODEC_OK; t < s; t++)
			CHECK(strcmp(m, codec_status_message((CodecStatus) t)) != 0);
		CHECK(strncmp(codec_status_name((CodecStatus) s), "CODEC_", 6) == 0);
	}
	CHECK(strcmp(codec_status_message((CodecStatus) 999), "unknown codec status") == 0);
}

/*
 * CODEC_NO_MEMORY: decode a token that inflates to 64 MB in a child whose
 * address space cannot hold it.  Skipped under valgrind, whose own memory
 * the limit would starve.
 */
static void
test_no_memory(void)
{
	const size_t n = 64 * 1024 * 1024;
	z_stream	zs;
	CodecBuf	z;
	char		zeros[65536];
	size_t		left = n;
	char	   *value;
	char	   *token = NULL;
	size_t		token_len;
	size_t		vlen;
	pid_t		pid;
	int			wstatus = 0;

	memset(zeros, '0', sizeof(zeros));
	memset(&zs, 0, sizeof(zs));
	codec_buf_init(&z, CODEC_NO_LIMIT);
	CHECK(deflateInit(&zs, Z_DEFAULT_COMPRESSION) == Z_OK);
	CHECK(codec_buf_reserve(&z, n / 500) == CODEC_OK);
	zs.next_out = (Bytef *) z.data;
	zs.avail_out = (uInt) (z.cap - 1);
	zs.next_in = (Bytef *) "{\"z\":\"";
	zs.avail_in = 6;
	deflate(&zs, Z_NO_FLUSH);
	while (left > 0)
	{
		zs.next_in = (Bytef *) zeros;
		zs.avail_in = (uInt) (left < sizeof(zeros) ? left : sizeof(zeros));
		left -= zs.avail_in;
		deflate(&zs, Z_NO_FLUSH);
	}
	zs.next_in = (Bytef *) "\"}";
	zs.avail_in = 2;
	CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END);
	z.len = z.cap - 1 - zs.avail_out;
	deflateEnd(&zs);

	value = malloc(codec_b64_encoded_len(z.len, false) + 4);
	value[0] = '.';
	vlen = 1 + codec_b64_encode((const unsigned char *) z.data, z.len, true, false, value + 1);
	memcpy(value + vlen, ":1", 3);
	CHECK(codec_sign(bytes(CODEC_DEFAULT_SALT), test_secret, value, vlen + 2,
					 &token, &token_len) == CODEC_OK);
	free(value);
	codec_buf_free(&z);

	fflush(stdout);
	pid = fork();
	if (pid == 0)
	{
		struct rlimit rl;
		char	   *out = NULL;
		size_t		out_len;
		long		pages = 0;
		FILE	   *f = fopen("/proc/self/statm", "r");

		if (f == NULL || fscanf(f, "%ld", &pages) != 1)
			_exit(100);
		fclose(f);
		rl.rlim_cur = rl.rlim_max = (rlim_t) pages * (rlim_t) sysconf(_SC_PAGESIZE) + 24 * 1024 * 1024;
		setrlimit(RLIMIT_AS, &rl);
		_exit(codec_decode(token, token_len, &test_secret, 1,
						   bytes(CODEC_DEFAULT_SALT), -1, 0, SIZE_MAX,
						   &out, &out_len));
	}
	CHECK(pid > 0 && waitpid(pid, &wstatus, 0) == pid);
	CHECK(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == CODEC_NO_MEMORY);
	free(token);
}

/*
 * Known answers from Django (django_vectors.txt).
 */
static size_t
unhex_field(char *s)
{
	size_t		n = strlen(s);
	size_t		i;

	if (strcmp(s, "-") == 0)
	{
		s[0] = '\0';
		return 0;
	}
	for (i = 0; i < n / 2; i++)
	{
		unsigned int v;

		sscanf(s + 2 * i, "%2x", &v);
		s[i] = (char) v;
	}
	s[n / 2] = '\0';
	return n / 2;
}

static void
run_encode_vector(char **f)
{
	CodecBytes	secret;
	CodecBytes	salt;
	size_t		json_len;
	char	   *token = NULL;
	size_t		token_len = 0;
	CodecStatus st;

	secret.len = unhex_field(f[2]);
	secret.data = f[2];
	salt.len = unhex_field(f[3]);
	salt.data = f[3];
	json_len = unhex_field(f[7]);
	st = codec_encode(f[7], json_len, secret, salt, strcmp(f[4], "1") == 0,
					  strtoll(f[5], NULL, 10), strtoull(f[6], NULL, 10),
					  &token, &token_len);
	CHECK(st == CODEC_OK);
	CHECK(token != NULL && token_len == strlen(f[8]) && strcmp(token, f[8]) == 0);
	free(token);
}

static void
run_decode_vector(char **f)
{
	CodecBytes	salt;
	CodecBytes	secrets[8];
	int			nsecrets = 0;
	size_t		token_len;
	size_t		want_len;
	char	   *out = NULL;
	size_t		out_len = 0;
	char	   *save = NULL;
	char	   *s;
	CodecStatus st;

	salt.len = unhex_field(f[2]);
	salt.data = f[2];
	for (s = strtok_r(f[3], ",", &save); s != NULL && nsecrets < 8;
		 s = strtok_r(NULL, ",", &save))
	{
		secrets[nsecrets].len = unhex_field(s);
		secrets[nsecrets].data = s;
		nsecrets++;
	}
	token_len = unhex_field(f[7]);
	want_len = unhex_field(f[9]);
	st = codec_decode(f[7], token_len, secrets, nsecrets, salt,
					  strtoll(f[4], NULL, 10), strtoll(f[5], NULL, 10),
					  strtoull(f[6], NULL, 10), &out, &out_len);
	CHECK(strcmp(codec_status_name(st), f[8]) == 0);
	if (strcmp(codec_status_name(st), f[8]) != 0)
		printf("  got %s, want %s\n", codec_status_name(st), f[8]);
	if (st == CODEC_OK)
	{
		CHECK(out != NULL && out_len == want_len && memcmp(out, f[9], want_len) == 0);
		CHECK(out != NULL && strlen(out) == out_len);
	}
	else
		CHECK(out == NULL && out_len == 0);
	free(out);
}

static void
run_vectors(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char	   *line = NULL;
	size_t		cap = 0;
	int			count = 0;

	if (f == NULL)
	{
		begin_test("vector file");
		printf("  cannot open %s\n", path);
		CHECK(!"vector file readable");
		end_test();
		return;
	}
	while (getline(&line, &cap, f) > 0)
	{
		char	   *fields[12];
		char	   *rest = line;
		char	   *tok;
		char		name[200];
		int			n = 0;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = '\0';
		/* strsep keeps empty fields: a decode line may list no secrets */
		while ((tok = strsep(&rest, "\t")) != NULL && n < 12)
			fields[n++] = tok;
		snprintf(name, sizeof(name), "django %s: %s", n > 1 ? fields[0] : "?",
				 n > 1 ? fields[1] : "?");
		begin_test(name);
		if (n == 9 && strcmp(fields[0], "encode") == 0)
			run_encode_vector(fields);
		else if (n == 10 && strcmp(fields[0], "decode") == 0)
			run_decode_vector(fields);
		else
			CHECK(!"well-formed vector line");
		end_test();
		count++;
	}
	free(line);
	fclose(f);
	begin_test("vector file has vectors");
	CHECK(count >= 100);
	end_test();
}

/* Exponents PostgreSQL's numeric cannot hold are corrupt content. */
static void
test_exponent_limit(void)
{
	char	   *out = NULL;

	CHECK(decode_raw("{\"a\":1e1000}", &out) == CODEC_OK);
	free(out);
	CHECK(decode_raw("{\"a\":1.5E-1000}", &out) == CODEC_OK);
	free(out);
	CHECK(decode_raw("{\"a\":1e1001}", &out) == CODEC_CORRUPT);
	free(out);
	CHECK(decode_raw("{\"a\":-2.5e-99999999999999999999}", &out) == CODEC_CORRUPT);
	free(out);
}

/* "{\"a\":" head, fill repeated n times, tail "}", decoded. */
static CodecStatus
decode_number(const char *head, char fill, size_t n, const char *tail)
{
	size_t		hlen = strlen(head);
	size_t		tlen = strlen(tail);
	char	   *json = malloc(5 + hlen + n + tlen + 2);
	char	   *out = NULL;
	CodecStatus st;

	if (json == NULL)
		abort();
	memcpy(json, "{\"a\":", 5);
	memcpy(json + 5, head, hlen);
	memset(json + 5 + hlen, fill, n);
	memcpy(json + 5 + hlen + n, tail, tlen);
	strcpy(json + 5 + hlen + n + tlen, "}");
	st = decode_raw(json, &out);
	free(out);
	free(json);
	return st;
}

/*
 * Numbers beyond what PostgreSQL's numeric holds (16383 digits after the
 * point, a leading digit at most at the 10^131071 place) are corrupt
 * content, however the digits and the exponent share the work.
 */
static void
test_numeric_limits(void)
{
	/* digits after the point */
	CHECK(decode_number("1.", '1', 16383, "") == CODEC_OK);
	CHECK(decode_number("1.", '1', 16384, "") == CODEC_CORRUPT);
	CHECK(decode_number("0.", '0', 16384, "") == CODEC_CORRUPT);
	CHECK(decode_number("1.", '5', 15383, "e-1000") == CODEC_OK);
	CHECK(decode_number("1.", '5', 15384, "e-1000") == CODEC_CORRUPT);
	CHECK(decode_number("-0.", '0', 16383, "1e1") == CODEC_OK);
	CHECK(decode_number("1.", '1', 17383, "e+1000") == CODEC_OK);
	CHECK(decode_number("1.", '1', 17384, "e1000") == CODEC_CORRUPT);
	/* digits before the point */
	CHECK(decode_number("1", '0', 131071, ".5") == CODEC_OK);
	CHECK(decode_number("1", '0', 131072, ".5") == CODEC_CORRUPT);
	CHECK(decode_number("-9", '9', 130071, ".0e1000") == CODEC_OK);
	CHECK(decode_number("9", '9', 130072, ".0e1000") == CODEC_CORRUPT);
	CHECK(decode_number("0.", '0', 10, "e1000") == CODEC_OK);
	/* the integer digit cap still holds, exponent or not */
	CHECK(decode_number("1", '0', 4299, "") == CODEC_OK);
	CHECK(decode_number("1", '0', 4300, "") == CODEC_CORRUPT);
	CHECK(decode_number("1", '0', 4300, "e0") == CODEC_OK);
}

int
main(int argc, char **argv)
{
	run_test("HMAC-SHA256 RFC 4231 case 1", test_rfc4231_1);
	run_test("HMAC-SHA256 RFC 4231 case 2", test_rfc4231_2);
	run_test("HMAC-SHA256 RFC 4231 case 3", test_rfc4231_3);
	run_test("HMAC-SHA256 RFC 4231 case 4", test_rfc4231_4);
	run_test("HMAC-SHA256 RFC 4231 case 5 (truncated)", test_rfc4231_5);
	run_test("HMAC-SHA256 RFC 4231 case 6", test_rfc4231_6);
	run_test("HMAC-SHA256 RFC 4231 case 7", test_rfc4231_7);
	run_test("HMAC-SHA1 RFC 2202 case 2", test_hmac_sha1);
	run_test("salted_hmac", test_salted_hmac);
	run_test("constant-time text comparison", test_text_equal);
	run_test("base64 encode", test_b64_encode);
	run_test("base64 decode as Python", test_b64_decode);
	run_test("base62 encode", test_base62_encode);
	run_test("base62 decode as baseconv", test_base62_decode);
	run_test("compression threshold", test_compress_threshold);
	run_test("decompression", test_decompress);
	run_test("escapes", test_escapes);
	run_test("surrogate pairs", test_surrogate_pairs);
	run_test("number text kept", test_numbers_kept);
	run_test("duplicate keys", test_duplicate_keys);
	run_test("Latin-1 payload", test_latin1_payload);
	run_test("encode: invalid input", test_encode_invalid_input);
	run_test("encode: limits", test_encode_limits);
	run_test("depth limit", test_depth);
	run_test("round trip", test_round_trip);
	run_test("max_age", test_max_age);
	run_test("fallback secrets", test_fallback_secrets);
	run_test("decode: corrupt content", test_corrupt_statuses);
	run_test("exponent limit", test_exponent_limit);
	run_test("numeric limits", test_numeric_limits);
	run_test("decode: bad signatures", test_bad_signature_statuses);
	run_test("status messages", test_status_messages);
	if (getenv("CODEC_UNDER_VALGRIND") == NULL)
		run_test("out of memory", test_no_memory);

	run_vectors(argc > 1 ? argv[1] : "django_vectors.txt");

	printf("codec: %d passed, %d failed\n", n_passed, n_failed);
	return n_failed == 0 ? 0 : 1;
}
