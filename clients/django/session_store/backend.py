"""
SessionStore for SESSION_ENGINE = 'session_store'.

Thin by design: each method is one SQL call to the ``session`` extension on
Django's own connection.  What Django's database backend does with its
model, the extension does in the database:

    load         session.load(key)          jsonb of a live session, or NULL
    exists       session.exists(key)
    save         session.save(key, data, expire_date, must_create), and in
                 the same statement session.set_expiry when the session's
                 expiry changed (see below)
                 false: CreateError (key taken) or UpdateError (the session
                 was deleted meanwhile; the middleware turns that into
                 SessionInterrupted, as with the database backend)
    delete       session.delete(key)
    cycle_key    session.cycle_key(key)     same row, new key
    clear_expired  session.clear_expired()  (EXECUTE must be granted)

Expiry is the store's, on the database clock: Django's ``_session_expiry``
is mapped onto the store's policy, never turned into a date on the app
server's clock.

    no _session_expiry        the store's default: slides by
                              session.default_max_age (keep it equal to
                              SESSION_COOKIE_AGE; both default to two
                              weeks), or, with SESSION_EXPIRE_AT_BROWSER_CLOSE,
                              set_expiry(key, 0)
    set_expiry(seconds > 0)   set_expiry(key, seconds): an idle timeout
                              that slides on every load and save
    set_expiry(0)             set_expiry(key, 0): browser-close session
    set_expiry(seconds < 0)   already expired: a fixed date in the past
    set_expiry(datetime or    that fixed date (Django turns a timedelta into
      timedelta)              a datetime)

The policy is sent when a session is created and when its expiry changed
since it was loaded, so a save that changes only data costs one call.

Session data is stored as JSON whatever SESSION_SERIALIZER says, so it
must be what Django's default JSONSerializer accepts; the one exception is
a datetime in ``_session_expiry`` (set_expiry with a datetime or a
timedelta), which is stored as an ISO 8601 string and read back as a
datetime.
"""
import json
import re
from datetime import datetime

from django.conf import settings
from django.contrib.sessions.backends.base import (
    VALID_KEY_CHARS, CreateError, SessionBase, UpdateError,
)
from django.db import connections
from django.utils.crypto import get_random_string

EXPIRY_KEY = '_session_expiry'
# The keys the extension accepts: 8 to 128 characters of [A-Za-z0-9,_-].
# It makes Django's own format, 32 characters of [a-z0-9].
_VALID_KEY = re.compile(r'[A-Za-z0-9,_-]{8,128}\Z')
# What set_expiry is called with: NULL::integer is the store's default.
_DEFAULT = object()


def _db_alias():
    return getattr(settings, 'SESSION_STORE_DB_ALIAS', 'default')


def _call(sql, params):
    """Run one SELECT of a session function and return its single value."""
    with connections[_db_alias()].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _to_json(data):
    expiry = data.get(EXPIRY_KEY)
    if isinstance(expiry, datetime):
        data = dict(data)
        data[EXPIRY_KEY] = expiry.isoformat()
    return json.dumps(data, ensure_ascii=False, separators=(',', ':'))


def _from_json(value):
    # Django's PostgreSQL backend hands jsonb over as text; plain psycopg2
    # parses it.
    data = json.loads(value) if isinstance(value, str) else value
    expiry = data.get(EXPIRY_KEY)
    if isinstance(expiry, str):
        try:
            data[EXPIRY_KEY] = datetime.fromisoformat(expiry)
        except ValueError:
            pass
    return data


class SessionStore(SessionBase):
    """Sessions kept by the PostgreSQL extension ``session``."""

    # The _session_expiry the store's policy was last set from (load or
    # save); _UNKNOWN until then, so a new session always sends its policy.
    _UNKNOWN = object()
    _stored_expiry = _UNKNOWN

    def _validate_session_key(self, key):
        # A key the extension cannot hold is treated like one too short.
        return bool(key and isinstance(key, str) and _VALID_KEY.match(key))

    def _get_new_session_key(self):
        # No exists() round trip: save(must_create=True) is the check.
        return get_random_string(32, VALID_KEY_CHARS)

    def load(self):
        data = None
        if self.session_key is not None:
            data = _call('SELECT session.load(%s)', [self.session_key])
        if data is None:
            self._session_key = None
            self._stored_expiry = self._UNKNOWN
            return {}
        data = _from_json(data)
        self._stored_expiry = data.get(EXPIRY_KEY)
        return data

    def exists(self, session_key):
        if not self._validate_session_key(session_key):
            return False
        return _call('SELECT session.exists(%s)', [session_key])

    def create(self):
        while True:
            self._session_key = self._get_new_session_key()
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self.modified = True
            return

    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        data = self._get_session(no_load=must_create)
        expiry = data.get(EXPIRY_KEY)
        if isinstance(expiry, str):
            # Django 4 keeps set_expiry(datetime) as ISO 8601 text
            expiry = datetime.fromisoformat(expiry)
        key, text = self.session_key, _to_json(data)
        if isinstance(expiry, datetime):
            # A fixed date goes with the save itself.
            sql = 'SELECT session.save(%s, %s::jsonb, %s::timestamptz, %s)'
            params = [key, text, expiry, must_create]
        elif not must_create and expiry == self._stored_expiry:
            sql = 'SELECT session.save(%s, %s::jsonb, NULL, %s)'
            params = [key, text, must_create]
        else:
            # The set_expiry's parameters come first in the statement.
            sql, params = self._policy_sql(expiry, must_create)
            params += [key, text, must_create]
        saved = _call(sql, params)
        if not saved:
            raise CreateError if must_create else UpdateError
        self._stored_expiry = expiry

    def _policy_sql(self, expiry, must_create):
        """The save followed, in one statement, by the set_expiry that gives
        the session the store's policy for ``expiry`` (not a datetime)."""
        save = 'SELECT CASE WHEN s THEN %s ELSE false END FROM session.save(%%s, %%s::jsonb, NULL, %%s) AS s'
        if expiry is None:
            if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
                return save % 'session.set_expiry(%s, 0)', [self.session_key]
            if must_create:
                # A new session has the default policy already.
                return 'SELECT session.save(%s, %s::jsonb, NULL, %s)', []
            return save % 'session.set_expiry(%s, NULL::integer)', [self.session_key]
        seconds = int(expiry)
        if seconds < 0:
            # Django's "already expired": a fixed date in the past.
            return (save % "session.set_expiry(%s, pg_catalog.clock_timestamp()"
                    " OPERATOR(pg_catalog.+) pg_catalog.make_interval(secs => %s))",
                    [self.session_key, seconds])
        return save % 'session.set_expiry(%s, %s::integer)', [self.session_key, seconds]

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        _call('SELECT session.delete(%s)', [session_key])
        if session_key == self.session_key:
            self._stored_expiry = self._UNKNOWN

    def cycle_key(self):
        data = self._session
        key = self.session_key
        new_key = _call('SELECT session.cycle_key(%s)', [key]) if key else None
        if new_key is None:
            # Not stored (yet): what Django's backends do.
            return super().cycle_key()
        self._session_key = new_key
        self._session_cache = data
        self.modified = True

    def record_login(self, account, ip=None, user_agent=None):
        """
        session.login: a new key for this session (or a new session when it
        is not stored), bound to ``account``, with the client's IP and user
        agent.  The data in memory is saved as usual at the end of the
        request; SessionClientMiddleware calls this when a user logs in.
        """
        new_key = _call(
            'SELECT session.login(%s, %s, %s::inet, %s)',
            [self.session_key, account, ip, user_agent],
        )
        if self._stored_expiry is self._UNKNOWN:
            # session.login made a new session: it has the default policy.
            self._stored_expiry = None
        self._session_key = new_key
        self.modified = True

    @classmethod
    def clear_expired(cls):
        _call('SELECT session.clear_expired()', [])
