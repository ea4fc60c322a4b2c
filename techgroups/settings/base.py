"""Settings shared by every environment; each value comes from the environment."""

from pathlib import Path
from typing import Literal

import django_stubs_ext
import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

# Lets admin, form and field classes take type arguments at runtime (ModelAdmin[Group]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_celery_beat",
    # Ours, from the bottom layer up (pyproject.toml, [tool.importlinter]: imports go down only).
    "core",
    "notifications",
    "groups",
    "leaders",
    "meetings",
    "membership",
    "program",
    "contact",
    "reporting",
    "directory",
    "privacy",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Answers "briefly unavailable" (503) instead of a 500 while the cache (Redis) is down.
    "leaders.middleware.CacheOutageMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Answers 400 for a NUL byte, another control character or broken UTF-8 in the request.
    "techgroups.middleware.OddInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff must set up two-factor authentication before they can use the admin.
    "leaders.middleware.StaffMfaRequiredMiddleware",
]

ROOT_URLCONF = "techgroups.urls"
WSGI_APPLICATION = "techgroups.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "techgroups.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # PostgreSQL's JIT compiles the checklist's many subqueries for seconds on every run of
    # the overview and the admin's requirement filter, to save milliseconds; it stays off.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds allauth's rate-limit counters, so it must be shared by all web processes:
# Redis in production (CACHE_URL); the embedded default is a local in-memory cache. While it is
# down, CacheOutageMiddleware answers the request with a clear 503 page, never a 500.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "leaders.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "groups:list"

# django-allauth: e-mail is the login; verification is mandatory.
ACCOUNT_ADAPTER = "leaders.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Tech Groups] "
# One address per account: a new one replaces the old once it is verified.
ACCOUNT_CHANGE_EMAIL = True
# Whoever signed up in this browser is signed in by the link, and lands where they were going
# (an invited co-leader goes back to the invitation).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Tell people by e-mail when their password or address changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# ACCOUNT_RATE_LIMITS is left unset on purpose: allauth's defaults (login, failed logins per
# address, sign-up, password reset, e-mail confirmation) are all on. They count in the cache.
# Behind a proxy, the client's address comes from X-Forwarded-For; 0 trusts no proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)

# Two-factor authentication (allauth.mfa): an authenticator app, with recovery codes.
# Optional for leaders, required for staff (leaders.middleware.StaffMfaRequiredMiddleware).
MFA_ADAPTER = "leaders.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Tech Groups"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"


def mailer_from_url(url: str) -> dict[str, object]:
    """A Django 6.1 MAILERS entry from an e-mail URL such as smtp+tls://user:pw@host:587."""
    config = environ.Env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    if not backend.endswith("smtp.EmailBackend"):
        return {"BACKEND": backend}
    options = {
        "host": config.get("EMAIL_HOST") or "localhost",
        "port": config.get("EMAIL_PORT") or 25,
        "username": config.get("EMAIL_HOST_USER") or "",
        "password": config.get("EMAIL_HOST_PASSWORD") or "",
        "use_tls": bool(config.get("EMAIL_USE_TLS")),
        "use_ssl": bool(config.get("EMAIL_USE_SSL")),
        "timeout": env.int("EMAIL_TIMEOUT", default=10),
    }
    return {"BACKEND": backend, "OPTIONS": options}


# E-mail: SMTP (or any backend) from EMAIL_URL; messages name the program team as sender.
MAILERS = {"default": mailer_from_url(env("EMAIL_URL", default="smtp://localhost:25"))}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Tech Groups <groups@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The program team's address: shown on the contact page, the reply-to of the portal's e-mail and
# where its notices go. Production refuses to start without a real one (production.py).
PROGRAM_TEAM_EMAIL = env("PROGRAM_TEAM_EMAIL", default="program-team@example.org")
EMAIL_SUBJECT_PREFIX = "[Tech Groups] "
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Security headers. The CSP is strict: only our own origin, no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# The language switcher is a plain form: no script needs to read the language cookie.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE: Literal["Lax"] = "Lax"  # typed: set_cookie takes only these words

# Celery: the broker is Redis in production; the schedule lives in the database.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
# A task taken by a worker that then died is handed out again after this many seconds (Redis;
# kombu's default is an hour). It must outlast the longest task (CELERY_TASK_TIME_LIMIT) and
# the longest retry countdown (notifications/tasks.py MAX_BROKER_COUNTDOWN), or a task still running
# or waiting would be handed out twice; every job is idempotent, so a second run is harmless.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=600)
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT
}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

# The program's own numbers (docs/program.md, "Settings"): settings, never literals in code.
TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR = env.int("TECHGROUPS_MIN_AZURE_MEETINGS_PER_YEAR", 6)
TECHGROUPS_MAX_MEETING_GAP_DAYS = env.int("TECHGROUPS_MAX_MEETING_GAP_DAYS", 122)
TECHGROUPS_REVIEW_INTERVAL_DAYS = env.int("TECHGROUPS_REVIEW_INTERVAL_DAYS", 182)
# The outbox's first wait after a temporary SMTP error (doubling per try, at most an hour).
TECHGROUPS_OUTBOX_RETRY_SECONDS = env.int("TECHGROUPS_OUTBOX_RETRY_SECONDS", 30)
# How long the program overview's figures are kept in the cache (reporting/overview.py); 0: never.
TECHGROUPS_OVERVIEW_CACHE_SECONDS = env.int("TECHGROUPS_OVERVIEW_CACHE_SECONDS", 300)
# Compliance reminders (membership/reminders.py): days without a meeting before the leaders are
# reminded (each step once), and before the program team is told and the review moved up.
TECHGROUPS_INACTIVITY_REMINDER_DAYS = env.list(
    "TECHGROUPS_INACTIVITY_REMINDER_DAYS", cast=int, default=[60, 90]
)
TECHGROUPS_INACTIVITY_ESCALATION_DAYS = env.int("TECHGROUPS_INACTIVITY_ESCALATION_DAYS", 180)
TECHGROUPS_CHANGES_REQUESTED_REMINDER_DAYS = env.int(
    "TECHGROUPS_CHANGES_REQUESTED_REMINDER_DAYS", 14
)
TECHGROUPS_REVIEW_DUE_REMINDER_DAYS = env.int("TECHGROUPS_REVIEW_DUE_REMINDER_DAYS", 30)
TECHGROUPS_INVITATION_EXPIRY_DAYS = env.int("TECHGROUPS_INVITATION_EXPIRY_DAYS", 14)
#: docs/program.md, Requirement 5: days a contact has to accept a new version of the program rules.
TECHGROUPS_RULES_GRACE_DAYS = env.int("TECHGROUPS_RULES_GRACE_DAYS", 30)
TECHGROUPS_CALL_INVITATION_DAYS = env.int("TECHGROUPS_CALL_INVITATION_DAYS", 14)
#: Fetching links (iCal feeds, codes of conduct) never reaches private addresses; tests may
#: allow loopback to reach a server they start themselves.
TECHGROUPS_FETCH_ALLOW_LOOPBACK = env.bool("TECHGROUPS_FETCH_ALLOW_LOOPBACK", default=False)
#: Off: the portal fetches nothing from outside (no feed import, no code-of-conduct link
#: check), e.g. for a stack run where it must not reach the internet.
TECHGROUPS_FETCH_ENABLED = env.bool("TECHGROUPS_FETCH_ENABLED", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
