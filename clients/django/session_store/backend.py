"""
SessionStore for SESSION_ENGINE = 'session_store'.

Thin by design: each method is one SQL call to the ``session`` extension on
Django's own connection.  What Django's database backend does with its
model, the extension does in the database:

    load         session.load(key)          jsonb of a live session, or NULL
    exists       session.exists(key)
    save         session.save(key, data, expire_date, must_create)
                 false: CreateError (key taken) or UpdateError (the session
                 was deleted meanwhile; the middleware turns that into
                 SessionInterrupted, as with the database backend)
    delete       session.delete(key)
    cycle_key    session.cycle_key(key)     same row, new key
    clear_expired  session.clear_expired()  (EXECUTE must be granted)

Session data is stored as JSON whatever SESSION_SERIALIZER says, so it
must be what Django's default JSONSerializer accepts; the one exception is
a datetime in ``_session_expiry`` (set_expiry with a datetime or a
timedelta), which is stored as an ISO 8601 string and read back as a
datetime.
"""
import json
from datetime import datetime

from django.conf import settings
from django.contrib.sessions.backends.base import (
    VALID_KEY_CHARS, CreateError, SessionBase, UpdateError,
)
from django.db import connections
from django.utils.crypto import get_random_string

EXPIRY_KEY = '_session_expiry'
# The extension's key format: 8 to 40 characters of [a-z0-9].
KEY_MAX_LENGTH = 40
_VALID_KEY_SET = frozenset(VALID_KEY_CHARS)


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

    def _validate_session_key(self, key):
        # A key the extension cannot hold is treated like one too short.
        return bool(
            key and 8 <= len(key) <= KEY_MAX_LENGTH and _VALID_KEY_SET.issuperset(key)
        )

    def _get_new_session_key(self):
        # No exists() round trip: save(must_create=True) is the check.
        return get_random_string(32, VALID_KEY_CHARS)

    def load(self):
        data = None
        if self.session_key is not None:
            data = _call('SELECT session.load(%s)', [self.session_key])
        if data is None:
            self._session_key = None
            return {}
        return _from_json(data)

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
        saved = _call(
            'SELECT session.save(%s, %s::jsonb, %s::timestamptz, %s)',
            [self.session_key, _to_json(data), self.get_expiry_date(), must_create],
        )
        if not saved:
            raise CreateError if must_create else UpdateError

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        _call('SELECT session.delete(%s)', [session_key])

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

    @classmethod
    def clear_expired(cls):
        _call('SELECT session.clear_expired()', [])
