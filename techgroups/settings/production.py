"""Production: every secret must come from the environment; there is no fallback."""

from django.core.exceptions import ImproperlyConfigured, ValidationError

from .base import *  # noqa: F403
from .base import env, mailer_from_url

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True

CACHES = {"default": env.cache("CACHE_URL")}
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
MAILERS = {"default": mailer_from_url(env("EMAIL_URL"))}


def real_address(value: str) -> str:
    """The program team's address, if it can receive mail: leaders write to it and the portal's
    notices go to it, so a placeholder (example.org, .invalid, ...) stops the start."""
    from django.core.validators import validate_email

    address = value.strip()
    domain = address.rpartition("@")[2].lower().rstrip(".")
    reserved = domain in {"example.org", "example.com", "example.net", "localhost"} or (
        domain.endswith((".example.org", ".example.com", ".example.net"))
        or domain.rpartition(".")[2] in {"example", "invalid", "test", "localhost"}
    )
    try:
        validate_email(address)
    except ValidationError as error:
        raise ImproperlyConfigured(
            f"PROGRAM_TEAM_EMAIL is not an e-mail address: {value!r}"
        ) from error
    if reserved:
        raise ImproperlyConfigured(
            f"PROGRAM_TEAM_EMAIL must be the program team's real address, not {value!r}"
        )
    return address


# No default: leaders write to this address (the contact page) and notices go to it.
PROGRAM_TEAM_EMAIL = real_address(env("PROGRAM_TEAM_EMAIL"))

# The shipped stack (docker-compose.yml) puts gunicorn in front of the visitor: no proxy, so an
# X-Forwarded-For header is the visitor's own claim and the rate limits must not believe it.
# Behind a proxy that sets the header, set the number of proxies (README, "Configuration").
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
# Fetching links never reaches loopback in production, whatever the environment says.
TECHGROUPS_FETCH_ALLOW_LOOPBACK = False
