'use strict'
/*
 * pg-session-store: an express-session store backed by the PostgreSQL
 * extension `session`.  Each method is one SQL call on a pg.Pool; the
 * extension keeps only a SHA-256 digest of each session id, and expiry is
 * decided on the database clock.
 *
 *   get      session.load(sid)                      the session, or nothing
 *   set      session.save(sid, data) and session.set_expiry(sid, seconds),
 *            or, for a new id, session.save(sid, data, must_create => true)
 *            then set_expiry: one statement
 *   touch    session.load(sid): the store slides the expiry (at most one
 *            write per session.touch_interval)
 *   destroy  session.delete(sid): leaves no row
 *
 * Not implemented: all, length and clear, which would reach every session
 * of every application in the database; the extension's purge
 * (session.run_maintenance) removes expired sessions.
 */
const session = require('express-session')

const Store = session.Store

/*
 * express-session keeps the cookie's lifetime in cookie.originalMaxAge
 * (milliseconds; null for a cookie that lasts until the browser closes).
 * The store's policy: seconds of idle time that slide on activity, or 0 for
 * a browser-close session (the row still ends after session.default_max_age
 * of inactivity).
 */
function expirySeconds (sess) {
  const maxAge = sess && sess.cookie ? sess.cookie.originalMaxAge : null
  if (maxAge === null || maxAge === undefined) return 0
  return Math.max(0, Math.ceil(Number(maxAge) / 1000))
}

function expired (sess) {
  const maxAge = sess && sess.cookie ? sess.cookie.originalMaxAge : null
  return typeof maxAge === 'number' && maxAge <= 0
}

/* A promise's outcome handed to a node-style callback, when there is one. */
function settle (promise, cb) {
  if (typeof cb !== 'function') return promise
  promise.then((value) => cb(null, value), (err) => cb(err))
  return undefined
}

const SET_SQL =
  'SELECT CASE WHEN session.save($1, $2::jsonb) THEN session.set_expiry($1, $3::integer)' +
  ' WHEN session.save($1, $2::jsonb, NULL, true) THEN session.set_expiry($1, $3::integer)' +
  ' ELSE false END AS saved'

class SessionStore extends Store {
  /**
   * @param {object} options
   * @param {import('pg').Pool} options.pool  a pg.Pool on the database that
   *   has the extension, as a role session.grant_access() was given
   */
  constructor (options = {}) {
    super()
    if (!options.pool || typeof options.pool.query !== 'function') {
      throw new TypeError('SessionStore needs { pool }: a pg.Pool')
    }
    this.pool = options.pool
  }

  async _value (sql, params) {
    const { rows } = await this.pool.query(sql, params)
    return rows[0] ? rows[0].v : undefined
  }

  get (sid, cb) {
    return settle(
      this._value('SELECT session.load($1) AS v', [sid]).then((data) => data || null),
      cb
    )
  }

  set (sid, sess, cb) {
    const run = async () => {
      if (expired(sess)) {
        await this._value('SELECT session.delete($1) AS v', [sid])
        return
      }
      const params = [sid, JSON.stringify(sess), expirySeconds(sess)]
      // Only a session created by another request between the two saves
      // of the statement makes both fail; the next try updates it.
      for (let attempt = 0; attempt < 3; attempt++) {
        const { rows } = await this.pool.query(SET_SQL, params)
        if (rows[0].saved) return
      }
      throw new Error('session could not be saved')
    }
    return settle(run(), cb)
  }

  touch (sid, sess, cb) {
    return settle(
      this._value('SELECT session.load($1) IS NOT NULL AS v', [sid]).then(() => undefined),
      cb
    )
  }

  destroy (sid, cb) {
    return settle(this._value('SELECT session.delete($1) AS v', [sid]).then(() => undefined), cb)
  }

  /*
   * regenerate stays express-session's own (destroy, then a new, empty
   * session under a new id, stored when it is saved): its contract is that
   * the data is gone, and the old row may belong to an account the new
   * session must not inherit.  To keep the data under a new id (against
   * session fixation), use cycleKey or login.
   */

  /* Rebuilds req.session, with its data, under the key the store returned. */
  _rekey (req, key) {
    const data = JSON.parse(JSON.stringify(req.session))
    req.sessionID = key
    this.createSession(req, data)
  }

  /**
   * session.cycle_key: the same session and data under a new id, the old id
   * dead, in one statement.  Resolves true, or false when the session is
   * not stored yet (then nothing changes: it has no id to leak).
   */
  cycleKey (req, cb) {
    const run = async () => {
      const key = await this._value('SELECT session.cycle_key($1) AS v', [req.sessionID])
      if (!key) return false
      this._rekey(req, key)
      return true
    }
    return settle(run(), cb)
  }

  /**
   * session.login: a new id for the session (or a new session when none is
   * stored), bound to `account`, with the client's IP address (req.ip, so
   * set express's 'trust proxy' behind a proxy) and user agent.  The data
   * is kept (a session of another account starts empty in the store; the
   * data in req.session is saved at the end of the request).
   */
  login (req, account, cb) {
    const run = async () => {
      const key = await this._value(
        'SELECT session.login($1, $2, $3::inet, $4) AS v',
        [req.sessionID, String(account), clientIp(req), req.get ? req.get('user-agent') || null : null]
      )
      this._rekey(req, key)
      req.session.touch()
      return key !== undefined
    }
    return settle(run(), cb)
  }

  /* Atomic single-field operations (session.get, set, pop). */
  getField (sid, field) {
    return this._value('SELECT session.get($1, $2) AS v', [sid, field])
  }

  setField (sid, field, value) {
    return this._value('SELECT session.set($1, $2, $3::jsonb) AS v', [sid, field, JSON.stringify(value === undefined ? null : value)])
  }

  popField (sid, field) {
    return this._value('SELECT session.pop($1, $2) AS v', [sid, field])
  }

  /*
   * Account functions: not granted by session.grant_access(); GRANT EXECUTE
   * on session.account_sessions(text, text), session.revoke(text, bigint)
   * and session.logout_everywhere(text, text) to the application's role.
   */

  /** Live sessions of an account, most recently active first. */
  async accountSessions (account, currentSid = null) {
    const { rows } = await this.pool.query(
      'SELECT id::text AS id, created, last_activity AS "lastActivity",' +
      ' expire_date AS "expireDate", host(ip) AS ip, user_agent AS "userAgent",' +
      ' is_current AS "isCurrent" FROM session.account_sessions($1, $2)',
      [String(account), currentSid]
    )
    return rows
  }

  /** Ends one session of an account by its public id; false if none. */
  revoke (account, sessionId) {
    return this._value('SELECT session.revoke($1, $2::bigint) AS v', [String(account), String(sessionId)])
  }

  /** Ends every session of an account but exceptSid's; how many ended. */
  logoutEverywhere (account, exceptSid = null) {
    return this._value('SELECT session.logout_everywhere($1, $2) AS v', [String(account), exceptSid])
  }
}

function clientIp (req) {
  let ip = req.ip || (req.socket && req.socket.remoteAddress) || null
  if (ip && ip.startsWith('::ffff:')) ip = ip.slice(7)
  return ip || null
}

module.exports = SessionStore
module.exports.SessionStore = SessionStore
module.exports.expirySeconds = expirySeconds
