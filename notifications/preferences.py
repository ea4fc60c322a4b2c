"""Which e-mails a person may switch off, and their choice: the policy in one place.

An e-mail kind is optional when its declaration says so (`EmailKind.optional`, in the app
that sends it: program news, the call reminder and follow-up, the weekly digest). A person
gets each optional e-mail as it comes (the default), gathered into one e-mail a week, or none
(`User.optional_email`, with the choices of `notifications.choices.OptionalEmail`). Every
other e-mail always arrives.

Every optional e-mail carries a one-click unsubscribe link: a signed token naming the
person, salted for this purpose only, that never expires (it can only turn mail off).
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from .choices import OptionalEmail
from .mail import email_kinds

#: Kept apart from every other signature of the portal: a token made for something else
#: does not unsubscribe anyone, and an unsubscribe token signs nothing else. (The value
#: names the module it was first written in; changing it would void the links sent.)
UNSUBSCRIBE_SALT = "leaders.preferences.unsubscribe"

#: A person, as the auth user model defines them (an `optional_email` field among others).
User = Any


class BadUnsubscribeToken(Exception):
    """The link is incomplete, altered or names nobody."""


def is_optional(kind: str) -> bool:
    """Whether the e-mail named `kind` may be switched off (its declaration says so)."""
    declared = email_kinds().get(kind)
    return declared is not None and declared.optional


def wants_now(user: User, kind: str) -> bool:
    """Whether `user` gets an e-mail of `kind` when it happens (not in a digest, not never)."""
    return not is_optional(kind) or user.optional_email == OptionalEmail.EACH


def wants_digest(user: User, kind: str) -> bool:
    """Whether an e-mail of `kind` goes into `user`'s weekly digest instead."""
    return is_optional(kind) and user.optional_email == OptionalEmail.DIGEST


def unsubscribe_token(user: User) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(user.pk))


def unsubscribe_url(user: User) -> str:
    """The one-click unsubscribe link of `user`, as an absolute URL for e-mail."""
    path = reverse("unsubscribe", kwargs={"token": unsubscribe_token(user)})
    return str(settings.SITE_URL).rstrip("/") + path


def unsubscribe_url_for(user: User, kind: str) -> str:
    """The link to put in an e-mail of `kind`: only optional e-mails have one."""
    return unsubscribe_url(user) if is_optional(kind) else ""


def user_for_unsubscribe_token(token: str) -> User:
    """The person a token names; raises BadUnsubscribeToken for anything else."""
    try:
        pk = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        raise BadUnsubscribeToken from None
    if not pk.isdigit():  # cannot happen unless the secret key leaked; refuse anyway
        raise BadUnsubscribeToken
    user = get_user_model().objects.filter(pk=int(pk)).first()
    if user is None:
        raise BadUnsubscribeToken
    return user


@transaction.atomic
def optional_email_set(*, user: User, choice: str) -> User:
    """Record how `user` gets the optional e-mails (each, weekly digest, none)."""
    if choice not in OptionalEmail.values:
        raise ValidationError(
            {"optional_email": _("Choose how you want to get the optional e-mails.")}
        )
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    user.optional_email = choice
    user.save(update_fields=["optional_email"])
    return user


def optional_email_unsubscribe(*, token: str) -> User:
    """The one-click unsubscribe (RFC 8058): no more optional e-mail for the token's owner."""
    user = user_for_unsubscribe_token(token)
    return optional_email_set(user=user, choice=OptionalEmail.OFF)
