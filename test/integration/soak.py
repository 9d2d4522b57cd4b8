#!/usr/bin/python3
"""
Concurrency soak: many clients on the same sessions and accounts while
autovacuum and a background client keep vacuuming and analyzing the tables.

For SOAK_SECONDS (default 60), SOAK_CLIENTS processes (default 8) call the
API on overlapping keys and accounts: load, save, set, pop, get, exists,
cycle_key, login, logout, delete, set_expiry, logout_everywhere, create,
mostly one call per transaction (autocommit, as Django runs), sometimes a
few calls in one transaction (a request under ATOMIC_REQUESTS).  Half the
clients run with session.touch_interval = 0, so their loads and saves write.
autovacuum runs every second with thresholds of 20 rows on session.sessions
and session.accounts; one more client runs ANALYZE and VACUUM on them in a
loop, and purge_expired.

- Counter sessions: 12 anonymous sessions every client writes.  Client c
  alone writes field "c<c>", which it increments (reads, adds one, sets),
  and field "p<c>" (set, then popped); its reads must show exactly what it
  wrote, and at the end "c<c>" holds the number of increments it saw
  acknowledged and "p<c>" what it last wrote: no update lost.  Nothing but set, pop, get, load, exists and set_expiry
  touches them.
- Pool sessions: 48 slots in table soak_pool, each holding the key of a
  session that any client may save, cycle, log in to an account of 6, log
  out, delete, expire, or end with logout_everywhere; a client that ends
  or cycles a slot's key puts a new one in the slot.  Every key whose end
  a client saw acknowledged (logout, delete, the old key of cycle_key or
  login) must never load again, during the run or at the end.

Errors are counted by SQLSTATE.  Fails on any XX000 or 55000, on any error
of a single-call transaction (40P01 included), and on errors of the
multi-call transactions other than 40P01 (which the README says such a
transaction may meet).  Ends with amcheck on the session indexes.

Needs PGHOST, PGPORT, PGUSER of a cluster with the extension installed, as
a superuser: sets autovacuum_naptime with ALTER SYSTEM and resets it when
done.  Creates and drops database soak_it.  Prints "soak: N passed, N failed".
"""
import json
import multiprocessing
import os
import random
import sys
import time

import psycopg2

DB = 'soak_it'
SECONDS = float(os.environ.get('SOAK_SECONDS', 60))
CLIENTS = int(os.environ.get('SOAK_CLIENTS', 8))
COUNTERS = 12
SLOTS = 48
ACCOUNTS = ['soak-%d' % i for i in range(6)]
OPS = ['load', 'save', 'set', 'pop', 'get', 'exists', 'cycle_key', 'login', 'logout',
       'delete', 'set_expiry', 'logout_everywhere', 'create']

passed = 0
failed = 0


def check(what, ok):
    global passed, failed
    if ok:
        passed += 1
        print('ok - %s' % what, flush=True)
    else:
        failed += 1
        print('not ok - %s' % what, flush=True)


def connect(dbname=DB):
    # no call may hang the soak: a statement waits 30 s at most
    conn = psycopg2.connect(dbname=dbname, connect_timeout=10, options='-c statement_timeout=30s')
    conn.autocommit = True
    return conn


class Client:
    """One client process; what it saw goes back through a queue as counts."""

    def __init__(self, cid, counters, seed):
        self.cid = cid
        self.rng = random.Random(seed)
        self.counters = counters			# keys of the counter sessions
        self.count = [0] * len(counters)	# acknowledged sets of field c<cid>
        self.scratch = [None] * len(counters)  # acknowledged value of p<cid>, None: popped
        self.dead = []						# keys this client saw end
        self.errors = {}					# 'auto:SQLSTATE' / 'xact:SQLSTATE' -> count
        self.messages = set()				# messages of XX000 and 55000
        self.by_call = {}					# 'call SQLSTATE' -> count
        self.done = dict.fromkeys(OPS, 0)	# acknowledged calls by kind
        self.xacts = 0
        self.read_mismatch = 0
        self.resurrected = 0
        self.conn = connect()
        self.cur = self.conn.cursor()
        if cid % 2 == 0:
            self.cur.execute('SET session.touch_interval = 0')

    def error(self, where, e, kind):
        code = '%s:%s' % (where, e.pgcode or 'none')
        self.errors[code] = self.errors.get(code, 0) + 1
        by = '%s %s' % (kind, e.pgcode or 'none')
        self.by_call[by] = self.by_call.get(by, 0) + 1
        if e.pgcode in ('XX000', '55000') and e.diag.message_primary:
            self.messages.add('%s %s' % (e.pgcode, e.diag.message_primary[:80]))

    def one(self, sql, args=()):
        self.cur.execute(sql, args)
        row = self.cur.fetchone()
        return row[0] if row else None

    def call(self, kind, sql, args=()):
        """One call in its own transaction; (True, result) or (False, None)."""
        try:
            result = self.one(sql, args)
        except psycopg2.Error as e:
            self.error('auto', e, kind)
            return False, None
        self.done[kind] += 1
        return True, result

    # -- counter sessions

    def counter_step(self):
        i = self.rng.randrange(len(self.counters))
        k = self.counters[i]
        mine, scratch = 'c%d' % self.cid, 'p%d' % self.cid
        r = self.rng.random()
        if r < 0.45:
            # an increment of what the session holds, as an app does: an
            # update lost to another writer stays lost
            ok, res = self.call('set', 'SELECT session.set(%s, %s, to_jsonb(coalesce('
                                'session.get(%s, %s)::int, 0) + 1))', (k, mine, k, mine))
            if ok and res:
                self.count[i] += 1
        elif r < 0.65:
            ok, data = self.call('load', 'SELECT session.load(%s)', (k,))
            if ok and (data is None or data.get(mine, 0) != self.count[i]
                       or data.get(scratch) != self.scratch[i]):
                self.read_mismatch += 1
        elif r < 0.75:
            value = self.rng.randrange(1000)
            ok, res = self.call('set', 'SELECT session.set(%s, %s, %s::jsonb)', (k, scratch, json.dumps(value)))
            if ok and res:
                self.scratch[i] = value
        elif r < 0.85:
            ok, res = self.call('pop', 'SELECT session.pop(%s, %s)', (k, scratch))
            if ok:
                if res != self.scratch[i]:
                    self.read_mismatch += 1
                self.scratch[i] = None
        elif r < 0.92:
            ok, res = self.call('get', 'SELECT session.get(%s, %s)', (k, mine))
            if ok and (res or 0) != self.count[i]:
                self.read_mismatch += 1
        elif r < 0.96:
            ok, res = self.call('exists', 'SELECT session.exists(%s)', (k,))
            if ok and res is not True:
                self.read_mismatch += 1
        else:
            self.call('set_expiry', 'SELECT session.set_expiry(%s, 86400)', (k,))

    # -- pool sessions

    def slot_key(self, slot):
        try:
            return self.one('SELECT k FROM soak_pool WHERE slot = %s', (slot,))
        except psycopg2.Error as e:
            self.error('auto', e, 'pool lookup')
            return None

    def replace(self, slot, old, new):
        """Put a key in a slot unless another client changed it already."""
        try:
            if new is None:
                new = self.one('SELECT session.create(%s::jsonb)', (json.dumps({'slot': slot}),))
                self.done['create'] += 1
            self.cur.execute('UPDATE soak_pool SET k = %s WHERE slot = %s AND k = %s', (new, slot, old))
        except psycopg2.Error as e:
            self.error('auto', e, 'pool update')

    def ended(self, key):
        self.dead.append(key)

    def pool_step(self):
        slot = self.rng.randrange(SLOTS)
        k = self.slot_key(slot)
        if k is None:
            return
        r = self.rng.random()
        account = self.rng.choice(ACCOUNTS)
        if r < 0.25:
            ok, data = self.call('load', 'SELECT session.load(%s)', (k,))
            if ok and data is None:			# ended or expired: renew the slot
                self.replace(slot, k, None)
        elif r < 0.40:
            data = {'slot': slot, 'by': self.cid, 'n': self.rng.randrange(1000)}
            if self.rng.random() < 0.3:
                data['_auth_user_id'] = account	# a Django login binds through the data
            self.call('save', 'SELECT session.save(%s, %s::jsonb)', (k, json.dumps(data)))
        elif r < 0.50:
            self.call('set', "SELECT session.set(%s, 'x', %s::jsonb)", (k, json.dumps(self.rng.randrange(1000))))
        elif r < 0.55:
            self.call('pop', "SELECT session.pop(%s, 'x')", (k,))
        elif r < 0.65:
            ok, new = self.call('cycle_key', 'SELECT session.cycle_key(%s)', (k,))
            if ok and new:
                self.ended(k)
                self.replace(slot, k, new)
        elif r < 0.77:
            ok, new = self.call('login', 'SELECT session.login(%s, %s)', (k, account))
            if ok and new:
                if new != k:
                    self.ended(k)
                self.replace(slot, k, new)
        elif r < 0.84:
            ok, res = self.call('logout', 'SELECT session.logout(%s)', (k,))
            if ok:
                if res:
                    self.ended(k)
                self.replace(slot, k, None)
        elif r < 0.88:
            ok, res = self.call('delete', 'SELECT session.delete(%s)', (k,))
            if ok:
                if res:
                    self.ended(k)
                self.replace(slot, k, None)
        elif r < 0.93:
            if self.rng.random() < 0.5:
                self.call('set_expiry', 'SELECT session.set_expiry(%s, %s)', (k, self.rng.choice([1, 2, 600])))
            else:
                self.call('set_expiry', "SELECT session.set_expiry(%s, clock_timestamp() + interval '1 hour')", (k,))
        elif r < 0.96:
            other = self.slot_key(self.rng.randrange(SLOTS))
            self.call('logout_everywhere', 'SELECT session.logout_everywhere(%s, %s)', (account, other))
        else:
            ok, new = self.call('create', 'SELECT session.create(%s::jsonb, NULL, %s)',
                                (json.dumps({'slot': slot}), account))
            if ok:
                self.replace(slot, k, new)

    def transaction(self):
        """A request in one transaction: load a counter session, bump this
        client's field, load a pool session."""
        i = self.rng.randrange(len(self.counters))
        k = self.counters[i]
        pk = self.slot_key(self.rng.randrange(SLOTS))
        if pk is None:
            return
        mine = 'c%d' % self.cid
        self.conn.autocommit = False
        try:
            data = self.one('SELECT session.load(%s)', (k,))
            if data is None or data.get(mine, 0) != self.count[i]:
                self.read_mismatch += 1
            n = (data or {}).get(mine, 0) + 1
            res = self.one('SELECT session.set(%s, %s, %s::jsonb)', (k, mine, json.dumps(n)))
            self.one('SELECT session.load(%s)', (pk,))
            self.conn.commit()
            self.xacts += 1
            if res:
                self.count[i] += 1
        except psycopg2.Error as e:
            self.error('xact', e, 'transaction')
            self.conn.rollback()
        finally:
            self.conn.autocommit = True

    def check_dead(self):
        """A few of the keys this client saw end: none loads."""
        for key in self.rng.sample(self.dead, min(5, len(self.dead))):
            ok, data = self.call('load', 'SELECT session.load(%s)', (key,))
            if ok and data is not None:
                self.resurrected += 1

    def run(self, deadline):
        while time.time() < deadline:
            r = self.rng.random()
            if r < 0.40:
                self.counter_step()
            elif r < 0.85:
                self.pool_step()
            elif r < 0.97:
                self.transaction()
            else:
                self.check_dead()


def client_main(cid, counters, deadline, queue):
    try:
        c = Client(cid, counters, 4242 + cid)
        c.run(deadline)
        queue.put({'cid': cid, 'count': c.count, 'scratch': c.scratch, 'dead': c.dead,
                   'errors': c.errors, 'messages': sorted(c.messages), 'by_call': c.by_call, 'done': c.done, 'xacts': c.xacts,
                   'read_mismatch': c.read_mismatch, 'resurrected': c.resurrected})
    except Exception as e:				# reported as a client that did not finish
        queue.put({'cid': cid, 'crashed': type(e).__name__})


def maintainer(deadline, queue):
    """ANALYZE and VACUUM the session tables in a loop, and purge."""
    runs = 0
    errors = {}
    conn = connect()
    cur = conn.cursor()
    stmts = ['ANALYZE session.sessions', 'ANALYZE session.accounts', 'VACUUM session.sessions',
             'VACUUM (ANALYZE) session.accounts', 'SELECT session.purge_expired()']
    i = 0
    while time.time() < deadline:
        try:
            cur.execute(stmts[i % len(stmts)])
            runs += 1
        except psycopg2.Error as e:
            errors[e.pgcode] = errors.get(e.pgcode, 0) + 1
        i += 1
        time.sleep(0.05)
    queue.put({'maintainer': runs, 'errors': errors})


def main():
    started = time.time()
    admin = connect('postgres')
    acur = admin.cursor()
    acur.execute('DROP DATABASE IF EXISTS %s WITH (FORCE)' % DB)
    acur.execute('CREATE DATABASE %s' % DB)
    acur.execute("ALTER SYSTEM SET autovacuum_naptime = '1s'")
    acur.execute('SELECT pg_reload_conf()')
    try:
        run()
    finally:
        acur.execute('ALTER SYSTEM RESET autovacuum_naptime')
        acur.execute('SELECT pg_reload_conf()')
        acur.execute('DROP DATABASE IF EXISTS %s WITH (FORCE)' % DB)
        admin.close()
    print('# %.0f s' % (time.time() - started))
    print('soak: %d passed, %d failed' % (passed, failed))
    return failed == 0


def run():
    conn = connect()
    cur = conn.cursor()
    cur.execute('CREATE EXTENSION session')
    cur.execute('CREATE EXTENSION amcheck')
    for t in ('session.sessions', 'session.accounts'):
        cur.execute('ALTER TABLE %s SET (autovacuum_vacuum_threshold = 20, autovacuum_vacuum_scale_factor = 0,'
                    ' autovacuum_analyze_threshold = 20, autovacuum_analyze_scale_factor = 0,'
                    ' autovacuum_vacuum_insert_threshold = 20, autovacuum_vacuum_insert_scale_factor = 0,'
                    ' autovacuum_vacuum_cost_delay = 0)' % t)
    counters = []
    for i in range(COUNTERS):
        cur.execute("SELECT session.create(%s::jsonb)", (json.dumps({'counter': i}),))
        counters.append(cur.fetchone()[0])
    cur.execute('CREATE TABLE soak_pool (slot int PRIMARY KEY, k text NOT NULL)')
    for slot in range(SLOTS):
        account = ACCOUNTS[slot % len(ACCOUNTS)] if slot % 2 else None
        cur.execute('INSERT INTO soak_pool SELECT %s, session.create(%s::jsonb, NULL, %s)',
                    (slot, json.dumps({'slot': slot}), account))

    deadline = time.time() + SECONDS
    queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=client_main, args=(c, counters, deadline, queue))
             for c in range(CLIENTS)]
    procs.append(multiprocessing.Process(target=maintainer, args=(deadline, queue)))
    for p in procs:
        p.start()
    results = []
    for _ in procs:
        try:
            results.append(queue.get(timeout=SECONDS + 60))
        except Exception:
            break
    for p in procs:
        p.join(10)
        if p.is_alive():
            p.terminate()

    clients = [r for r in results if 'cid' in r and 'crashed' not in r]
    crashed = [r for r in results if 'crashed' in r]
    maint = [r for r in results if 'maintainer' in r]
    check('%d of %d clients ran to the end%s' % (len(clients), CLIENTS,
          ''.join(' (client %d: %s)' % (r['cid'], r['crashed']) for r in crashed)),
          len(clients) == CLIENTS)
    if not clients:
        return

    done = {op: sum(r['done'][op] for r in clients) for op in OPS}
    xacts = sum(r['xacts'] for r in clients)
    print('# acknowledged calls: %s; %d multi-call transactions'
          % (', '.join('%s %d' % kv for kv in done.items()), xacts))
    errors = {}
    for r in clients:
        for code, n in r['errors'].items():
            errors[code] = errors.get(code, 0) + n
    print('# errors by SQLSTATE (auto: single call, xact: multi-call transaction): %s'
          % (', '.join('%s %d' % kv for kv in sorted(errors.items())) or 'none'))
    by_call = {}
    for r in clients:
        for c, n in r['by_call'].items():
            by_call[c] = by_call.get(c, 0) + n
    if by_call:
        print('#   by call: %s' % ', '.join('%s %d' % kv for kv in sorted(by_call.items())))
    for m in sorted(set(m for r in clients for m in r['messages'])):
        print('#   %s' % m)
    cur.execute("""SELECT sum(autovacuum_count), sum(autoanalyze_count), sum(vacuum_count), sum(analyze_count)
                   FROM pg_stat_user_tables WHERE schemaname = 'session'""")
    av, aa, v, a = cur.fetchone()
    print('# autovacuum %s, autoanalyze %s, VACUUM %s, ANALYZE %s on the session tables' % (av, aa, v, a))

    check('every API call was made and acknowledged (%d calls)' % sum(done.values()),
          all(n > 0 for n in done.values()) and xacts > 0)
    check('the tables were vacuumed and analyzed while the clients ran (%s runs)'
          % (maint[0]['maintainer'] if maint else 'no'),
          bool(maint) and maint[0]['maintainer'] > 0 and not maint[0]['errors'] and (aa or 0) + (a or 0) > 0)

    def count(prefix, code=None):
        return sum(n for c, n in errors.items()
                   if c.startswith(prefix) and (code is None or c.endswith(':' + code)))
    check('no XX000 (internal error): %d' % count('', 'XX000'), count('', 'XX000') == 0)
    check('no 55000 (the session table is missing): %d' % count('', '55000'), count('', '55000') == 0)
    check('no deadlock (40P01) in single calls: %d' % count('auto:', '40P01'), count('auto:', '40P01') == 0)
    other_auto = count('auto:') - count('auto:', 'XX000') - count('auto:', '55000') - count('auto:', '40P01')
    check('no other error in single calls: %d' % other_auto, other_auto == 0)
    other_xact = count('xact:') - count('xact:', 'XX000') - count('xact:', '55000') - count('xact:', '40P01')
    check('multi-call transactions fail only with 40P01 (%d deadlocks, %d others)'
          % (count('xact:', '40P01'), other_xact), other_xact == 0)
    mismatch = sum(r['read_mismatch'] for r in clients)
    check('every read showed the client its own acknowledged writes (%d did not)' % mismatch, mismatch == 0)

    # no lost update: each field is what its one writer last acknowledged
    lost = 0
    fields = 0
    for i, k in enumerate(counters):
        cur.execute('SELECT session.load(%s)', (k,))
        data = cur.fetchone()[0] or {}
        for r in clients:
            fields += 2
            lost += data.get('c%d' % r['cid'], 0) != r['count'][i]
            lost += data.get('p%d' % r['cid']) != r['scratch'][i]
    increments = sum(sum(r['count']) for r in clients)
    check('no lost update: %d fields of %d counter sessions hold their %d acknowledged increments (%d do not)'
          % (fields, len(counters), increments, lost), lost == 0 and increments > 0)

    # no resurrection: a key seen ending never loads again
    dead = [k for r in clients for k in r['dead']]
    back = sum(r['resurrected'] for r in clients)
    for k in dead:
        cur.execute('SELECT session.load(%s) IS NOT NULL OR session.exists(%s)', (k, k))
        back += cur.fetchone()[0]
    check('no ended session came back: %d keys seen ending, %d loaded again' % (len(dead), back),
          len(dead) > 0 and back == 0)

    cur.execute("""
        SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relnamespace = 'session'::regnamespace ORDER BY 1""")
    bad = []
    indexes = [r[0] for r in cur.fetchall()]
    for idx in indexes:
        try:
            cur.execute('SELECT bt_index_parent_check(%s::regclass, true)', ('session.' + idx,))
        except psycopg2.Error as e:
            bad.append('%s (%s)' % (idx, e.pgcode))
    check('amcheck: %d session indexes clean%s' % (len(indexes), ' but ' + ', '.join(bad) if bad else ''),
          not bad and len(indexes) >= 5)
    conn.close()


if __name__ == '__main__':
    sys.exit(0 if main() else 1)
