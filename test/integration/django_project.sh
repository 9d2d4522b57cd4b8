#!/usr/bin/env bash
# test/integration/django_project.sh: the Django engine as a project uses it.
#
# pip install --no-build-isolation ./clients/django into a virtualenv (with
# the system's Django), a minimal project with SESSION_ENGINE, the
# middleware and TEST_RUNNER = 'session_store.testing.DiscoverRunner', and
# `manage.py test` run as the superuser of PGUSER on a database of its own:
# the runner creates the extension in the test database cloned from
# template1.  Prints "django_project: N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
name=django_project
work=$(mktemp -d /tmp/django-project.XXXXXX)
db=django_project_$$
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS test_$db" 2>/dev/null' EXIT
start=$SECONDS
/usr/bin/python3 -m venv --system-site-packages "$work/venv" || { echo "$name: 0 passed, 1 failed"; exit 1; }
if ! "$work/venv/bin/pip" install -q --no-build-isolation --no-index "$root/clients/django" >"$work/pip.log" 2>&1; then
	cat "$work/pip.log"; echo "$name: 0 passed, 1 failed"; exit 1
fi
psql -X -q -d postgres -c "CREATE DATABASE $db" || exit 1
mkdir -p "$work/project/app"
cd "$work/project"
cat >settings.py <<PY
SECRET_KEY = 'django-project-test'
INSTALLED_APPS = ['django.contrib.auth', 'django.contrib.contenttypes', 'app']
MIDDLEWARE = ['django.contrib.sessions.middleware.SessionMiddleware',
              'session_store.middleware.SessionClientMiddleware',
              'django.contrib.auth.middleware.AuthenticationMiddleware']
ROOT_URLCONF = 'urls'
SESSION_ENGINE = 'session_store'
TEST_RUNNER = 'session_store.testing.DiscoverRunner'
DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'NAME': '$db',
             'HOST': '$PGHOST', 'PORT': '$PGPORT', 'USER': '$PGUSER'}}
DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'
USE_TZ = True
PY
cat >urls.py <<'PY'
from django.contrib.auth import login
from django.contrib.auth.models import User
from django.http import JsonResponse
from django.urls import path


def do_login(request):
    login(request, User.objects.get(username='ana'))
    return JsonResponse({'ok': True})


def me(request):
    return JsonResponse({'user': request.user.username or None})


urlpatterns = [path('login', do_login), path('me', me)]
PY
touch app/__init__.py
cat >app/tests.py <<'PY'
from django.contrib.auth.models import User
from django.db import connection
from django.test import TestCase

from session_store import accounts


class ProjectTests(TestCase):
    def test_login_through_the_store(self):
        user = User.objects.create_user('ana')
        self.client.get('/login', REMOTE_ADDR='192.0.2.1', HTTP_USER_AGENT='TestAgent')
        self.assertEqual(self.client.get('/me').json(), {'user': 'ana'})
        [info] = accounts.sessions(user)
        self.assertEqual((info.ip, info.user_agent), ('192.0.2.1', 'TestAgent'))
        with connection.cursor() as cursor:
            cursor.execute('SELECT count(*) FROM session.sessions')
            self.assertEqual(cursor.fetchone()[0], 1)

    def test_store_is_installed(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'session'")
            self.assertIsNotNone(cursor.fetchone())
PY
"$work/venv/bin/python" -c 'import django; from django.core.management import execute_from_command_line as e; import sys; e(sys.argv)' \
	test --noinput -v 2 --settings=settings >"$work/test.log" 2>&1
rc=$?
cd "$root"
cat "$work/test.log"
ran=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' "$work/test.log")
ran=${ran:-0}
echo "# django_project took $((SECONDS - start))s"
if [ $rc -eq 0 ] && [ "$ran" -gt 0 ]; then echo "$name: $ran passed, 0 failed"; else echo "$name: 0 passed, $((ran > 0 ? ran : 1)) failed"; fi
[ $rc -eq 0 ]
