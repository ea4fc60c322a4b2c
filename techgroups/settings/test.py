"""Tests: the real services on this machine (PostgreSQL and Redis), fast password hashing."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/techgroups")

from .base import *  # noqa: F403
from .base import env, mailer_from_url

ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# The end-to-end mail tests (tests/mail_e2e) start worker processes that send to an SMTP server
# of their own. A name of its own, not EMAIL_URL: a developer's EMAIL_URL must never make the
# suite send real mail.
if test_email_url := env.str("TECHGROUPS_TEST_EMAIL_URL", default=""):
    MAILERS = {"default": mailer_from_url(test_email_url)}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_HSTS_SECONDS = 3600
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Look static files up per request: tests never run collectstatic, so STATIC_ROOT may not exist.
WHITENOISE_AUTOREFRESH = True

# Unit tests run tasks in-process; the worker tests start a real worker on Redis (worker
# processes of tests/mail_e2e set TECHGROUPS_TEST_CELERY_EAGER=false).
CELERY_TASK_ALWAYS_EAGER = env.bool("TECHGROUPS_TEST_CELERY_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")

# No shared counters between tests: with a real cache, allauth's rate limits (e.g. 30 logins a
# minute from one address) would trip across the suite. Tests of the rate limits and of a
# cache outage switch to a real cache with the `settings` fixture.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
