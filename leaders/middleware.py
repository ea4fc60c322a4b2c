"""Account safety around every request: a cache outage gets a clear page, staff need 2FA."""

import logging
from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: What the cache raises when Redis cannot be reached (refused, reset or too slow).
CACHE_OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError)

#: Admin views a staff member without two-factor authentication may still open.
ADMIN_VIEWS_WITHOUT_MFA = {"login", "logout"}


class CacheOutageMiddleware:
    """Answer 503 with a clear page when the cache (Redis) is unreachable.

    allauth counts its rate limits in the cache on every sign-in, sign-up and password reset.
    We fail closed: while the cache is down those forms say "try again in a few minutes"
    instead of letting anyone through without the limits (or failing with a 500). Pages that
    do not touch the cache keep working. Works with any cache backend configured by CACHE_URL.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, CACHE_OUTAGE_ERRORS):
            return None
        logger.error("The cache is unreachable: %s", exception, exc_info=exception)
        response = render(request, "leaders/service_unavailable.html", status=503)
        response["Retry-After"] = "120"
        return response


class StaffMfaRequiredMiddleware:
    """Send a staff member without an authenticator app to set one up before the admin.

    The admin's login goes through allauth (techgroups/urls.py), so once set up, every staff
    sign-in asks for the second factor.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        match = request.resolver_match
        if match is None:
            return None
        if match.namespace == "admin":
            if match.url_name in ADMIN_VIEWS_WITHOUT_MFA:
                return None
        elif not request.path_info.startswith(reverse("admin:index")):
            return None  # staff pages beside the admin's, e.g. /admin/overview/, count too
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return None
        if is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            return None
        messages.warning(
            request,
            _(
                "The admin needs two-factor authentication. Set up an authenticator app "
                "first, then open the admin again."
            ),
        )
        return HttpResponseRedirect(reverse("mfa_activate_totp"))
