'use strict'
/*
 * The store under a real express app on 127.0.0.1, driven by a real HTTP
 * client (fetch) that keeps cookies.  The app connects as a role that was
 * given session.grant_access() (NODE_CLIENT_APP_USER); the test reads the
 * table as the superuser of PGUSER.  Assertions never print a key or data.
 *
 * Needs PGHOST, PGPORT, PGUSER, PGDATABASE and NODE_CLIENT_APP_USER:
 * test/integration/node_client.sh sets them.
 */
const { test, before, after } = require('node:test')
const assert = require('node:assert')
const crypto = require('node:crypto')
const express = require('express')
const session = require('express-session')
const { Pool } = require('pg')
const SessionStore = require('..')

const SECRET = 'node-client-test-secret'
const appPool = new Pool({ user: process.env.NODE_CLIENT_APP_USER, max: 8 })
const admin = new Pool({ max: 2 })
const store = new SessionStore({ pool: appPool })
const servers = []

async function sql (text, params) {
  return (await admin.query(text, params)).rows
}
async function rowCount () {
  return Number((await sql('SELECT count(*) AS n FROM session.sessions'))[0].n)
}

function makeApp ({ rolling = false, maxAge = 600000 } = {}) {
  const app = express()
  app.use(session({
    store,
    secret: SECRET,
    resave: false,
    saveUninitialized: false,
    rolling,
    cookie: { maxAge }
  }))
  app.get('/public', (req, res) => res.send('ok'))
  app.get('/whoami', (req, res) => res.json({ user: req.session.user || null, cart: req.session.cart || null }))
  app.post('/cart', (req, res) => {
    req.session.cart = (req.session.cart || []).concat([req.query.item])
    res.json({ ok: true })
  })
  app.post('/login', (req, res, next) => {
    store.login(req, req.query.user).then(() => {
      req.session.user = req.query.user
      res.json({ ok: true })
    }, next)
  })
  app.post('/field', (req, res, next) => {
    // An atomic per-field write; req.session is left as it is, so
    // express-session only touches the session at the end.
    store.setField(req.sessionID, req.query.name, Number(req.query.value)).then(
      (ok) => setTimeout(() => res.json({ ok }), 20), next)
  })
  app.get('/fields', (req, res) => res.json({ a: req.session.a, b: req.session.b }))
  app.post('/browser', (req, res) => {
    req.session.cookie.maxAge = null
    req.session.browser = true
    res.json({ ok: true })
  })
  app.post('/regenerate', (req, res, next) => {
    req.session.regenerate((err) => {
      if (err) return next(err)
      req.session.fresh = true
      res.json({ ok: true })
    })
  })
  app.post('/logout', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err)
      res.clearCookie('connect.sid')
      res.json({ ok: true })
    })
  })
  app.get('/sessions', (req, res, next) => {
    store.accountSessions(req.session.user, req.sessionID).then((rows) => res.json(rows), next)
  })
  app.post('/logout-others', (req, res, next) => {
    store.logoutEverywhere(req.session.user, req.sessionID).then((n) => res.json({ n }), next)
  })
  // Errors answer 500 without detail (a key must not reach a response).
  app.use((err, req, res, next) => res.status(500).json({ error: err.code || 'error' }))
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      servers.push(server)
      resolve('http://127.0.0.1:' + server.address().port)
    })
  })
}

/* An HTTP client with a cookie jar. */
class Client {
  constructor (base, agent = 'node-test') {
    this.base = base
    this.agent = agent
    this.jar = new Map()
  }

  get sid () {
    const raw = this.jar.get('connect.sid')
    if (!raw) return null
    const value = decodeURIComponent(raw)
    return value.startsWith('s:') ? value.slice(2, value.lastIndexOf('.')) : null
  }

  async request (method, path) {
    const cookie = [...this.jar].map(([k, v]) => k + '=' + v).join('; ')
    const res = await fetch(this.base + path, {
      method,
      headers: Object.assign({ 'user-agent': this.agent }, cookie ? { cookie } : {})
    })
    const setCookies = typeof res.headers.getSetCookie === 'function'
      ? res.headers.getSetCookie()
      : (res.headers.get('set-cookie') ? [res.headers.get('set-cookie')] : [])
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim())
      const name = pair.slice(0, pair.indexOf('='))
      const value = pair.slice(pair.indexOf('=') + 1)
      const gone = attrs.some((a) => /^expires=/i.test(a) && new Date(a.slice(8)) <= new Date())
      if (gone || value === '') this.jar.delete(name)
      else this.jar.set(name, value)
    }
    const body = res.headers.get('content-type') && res.headers.get('content-type').includes('json')
      ? await res.json()
      : await res.text()
    return { status: res.status, body, setCookies }
  }
}

function signed (sid) {
  const mac = crypto.createHmac('sha256', SECRET).update(sid).digest('base64').replace(/=+$/, '')
  return encodeURIComponent('s:' + sid + '.' + mac)
}

async function liveKey (sid) {
  return (await sql('SELECT session.exists($1) AS v', [sid]))[0].v
}

let base
let rollingBase

before(async () => {
  await sql('DELETE FROM session.sessions')
  base = await makeApp()
  rollingBase = await makeApp({ rolling: true })
})

after(async () => {
  for (const s of servers) s.close()
  await appPool.end()
  await admin.end()
})

test('a visitor who stores nothing gets no cookie and no row', async () => {
  const c = new Client(base)
  const before = await rowCount()
  for (const path of ['/public', '/whoami', '/fields']) {
    const r = await c.request('GET', path)
    assert.strictEqual(r.status, 200)
    assert.strictEqual(r.setCookies.length, 0, 'no Set-Cookie for ' + path)
  }
  assert.strictEqual(await rowCount(), before)
})

test('login cycles the key, keeps the data, binds the account, records IP and user agent', async () => {
  const c = new Client(base, 'Firefox/120 test')
  await c.request('POST', '/cart?item=book')
  const anonymous = c.sid
  assert.ok(anonymous, 'an anonymous session was stored')
  assert.strictEqual(await liveKey(anonymous), true)
  const r = await c.request('POST', '/login?user=ana')
  assert.strictEqual(r.status, 200)
  assert.ok(c.sid && c.sid !== anonymous, 'the cookie names a new key')
  assert.strictEqual(await liveKey(anonymous), false, 'the old key is dead')
  const who = await c.request('GET', '/whoami')
  assert.deepStrictEqual(who.body, { user: 'ana', cart: ['book'] })
  const [row] = await sql(
    'SELECT account, host(ip) AS ip, user_agent FROM session.sessions WHERE key_hash = sha256(convert_to($1, \'UTF8\'))',
    [c.sid])
  assert.deepStrictEqual(row, { account: 'ana', ip: '127.0.0.1', user_agent: 'Firefox/120 test' })
})

test('two concurrent requests each update one field: both survive', async () => {
  const c = new Client(base)
  await c.request('POST', '/cart?item=x')
  for (let round = 1; round <= 5; round++) {
    const [ra, rb] = await Promise.all([
      c.request('POST', '/field?name=a&value=' + round),
      c.request('POST', '/field?name=b&value=' + round * 10)
    ])
    assert.deepStrictEqual([ra.body, rb.body], [{ ok: true }, { ok: true }])
    const r = await c.request('GET', '/fields')
    assert.deepStrictEqual(r.body, { a: round, b: round * 10 })
  }
})

test('cookie lifetimes map onto the store expiry', async () => {
  const c = new Client(base)
  await c.request('POST', '/cart?item=x')
  const [row] = await sql('SELECT session.expiry_age($1) AS age, session.expires_at_browser_close($1) AS bc', [c.sid])
  assert.ok(row.age >= 598 && row.age <= 600, 'maxAge 600 s is a 600 s idle timeout')
  assert.strictEqual(row.bc, false)
  // a session cookie (no maxAge): set_expiry 0
  const b = new Client(base)
  const r = await b.request('POST', '/browser')
  assert.ok(r.setCookies.length === 1 && !/expires=|max-age=/i.test(r.setCookies[0]), 'a session cookie')
  const [bc] = await sql('SELECT session.expires_at_browser_close($1) AS bc', [b.sid])
  assert.strictEqual(bc.bc, true, 'a session cookie is set_expiry 0')
  // an existing session turned into one: the store follows
  await c.request('POST', '/browser')
  const [bc2] = await sql('SELECT session.expires_at_browser_close($1) AS bc', [c.sid])
  assert.strictEqual(bc2.bc, true)
})

test('rolling sessions: each response renews the cookie and the store slides the expiry', async () => {
  const c = new Client(rollingBase)
  await c.request('POST', '/cart?item=x')
  await sql(`UPDATE session.sessions SET last_activity = last_activity - interval '120 s',
    expire_date = expire_date - interval '120 s', purge_after = purge_after - interval '120 s'
    WHERE key_hash = sha256(convert_to($1, 'UTF8'))`, [c.sid])
  const [idle] = await sql('SELECT session.expiry_age($1) AS age', [c.sid])
  assert.ok(idle.age >= 478 && idle.age <= 480)
  const r = await c.request('GET', '/whoami')
  assert.strictEqual(r.setCookies.length, 1, 'rolling: the cookie is sent again')
  const [slid] = await sql('SELECT session.expiry_age($1) AS age', [c.sid])
  assert.ok(slid.age >= 598 && slid.age <= 600, 'the expiry slid on the database clock')
  // without rolling, an unmodified request sends no cookie
  const d = new Client(base)
  await d.request('POST', '/cart?item=x')
  assert.strictEqual((await d.request('GET', '/whoami')).setCookies.length, 0)
})

test('logout leaves no row and mints no session', async () => {
  const c = new Client(base)
  await c.request('POST', '/login?user=bo')
  const sid = c.sid
  assert.strictEqual(await liveKey(sid), true)
  const n = await rowCount()
  const r = await c.request('POST', '/logout')
  assert.strictEqual(r.status, 200)
  assert.strictEqual(await rowCount(), n - 1)
  assert.strictEqual(c.sid, null, 'the cookie is cleared')
  const who = await c.request('GET', '/whoami')
  assert.deepStrictEqual(who.body, { user: null, cart: null })
  assert.strictEqual(await rowCount(), n - 1)
})

test('a forged cookie is a visitor without a session, never an error', async () => {
  const n = await rowCount()
  const forged = [
    'plainvalue',
    encodeURIComponent('s:Xp-r3ss_Sess10n-Id_0123456789abc.badsignature'),
    signed('Xp-r3ss_Sess10n-Id_0123456789abc'), // well signed, unknown
    signed('bad.key.with.dots.0000000000000'), // well signed, malformed
    signed('x'.repeat(300))
  ]
  for (const value of forged) {
    const c = new Client(base)
    c.jar.set('connect.sid', value)
    const r = await c.request('GET', '/whoami')
    assert.strictEqual(r.status, 200)
    assert.deepStrictEqual(r.body, { user: null, cart: null })
  }
  assert.strictEqual(await rowCount(), n)
})

test('an expired session is gone: its cookie finds nothing', async () => {
  const c = new Client(base)
  await c.request('POST', '/login?user=cy')
  const old = c.sid
  await sql(`UPDATE session.sessions SET expire_date = now() - interval '1 s',
    purge_after = now() - interval '1 s' WHERE key_hash = sha256(convert_to($1, 'UTF8'))`, [old])
  const who = await c.request('GET', '/whoami')
  assert.strictEqual(who.status, 200)
  assert.deepStrictEqual(who.body, { user: null, cart: null })
  await c.request('POST', '/cart?item=again')
  assert.ok(c.sid && c.sid !== old, 'a new session gets a new key')
})

test('regenerate: a new key and an empty session, the old row gone', async () => {
  const c = new Client(base)
  await c.request('POST', '/cart?item=x')
  const old = c.sid
  const r = await c.request('POST', '/regenerate')
  assert.strictEqual(r.status, 200)
  assert.ok(c.sid && c.sid !== old)
  assert.strictEqual(await liveKey(old), false)
  assert.deepStrictEqual((await c.request('GET', '/whoami')).body, { user: null, cart: null })
})

test('cycleKey keeps the data under a new key', async () => {
  const c = new Client(base)
  await c.request('POST', '/cart?item=x')
  const req = { sessionID: c.sid, session: { cart: ['x'], cookie: { originalMaxAge: 600000 } } }
  assert.strictEqual(await store.cycleKey(req), true)
  assert.ok(req.sessionID !== c.sid && await liveKey(req.sessionID) && !await liveKey(c.sid))
  assert.deepStrictEqual(req.session.cart, ['x'])
  assert.strictEqual(await store.cycleKey({ sessionID: 'NoSuchSessionId0123456789abcdef' }), false)
})

test('account helpers: list, revoke, log out everywhere else', async () => {
  const phone = new Client(base, 'phone')
  const laptop = new Client(base, 'laptop')
  const tablet = new Client(base, 'tablet')
  for (const c of [phone, laptop, tablet]) await c.request('POST', '/login?user=dee')
  const list = (await laptop.request('GET', '/sessions')).body
  assert.strictEqual(list.length, 3)
  assert.deepStrictEqual(list.filter((s) => s.isCurrent).map((s) => s.userAgent), ['laptop'])
  const phoneId = list.find((s) => s.userAgent === 'phone').id
  assert.strictEqual(await store.revoke('dee', phoneId), true)
  assert.strictEqual(await store.revoke('dee', phoneId), false)
  assert.deepStrictEqual((await phone.request('GET', '/whoami')).body, { user: null, cart: null })
  assert.deepStrictEqual((await laptop.request('POST', '/logout-others')).body, { n: 1 })
  assert.deepStrictEqual((await tablet.request('GET', '/whoami')).body, { user: null, cart: null })
  assert.deepStrictEqual((await laptop.request('GET', '/whoami')).body, { user: 'dee', cart: null })
})

test('the store API with callbacks, and the expiry mapping', async () => {
  assert.strictEqual(SessionStore.expirySeconds({ cookie: { originalMaxAge: null } }), 0)
  assert.strictEqual(SessionStore.expirySeconds({ cookie: { originalMaxAge: 1500 } }), 2)
  assert.strictEqual(SessionStore.expirySeconds({ cookie: { originalMaxAge: 86400000 } }), 86400)
  const sid = crypto.randomBytes(24).toString('base64url')
  const sess = { cookie: { originalMaxAge: 60000, expires: new Date(Date.now() + 60000) }, n: 1 }
  await new Promise((resolve, reject) => store.set(sid, sess, (e) => e ? reject(e) : resolve()))
  const got = await new Promise((resolve, reject) => store.get(sid, (e, s) => e ? reject(e) : resolve(s)))
  assert.strictEqual(got.n, 1)
  await new Promise((resolve, reject) => store.touch(sid, got, (e) => e ? reject(e) : resolve()))
  await new Promise((resolve, reject) => store.destroy(sid, (e) => e ? reject(e) : resolve()))
  assert.strictEqual(await new Promise((resolve) => store.get(sid, (e, s) => resolve(s))), null)
  // a session id the application made too weak to create a session with
  await assert.rejects(store.set('abcdefgh', sess), (e) => e.code === '22023' && !e.message.includes('abcdefgh'))
})
