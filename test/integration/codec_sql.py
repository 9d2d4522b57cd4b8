#!/usr/bin/python3
"""
SQL-level interop of session.encode / session.decode / session.import_django
with real Django 3.2, in both directions.

- 1200 generated dicts (unicode, nesting, big compressible strings, numbers,
  booleans, null, keys starting with "_"): Django's SessionBase.encode ->
  session.decode gives the same data; session.encode -> Django's
  SessionBase.decode and signing.loads give the same data, and the token is
  byte for byte what signing.dumps writes for the same dict at the same time.
- The pre-3.1 session format and the SHA-1 signatures of Django 3.2's
  DEFAULT_HASHING_ALGORITHM = 'sha1', fallback secrets.
- Tamper test: every single-byte change (to every other ASCII byte) of valid
  tokens is refused with SQLSTATE SE001.
- Error SQLSTATEs, and no message that carries a token, secret or data.
- Correctly signed garbage (random bytes, broken zlib, truncated JSON, a
  decompression bomb) three times over: only SE003/54000/54001, the backend
  stays up and its memory does not grow.
- import_django from a django_session table written by real Django logins:
  the users stay logged in through SESSION_ENGINE = 'session_store'; a
  failing import leaves nothing; a re-run duplicates nothing.

Needs PGHOST, PGPORT, PGUSER of a cluster with the extension installed.
Prints "codec_sql: N passed, N failed".
"""
import base64
import json
import os
import random
import sys
import time
import warnings
import zlib
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'clients', 'django'))

DB = 'codec_it'
SECRET = 'django-insecure-k3y!for*the@interop#tests$0123456789abcdef'
OLD_SECRET = 'the-secret-before-rotation-0123456789'
SALT = 'django.contrib.sessions.SessionStore'
NAME = 'codec_sql'
sys.setrecursionlimit(20000)

passed = 0
failed = 0


def check(what, ok, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        if failed <= 40:
            print('FAIL: %s %s' % (what, detail[:300]), flush=True)


def log(msg):
    print('== %s' % msg, flush=True)


def admin(sql):
    conn = psycopg2.connect(dbname='postgres')
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


admin('DROP DATABASE IF EXISTS %s' % DB)
admin('CREATE DATABASE %s' % DB)

import django  # noqa: E402
from django.conf import settings  # noqa: E402

warnings.simplefilter('ignore')
settings.configure(
    SECRET_KEY=SECRET,
    DATABASES={'default': {
        'ENGINE': 'django.db.backends.postgresql', 'NAME': DB,
        'HOST': os.environ.get('PGHOST', '127.0.0.1'),
        'PORT': os.environ.get('PGPORT', '5432'),
        'USER': os.environ.get('PGUSER', 'postgres'),
    }},
    INSTALLED_APPS=['django.contrib.contenttypes', 'django.contrib.auth',
                    'django.contrib.sessions'],
    PASSWORD_HASHERS=['django.contrib.auth.hashers.MD5PasswordHasher'],
    USE_TZ=True,
    DEFAULT_AUTO_FIELD='django.db.models.AutoField',
)
django.setup()

from django.contrib.auth import get_user_model, login  # noqa: E402
from django.contrib.auth.middleware import AuthenticationMiddleware  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore as DBStore  # noqa: E402
from django.contrib.sessions.middleware import SessionMiddleware  # noqa: E402
from django.contrib.sessions.serializers import PickleSerializer  # noqa: E402
from django.core import signing  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

conn = psycopg2.connect(dbname=DB)
conn.autocommit = True
cur = conn.cursor()
cur.execute('CREATE EXTENSION session')
notices = conn.notices


def sql(query, params=()):
    cur.execute(query, params)
    return cur.fetchone()[0]


def sqlstate(query, params=()):
    """(SQLSTATE, full message text) of an error, or (None, result)."""
    try:
        return None, sql(query, params)
    except psycopg2.Error as e:
        diag = e.diag
        text = ' '.join(filter(None, [diag.message_primary, diag.message_detail,
                                      diag.message_hint]))
        return e.pgcode, text


def django_dumps(data, ts, compress=True):
    with mock.patch('time.time', return_value=ts):
        return signing.dumps(data, key=SECRET, salt=SALT, compress=compress)


# ---------------------------------------------------------------- generator
ALPHABETS = [
    'abcdefghijklmnopqrstuvwxyz', 'ABC XYZ 0123456789 _-.:/',
    'àéîõüßçñÆØÅ', 'Ωπλ€£¥©®™', '日本語中文한국어', 'עברית العربية',
    '😀🎉🚀𝄞𐍈', '\u0301\u200b\u2028\u2029\ufeff', '"\\/\b\f\n\r\t\x01\x1f\x7f',
]


def gen_str(rng, n=None):
    n = rng.randint(0, 24) if n is None else n
    alpha = ''.join(rng.sample(ALPHABETS, rng.randint(1, 3)))
    return ''.join(rng.choice(alpha) for _ in range(n))


def gen_number(rng):
    kind = rng.randint(0, 9)
    if kind == 0:
        return rng.randint(-10, 10)
    if kind == 1:
        return rng.randint(-2 ** 63, 2 ** 63)
    if kind == 2:
        return rng.randint(-10 ** 40, 10 ** 40)
    if kind == 3:
        return round(rng.uniform(-1000, 1000), rng.randint(0, 6))
    if kind == 4:
        return rng.choice([0.1, 0.5, 2.5, -0.0, 1e-7, 1.5e300, 3.14159, 1e16, 2.2250738585072014e-308])
    if kind == 5:
        return rng.random()
    return rng.randint(0, 10 ** 6)


def gen_value(rng, depth):
    r = rng.random()
    if depth > 0 and r < 0.15:
        return [gen_value(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    if depth > 0 and r < 0.30:
        return gen_dict(rng, depth - 1, rng.randint(0, 4))
    r = rng.random()
    if r < 0.35:
        return gen_str(rng)
    if r < 0.65:
        return gen_number(rng)
    if r < 0.80:
        return rng.choice([True, False])
    return None


def gen_key(rng):
    r = rng.random()
    if r < 0.3:
        return '_' + gen_str(rng, rng.randint(0, 10))
    if r < 0.35:
        return ''
    return gen_str(rng, rng.randint(1, 12))


def gen_dict(rng, depth, width):
    return {gen_key(rng): gen_value(rng, depth) for _ in range(width)}


def generate(n):
    rng = random.Random(20240601)
    dicts = [{}, {'_auth_user_id': '1'}, {'a': 'a' * 200000},
             {'deep': json.loads('[' * 400 + ']' * 400)}]
    while len(dicts) < n:
        i = len(dicts)
        d = gen_dict(rng, rng.randint(0, 5), rng.randint(0, 12))
        if i % 3 == 0:
            d['_auth_user_id'] = str(rng.randint(1, 10 ** 6))
            d['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend'
            d['_auth_user_hash'] = '%040x' % rng.getrandbits(160)
        if i % 5 == 0:
            d['_session_expiry'] = rng.choice([0, 300, 1209600, '2031-05-04T03:02:01+00:00'])
        if i % 17 == 0:
            d['big'] = gen_str(rng, 40) * rng.randint(50, 2000)
        if i % 29 == 0:
            d['nest'] = json.loads('{"x":' * 100 + '1' + '}' * 100)
        dicts.append(d)
    return dicts


def same(a, b):
    """Equal as Django sees JSON data; numbers by value (jsonb keeps them as numeric)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return Decimal(repr(a)) == Decimal(repr(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def text_stable(v):
    """Whether jsonb prints every number of v as Python's json.dumps does."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return True
    if isinstance(v, int):
        return True
    if isinstance(v, float):
        r = repr(v)
        return 'e' not in r and 'inf' not in r and r != '-0.0'
    if isinstance(v, dict):
        return all(text_stable(x) for x in v.values())
    return all(text_stable(x) for x in v)


# ------------------------------------------------------ generated interop
def interop():
    dicts = generate(1200)
    store = DBStore()
    ts = 1717243200
    signed_at = timezone.datetime.fromtimestamp(ts, tz=timezone.utc)
    exact = 0
    for i, d in enumerate(dicts):
        # Django -> SQL
        token = store.encode(d)
        state, got = sqlstate('SELECT session.decode(%s, %s)', (token, SECRET))
        check('django->sql #%d' % i, state is None and same(got, d), '%s %s' % (state, got))
        # SQL -> Django
        state, ours = sqlstate('SELECT session.encode(%s::jsonb, %s, signed_at => %s)',
                               (json.dumps(d), SECRET, signed_at))
        if state is not None:
            check('sql encode #%d' % i, False, state)
            continue
        back = store.decode(ours)
        check('sql->django SessionBase.decode #%d' % i, same(back, d))
        strict = signing.loads(ours, key=SECRET, salt=SALT)
        check('sql->django signing.loads #%d' % i, same(strict, d))
        # Byte for byte: Django signing the dict in jsonb's key order.
        if text_stable(d):
            as_stored = json.loads(sql('SELECT %s::jsonb::text', (json.dumps(d),)))
            check('sql token == signing.dumps #%d' % i, ours == django_dumps(as_stored, ts),
                  ours[:80])
            exact += 1
        # Both directions without compression.
        if i % 10 == 0:
            plain = sql('SELECT session.encode(%s::jsonb, %s, compress => false, signed_at => %s)',
                        (json.dumps(d), SECRET, signed_at))
            check('uncompressed sql->django #%d' % i, same(signing.loads(plain, key=SECRET, salt=SALT), d))
            plain = signing.dumps(d, key=SECRET, salt=SALT, compress=False)
            check('uncompressed django->sql #%d' % i,
                  same(sql('SELECT session.decode(%s, %s)', (plain, SECRET)), d))
    log('%d dicts both ways, %d of them compared byte for byte' % (len(dicts), exact))
    return dicts


def formats(dicts):
    store = DBStore()
    # The pre-3.1 session format, as Django before 3.1 wrote it.
    for i, d in enumerate(dicts[:200]):
        legacy = store._legacy_encode(d)
        state, got = sqlstate('SELECT session.decode(%s, %s)', (legacy, SECRET))
        check('legacy format #%d' % i, state is None and same(got, d), str(state))
    # Django's own legacy test vector (tests/sessions_tests test_decode_legacy).
    vector = ('OWUzNTNmNWQxNTBjOWExZmM4MmQ3NzNhMDRmMjU4NmYwNDUyNGI2NDp7ImEgdGVzd'
              'CBrZXkiOiJhIHRlc3QgdmFsdWUifQ==')
    check('legacy vector', sql('SELECT session.decode(%s, %s)', (vector, 'django_tests_secret_key'))
          == {'a test key': 'a test value'})
    # SHA-1 signatures of Django 3.2 with DEFAULT_HASHING_ALGORITHM = 'sha1'.
    with override_settings(DEFAULT_HASHING_ALGORITHM='sha1'):
        for i, d in enumerate(dicts[:50]):
            token = signing.dumps(d, key=SECRET, salt=SALT, compress=True)
            check('sha1 signature #%d' % i, same(sql('SELECT session.decode(%s, %s)', (token, SECRET)), d))
    # Secret rotation: the old secret as a fallback.
    for i, d in enumerate(dicts[:50]):
        token = signing.dumps(d, key=OLD_SECRET, salt=SALT, compress=True)
        got = sql('SELECT session.decode(%s, %s, fallback_secrets => %s)',
                  (token, SECRET, ['unrelated', OLD_SECRET]))
        check('fallback secret #%d' % i, same(got, d))
        state, _ = sqlstate('SELECT session.decode(%s, %s)', (token, SECRET))
        check('no fallback, bad signature #%d' % i, state == 'SE001', str(state))
    # A salt of one's own, and the max_age of TimestampSigner.
    token = signing.dumps({'x': 1}, key=SECRET, salt='my.salt', compress=True)
    check('custom salt', sql('SELECT session.decode(%s, %s, %s)', (token, SECRET, 'my.salt')) == {'x': 1})
    check('custom salt, wrong salt', sqlstate('SELECT session.decode(%s, %s)', (token, SECRET))[0] == 'SE001')
    token = sql("SELECT session.encode('{\"x\": 1}', %s, 'my.salt', signed_at => now() - interval '100 seconds')",
                (SECRET,))
    check('max_age within', signing.loads(token, key=SECRET, salt='my.salt', max_age=200) == {'x': 1})
    check('max_age within sql', sql('SELECT session.decode(%s, %s, %s, max_age => 200)',
                                    (token, SECRET, 'my.salt')) == {'x': 1})
    try:
        signing.loads(token, key=SECRET, salt='my.salt', max_age=50)
        check('django refuses expired', False)
    except signing.SignatureExpired:
        check('django refuses expired', True)


# ------------------------------------------------------------ tamper test
TAMPER_FUNCTION = """
CREATE FUNCTION pg_temp.tamper(token text, secret text, OUT sqlstate text, OUT n bigint)
RETURNS SETOF record LANGUAGE plpgsql AS $$
DECLARE
    bytes bytea := convert_to(token, 'UTF8');
    variant bytea;
    state text;
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS tamper_result (state text);
    TRUNCATE tamper_result;
    FOR pos IN 0 .. length(bytes) - 1 LOOP
        FOR b IN 1 .. 127 LOOP
            CONTINUE WHEN b = get_byte(bytes, pos);
            variant := set_byte(bytes, pos, b);
            BEGIN
                PERFORM session.decode(convert_from(variant, 'UTF8'), secret);
                state := 'accepted';
            EXCEPTION WHEN OTHERS THEN
                state := SQLSTATE;
            END;
            INSERT INTO tamper_result VALUES (state);
        END LOOP;
    END LOOP;
    RETURN QUERY SELECT r.state, count(*) FROM tamper_result r GROUP BY r.state;
END
$$;
"""


def tamper(dicts):
    cur.execute(TAMPER_FUNCTION)
    tokens = [
        django_dumps({}, 1717243200),
        django_dumps({'_auth_user_id': '42', 'cart': [1, 2, 3]}, 1717243200),
        django_dumps({'big': 'abc' * 100}, 1717243200),          # compressed: starts with "."
        django_dumps(dicts[7], 1717243200, compress=False),
        signing.dumps({'a': 'é'}, key=OLD_SECRET, salt=SALT),   # checked with a fallback too
    ]
    check('a compressed token is tampered', tokens[2].startswith('.'))
    total = 0
    for i, token in enumerate(tokens):
        cur.execute('SELECT * FROM pg_temp.tamper(%s, %s)', (token, SECRET if i < 4 else OLD_SECRET))
        states = dict(cur.fetchall())
        n = sum(states.values())
        total += n
        check('tamper token %d: %d variants all SE001' % (i, n),
              list(states) == ['SE001'] and n == len(token) * 126, repr(states))
    log('tamper: %d single-byte variants of %d tokens' % (total, len(tokens)))


# ------------------------------------------------------------ error codes
def errors():
    tok = django_dumps({'k': 'secret-value-in-data'}, int(time.time()))

    def expect(what, code, query, params, must_not_contain=()):
        state, text = sqlstate(query, params)
        check('%s: SQLSTATE %s' % (what, code), state == code, '%s %s' % (state, text))
        for s in must_not_contain:
            check('%s: message does not carry input' % what, s not in str(text))

    secrets = (SECRET, tok, tok.split(':')[-1], 'secret-value-in-data')
    expect('bad signature', 'SE001', 'SELECT session.decode(%s, %s)', (tok, 'wrong-secret'), secrets)
    expect('garbage', 'SE001', 'SELECT session.decode(%s, %s)', ('not a token', SECRET))
    expect('empty token', 'SE001', 'SELECT session.decode(%s, %s)', ('', SECRET))
    old = sql("SELECT session.encode('{\"a\": 1}', %s, signed_at => now() - interval '1 hour')", (SECRET,))
    expect('expired', 'SE002', 'SELECT session.decode(%s, %s, max_age => 60)', (old, SECRET), (SECRET, old))
    for what, payload in (('a list', [1, 2]), ('a string', 'x'), ('a number', 1)):
        token = signing.dumps(payload, key=SECRET, salt=SALT, compress=True)
        expect('corrupt: %s' % what, 'SE003', 'SELECT session.decode(%s, %s)', (token, SECRET), (token,))
    pickled = signing.dumps({'a': 1}, key=SECRET, salt=SALT, serializer=PickleSerializer)
    expect('corrupt: pickle', 'SE003', 'SELECT session.decode(%s, %s)', (pickled, SECRET))
    nul = signing.dumps({'a': 'x\x00y'}, key=SECRET, salt=SALT, compress=True)
    expect('corrupt: NUL jsonb cannot hold', 'SE003', 'SELECT session.decode(%s, %s)', (nul, SECRET))
    lone = signing.dumps({'a': '\ud800'}, key=SECRET, salt=SALT)
    expect('corrupt: lone surrogate', 'SE003', 'SELECT session.decode(%s, %s)', (lone, SECRET))
    # Numbers Python reads (as floats) but PostgreSQL's numeric cannot hold.
    signer = signing.TimestampSigner(key=SECRET, salt=SALT)
    for what, text in (('16384 digits after the point', '{"a":1.%s}' % ('1' * 16384)),
                       ('131073 digits before the point', '{"a":1%s.5}' % ('0' * 131072)),
                       ('16384 after the point by exponent', '{"a":1.%se-1000}' % ('5' * 15384))):
        token = signer.sign('.' + base64.urlsafe_b64encode(zlib.compress(text.encode(), 9)).decode().rstrip('='))
        check('Django reads a number of %s' % what,
              isinstance(signing.loads(token, key=SECRET, salt=SALT)['a'], float))
        expect('corrupt: number of %s' % what, 'SE003', 'SELECT session.decode(%s, %s)', (token, SECRET))
    expect('101 fallback secrets', '54000', 'SELECT session.decode(%s, %s, fallback_secrets => %s)',
           (tok, 'wrong-secret', [SECRET] + ['other-%d' % i for i in range(100)]), secrets)
    check('100 fallback secrets', sql('SELECT session.decode(%s, %s, fallback_secrets => %s)',
                                      (tok, 'wrong-secret', ['other-%d' % i for i in range(99)] + [SECRET]))
          == {'k': 'secret-value-in-data'})
    bomb = signing.dumps({'a': 'x' * 3_000_000}, key=SECRET, salt=SALT, compress=True)
    check('bomb is small', len(bomb) < 10000)
    expect('decompression bomb', '54000', 'SELECT session.decode(%s, %s)', (bomb, SECRET))
    deep = signing.dumps({'a': json.loads('[' * 600 + ']' * 600)}, key=SECRET, salt=SALT)
    expect('too deep to decode', '54001', 'SELECT session.decode(%s, %s)', (deep, SECRET))
    expect('too deep to encode', '54001', 'SELECT session.encode(%s::jsonb, %s)',
           ('{"a":' + '[' * 600 + ']' * 600 + '}', SECRET))
    expect('too large to encode', '54000', 'SELECT session.encode(%s::jsonb, %s)',
           (json.dumps({'a': 'x' * 2_000_000}), SECRET))
    expect('integer Django cannot read', '22023', 'SELECT session.encode(%s::jsonb, %s)',
           ('{"a": %s}' % ('9' * 5000), SECRET))
    expect('not an object', '22023', "SELECT session.encode('[1]', %s)", (SECRET,))
    expect('empty secret', '22023', 'SELECT session.decode(%s, %s)', (tok, ''))
    expect('null secret', '22004', 'SELECT session.decode(%s, NULL)', (tok,))
    expect('null fallback', '22004', "SELECT session.decode(%s, %s, fallback_secrets => '{NULL}')", (tok, SECRET))
    expect('negative max_age', '22023', 'SELECT session.decode(%s, %s, max_age => -1)', (tok, SECRET))
    expect('infinite signed_at', '22008', "SELECT session.encode('{}', %s, signed_at => 'infinity')", (SECRET,))
    check('null token is null', sql('SELECT session.decode(NULL, %s)', (SECRET,)) is None)
    check('null data is null', sql('SELECT session.encode(NULL, %s)', (SECRET,)) is None)
    # The size limit follows session.max_data_size.
    cur.execute("SET session.max_data_size = '1kB'")
    big = signing.dumps({'a': 'y' * 5000}, key=SECRET, salt=SALT, compress=True)
    expect('max_data_size on decode', '54000', 'SELECT session.decode(%s, %s)', (big, SECRET))
    cur.execute('RESET session.max_data_size')
    check('max_data_size reset', sql('SELECT session.decode(%s, %s)', (big, SECRET)) == {'a': 'y' * 5000})


# ------------------------------------------------- hostile signed content
def hostile():
    """Correctly signed garbage: refused with SE003/54000/54001, never a crash or a leak."""
    rng = random.Random(7)
    signer = signing.TimestampSigner(key=SECRET, salt=SALT)
    samples = []
    for i in range(3000):
        kind = i % 4
        if kind == 0:
            raw = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 200)))
            payload = base64.urlsafe_b64encode(raw).decode().rstrip('=')
        elif kind == 1:
            raw = zlib.compress(bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300))))
            payload = '.' + base64.urlsafe_b64encode(raw[:rng.randint(0, len(raw))]).decode().rstrip('=')
        elif kind == 2:
            text = json.dumps(gen_dict(rng, 3, 4))
            cut = text[:rng.randint(0, len(text))] + rng.choice(['', '}', ']', '"', '\\', ',', 'NaN'])
            payload = base64.urlsafe_b64encode(cut.encode()).decode().rstrip('=')
        else:
            payload = ''.join(rng.choice('abcXYZ019-_.:') for _ in range(rng.randint(0, 40)))
        samples.append(signer.sign(payload))
    samples.append(signer.sign('.' + base64.urlsafe_b64encode(zlib.compress(b'{"a":"' + b'x' * 5_000_000 + b'"}', 9)).decode().rstrip('=')))
    # and valid ones, so that a leak on the success path shows too
    samples += [django_dumps({'n': i, 'pad': gen_str(rng, 2000)}, int(time.time())) for i in range(1000)]
    pid = sql('SELECT pg_backend_pid()')

    def rss():
        with open('/proc/%d/status' % pid) as f:
            return int(next(line for line in f if line.startswith('VmRSS')).split()[1])
    states = {}
    for rounds in range(3):
        if rounds == 1:
            before = rss()
        for token in samples:
            state, _ = sqlstate('SELECT session.decode(%s, %s)', (token, SECRET))
            states[state] = states.get(state, 0) + 1
    growth = rss() - before
    check('signed garbage: only SE003/54000/54001 or data', set(states) <= {None, 'SE003', '54000', '54001'},
          repr(states))
    check('signed garbage: some valid', states.get(None, 0) >= 3000, repr(states))
    check('signed garbage: backend alive', sql('SELECT 1') == 1)
    check('signed garbage: no memory growth (%d kB)' % growth, growth < 2048)
    log('hostile: %d signed garbage tokens x 3: %r' % (len(samples), states))


# ------------------------------------------------------------------ import
def do_login(user, expiry=None):
    request = RequestFactory().get('/')
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    login(request, user)
    if expiry is not None:
        request.session.set_expiry(expiry)
    request.session['greeting'] = 'grüß dich ☃'
    request.session.save()
    return request.session.session_key


def import_django():
    call_command('migrate', verbosity=0)
    User = get_user_model()
    users = [User.objects.create_user('user%d' % i, password='pw%d' % i) for i in range(30)]
    logged_in = {}
    for u in users:
        logged_in[do_login(u)] = u.pk
    fixed = do_login(users[0], expiry=3 * 86400)
    logged_in[fixed] = users[0].pk
    anonymous = DBStore()
    anonymous['cart'] = ['ü', 2]
    anonymous.save()
    expired = DBStore()
    expired['x'] = 1
    expired.set_expiry(-60)
    expired.save()
    # Written before a rotation of SECRET_KEY: Django 3.2 checks a login's
    # auth hash with the current key only, so this one holds no login.
    with override_settings(SECRET_KEY=OLD_SECRET):
        rotated = DBStore()
        rotated['cart'] = ['from before the rotation']
        rotated.save()
    legacy_key = 'legacy' + 'a' * 26
    forged_key = 'forged' + 'b' * 26
    pickled_key = 'pickled' + 'c' * 25
    bad_key = 'bad.key.' + 'd' * 24  # a dot: no key the store accepts
    with connections['default'].cursor() as c:
        future = timezone.now() + timedelta(days=1)
        c.execute('INSERT INTO django_session VALUES (%s, %s, %s)',
                  [legacy_key, DBStore()._legacy_encode({'_auth_user_id': str(users[2].pk), 'old': True}), future])
        c.execute('INSERT INTO django_session VALUES (%s, %s, %s)',
                  [forged_key, signing.dumps({'_auth_user_id': '1'}, key='attacker', salt=SALT), future])
        c.execute('INSERT INTO django_session VALUES (%s, %s, %s)',
                  [pickled_key, signing.dumps({'a': 1}, key=SECRET, salt=SALT, serializer=PickleSerializer), future])
        c.execute('INSERT INTO django_session VALUES (%s, %s, %s)',
                  [bad_key, signing.dumps({'a': 1}, key=SECRET, salt=SALT), future])
        c.execute('SELECT count(*) FROM django_session')
        total = c.fetchone()[0]
    check('django_session written by Django', total == len(logged_in) + 3 + 4, str(total))

    # Never half-imported: an error after the first batch leaves nothing.
    cur.execute("""CREATE VIEW failing_source AS
        SELECT session_key, session_data, expire_date FROM django_session
        UNION ALL
        SELECT 'zz' || lpad(i::text, 30, '0'), 'x',
               CASE WHEN i < 1500 THEN now() + interval '1 day' ELSE now() + (1 / (i - i)) * interval '1 day' END
        FROM generate_series(1, 1500) AS i""")
    state, _ = sqlstate("SELECT session.import_django('failing_source', %s)", (SECRET,))
    check('failing import raises', state == '22012', str(state))
    check('failing import leaves nothing', sql('SELECT count(*) FROM session.sessions') == 0)

    del notices[:]
    n = sql("SELECT session.import_django(secret => %s, fallback_secrets => %s)", (SECRET, [OLD_SECRET]))
    expected = len(logged_in) + 3            # logins, anonymous, rotated, legacy
    check('imported count', n == expected, '%s != %s' % (n, expected))
    warning = [m for m in notices if 'WARNING' in m]
    check('one warning for the skipped rows', len(warning) == 1 and 'skipped 3 sessions' in warning[0],
          repr(notices))
    everything = ' '.join(notices)
    for k in list(logged_in) + [forged_key, pickled_key, bad_key, legacy_key]:
        check('no key in notices', k not in everything)
    check('no secret in notices', SECRET not in everything and OLD_SECRET not in everything)

    # Expiry dates and accounts carried over.
    with connections['default'].cursor() as c:
        c.execute('SELECT session_key, expire_date FROM django_session')
        dates = dict(c.fetchall())
    for key, pk in logged_in.items():
        check('expire_date kept', sql('SELECT session.expiry_date(%s)', (key,)) == dates[key])
        check('account bound', sql('SELECT account FROM session.sessions WHERE key_hash = session._key_digest(%s, false)',
                                   (key,)) == str(pk))
    check('expired not imported', sql('SELECT session.exists(%s)', (expired.session_key,)) is False)
    check('forged not imported', sql('SELECT session.exists(%s)', (forged_key,)) is False)
    check('legacy imported', sql('SELECT session.load(%s)', (legacy_key,)) ==
          {'_auth_user_id': str(users[2].pk), 'old': True})
    check('rotated imported with a fallback', sql('SELECT session.load(%s)', (rotated.session_key,)) ==
          {'cart': ['from before the rotation']})
    check('anonymous imported', sql('SELECT session.load(%s)', (anonymous.session_key,)) == {'cart': ['ü', 2]})

    # Users stay logged in once the project switches engine.
    with override_settings(SESSION_ENGINE='session_store'):
        for key, pk in logged_in.items():
            request = RequestFactory().get('/')
            request.COOKIES[settings.SESSION_COOKIE_NAME] = key
            SessionMiddleware(lambda r: HttpResponse()).process_request(request)
            AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
            check('still logged in', request.user.is_authenticated and request.user.pk == pk,
                  str(request.user))
            check('data kept', request.session.get('greeting') == 'grüß dich ☃')
    # Safe to run again: nothing duplicated.
    rows = sql('SELECT count(*) FROM session.sessions')
    del notices[:]
    check('re-run imports nothing', sql("SELECT session.import_django(secret => %s, fallback_secrets => %s)",
                                        (SECRET, [OLD_SECRET])) == 0)
    check('re-run notice', any('skipped %d sessions that the store already has' % expected in m
                               for m in notices), repr(notices))
    check('re-run duplicates nothing', sql('SELECT count(*) FROM session.sessions') == rows)
    # A session made on the old engine after the first import comes over.
    late = do_login(users[5])
    check('late session imported', sql("SELECT session.import_django(secret => %s)", (SECRET,)) == 1)
    check('late session live', sql('SELECT session.exists(%s)', (late,)) is True)


def main():
    start = time.time()
    try:
        dicts = interop()
        formats(dicts)
        tamper(dicts)
        errors()
        hostile()
        import_django()
    finally:
        connections.close_all()
        conn.close()
        admin('DROP DATABASE IF EXISTS %s' % DB)
    log('took %.1fs' % (time.time() - start))
    print('%s: %d passed, %d failed' % (NAME, passed, failed))
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
