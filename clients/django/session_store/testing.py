"""
A test runner for projects that use the engine: ``manage.py test`` builds
its test database from template1, where the extension is not installed.

    TEST_RUNNER = 'session_store.testing.DiscoverRunner'

Right after Django creates the test database (before it is cloned for
--parallel), the runner runs CREATE EXTENSION session in it when it is not
there.  That needs a superuser; a project whose tests run as a role that
is not one points the test database at a template that has the extension
and has granted it (CREATE DATABASE app_template; CREATE EXTENSION session;
SELECT session.grant_access('app'); ALTER DATABASE app_template IS_TEMPLATE
true), in DATABASES['default']['TEST']['TEMPLATE'], and the runner only
checks that the extension is there.
"""
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections
from django.test.runner import DiscoverRunner as _DiscoverRunner

_HELP = (
    'The test database has no "session" extension and the role %r cannot '
    'create it (%s).  Run the tests as a superuser, or install the extension '
    'in a template database, grant it to the role (SELECT '
    "session.grant_access('role')), make it a template (ALTER DATABASE ... "
    "IS_TEMPLATE true) and name it in DATABASES[%r]['TEST']['TEMPLATE']."
)


def ensure_extension(connection):
    """CREATE EXTENSION session in the connection's database if it is not
    there; ImproperlyConfigured if it cannot be."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'session'")
        if cursor.fetchone():
            return
        try:
            cursor.execute('CREATE EXTENSION session')
        except DatabaseError as e:
            raise ImproperlyConfigured(
                _HELP % (connection.settings_dict.get('USER'), str(e).strip(), connection.alias)
            ) from e


class DiscoverRunner(_DiscoverRunner):

    def setup_databases(self, **kwargs):
        connection = connections[getattr(settings, 'SESSION_STORE_DB_ALIAS', 'default')]
        creation = connection.creation
        create_test_db = creation.create_test_db

        def create_with_extension(*args, **kw):
            name = create_test_db(*args, **kw)
            ensure_extension(connection)
            return name

        creation.create_test_db = create_with_extension
        try:
            return super().setup_databases(**kwargs)
        finally:
            del creation.create_test_db
