"""
A Django session engine backed by the PostgreSQL extension ``session``.

    SESSION_ENGINE = 'session_store'

Every call goes to the extension's SQL functions on Django's own database
connection (``SESSION_STORE_DB_ALIAS``, default ``'default'``), so sessions
are read and written inside the request's transaction, exactly as with
``django.contrib.sessions.backends.db``.  The data is stored as jsonb, not
as a signed string: the extension keeps only a SHA-256 digest of each key,
binds the session to the account in ``_auth_user_id`` on save, and expires
it at the date Django computes at every save.
"""
from .backend import SessionStore

__all__ = ['SessionStore']
