#!/usr/bin/python3
"""
Clients and checker of test/integration/crash.sh.

run DIR ROUND CLIENTS SECONDS
    CLIENTS processes write sessions (create, save, set, login, logout, and
    loads that check what they read) until their connection is lost (the
    server was killed) or SECONDS pass; one more process runs CHECKPOINT
    about once a second so that recovery starts from a recent checkpoint.
    Each client owns the sessions it creates and logs every call to
    DIR/ROUND.CLIENT.log: an intent line before the call, then an
    acknowledgement with the result once the call returned (autocommit: the
    commit returned), or the SQLSTATE of an error.  A call whose connection
    was lost is in flight: it may or may not have committed.

verify DIR ROUND
    Replays every client log of every round so far into the state each
    session must have, and checks it against the restarted server: every
    acknowledged session loads with its acknowledged data and account, a
    session ended by an acknowledged logout or login does not load, a
    session with a call in flight is in the state before or after that
    call (and, once seen, stays in that state through later crashes), and
    amcheck finds the btree indexes and heaps of the session tables clean.
    Prints "ok - ..." / "not ok - ..." lines; never a key or session data.

Keys and data stay in DIR, which crash.sh removes.
"""
import glob
import json
import multiprocessing
import os
import random
import sys
import time

import psycopg2

# Errors that mean the server went away, not that the call failed.
LOST_CLASSES = ('08', '57')


def connect():
    conn = psycopg2.connect(dbname='postgres', connect_timeout=5)
    conn.autocommit = True
    return conn


def is_lost(e):
    if isinstance(e, (psycopg2.OperationalError, psycopg2.InterfaceError)) and not e.pgcode:
        return True
    return bool(e.pgcode) and e.pgcode[:2] in LOST_CLASSES


def login_data(data, old_account, account):
    """What login keeps: the data of an anonymous or same-account session."""
    return data if old_account is None or old_account == account else {}


# ---------------------------------------------------------------- clients

def client(dirname, rnd, cid, seconds, seed):
    rng = random.Random(seed)
    log = open(os.path.join(dirname, 'r%d.c%d.log' % (rnd, cid)), 'w')
    own = ['crash-r%d-c%d-%d' % (rnd, cid, i) for i in range(3)]
    shared = ['crash-shared-%d' % i for i in range(2)]
    live = {}					# key -> [data, account], as acknowledged
    seq = 0
    deadline = time.time() + seconds

    def write(obj):
        log.write(json.dumps(obj) + '\n')
        log.flush()

    try:
        conn = connect()
    except psycopg2.Error:
        write({'fatal': 'connect'})
        return
    cur = conn.cursor()
    while time.time() < deadline:
        seq += 1
        r = rng.random()
        key = rng.choice(list(live)) if live else None
        if key is None or r < 0.15:
            data = {'c': cid, 'v': seq}
            if rng.random() < 0.1:	# some rows go to TOAST
                data['pad'] = ''.join(rng.choice('0123456789abcdef') for _ in range(6000))
            account = rng.choice(own + shared + [None, None])
            op = {'op': 'create', 'data': data, 'account': account}
            sql, args = 'SELECT session.create(%s::jsonb, NULL, %s)', (json.dumps(data), account)
        elif r < 0.40:
            data = {'c': cid, 'v': seq, 'saved': rng.randrange(1000)}
            op = {'op': 'save', 'key': key, 'data': data}
            sql, args = 'SELECT session.save(%s, %s::jsonb)', (key, json.dumps(data))
        elif r < 0.65:
            field = rng.choice(['f0', 'f1', 'f2', 'v'])
            value = rng.choice([seq, 'x%d' % seq, [seq, seq], {'n': seq}])
            op = {'op': 'set', 'key': key, 'field': field, 'value': value}
            sql, args = 'SELECT session.set(%s, %s, %s::jsonb)', (key, field, json.dumps(value))
        elif r < 0.75:
            account = rng.choice(own + shared)
            op = {'op': 'login', 'key': key, 'account': account}
            sql, args = 'SELECT session.login(%s, %s)', (key, account)
        elif r < 0.85:
            op = {'op': 'logout', 'key': key}
            sql, args = 'SELECT session.logout(%s)', (key,)
        else:
            op = {'op': 'load', 'key': key}
            sql, args = 'SELECT session.load(%s)', (key,)
        op['seq'] = seq
        write(op)
        try:
            cur.execute(sql, args)
            result = cur.fetchone()[0]
        except psycopg2.Error as e:
            if is_lost(e):
                write({'lost': seq})
                break
            write({'err': seq, 'code': e.pgcode})
            continue
        write({'ack': seq, 'result': result})
        # keep the client's own view, to choose the next keys
        if op['op'] == 'create':
            live[result] = [op['data'], op['account']]
        elif op['op'] == 'login':
            data, old = live.pop(key)
            live[result] = [login_data(data, old, op['account']), op['account']]
        elif op['op'] == 'logout':
            live.pop(key)
        elif op['op'] == 'save' and result:
            live[key][0] = op['data']
        elif op['op'] == 'set' and result:
            live[key][0] = dict(live[key][0], **{op['field']: op['value']})
    log.close()


def checkpointer(seconds):
    deadline = time.time() + seconds
    try:
        conn = connect()
        while time.time() < deadline:
            time.sleep(0.7)
            conn.cursor().execute('CHECKPOINT')
    except psycopg2.Error:
        pass


def run(dirname, rnd, clients, seconds):
    procs = [multiprocessing.Process(target=client, args=(dirname, rnd, i, seconds, rnd * 1000 + i))
             for i in range(clients)]
    procs.append(multiprocessing.Process(target=checkpointer, args=(seconds,)))
    for p in procs:
        p.start()
    for p in procs:
        p.join(seconds + 30)
        if p.is_alive():
            p.terminate()


# ---------------------------------------------------------------- checker

class Model:
    """
    The state every session must be in, from the client logs.  A state is
    (data, account) for a live session or None for an ended one; a key maps
    to the set of states it may be in: one, or two when its last call was
    in flight.
    """

    def __init__(self):
        self.states = {}		# key -> list of possible states
        self.inconsistent = 0	# acknowledged results the model cannot explain
        self.acked = 0
        self.in_flight = 0
        self.lost_clients = 0
        self.errors = {}		# SQLSTATE -> count, other than a lost connection
        self.read_mismatch = 0

    def exact(self, key):
        s = self.states.get(key)
        if s is None or len(s) != 1:
            return None, False
        return s[0], True

    def replay(self, path):
        lines = [json.loads(l) for l in open(path) if l.strip()]
        pending = None
        for line in lines:
            if 'seq' in line and 'op' in line:
                pending = line
            elif 'ack' in line:
                self.acked += 1
                self.apply(pending, line['result'])
                pending = None
            elif 'err' in line:
                self.errors[line['code']] = self.errors.get(line['code'], 0) + 1
                pending = None
            elif 'lost' in line:
                self.lost_clients += 1
                self.in_flight += 1
                self.ambiguous(pending)
                pending = None
        if pending is not None:		# the client stopped inside a call
            self.in_flight += 1
            self.ambiguous(pending)

    def apply(self, op, result):
        kind = op['op']
        if kind == 'create':
            self.states[result] = [(op['data'], op['account'])]
            return
        cur, known = self.exact(op['key'])
        if not known or cur is None:
            self.inconsistent += 1
            return
        data, account = cur
        if kind == 'save':
            if result is not True:
                self.inconsistent += 1
                return
            self.states[op['key']] = [(op['data'], account)]
        elif kind == 'set':
            if result is not True:
                self.inconsistent += 1
                return
            self.states[op['key']] = [(dict(data, **{op['field']: op['value']}), account)]
        elif kind == 'login':
            if not result or result in self.states:
                self.inconsistent += 1
                return
            self.states[op['key']] = [None]
            self.states[result] = [(login_data(data, account, op['account']), op['account'])]
        elif kind == 'logout':
            if result is not True:
                self.inconsistent += 1
                return
            self.states[op['key']] = [None]
        elif kind == 'load':
            if result != data:
                self.read_mismatch += 1

    def ambiguous(self, op):
        kind = op['op']
        if kind in ('create', 'load'):
            return				# a new key nobody knows, or nothing written
        cur, known = self.exact(op['key'])
        if not known or cur is None:
            self.inconsistent += 1
            return
        data, account = cur
        if kind == 'save':
            after = (op['data'], account)
        elif kind == 'set':
            after = (dict(data, **{op['field']: op['value']}), account)
        else:					# login (the new key is unknown) and logout
            after = None
        self.states[op['key']] = [cur, after]


def verify(dirname, rnd):
    passed = failed = 0

    def check(what, ok):
        nonlocal passed, failed
        if ok:
            passed += 1
            print('ok - round %d: %s' % (rnd, what), flush=True)
        else:
            failed += 1
            print('not ok - round %d: %s' % (rnd, what), flush=True)

    model = Model()
    for r in range(1, rnd + 1):
        for path in sorted(glob.glob(os.path.join(dirname, 'r%d.c*.log' % r))):
            model.replay(path)
    this_round = Model()
    logs = sorted(glob.glob(os.path.join(dirname, 'r%d.c*.log' % rnd)))
    for path in logs:
        this_round.replay(path)

    # outcomes of calls in flight seen after an earlier crash must stay
    resolved_path = os.path.join(dirname, 'resolved.json')
    resolved = json.load(open(resolved_path)) if os.path.exists(resolved_path) else {}
    for key, state in resolved.items():
        model.states[key] = [None if state is None else tuple(state)]

    conn = connect()
    cur = conn.cursor()
    live = ended = ambiguous = landed = 0
    wrong_live = wrong_ended = wrong_ambiguous = wrong_account = 0
    accounts = set()
    for key, states in model.states.items():
        cur.execute('SELECT session.load(%s), (SELECT account FROM session.sessions'
                    " WHERE key_hash = sha256(convert_to(%s, 'UTF8')))", (key, key))
        data, account = cur.fetchone()
        seen = None if data is None else (data, account)
        if len(states) > 1:
            ambiguous += 1
            if not any(seen == (None if s is None else tuple(s)) for s in states):
                wrong_ambiguous += 1
            else:
                resolved[key] = None if seen is None else list(seen)
                landed += seen != states[0]
        elif states[0] is None:
            ended += 1
            if data is not None:
                wrong_ended += 1
        else:
            live += 1
            want_data, want_account = states[0]
            if want_account is not None:
                accounts.add(want_account)
            if data != want_data:
                wrong_live += 1
            elif account != want_account:
                wrong_account += 1
    json.dump(resolved, open(resolved_path, 'w'))

    check('%d clients acknowledged %d calls; the kill cut all of them, %d with a call in flight'
          % (len(logs), this_round.acked, this_round.in_flight),
          this_round.acked >= 100 and len(logs) > 0 and this_round.lost_clients == len(logs))
    check('every client log agrees with its acknowledged results (%d disagree)' % model.inconsistent,
          model.inconsistent == 0)
    check('loads during the run returned the acknowledged data (%d did not)' % this_round.read_mismatch,
          this_round.read_mismatch == 0)
    check('no error other than the lost connection (%s)'
          % (', '.join('%s: %d' % kv for kv in sorted(this_round.errors.items())) or 'none'),
          not this_round.errors)
    check('%d acknowledged live sessions load with their acknowledged data (%d do not)'
          % (live, wrong_live), live > 0 and wrong_live == 0)
    check('... and have their acknowledged account (%d do not)' % wrong_account, wrong_account == 0)
    check('%d sessions ended by an acknowledged logout or login do not load (%d do)'
          % (ended, wrong_ended), ended > 0 and wrong_ended == 0)
    check('%d sessions with a call in flight are in the state before or after it (%d after), '
          'as after earlier crashes (%d are not)' % (ambiguous, landed, wrong_ambiguous),
          wrong_ambiguous == 0)
    cur.execute('SELECT count(*) FROM session.accounts WHERE account = ANY (%s)', (sorted(accounts),))
    found = cur.fetchone()[0]
    check('the %d accounts of live sessions have their row in session.accounts (%d do not)'
          % (len(accounts), len(accounts) - found), found == len(accounts))

    # amcheck: every btree index of the session tables and of their TOAST
    # tables, with the heap cross-check, and the heaps themselves
    cur.execute("""
        SELECT i.indexrelid::regclass::text
        FROM pg_index i
        JOIN pg_class t ON t.oid = i.indrelid
        JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_am am ON am.oid = c.relam AND am.amname = 'btree'
        WHERE t.oid IN (SELECT oid FROM pg_class WHERE relnamespace = 'session'::regnamespace AND relkind = 'r'
                        UNION ALL
                        SELECT reltoastrelid FROM pg_class WHERE relnamespace = 'session'::regnamespace AND relkind = 'r')
        ORDER BY 1""")
    indexes = [r[0] for r in cur.fetchall()]
    bad = []
    for idx in indexes:
        try:
            cur.execute('SELECT bt_index_check(%s::regclass, true)', (idx,))
            cur.execute('SELECT bt_index_parent_check(%s::regclass, true, true)', (idx,))
        except psycopg2.Error as e:
            bad.append('%s (%s)' % (idx, e.pgcode))
    check('amcheck: %d btree indexes clean%s' % (len(indexes), ' but ' + ', '.join(bad) if bad else ''),
          len(indexes) >= 5 and not bad)
    cur.execute("""
        SELECT count(*) FROM pg_class c, LATERAL verify_heapam(c.oid, check_toast => true)
        WHERE c.relnamespace = 'session'::regnamespace AND c.relkind = 'r'""")
    corrupt = cur.fetchone()[0]
    check('verify_heapam: the session tables and their TOAST are clean (%d problems)' % corrupt, corrupt == 0)
    conn.close()
    print('# verify: %d passed, %d failed' % (passed, failed))
    return failed == 0


if __name__ == '__main__':
    if sys.argv[1] == 'run':
        run(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    elif sys.argv[1] == 'verify':
        sys.exit(0 if verify(sys.argv[2], int(sys.argv[3])) else 1)
    else:
        sys.exit('usage: workload.py run DIR ROUND CLIENTS SECONDS | verify DIR ROUND')
