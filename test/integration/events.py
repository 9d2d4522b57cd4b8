#!/usr/bin/python3
"""
Lifecycle events on channel session_events, as a LISTENing client sees them.

psql prints a notification with the PID of the backend that sent it, so the
payloads are checked here rather than in pg_regress.  A listener connection
collects what each action sends: after every action the acting connection
sends a sentinel NOTIFY in a transaction of its own, and since notifications
arrive in commit order, what came before the sentinel is exactly what the
action sent.

- create, save (must_create or not) and login send "login" when they bind a
  session to an account, with the account and the session's public id, and
  nothing when they bind none; logout, delete and flush of a live bound
  session send "logout"; revoke sends "revoke"; logout_everywhere sends
  "logout_everywhere" with the count; flag_inactive sends "inactive" per
  flagged account; maintain's purge sends "purged" with a count.
- Nothing is sent before commit, nor by a rolled-back transaction or
  subtransaction.
- A payload is a JSON object with only event, account, session_id and count;
  it never carries a key or session data; an account id is JSON-escaped, and
  left out when it would make the payload too long.
- flag_inactive and maintain work in a backend that has not loaded the
  module yet (a pg_cron job's).

Needs PGHOST, PGPORT, PGUSER of a cluster with the extension installed.
Creates and drops its own database.  Prints "events: N passed, N failed".
"""
import json
import select
import sys
import time

import psycopg2

DB = 'events_it'
NAME = 'events'
FIELDS = {'event', 'account', 'session_id', 'count'}
MARK = 'sEcReTdAtA-0123'		# in every session's data; never in a payload

passed = 0
failed = 0
keys = []						# every key made, to look for in payloads
payloads = []					# every payload received


def check(what, ok, detail=''):
    global passed, failed
    if ok:
        passed += 1
        print('ok - %s' % what, flush=True)
    else:
        failed += 1
        detail = str(detail)
        for k in keys:			# a failure report shows no key either
            if k:
                detail = detail.replace(k, '<key>')
        print('not ok - %s %s' % (what, detail[:400]), flush=True)


def connect(dbname=DB, autocommit=True):
    conn = psycopg2.connect(dbname=dbname)
    conn.autocommit = autocommit
    return conn


class Listener:
    def __init__(self):
        self.conn = connect()
        self.conn.cursor().execute('LISTEN session_events')
        self.n = 0

    def pending(self, wait=0.3):
        """Whatever arrived within wait seconds, without a sentinel."""
        got = []
        deadline = time.time() + wait
        while True:
            left = deadline - time.time()
            if left <= 0:
                break
            if select.select([self.conn], [], [], left)[0]:
                self.conn.poll()
            while self.conn.notifies:
                got.append(self.conn.notifies.pop(0))
        return got

    def collect(self, sender):
        """What was sent before a sentinel sender sends now: a list of dicts."""
        self.n += 1
        marker = json.dumps({'event': 'sentinel', 'n': self.n})
        was = sender.autocommit
        if not was:
            sender.commit()
            sender.autocommit = True
        sender.cursor().execute("SELECT pg_notify('session_events', %s)", (marker,))
        sender.autocommit = was
        got = []
        deadline = time.time() + 10
        while time.time() < deadline:
            if select.select([self.conn], [], [], 0.5)[0]:
                self.conn.poll()
            done = False
            while self.conn.notifies:
                n = self.conn.notifies.pop(0)
                if n.channel != 'session_events':
                    continue
                if n.payload == marker:
                    done = True
                    break
                got.append(n.payload)
            if done:
                break
        else:
            got.append('<no sentinel within 10 s>')
        events = []
        for p in got:
            payloads.append(p)
            try:
                events.append(json.loads(p))
            except ValueError:
                events.append({'unparsable': p})
        return events


def one(cur, sql, args=()):
    cur.execute(sql, args)
    row = cur.fetchone()
    return row[0] if row else None


def main():
    admin = connect('postgres')
    acur = admin.cursor()
    acur.execute('DROP DATABASE IF EXISTS %s' % DB)
    acur.execute('CREATE DATABASE %s' % DB)
    # events are off unless a DBA turns them on
    acur.execute('ALTER DATABASE %s SET session.events = on' % DB)

    setup = connect()
    setup.cursor().execute('CREATE EXTENSION session')
    setup.close()

    L = Listener()
    w = connect()
    c = w.cursor()
    c.execute("SET session.touch_interval = 0")

    def sid(key):
        return one(c, "SELECT id FROM session.sessions WHERE key_hash = sha256(convert_to(%s, 'UTF8'))", (key,))

    def new(data=None, account=None, expire=None):
        data = dict(data or {})
        data['mark'] = MARK
        k = one(c, 'SELECT session.create(%s::jsonb, %s, %s)', (json.dumps(data), expire, account))
        keys.append(k)
        return k

    # create
    k = new(account='ev-a')
    check('create with an account sends login',
          L.collect(w) == [{'event': 'login', 'account': 'ev-a', 'session_id': sid(k)}], payloads[-1:])
    k_anon = new()
    check('create without an account sends nothing', L.collect(w) == [])
    k = new({'_auth_user_id': 'ev-b'})
    check('create binding through the data key sends login',
          L.collect(w) == [{'event': 'login', 'account': 'ev-b', 'session_id': sid(k)}])
    k = new({'_auth_user_id': 42})
    check('an account from a JSON number is its text',
          L.collect(w) == [{'event': 'login', 'account': '42', 'session_id': sid(k)}])

    # save
    one(c, 'SELECT session.save(%s, %s)', (k_anon, json.dumps({'_auth_user_id': 'ev-c', 'mark': MARK})))
    check('a save that binds sends login',
          L.collect(w) == [{'event': 'login', 'account': 'ev-c', 'session_id': sid(k_anon)}])
    one(c, 'SELECT session.save(%s, %s)', (k_anon, json.dumps({'_auth_user_id': 'ev-c', 'mark': MARK, 'x': 1})))
    one(c, 'SELECT session.save(%s, %s)', (k_anon, json.dumps({'mark': MARK})))
    check('saves that keep the account send nothing', L.collect(w) == [])
    one(c, 'SELECT session.save(%s, %s)', (k_anon, json.dumps({'_auth_user_id': 'ev-d', 'mark': MARK})))
    check('a save that rebinds sends login for the new account',
          L.collect(w) == [{'event': 'login', 'account': 'ev-d', 'session_id': sid(k_anon)}])
    mk = 'eventsmustcreate0000000000000001'
    keys.append(mk)
    one(c, 'SELECT session.save(%s, %s, NULL, true)', (mk, json.dumps({'_auth_user_id': 'ev-e', 'mark': MARK})))
    check('save with must_create that binds sends login',
          L.collect(w) == [{'event': 'login', 'account': 'ev-e', 'session_id': sid(mk)}])
    one(c, 'SELECT session.save(%s, %s, NULL, true)', (mk, json.dumps({'_auth_user_id': 'ev-e2', 'mark': MARK})))
    check('save with must_create on a taken key sends nothing', L.collect(w) == [])
    k = new()
    one(c, 'SELECT session.load(%s)', (k,))
    one(c, "SELECT session.set(%s, 'a', '1')", (k,))
    one(c, "SELECT session.pop(%s, 'a')", (k,))
    keys.append(one(c, 'SELECT session.cycle_key(%s)', (k,)))
    check('load, set, pop and cycle_key send nothing', L.collect(w) == [])

    # login
    k = new()
    before = sid(k)
    k2 = one(c, "SELECT session.login(%s, 'ev-f', '192.0.2.1', 'UA')", (k,))
    keys.append(k2)
    check('login with a live key sends login for the same session',
          L.collect(w) == [{'event': 'login', 'account': 'ev-f', 'session_id': before}] and sid(k2) == before)
    k3 = one(c, "SELECT session.login(%s, 'ev-f')", ('eventsunknownkey0000000000000001',))
    keys.append(k3)
    check('login with an unknown key sends one login, for the new session',
          L.collect(w) == [{'event': 'login', 'account': 'ev-f', 'session_id': sid(k3)}])
    k4 = one(c, "SELECT session.login(NULL, 'ev-f')")
    keys.append(k4)
    check('login with no key sends one login',
          L.collect(w) == [{'event': 'login', 'account': 'ev-f', 'session_id': sid(k4)}])
    try:
        c.execute("SELECT session.login(NULL, NULL)")
        check('login without an account fails', False)
    except psycopg2.Error as e:
        check('login without an account fails, and sends nothing',
              e.pgcode == '22004' and L.collect(w) == [], e.pgcode)

    # logout, delete, flush
    i = sid(k2)
    check('logout of a live bound session returns true', one(c, 'SELECT session.logout(%s)', (k2,)) is True)
    check('... and sends logout', L.collect(w) == [{'event': 'logout', 'account': 'ev-f', 'session_id': i}])
    one(c, 'SELECT session.logout(%s)', (k2,))
    check('logout again sends nothing', L.collect(w) == [])
    k = new()
    one(c, 'SELECT session.logout(%s)', (k,))
    check('logout of an anonymous session sends nothing', L.collect(w) == [])
    k = new(account='ev-g')
    L.collect(w)
    i = sid(k)
    one(c, 'SELECT session.delete(%s)', (k,))
    check('delete of a live bound session sends logout',
          L.collect(w) == [{'event': 'logout', 'account': 'ev-g', 'session_id': i}])
    k = new(account='ev-g')
    L.collect(w)
    i = sid(k)
    one(c, 'SELECT session.flush(%s)', (k,))
    check('flush of a live bound session sends logout',
          L.collect(w) == [{'event': 'logout', 'account': 'ev-g', 'session_id': i}])
    k = new(account='ev-g', expire='2000-01-01')
    L.collect(w)
    one(c, 'SELECT session.logout(%s)', (k,))
    check('logout of an expired session sends nothing', L.collect(w) == [])

    # revoke
    k = new(account='ev-h')
    L.collect(w)
    i = sid(k)
    check('revoke of another account\'s session is false',
          one(c, "SELECT session.revoke('ev-other', %s)", (i,)) is False)
    check('... and sends nothing', L.collect(w) == [])
    one(c, "SELECT session.revoke('ev-h', %s)", (i,))
    check('revoke sends revoke', L.collect(w) == [{'event': 'revoke', 'account': 'ev-h', 'session_id': i}])

    # logout_everywhere
    for _ in range(3):
        new(account='ev-i')
    keep = new(account='ev-i')
    L.collect(w)
    one(c, "SELECT session.logout_everywhere('ev-i', %s)", (keep,))
    check('logout_everywhere sends the count it ended',
          L.collect(w) == [{'event': 'logout_everywhere', 'account': 'ev-i', 'count': 3}], payloads[-1:])
    one(c, "SELECT session.logout_everywhere('ev-nobody')")
    check('... 0 when there was nothing to end',
          L.collect(w) == [{'event': 'logout_everywhere', 'account': 'ev-nobody', 'count': 0}], payloads[-1:])

    # flag_inactive, on the connection that has loaded the module
    for a in ('ev-idle-1', 'ev-idle-2'):
        new(account=a)
    L.collect(w)
    c.execute("""UPDATE session.accounts SET last_activity = now() - interval '3 days',
                 activity_floor = now() - interval '3 days' WHERE account IN ('ev-idle-1', 'ev-idle-2')""")
    n = one(c, "SELECT session.flag_inactive('2 days')")
    got = L.collect(w)
    check('flag_inactive sends inactive per flagged account',
          n == 2 and sorted(got, key=lambda e: e.get('account', '')) ==
          [{'event': 'inactive', 'account': 'ev-idle-1'}, {'event': 'inactive', 'account': 'ev-idle-2'}], got)

    # maintain: purged and inactive
    for _ in range(3):
        new(expire='2000-01-01')
    new(account='ev-idle-3')
    L.collect(w)
    c.execute("""UPDATE session.accounts SET last_activity = now() - interval '3 hours',
                 activity_floor = now() - interval '3 hours' WHERE account = 'ev-idle-3'""")
    m = one(c, 'SELECT session.maintain()')
    got = L.collect(w)
    check('maintain sends purged with the count and inactive',
          m.get('purged') == 3 and m.get('flagged_inactive') == 1 and
          {'event': 'purged', 'count': 3} in got and {'event': 'inactive', 'account': 'ev-idle-3'} in got
          and len(got) == 2, (m, got))

    # only after commit
    t = connect(autocommit=False)
    tc = t.cursor()
    k = one(tc, "SELECT session.create('{}', NULL, 'ev-j')")
    keys.append(k)
    early = L.pending(0.5)
    check('nothing is sent before commit', early == [], [n.payload for n in early])
    t.commit()
    check('... and login on commit',
          L.collect(t) == [{'event': 'login', 'account': 'ev-j', 'session_id': sid(k)}])
    one(tc, 'SELECT session.logout(%s)', (k,))
    t.rollback()
    check('a rolled-back logout sends nothing', L.collect(t) == [])
    check('... and the session is still live', one(c, 'SELECT session.exists(%s)', (k,)) is True)
    tc.execute('SAVEPOINT a')
    one(tc, 'SELECT session.logout(%s)', (k,))
    tc.execute('ROLLBACK TO SAVEPOINT a')
    t.commit()
    check('a logout in a rolled-back subtransaction sends nothing', L.collect(t) == [])
    k5 = one(tc, "SELECT session.create('{}', NULL, 'ev-j')")
    keys.append(k5)
    one(tc, 'SELECT session.logout(%s)', (k5,))
    t.rollback()
    check('a rolled-back create and logout send nothing', L.collect(t) == [])
    k6 = one(tc, "SELECT session.create('{}', NULL, 'ev-j')")
    keys.append(k6)
    one(tc, 'SELECT session.logout(%s)', (k6,))
    t.commit()
    got = L.collect(t)
    check('create and logout in one transaction send both, in order, at commit',
          [e.get('event') for e in got] == ['login', 'logout'] and got[0].get('session_id') == got[1].get('session_id'),
          got)
    t.close()

    # the application's role, given the API: its logins and logouts send events too
    c.execute('DROP ROLE IF EXISTS regress_events_app')
    c.execute('CREATE ROLE regress_events_app LOGIN')
    c.execute("SELECT session.grant_access('regress_events_app')")
    r = psycopg2.connect(dbname=DB, user='regress_events_app')
    r.autocommit = True
    rc = r.cursor()
    k = one(rc, "SELECT session.login(NULL, 'ev-k')")
    keys.append(k)
    check('a plain role\'s login sends login',
          L.collect(r) == [{'event': 'login', 'account': 'ev-k', 'session_id': sid(k)}])
    one(rc, 'SELECT session.logout(%s)', (k,))
    check('a plain role\'s logout sends logout',
          [e.get('event') for e in L.collect(r)] == ['logout'])
    r.close()
    c.execute("SELECT session.revoke_access('regress_events_app')")
    c.execute('DROP ROLE regress_events_app')

    # account ids in the payload
    odd = 'ev "quoted" \\ back\tslash\nnew é \u2603 \u0001'
    k = new(account=odd)
    got = L.collect(w)
    check('an account id is JSON-escaped', got == [{'event': 'login', 'account': odd, 'session_id': sid(k)}], got)
    big = 'x' * 1024
    k = new(account=big)
    check('a 1024-byte account id is in the payload',
          L.collect(w) == [{'event': 'login', 'account': big, 'session_id': sid(k)}])
    ctl = '\u0001' * 1024
    k = new(account=ctl)
    got = L.collect(w)
    # six bytes each once escaped: 6,144 bytes, still within a payload
    check('a 1024-byte account id of control characters fits once escaped',
          got == [{'event': 'login', 'account': ctl, 'session_id': sid(k)}], [e.get('event') for e in got])
    one(c, 'SELECT session.logout_everywhere(%s)', (ctl,))
    got = L.collect(w)
    check('... for every event', got == [{'event': 'logout_everywhere', 'account': ctl, 'count': 1}],
          [e.get('event') for e in got])

    # flag_inactive and maintain in a backend that has not loaded the module,
    # as a pg_cron job's: with nothing expired, no C function runs first
    c.execute("DELETE FROM session.sessions WHERE expire_date <= now()")
    new(account='ev-idle-4')
    L.collect(w)
    c.execute("""UPDATE session.accounts SET last_activity = now() - interval '3 days',
                 activity_floor = now() - interval '3 days' WHERE account = 'ev-idle-4'""")
    f = connect()
    try:
        n = one(f.cursor(), "SELECT session.flag_inactive('2 days')")
        got = L.collect(f)
        check('flag_inactive works in a fresh backend',
              n == 1 and got == [{'event': 'inactive', 'account': 'ev-idle-4'}], (n, got))
    except psycopg2.Error as e:
        check('flag_inactive works in a fresh backend', False, '%s %s' % (e.pgcode, e.pgerror))
    f.close()
    f = connect()
    try:
        m = one(f.cursor(), 'SELECT session.maintain()')
        check('maintain works in a fresh backend with nothing to purge',
              m.get('purged') == 0 and set(m) == {'purged', 'flagged_inactive', 'seconds'}, m)
    except psycopg2.Error as e:
        check('maintain works in a fresh backend with nothing to purge', False, '%s %s' % (e.pgcode, e.pgerror))
    f.close()

    # every payload received: a JSON object of known fields, no key, no data
    bad = [p for p in payloads if not (lambda o: isinstance(o, dict) and set(o) <= FIELDS and 'event' in o)(
        json.loads(p) if p.startswith('{') else None)]
    check('every payload is a JSON object of event, account, session_id, count', not bad, bad[:3])
    leaks = [p for p in payloads if MARK in p or any(k and k in p for k in keys)]
    check('no payload holds a key or session data (%d payloads, %d keys)' % (len(payloads), len(keys)),
          not leaks and len(payloads) > 30 and len(keys) > 30, leaks[:3])

    L.conn.close()
    w.close()
    acur.execute('DROP DATABASE %s' % DB)
    admin.close()


if __name__ == '__main__':
    try:
        main()
    except Exception as e:  # a crash is one more failure, with its cause
        import traceback
        traceback.print_exc()
        failed += 1
    print('%s: %d passed, %d failed' % (NAME, passed, failed))
    sys.exit(1 if failed else 0)
