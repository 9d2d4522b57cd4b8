#!/usr/bin/python3
"""
bench/codec.py: encode and decode throughput of a typical 300-byte Django
session, session.encode / session.decode in SQL versus Django's own
SessionBase.encode / SessionBase.decode in Python, on this machine, as a
ratio of median operations per second.

    bench/codec.py                 # builds, starts a throwaway cluster
    ROUNDS=7 N=20000 bench/codec.py

SQL is measured inside the server, N calls in one statement
(SELECT count(session.encode(...)) FROM generate_series(1, N)), which is the
codec's throughput plus the cost of a SQL function call.  Python is
measured in-process with timeit-style loops.  A third figure, one statement
per call from psycopg2, shows what a client that sends each token in its
own round trip pays; it is reported, not used in the ratio.  With PGHOST
and PGPORT set, that cluster is used and must have the extension
installed.
"""
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROUNDS = int(os.environ.get('ROUNDS', '7'))
N = int(os.environ.get('N', '20000'))
SECRET = 'django-insecure-0123456789abcdefghijklmnopqrstuvwxyz!@#$%^&*()'

# A logged-in user's session with a little application state.
SESSION = {
    '_auth_user_id': '184467',
    '_auth_user_backend': 'django.contrib.auth.backends.ModelBackend',
    '_auth_user_hash': '3f7a9c1e5b2d4f6a8c0e1b3d5f7a9c1e5b2d4f6a8c0e1b3d5f7a9c1e5b2d4f6a',
    '_session_expiry': 1209600,
    'cart': [{'sku': 'A-1042', 'qty': 2}, {'sku': 'B-77', 'qty': 1}],
    'locale': 'de-CH',
    'seen_tour': True,
}


def start_cluster():
    """Build, install and start a throwaway cluster; returns a stop function."""
    script = '''
set -e
cd "$1"
. scripts/lib.sh
install_deps >&2
build_install
dir=$(cluster_root "$PWD")
port=$(free_port 57600)
cluster_start "$dir" "$port" >&2
echo "$dir $port"
'''
    out = subprocess.run(['bash', '-c', script, 'bench', ROOT], check=True,
                         stdout=subprocess.PIPE, text=True).stdout.split()
    cluster_dir, port = out[-2], out[-1]
    os.environ.update(PGHOST='127.0.0.1', PGPORT=port, PGUSER='postgres')

    def stop():
        subprocess.run(['bash', '-c', '. scripts/lib.sh; cluster_stop "$1"; rm -rf "$1"',
                        'bench', cluster_dir], cwd=ROOT)
    return stop


def main():
    stop = None
    if 'PGPORT' not in os.environ:
        stop = start_cluster()
    try:
        return run()
    finally:
        if stop:
            stop()


def run():
    import django
    import psycopg2
    from django.conf import settings
    settings.configure(SECRET_KEY=SECRET)
    django.setup()
    from django.contrib.sessions.backends.db import SessionStore

    conn = psycopg2.connect(dbname='postgres')
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute('CREATE EXTENSION IF NOT EXISTS session')
    cur.execute("SELECT extversion FROM pg_extension WHERE extname = 'session'")

    store = SessionStore()
    data = json.dumps(SESSION, separators=(',', ':'))
    token = store.encode(SESSION)
    cur.execute('SELECT session.decode(%s, %s)', (token, SECRET))
    assert cur.fetchone()[0] == SESSION, 'SQL does not decode what Django encodes'
    cur.execute('SELECT session.encode(%s::jsonb, %s)', (data, SECRET))
    assert store.decode(cur.fetchone()[0]) == SESSION, 'Django does not decode what SQL encodes'

    def sql_rate(query, params):
        cur.execute(query, params + (N,))
        start = time.perf_counter()
        cur.execute(query, params + (N,))
        cur.fetchone()
        return N / (time.perf_counter() - start)

    def py_rate(fn, arg):
        fn(arg)
        start = time.perf_counter()
        for _ in range(N):
            fn(arg)
        return N / (time.perf_counter() - start)

    def per_call_rate(query, params, n=2000):
        start = time.perf_counter()
        for _ in range(n):
            cur.execute(query, params)
            cur.fetchone()
        return n / (time.perf_counter() - start)

    enc_sql = 'SELECT count(session.encode(%s::jsonb, %s)) FROM generate_series(1, %s)'
    dec_sql = 'SELECT count(session.decode(%s, %s)) FROM generate_series(1, %s)'
    rates = {k: [] for k in ('sql_enc', 'py_enc', 'sql_dec', 'py_dec', 'rt_enc', 'rt_dec')}
    for r in range(ROUNDS):
        # Alternate the order so that neither side always runs first.
        order = ['sql', 'py'] if r % 2 == 0 else ['py', 'sql']
        for side in order:
            if side == 'sql':
                rates['sql_enc'].append(sql_rate(enc_sql, (data, SECRET)))
                rates['sql_dec'].append(sql_rate(dec_sql, (token, SECRET)))
            else:
                rates['py_enc'].append(py_rate(store.encode, SESSION))
                rates['py_dec'].append(py_rate(store.decode, token))
        rates['rt_enc'].append(per_call_rate('SELECT session.encode(%s::jsonb, %s)', (data, SECRET)))
        rates['rt_dec'].append(per_call_rate('SELECT session.decode(%s, %s)', (token, SECRET)))
    med = {k: statistics.median(v) for k, v in rates.items()}
    conn.close()

    import django as dj
    print('session: %d bytes of JSON, token %d bytes (%s); %d rounds of %d calls; '
          'Django %s, Python %s, %d CPUs'
          % (len(data), len(token), 'compressed' if token.startswith('.') else 'not compressed',
             ROUNDS, N, dj.get_version(), sys.version.split()[0], os.cpu_count()))
    print()
    print('%-7s %16s %16s %7s %22s' % ('', 'SQL ops/s', 'Django ops/s', 'ratio', 'SQL, 1 call/statement'))
    for op in ('enc', 'dec'):
        print('%-7s %16.0f %16.0f %6.1fx %22.0f' % (
            'encode' if op == 'enc' else 'decode', med['sql_' + op], med['py_' + op],
            med['sql_' + op] / med['py_' + op], med['rt_' + op]))
    print()
    print('medians of %d rounds; SQL inside one statement, Django in-process' % ROUNDS)
    return 0


if __name__ == '__main__':
    sys.exit(main())
