"""
SessionClientMiddleware: records the client's IP address and user agent
on the session when a user logs in, through session.login, so that the
account's list of sessions (session_store.accounts.sessions) can show
where each one was opened.

    MIDDLEWARE = [
        ...
        'django.contrib.sessions.middleware.SessionMiddleware',
        'session_store.middleware.SessionClientMiddleware',
        ...
    ]

Settings:
    SESSION_STORE_IP_HEADER   the request.META entry holding the client's
                              IP (default 'REMOTE_ADDR'; behind a proxy
                              e.g. 'HTTP_X_REAL_IP'; for a comma-separated
                              list such as HTTP_X_FORWARDED_FOR the first
                              address is taken, so only trust a header
                              your proxy sets)
"""
import ipaddress

from django.conf import settings
from django.contrib.auth.signals import user_logged_in

from .accounts import account_of
from .backend import SessionStore


def client_ip(request):
    """The client's IP address from the configured META entry, or None."""
    header = getattr(settings, 'SESSION_STORE_IP_HEADER', 'REMOTE_ADDR')
    value = (request.META.get(header) or '').split(',')[0].strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _logged_in(sender, request, user, **kwargs):
    session = getattr(request, 'session', None)
    if not isinstance(session, SessionStore) or user is None:
        return
    session.record_login(
        account_of(user),
        ip=client_ip(request),
        user_agent=request.META.get('HTTP_USER_AGENT') or None,
    )


class SessionClientMiddleware:
    """Connects the login hook; adds nothing to each request."""

    def __init__(self, get_response):
        self.get_response = get_response
        user_logged_in.connect(_logged_in, dispatch_uid='session_store.record_login')

    def __call__(self, request):
        return self.get_response(request)
