"""CSRF protection with the checks on, as a browser meets it.

Every state-changing request of the portal (`CHANGES` in tests/world.py), allauth's
account forms and the language switcher: without a token the POST is refused with 403 and
changes nothing; with the token from the page the same POST works.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from groups.models import Group
from leaders.models import User
from notifications.models import OutboxEmail
from tests.factories import PASSWORD
from tests.world import (
    ANONYMOUS,
    CHANGES,
    LEADER,
    World,
    changed_tables,
    snapshot,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 42"


def checked_client(world: World, visitor: str) -> Client:
    """A client that is held to the CSRF checks, signed in as the visitor."""
    client = Client(enforce_csrf_checks=True)
    user = world.invitee if visitor == "invitee" else world.user(visitor)
    if user is not None:
        client.force_login(user)
    return client


def token_of(client: Client) -> str:
    """The token a page gives the browser (every page has the language switcher's form)."""
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return client.cookies[settings.CSRF_COOKIE_NAME].value


# The portal's own forms --------------------------------------------------------------------


@pytest.mark.parametrize(
    "change", [pytest.param(change, id=change.id) for change in CHANGES if change.right]
)
def test_portal_post_needs_the_csrf_token(world, change, request):
    if change.needs_feed:
        Group.objects.filter(pk=world.group.pk).update(
            ical_feed_url=request.getfixturevalue("feed_url")
        )
    client = checked_client(world, change.right)
    before = snapshot()

    refused = client.post(change.url(world), change.data(world))

    assert refused.status_code == 403
    assert changed_tables(before) == []

    data = {**change.data(world), "csrfmiddlewaretoken": token_of(client)}
    accepted = client.post(change.url(world), data)

    assert accepted.status_code in {200, 302}
    assert changed_tables(before) != []


def test_a_token_from_another_session_is_refused(world):
    change = next(change for change in CHANGES if change.id == "edit")
    token = token_of(checked_client(world, LEADER))
    client = checked_client(world, LEADER)
    client.get(reverse("home"))  # this browser has a token of its own
    before = snapshot()

    response = client.post(change.url(world), {**change.data(world), "csrfmiddlewaretoken": token})

    # Tokens are masked per page but all unmask to the cookie's secret: another browser's
    # token does not match this browser's cookie.
    assert response.status_code == 403
    assert changed_tables(before) == []


def test_over_https_a_post_from_another_origin_is_refused_even_with_a_token(world):
    change = next(change for change in CHANGES if change.id == "edit")
    client = checked_client(world, LEADER)
    response = client.get(reverse("home"), secure=True)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    data = {**change.data(world), "csrfmiddlewaretoken": token}
    before = snapshot()

    foreign = client.post(
        change.url(world), data, secure=True, headers={"Origin": "https://evil.example.org"}
    )

    assert foreign.status_code == 403
    assert changed_tables(before) == []
    own = client.post(
        change.url(world), data, secure=True, headers={"Origin": "https://testserver"}
    )
    assert own.status_code == 302
    assert changed_tables(before) != []
    assert response.status_code == 200


# Accounts and the language switcher --------------------------------------------------------


@dataclass(frozen=True)
class AccountForm:
    id: str
    url: str
    visitor: str
    data: dict[str, Any]
    done: Callable[[Client, World], bool]


def is_signed_in(client: Client, world: World) -> bool:
    return "_auth_user_id" in client.session


def password_changed(client: Client, world: World) -> bool:
    return User.objects.get(pk=world.leader.pk).check_password(NEW_PASSWORD)


def language_is_swedish(client: Client, world: World) -> bool:
    cookie = client.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    return cookie is not None and cookie.value == "sv"


ACCOUNT_FORMS = [
    AccountForm(
        "login",
        reverse("account_login"),
        ANONYMOUS,
        {"login": "leader@example.org", "password": PASSWORD},
        is_signed_in,
    ),
    AccountForm(
        "signup",
        reverse("account_signup"),
        ANONYMOUS,
        {"email": "newcomer@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        lambda client, world: User.objects.filter(email="newcomer@example.org").exists(),
    ),
    AccountForm(
        "logout",
        reverse("account_logout"),
        LEADER,
        {},
        lambda client, world: not is_signed_in(client, world),
    ),
    AccountForm(
        "password-reset",
        reverse("account_reset_password"),
        ANONYMOUS,
        {"email": "leader@example.org"},
        lambda client, world: OutboxEmail.objects.filter(kind__startswith="account_").count() == 1,
    ),
    AccountForm(
        "password-change",
        reverse("account_change_password"),
        LEADER,
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        password_changed,
    ),
    AccountForm(
        "language-switcher",
        reverse("set_language"),
        ANONYMOUS,
        {"language": "sv", "next": "/"},
        language_is_swedish,
    ),
]


@pytest.mark.parametrize("form", [pytest.param(form, id=form.id) for form in ACCOUNT_FORMS])
def test_account_post_needs_the_csrf_token(world, form):
    client = checked_client(world, form.visitor)
    before = snapshot()

    refused = client.post(form.url, form.data)

    assert refused.status_code == 403
    assert not form.done(client, world)
    assert changed_tables(before) == []
    assert mail.outbox == []

    accepted = client.post(form.url, {**form.data, "csrfmiddlewaretoken": token_of(client)})

    assert accepted.status_code == 302
    assert form.done(client, world)


def test_the_csrf_cookie_is_not_readable_by_scripts_and_only_sent_over_https(client):
    """Forms carry the token in a hidden field, so scripts never need the cookie."""
    client.get(reverse("home"))

    cookie = client.cookies[settings.CSRF_COOKIE_NAME]

    assert cookie["httponly"]
    assert cookie["secure"]
    assert cookie["samesite"] == "Lax"
