"""
Every session of a user, through the extension's account functions.

    from session_store import accounts

    accounts.sessions(request.user, current=request)   # a "your devices" page
    accounts.revoke(request.user, session_id)           # end one of them
    accounts.logout_other_sessions(request)             # after a password change

A session belongs to the account named by ``_auth_user_id``, which Django
writes at login as the user's primary key in text form: account_of(user).
The functions are not granted by session.grant_access(); grant them to the
application's role:

    GRANT EXECUTE ON FUNCTION session.account_sessions(text, text),
        session.revoke(text, bigint), session.logout_everywhere(text, text) TO app;
"""
from collections import namedtuple

from django.conf import settings
from django.db import connections

SessionInfo = namedtuple(
    'SessionInfo',
    'id created last_activity expire_date ip user_agent is_current',
)


def _cursor():
    return connections[getattr(settings, 'SESSION_STORE_DB_ALIAS', 'default')].cursor()


def account_of(user):
    """The account a user's sessions are bound to: what Django stores in
    ``_auth_user_id``."""
    return user._meta.pk.value_to_string(user)


def _key_of(current):
    """A session key from a request, a session or a key."""
    session = getattr(current, 'session', current)
    return getattr(session, 'session_key', session)


def sessions(user, current=None):
    """The user's live sessions, most recently active first, as SessionInfo;
    ``current`` (a request, a session or a key) marks the one in use."""
    with _cursor() as cursor:
        cursor.execute(
            'SELECT id, created, last_activity, expire_date, host(ip), user_agent,'
            ' is_current FROM session.account_sessions(%s, %s)',
            [account_of(user), _key_of(current)],
        )
        return [SessionInfo(*row) for row in cursor.fetchall()]


def revoke(user, session_id):
    """Ends one of the user's sessions, named by its public id; False if the
    user has no such live session."""
    with _cursor() as cursor:
        cursor.execute('SELECT session.revoke(%s, %s)', [account_of(user), int(session_id)])
        return cursor.fetchone()[0]


def logout_everywhere(user, except_current=None):
    """Ends every session of the user but ``except_current`` (a request, a
    session or a key); returns how many live ones ended."""
    with _cursor() as cursor:
        cursor.execute(
            'SELECT session.logout_everywhere(%s, %s)',
            [account_of(user), _key_of(except_current)],
        )
        return cursor.fetchone()[0]


def logout_other_sessions(request):
    """Ends every session of the request's user but the request's own."""
    return logout_everywhere(request.user, except_current=request)
