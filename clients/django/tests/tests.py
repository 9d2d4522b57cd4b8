"""
Django 3.2's own session tests (tests/sessions_tests/tests.py), run against
SESSION_ENGINE = 'session_store' as Django runs them against its database
backend (DatabaseSessionTests and DatabaseSessionWithTimeZoneTests), plus
the middleware tests with the engine configured, plus what the engine adds.

Left out, because they test Django's Session model and its manager, which
this engine does not use (the extension's table replaces them):
    DatabaseSessionTests.test_session_str          str() of a Session model row
    DatabaseSessionTests.test_session_get_decoded  Session.get_decoded()
    DatabaseSessionTests.test_sessionmanager_save  SessionManager.save()
    CustomDatabaseSessionTests                     a custom Session model with an
        account column: the extension binds the account (the engine's
        test_account_follows_auth_user_id below is that test for this engine)
DatabaseSessionTests.test_clearsessions_command and the two middleware
tests that name Django's backend or its model are ported, not left out.
"""
import json
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.core import management
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import TestCase, override_settings
from django.utils import timezone

from django.contrib.auth import login
from django.contrib.auth.models import User
from django.test import RequestFactory

from session_store import SessionStore, accounts
from session_store.middleware import SessionClientMiddleware
from sessions_tests import tests as django_tests


def _row(key, columns):
    """Columns of the stored row of a key (test role is a superuser)."""
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT %s FROM session.sessions'
            ' WHERE key_hash = session._key_digest(%%s, false)' % columns,
            [key],
        )
        return cursor.fetchone()


def _count():
    with connection.cursor() as cursor:
        cursor.execute('SELECT count(*) FROM session.sessions')
        return cursor.fetchone()[0]


class SessionStoreTests(django_tests.SessionTestsMixin, TestCase):

    backend = SessionStore
    session_engine = 'session_store'

    # Ported from DatabaseSessionTests: the rows are counted in the
    # extension's table instead of through the Session model.
    def test_clearsessions_command(self):
        """
        Test clearsessions command for clearing expired sessions.
        """
        self.assertEqual(0, _count())

        # One object in the future
        self.session['foo'] = 'bar'
        self.session.set_expiry(3600)
        self.session.save()

        # One object in the past
        other_session = self.backend()
        other_session['foo'] = 'bar'
        other_session.set_expiry(-3600)
        other_session.save()

        # Two sessions are in the database before clearsessions...
        self.assertEqual(2, _count())
        with override_settings(SESSION_ENGINE=self.session_engine):
            management.call_command('clearsessions')
        # ... and one is deleted.
        self.assertEqual(1, _count())

    # What the engine adds.
    def test_key_never_stored(self):
        self.session['x'] = 1
        self.session.save()
        key = self.session.session_key
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM session.sessions"
                " WHERE position(convert_to(%s, 'UTF8') in key_hash) > 0"
                "    OR data::text LIKE '%%' || %s || '%%'",
                [key, key],
            )
            self.assertEqual(cursor.fetchone()[0], 0)
        self.assertEqual(_row(key, 'octet_length(key_hash)')[0], 32)

    def test_account_follows_auth_user_id(self):
        self.session['_auth_user_id'] = 42
        self.session.save()
        self.assertEqual(_row(self.session.session_key, 'account')[0], '42')
        self.session['_auth_user_id'] = 'alice'
        self.session.save()
        self.assertEqual(_row(self.session.session_key, 'account')[0], 'alice')

    def test_non_ascii_data(self):
        data = {'名前': 'José ☃ 😀', 'ß': ['ü', {'ñ': 'é'}], 'tab\t"q"\\': '\u2028'}
        self.session.update(data)
        self.session.save()
        other = self.backend(self.session.session_key)
        self.assertEqual(dict(other.items()), data)

    def test_expiry_as_int(self):
        self.session.set_expiry(300)
        self.session.save()
        other = self.backend(self.session.session_key)
        self.assertEqual(other['_session_expiry'], 300)
        self.assertEqual(other.get_expiry_age(), 300)
        stored = _row(self.session.session_key, 'expire_date')[0]
        delta = (stored - timezone.now()).total_seconds() if settings.USE_TZ else None
        if delta is not None:
            self.assertTrue(298 <= delta <= 300, delta)

    def test_expiry_as_datetime(self):
        when = timezone.now().replace(microsecond=123456) + timedelta(days=3)
        self.session.set_expiry(when)
        self.session.save()
        stored = _row(self.session.session_key, "data->>'_session_expiry'")[0]
        self.assertEqual(stored, when.isoformat())
        other = self.backend(self.session.session_key)
        self.assertEqual(other['_session_expiry'], when)
        self.assertEqual(other.get_expiry_date(), when)
        if settings.USE_TZ:
            self.assertEqual(_row(self.session.session_key, 'expire_date')[0], when)

    def test_expiry_datetime_string_from_the_store(self):
        # Data written by another client with the expiry as an ISO string.
        when = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
        with connection.cursor() as cursor:
            cursor.execute(
                'SELECT session.create(%s::jsonb, %s)',
                [json.dumps({'_session_expiry': when.isoformat(), 'a': 1}), when],
            )
            key = cursor.fetchone()[0]
        other = self.backend(key)
        self.assertEqual(other.get_expiry_date(), when)
        self.assertIsInstance(other['_session_expiry'], datetime)
        other.delete()

    def test_save_after_concurrent_delete_is_update_error(self):
        self.session['a'] = 1
        self.session.save()
        self.backend(self.session.session_key).delete()
        self.session['a'] = 2
        with self.assertRaises(UpdateError):
            self.session.save()

    def test_must_create_on_taken_key(self):
        self.session.save()
        other = self.backend(self.session.session_key)
        with self.assertRaises(CreateError):
            other.save(must_create=True)

    def test_keys_the_store_cannot_hold_are_invalid(self):
        for key in ('abc.defghij', 'abc defgh1', 'a' * 129, 's:abcdefgh12'):
            with self.subTest(key=key):
                session = self.backend(key)
                self.assertIsNone(session.session_key)
                self.assertIs(session.exists(key), False)
                self.assertEqual(session.load(), {})

    def test_cycle_keeps_row(self):
        self.session['a'] = 1
        self.session.save()
        old = self.session.session_key
        row_id = _row(old, 'id')[0]
        self.session.cycle_key()
        self.assertIs(self.session.modified, True)
        self.assertEqual(_row(self.session.session_key, 'id')[0], row_id)
        self.assertIsNone(_row(old, 'id'))

    def test_shares_django_transaction(self):
        try:
            with transaction.atomic():
                self.session['a'] = 1
                self.session.save()
                key = self.session.session_key
                self.assertIs(self.session.exists(key), True)
                raise RuntimeError('roll back')
        except RuntimeError:
            pass
        self.assertIs(self.backend().exists(key), False)

    def test_native_keys_of_other_stacks_are_valid(self):
        # express-session, Laravel, a UUID (Spring), PHP with 6 bits a character
        for key in ('Xp-r3ss_Sess10n-Id_0123456789abc', 'L' * 20 + 'a1' * 10,
                    '0b1e5f8c-7d2a-4c3b-9e6f-a1b2c3d4e5f6', 'Php,6bits-0123456789abcdefABCDEF'):
            with self.subTest(key=key):
                self.assertIs(self.session._validate_session_key(key), True)

    # Expiry is the store's policy on the database clock.
    def _sql(self, function):
        with connection.cursor() as cursor:
            cursor.execute('SELECT session.%s(%%s)' % function, [self.session.session_key])
            return cursor.fetchone()[0]

    def _policy(self):
        return _row(self.session.session_key, 'max_age, fixed_expiry')

    def test_no_expiry_is_the_store_default(self):
        self.session['a'] = 1
        self.session.save()
        self.assertEqual(self._policy(), (None, False))
        self.assertIs(self._sql('expires_at_browser_close'), False)
        age = self._sql('expiry_age')
        self.assertTrue(settings.SESSION_COOKIE_AGE - 2 <= age <= settings.SESSION_COOKIE_AGE, age)

    def test_expiry_zero_is_browser_close_in_the_store(self):
        self.session.set_expiry(0)
        self.session.save()
        self.assertIs(self.session.get_expire_at_browser_close(), True)
        self.assertIs(self._sql('expires_at_browser_close'), True)
        other = self.backend(self.session.session_key)
        other.set_expiry(None)
        other.save()
        self.assertIs(self._sql('expires_at_browser_close'), False)
        self.assertEqual(self._policy(), (None, False))

    @override_settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=True)
    def test_expire_at_browser_close_setting(self):
        self.session['a'] = 1
        self.session.save()
        self.assertIs(self._sql('expires_at_browser_close'), True)

    def test_expiry_seconds_slide_on_load(self):
        self.session.set_expiry(300)
        self.session.save()
        self.assertEqual(self._policy(), (300, False))
        # Idle for 100 s: the next load (touch due) slides the expiry on the
        # database clock, with no save by Django.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE session.sessions SET last_activity = last_activity - interval '100 s',"
                " expire_date = expire_date - interval '100 s',"
                " purge_after = purge_after - interval '100 s'"
                " WHERE key_hash = session._key_digest(%s, false)", [self.session.session_key])
        self.assertTrue(195 <= self._sql('expiry_age') <= 200)
        self.backend(self.session.session_key).load()
        self.assertTrue(298 <= self._sql('expiry_age') <= 300)

    def test_data_save_keeps_the_policy(self):
        self.session.set_expiry(300)
        self.session.save()
        other = self.backend(self.session.session_key)
        other['b'] = 2
        other.save()
        self.assertEqual(self._policy(), (300, False))
        self.assertEqual(other.get_expiry_age(), 300)

    def test_expiry_datetime_is_fixed(self):
        self.session.set_expiry(timedelta(hours=1))
        self.session.save()
        self.assertEqual(self._policy()[1], True)
        self.assertTrue(3598 <= self._sql('expiry_age') <= 3600)

    def test_negative_seconds_expire_now(self):
        self.session['a'] = 1
        self.session.set_expiry(-10)
        self.session.save()
        self.assertIs(self.backend().exists(self.session.session_key), False)

    def test_non_json_value_refused(self):
        self.session['when'] = datetime(2020, 1, 1)
        with self.assertRaises(TypeError):
            self.session.save()


@override_settings(USE_TZ=True)
class SessionStoreWithTimeZoneTests(SessionStoreTests):
    pass


@override_settings(SESSION_ENGINE='session_store')
class SessionStoreMiddlewareTests(django_tests.SessionMiddlewareTests):

    # Ported: Django's version builds its DatabaseSession by name.
    def test_session_update_error_redirect(self):
        def response_delete_session(request):
            request.session = SessionStore()
            request.session.save(must_create=True)
            request.session.delete()
            return HttpResponse()

        request = self.request_factory.get('/foo/')
        middleware = SessionMiddleware(response_delete_session)

        msg = (
            "The request's session was deleted before the request completed. "
            "The user may have logged out in a concurrent request, for example."
        )
        with self.assertRaisesMessage(SessionInterrupted, msg):
            middleware(request)

    # Ported: Django's version reads the row through its Session model.
    def test_empty_session_saved(self):
        def response_set_session(request):
            request.session['foo'] = 'bar'
            return HttpResponse('Session test')

        request = self.request_factory.get('/')
        middleware = SessionMiddleware(response_set_session)

        response = middleware(request)
        self.assertIsInstance(request.session, SessionStore)
        self.assertEqual(tuple(request.session.items()), (('foo', 'bar'),))
        self.assertIn(
            'Set-Cookie: sessionid=%s' % request.session.session_key,
            str(response.cookies)
        )
        self.assertEqual(response.headers['Vary'], 'Cookie')

        del request.session['foo']
        response = HttpResponse('Session test')
        response = middleware.process_response(request, response)
        self.assertEqual(dict(request.session.values()), {})
        self.assertEqual(SessionStore(request.session.session_key).load(), {})
        self.assertIs(SessionStore().exists(request.session.session_key), True)
        self.assertGreater(len(request.session.session_key), 8)
        self.assertIn(
            'Set-Cookie: sessionid=%s' % request.session.session_key,
            str(response.cookies)
        )
        self.assertEqual(response.headers['Vary'], 'Cookie')


class SessionStoreClientTests(TestCase):
    """The login hook and the account helpers."""

    def setUp(self):
        self.user = User.objects.create_user('ana', password='pw')
        self.factory = RequestFactory()
        SessionClientMiddleware(lambda request: HttpResponse())

    def _login(self, ip='192.0.2.7', agent='Firefox/120'):
        request = self.factory.get('/', REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
        request.session = SessionStore()
        request.session['cart'] = [1]
        request.session.save()
        before = request.session.session_key
        login(request, self.user)
        request.session.save()
        self.assertNotEqual(request.session.session_key, before)
        return request

    def test_login_records_ip_user_agent_and_account(self):
        request = self._login()
        key = request.session.session_key
        self.assertEqual(_row(key, 'account, host(ip), user_agent'),
                         (str(self.user.pk), '192.0.2.7', 'Firefox/120'))
        other = SessionStore(key)
        self.assertEqual(other['cart'], [1])
        self.assertEqual(other['_auth_user_id'], str(self.user.pk))

    def test_login_without_a_stored_session(self):
        request = self.factory.get('/', REMOTE_ADDR='not an ip')
        request.session = SessionStore()
        login(request, self.user)
        request.session.save()
        self.assertEqual(_row(request.session.session_key, 'account, ip'), (str(self.user.pk), None))

    def test_account_helpers(self):
        first = self._login(agent='phone')
        second = self._login(agent='laptop')
        third = self._login(agent='tablet')
        listed = accounts.sessions(self.user, current=second)
        self.assertEqual(len(listed), 3)
        self.assertEqual([s.user_agent for s in listed if s.is_current], ['laptop'])
        phone = [s for s in listed if s.user_agent == 'phone'][0]
        self.assertIs(accounts.revoke(self.user, phone.id), True)
        self.assertIs(accounts.revoke(self.user, phone.id), False)
        self.assertIs(SessionStore().exists(first.session.session_key), False)
        second.user = self.user
        self.assertEqual(accounts.logout_other_sessions(second), 1)
        self.assertIs(SessionStore().exists(third.session.session_key), False)
        self.assertIs(SessionStore().exists(second.session.session_key), True)
