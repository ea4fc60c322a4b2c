"""allauth, fitted to the portal: the user's own language after login and in account e-mail,
and account e-mail sent through the outbox like every other e-mail."""

import logging
import uuid
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.mail import render_text_email
from notifications.models import OutboxEmail
from notifications.outbox import outbox_enqueue_rendered

from .models import User

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
#: RFC 5321: no mail server accepts a longer address.
MAX_ADDRESS_LENGTH = 254

logger = logging.getLogger(__name__)


def is_deliverable(address: str) -> bool:
    """Whether mail can be sent to `address` (a password reset may name anything)."""
    if len(address) > MAX_ADDRESS_LENGTH:
        return False
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def remember_language(request: HttpRequest, response: HttpResponseBase, language: str) -> None:
    """Show the rest of this visit, and the next ones, in `language` (as set_language does)."""
    if language not in LANGUAGE_CODES:
        return
    translation.activate(language)
    request.LANGUAGE_CODE = language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def language_of(user: Any) -> str | None:
    language = getattr(user, "preferred_language", None)
    return language if language in LANGUAGE_CODES else None


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def clean_email(self, email: str) -> str:
        """An address no mail server accepts is refused beside the field (RFC 5321)."""
        email = super().clean_email(email)
        if len(email) > MAX_ADDRESS_LENGTH:
            raise ValidationError(
                _("An e-mail address has at most %(max)d characters.") % {"max": MAX_ADDRESS_LENGTH}
            )
        return str(email)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        """A new account keeps the language the visitor signed up in (e.g. chosen on the page)."""
        language = translation.get_language()
        if language in LANGUAGE_CODES:
            user.preferred_language = language
        return super().save_user(request, user, form, commit=commit)

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        """After signing in, the portal speaks the language chosen on the profile."""
        language = language_of(user)
        if language:
            # Before allauth's "signed in" message is written, so it is in that language too.
            translation.activate(language)
        response: HttpResponse = super().post_login(request, user, **kwargs)
        if language:
            remember_language(request, response, language)
        return response

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Account e-mail (verification, password reset, notices) in the recipient's preferred
        language, if they have one, queued in the outbox: the page never waits for the mail
        server, and an e-mail the server refused now is sent when it is back.

        Its text carries a sign-in secret (a link or a code), so the program team does not
        see it in the admin and it is removed once sent.
        """
        if not is_deliverable(email):
            logger.warning("Account e-mail %s not sent: not a deliverable address", template_prefix)
            return
        recipient = context.get("user") or User.objects.filter(email__iexact=email).first()
        language = language_of(recipient) or translation.get_language() or settings.LANGUAGE_CODE
        request = allauth_context.request
        with translation.override(language):
            message = self.render_mail(
                template_prefix,
                email,
                {"request": request, "email": email, "current_site": get_current_site(request)}
                | context,
            )
        name = template_prefix.rpartition("/")[2]
        outbox_enqueue_rendered(
            key=f"account:{name}:{uuid.uuid4().hex}",
            kind=f"account_{name}"[:50],
            to=email,
            language=language,
            rendered=render_text_email(
                subject=message.subject, text=message.body, language=language
            ),
            priority=OutboxEmail.Priority.URGENT,
            carries_secret=True,
            user=recipient if isinstance(recipient, User) and recipient.pk else None,
        )


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff keep their authenticator app: the admin cannot be used without it."""
        user = authenticator.user
        if user.is_staff and authenticator.type == Authenticator.Type.TOTP:
            return False
        return bool(super().can_delete_authenticator(authenticator))
