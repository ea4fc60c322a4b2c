"""The one-click unsubscribe page of optional e-mail (RFC 8058)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .preferences import BadUnsubscribeToken, optional_email_unsubscribe, user_for_unsubscribe_token


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(View):
    """The one-click unsubscribe link of every optional e-mail; no sign-in needed.

    A GET only asks (mail scanners open links); the button's POST, or the POST a mail client
    sends for List-Unsubscribe-Post (RFC 8058, without a CSRF token, hence exempt), switches
    the optional e-mails off. The signed token is the authentication, and all it can do is
    stop mail.
    """

    template_name = "notifications/unsubscribe.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            user = user_for_unsubscribe_token(token)
        except BadUnsubscribeToken:
            return self.bad_link(request)
        return render(request, self.template_name, {"person": user, "token": token, "done": False})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            user = optional_email_unsubscribe(token=token)
        except BadUnsubscribeToken:
            return self.bad_link(request)
        return render(request, self.template_name, {"person": user, "token": token, "done": True})

    def bad_link(self, request: HttpRequest) -> HttpResponse:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
