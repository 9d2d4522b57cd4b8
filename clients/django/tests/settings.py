"""
Settings for running Django 3.2's own session tests against the engine:

    runtests.py --settings=session_store_tests.settings session_store_tests

The test database is cloned from a template database in which the
extension is installed (DJANGO_IT_TEMPLATE), on the cluster that PGHOST,
PGPORT and PGUSER name.
"""
import os

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'NAME': os.environ.get('DJANGO_IT_TEMPLATE', 'django_it_tpl'),
        'HOST': os.environ.get('PGHOST', '127.0.0.1'),
        'PORT': os.environ.get('PGPORT', '5432'),
        'USER': os.environ.get('PGUSER', 'postgres'),
        'TEST': {
            'NAME': os.environ.get('DJANGO_IT_DB', 'test_django_it'),
            'TEMPLATE': os.environ.get('DJANGO_IT_TEMPLATE', 'django_it_tpl'),
        },
    },
}

SECRET_KEY = 'django_tests_secret_key'
PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']
DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'
# Django's own default before 5.0, said out loud so that 4.2 does not warn
USE_TZ = False
