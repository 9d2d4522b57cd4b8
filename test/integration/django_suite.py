#!/usr/bin/python3
"""
Django's own session tests (3.2 on Debian 12, 4.2 on Debian 13) against
SESSION_ENGINE = 'session_store'.

Fetches Django's source for its tests (Debian's python-django source
package, cached in tmp/django-src: apt-get source needs a deb-src entry,
which this adds when missing), installs the extension into a template
database, and runs tests/runtests.py as Django runs its test-suite, with
the engine's test module (clients/django/tests) as the app
session_store_tests.  Prints "django_suite: N passed, N failed".

Needs PGHOST, PGPORT and PGUSER of a cluster where the extension is
installed (scripts/test sets them), and root for apt-get on a fresh machine.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import time

import django

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CACHE = os.environ.get('SESSION_DJANGO_SRC') or os.path.join(ROOT, 'tmp', 'django-src')


def codename():
    with open('/etc/os-release') as f:
        m = re.search(r'^VERSION_CODENAME=(\w+)', f.read(), re.M)
    return m.group(1) if m else 'bookworm'


CODENAME = codename()
SOURCES = '/etc/apt/sources.list.d/session-debsrc.sources'
SOURCES_TEXT = """Types: deb-src
URIs: http://deb.debian.org/debian
Suites: %s %s-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
""" % (CODENAME, CODENAME)
TEMPLATE_DB = 'django_it_tpl'
TEST_DB = 'test_django_it'
NAME = 'django_suite'


def log(msg):
    print('== %s' % msg, flush=True)


def have_deb_src():
    files = glob.glob('/etc/apt/sources.list') + glob.glob('/etc/apt/sources.list.d/*')
    for path in files:
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            continue
        if re.search(r'^\s*deb-src\s.*' + CODENAME, text, re.M) or (
                re.search(r'^Types:.*deb-src', text, re.M) and CODENAME in text):
            return True
    return False


def django_tests_dir():
    """The tests/ folder of the Django release that is installed."""
    version = django.__version__
    tests = os.path.join(CACHE, 'Django-%s' % version, 'tests')
    if os.path.exists(os.path.join(tests, 'sessions_tests', 'tests.py')):
        return tests
    os.makedirs(CACHE, exist_ok=True)
    tarballs = glob.glob(os.path.join(CACHE, 'python-django_%s.orig.tar.*' % version))
    if not tarballs:
        if not have_deb_src():
            log('adding a deb-src entry for %s' % CODENAME)
            with open(SOURCES, 'w') as f:
                f.write(SOURCES_TEXT)
        get = ['apt-get', 'source', '--download-only', '-qq', 'python-django']
        if subprocess.run(get, cwd=CACHE, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0:
            log('apt-get update')
            subprocess.run(['apt-get', 'update', '-qq'], check=True,
                           stdout=subprocess.DEVNULL)
            subprocess.run(get, cwd=CACHE, check=True, stdout=subprocess.DEVNULL)
        tarballs = glob.glob(os.path.join(CACHE, 'python-django_%s.orig.tar.*' % version))
        if not tarballs:
            found = glob.glob(os.path.join(CACHE, 'python-django_*.orig.tar.*'))
            sys.exit('Debian offers %s, not the Django %s that is installed'
                     % (', '.join(map(os.path.basename, found)) or 'nothing', version))
    log('unpacking the tests of Django %s' % version)
    # the folder is Django-X or, from 4.2.x on, django-X
    top = subprocess.run(['tar', '-tf', tarballs[0]], check=True, capture_output=True,
                         text=True).stdout.split('/', 1)[0]
    subprocess.run(['tar', '-xf', tarballs[0], '-C', CACHE, '--wildcards',
                    '%s/tests/*' % top], check=True)
    if top != 'Django-%s' % version:
        shutil.rmtree(os.path.join(CACHE, 'Django-%s' % version), ignore_errors=True)
        os.rename(os.path.join(CACHE, top), os.path.join(CACHE, 'Django-%s' % version))
    return tests


def psql(db, sql):
    subprocess.run(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql],
                   check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, PGOPTIONS='-c client_min_messages=warning'))


def main():
    start = time.time()
    tests = django_tests_dir()
    log('Django source ready after %.1fs' % (time.time() - start))

    app = os.path.join(tests, 'session_store_tests')
    shutil.rmtree(app, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, 'clients', 'django', 'tests'), app,
                    ignore=shutil.ignore_patterns('__pycache__'))

    psql('postgres', 'DROP DATABASE IF EXISTS %s' % TEST_DB)
    psql('postgres', 'DROP DATABASE IF EXISTS %s' % TEMPLATE_DB)
    psql('postgres', 'CREATE DATABASE %s' % TEMPLATE_DB)
    try:
        psql(TEMPLATE_DB, 'CREATE EXTENSION session')
        env = dict(os.environ,
                   PYTHONPATH=os.path.join(ROOT, 'clients', 'django'),
                   DJANGO_IT_TEMPLATE=TEMPLATE_DB, DJANGO_IT_DB=TEST_DB)
        # sessions_tests is named so that runtests installs it (the engine's
        # tests import its mixin); -k SessionStore runs only the engine's
        # test classes.
        cmd = [sys.executable, 'runtests.py', '--settings=session_store_tests.settings',
               '--parallel=1', '--noinput', '-v', '2', '-k', 'SessionStore',
               'session_store_tests', 'sessions_tests']
        proc = subprocess.run(cmd, cwd=tests, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    finally:
        psql('postgres', 'DROP DATABASE IF EXISTS %s' % TEST_DB)
        psql('postgres', 'DROP DATABASE IF EXISTS %s' % TEMPLATE_DB)
    out = proc.stdout
    print(out)

    # unittest's closing lines: "Ran N tests", then "OK (skipped=K)" or
    # "FAILED (failures=F, errors=E, skipped=K)".
    ran = re.search(r'^Ran (\d+) tests?', out, re.M)
    ran = int(ran.group(1)) if ran else 0
    counts = {k: 0 for k in ('failures', 'errors', 'skipped', 'expected failures',
                             'unexpected successes')}
    summary = re.search(r'^(OK|FAILED)(?: \((.*)\))?$', out, re.M)
    if summary and summary.group(2):
        for part in summary.group(2).split(', '):
            k, _, v = part.partition('=')
            counts[k] = int(v)
    failed = counts['failures'] + counts['errors'] + counts['unexpected successes']
    passed = ran - failed - counts['skipped'] - counts['expected failures']
    if summary is None or ran == 0 or (proc.returncode != 0 and failed == 0):
        failed += 1
    log('whole suite took %.1fs' % (time.time() - start))
    print('%s: %d passed, %d failed' % (NAME, passed, failed))
    return 0 if failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
