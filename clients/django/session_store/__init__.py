"""
A Django session engine backed by the PostgreSQL extension ``session``.

    SESSION_ENGINE = 'session_store'

Every call goes to the extension's SQL functions on Django's own database
connection (``SESSION_STORE_DB_ALIAS``, default ``'default'``), so sessions
are read and written inside the request's transaction, exactly as with
``django.contrib.sessions.backends.db``.  The data is stored as jsonb, not
as a signed string: the extension keeps only a SHA-256 digest of each key,
binds the session to the account in ``_auth_user_id`` on save, and expires
it by its own policy on the database clock, onto which set_expiry() is
mapped (see backend.py).  SessionClientMiddleware records IP and user agent
at login; ``accounts`` lists, revokes and logs out a user's sessions;
``testing.DiscoverRunner`` makes ``manage.py test`` install the extension.
"""
from .backend import SessionStore

__all__ = ['SessionStore']
