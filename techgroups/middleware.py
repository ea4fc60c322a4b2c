"""Refuse requests that carry characters no page of ours reads, before any view runs."""

import re
from collections.abc import Callable
from typing import cast
from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import get_resolver, get_urlconf
from django.utils import translation
from django.utils.log import log_response

#: C0 control characters and DEL: no URL of ours has one in its path.
PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: A query string may carry a tab or a line break pasted into a search box; no other control.
QUERY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def _utf8(raw: bytes) -> str | None:
    """The text of `raw`, or None if it is not valid UTF-8 (an encoded lone surrogate is not)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _environ_bytes(value: str) -> bytes:
    """A WSGI environ string as the bytes that came in (PEP 3333 carries them as Latin-1)."""
    try:
        return value.encode("iso-8859-1")
    except UnicodeEncodeError:  # already decoded by the server (ASGI)
        return value.encode("utf-8", "surrogatepass")


def odd_input(request: HttpRequest) -> str | None:
    """Why the request is refused, or None.

    Refused: a path or a query string (percent-decoded) that is not valid UTF-8 or that holds
    a control character, and a NUL in a cookie or in a form-encoded body. PostgreSQL cannot
    store NUL in text, and values read by hand (admin filters, tokens, ids) reach queries
    without a form field's checks. Multipart bodies are left to the forms: reading them here
    would read every uploaded file first.
    """
    # Django keeps the bytes of a path that are not UTF-8 percent-encoded ("%FF"), so the path
    # is decoded once more to find them: no URL of ours has a "%" in its path.
    path = _utf8(unquote_to_bytes(request.path_info.encode("utf-8", "surrogatepass")))
    if path is None:
        return "path is not UTF-8"
    if PATH_CONTROL.search(path):
        return "control character in the path"
    query = _utf8(unquote_to_bytes(_environ_bytes(request.META.get("QUERY_STRING", ""))))
    if query is None:
        return "query string is not UTF-8"
    if QUERY_CONTROL.search(query):
        return "control character in the query string"
    if any("\x00" in name or "\x00" in value for name, value in request.COOKIES.items()):
        return "NUL in a cookie"
    if request.method == "POST" and request.content_type == FORM_CONTENT_TYPE:
        for name, values in request.POST.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return "NUL in the form"
    return None


class OddInputMiddleware:
    """Answer 400 with the site's own page when `odd_input` refuses the request.

    Early in MIDDLEWARE, so neither static files, sessions nor views see such input, but after
    the security headers and the Content-Security-Policy, which the page gets like any other.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        problem = odd_input(request)
        if problem is None:
            return self.get_response(request)
        # handler400 takes the exception too (django-stubs types it without).
        handler = cast(
            Callable[[HttpRequest, Exception], HttpResponse],
            get_resolver(get_urlconf()).resolve_error_handler(400),
        )
        # LocaleMiddleware has not run yet: the page is in the visitor's language all the same.
        with translation.override(translation.get_language_from_request(request)):
            response = handler(request, BadRequest(problem))
        log_response(
            "Bad request (%s): %s", problem, request.path, response=response, request=request
        )
        return response
