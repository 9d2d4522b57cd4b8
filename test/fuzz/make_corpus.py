"""
make_corpus.py
    Writes the seed corpus of the fuzz harnesses, tokens made by Django 3.2
    with the harnesses' secret:

        /usr/bin/python3 make_corpus.py

corpus/decode/ files start with the harness's mode byte (see fuzz_decode.c);
corpus/encode/ files are JSON texts as jsonb prints them.
"""

import base64
import os
import zlib
from unittest import mock

import django
from django.conf import settings

SECRET = "fuzz-secret"
SALT = "django.contrib.sessions.SessionStore"

settings.configure(SECRET_KEY=SECRET)
django.setup()

from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core import signing  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = {"_auth_user_id": "1", "cart": [1, 2.5, None, True],
          "name": "caf\u00e9 \U0001F600", "n": 10 ** 30, "d": {"e": []}}


def write(kind, name, data):
    folder = os.path.join(HERE, "corpus", kind)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def dumps(obj, compress=True, **kw):
    with mock.patch("time.time", return_value=1700000000.0):
        return signing.dumps(obj, salt=SALT, compress=compress, **kw)


def main():
    raw = b'{"a":[1,2.50,"\\u00e9\\ud83d\\ude00"],"b":{"c":null},"t":true}'
    sha1 = signing.TimestampSigner(salt=SALT, algorithm="sha1")
    with mock.patch("time.time", return_value=1700000000.0):
        sha1_token = sha1.sign_object(SAMPLE, compress=True)

    write("decode", "token-plain", b"\x00" + dumps({"a": 1}).encode())
    write("decode", "token-compressed",
          b"\x00" + dumps(dict(SAMPLE, blob="xyz" * 100)).encode())
    write("decode", "token-sha1", b"\x00" + sha1_token.encode())
    write("decode", "token-legacy",
          b"\x00" + SessionStore()._legacy_encode(SAMPLE).encode())
    write("decode", "token-max-age", b"\x84" + dumps(SAMPLE).encode())
    write("decode", "value-signed", b"\x01eyJhIjoxfQ:1r31eq")
    write("decode", "value-odd-base64", b"\x01.eJy!rVkq=:-0")
    write("decode", "json-payload", b"\x02" + raw)
    write("decode", "json-latin1", b"\x02" + '{"k":"caf\xe9"}'.encode("latin-1"))
    write("decode", "zlib-stream", b"\x03" + zlib.compress(raw) + b"tail")
    write("decode", "json-compressed", b"\x04" + raw)
    write("decode", "json-legacy", b"\x05" + raw)
    # Numbers just inside what PostgreSQL's numeric holds, so that one
    # mutation crosses a limit: 16383 digits after the point, an integer
    # of 4300 digits, a fraction led by 16382 zeros, an exponent of 1000.
    write("decode", "json-number-limits",
          b"\x04" + b'{"a":1.' + b"1" * 16383 + b',"b":1' + b"0" * 4299 +
          b',"c":0.' + b"0" * 16382 + b'1,"d":-1.5e-1000,"e":9e+1000}')

    write("encode", "sample", '{"_auth_user_id": "1", "cart": [1, 2.50, null, '
          'true], "name": "caf\u00e9 \U0001F600", "n": 1000000000000000000000'
          '000000000, "d": {"e": []}}')
    write("encode", "escapes", '{"s": "\\" \\\\ \\/ \\b \\f \\n \\r \\t '
          '\\u0001 \\ud83d\\ude00 \x7f"}')
    write("encode", "empty", "{}")
    write("encode", "nested", '{"a": {"b": [[[{"c": [true, false]}]]]}}')
    write("encode", "compressible", '{"blob": "' + "ab" * 300 + '"}')
    write("encode", "duplicates", '{"a": 1, "b": 2, "a": -0.0e+1}')


if __name__ == "__main__":
    main()
