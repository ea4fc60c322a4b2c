"""Redirects go only to the portal's own pages, whatever `next=` (or the Referer) says.

Every place that honours `next`: sign-in (also for the admin, and with two-factor), sign-up and
the e-mail confirmation that signs in, an already signed-in visitor on the sign-in page,
sign-out, re-authentication and the language switcher. The portal's own views take no `next`;
a test below keeps it that way.
"""

import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from tests.pages import current_totp_code, link_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 42"
BASE_DIR = Path(__file__).resolve().parent.parent

#: Ways to write "somewhere else" that browsers follow.
ELSEWHERE = [
    "https://evil.example.org/",
    "http://evil.example.org/groups/",
    "//evil.example.org",
    "///evil.example.org",
    "/\\evil.example.org",
    "\\\\evil.example.org",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "https:evil.example.org",
    "https:/evil.example.org",
    " //evil.example.org",
    "\t//evil.example.org",
    "\x01//evil.example.org",
    "https://testserver@evil.example.org/",
    "https://evil.example.org\\@testserver/",
    "https://testserver.evil.example.org/",
    "ftp://evil.example.org/",
]
#: What can travel in an address: OddInputMiddleware answers 400 for a control character in
#: the query string before any view reads `next` (a form still carries one to the view).
ELSEWHERE_IN_THE_ADDRESS = [
    target for target in ELSEWHERE if not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", target)
]
LOCAL_TARGET = "/groups/apply/"


def check_stays_local(client: Client, response) -> None:
    """A redirect to a page of the portal itself, and the page it leads to opens."""
    assert response.status_code == 302, response.status_code
    location = response["Location"]
    assert not re.search(r"[\x00-\x20\\]", location[:3]), location
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        assert parts.scheme in {"http", "https"}, location
        assert parts.netloc == "testserver", location
    else:
        assert location.startswith("/") and not location.startswith("//"), location
    assert "evil.example.org" not in parts.netloc
    landing = client.get(location, follow=True)
    assert landing.status_code == 200
    for hop, _status in landing.redirect_chain:
        hop_parts = urlsplit(hop)
        assert hop_parts.netloc in {"", "testserver"}, hop
        assert hop.startswith("/") or hop_parts.netloc == "testserver", hop


def with_next(url: str, target: str) -> str:
    return f"{url}?{urlencode({'next': target})}"


# Signing in --------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ELSEWHERE_IN_THE_ADDRESS)
def test_sign_in_with_next_in_the_address_stays_in_the_portal(client, world, target):
    response = client.post(
        with_next(reverse("account_login"), target),
        {"login": world.leader.email, "password": PASSWORD},
    )

    assert "_auth_user_id" in client.session
    check_stays_local(client, response)


@pytest.mark.parametrize("target", ELSEWHERE)
def test_sign_in_with_next_in_the_form_stays_in_the_portal(client, world, target):
    response = client.post(
        reverse("account_login"),
        {"login": world.leader.email, "password": PASSWORD, "next": target},
    )

    assert "_auth_user_id" in client.session
    check_stays_local(client, response)


def test_sign_in_follows_a_next_of_the_portal(client, world):
    """The control: a local `next` is honoured, so the tests above are not vacuous."""
    response = client.post(
        with_next(reverse("account_login"), LOCAL_TARGET),
        {"login": world.leader.email, "password": PASSWORD},
    )

    assert response["Location"] == LOCAL_TARGET


@pytest.mark.parametrize("target", ELSEWHERE_IN_THE_ADDRESS)
def test_signed_in_visitor_on_the_sign_in_page_stays_in_the_portal(client, world, target):
    client.force_login(world.leader)

    response = client.get(with_next(reverse("account_login"), target))

    check_stays_local(client, response)


def test_next_with_a_control_character_in_the_address_is_refused(client, world):
    response = client.post(
        with_next(reverse("account_login"), "\x01//evil.example.org"),
        {"login": world.leader.email, "password": PASSWORD},
    )

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org"])
def test_sign_in_page_links_to_sign_up_without_a_foreign_next(client, world, target):
    response = client.get(with_next(reverse("account_login"), target))

    content = response.content.decode()
    assert response.status_code == 200
    hrefs = re.findall(r'href="([^"]*)"', content)
    assert [href for href in hrefs if "evil.example.org" in href] == []


@pytest.mark.parametrize("target", ["https://evil.example.org/", "/\\evil.example.org"])
def test_staff_sign_in_with_two_factor_stays_in_the_portal(client, world, target):
    response = client.post(
        with_next(reverse("account_login"), target),
        {"login": world.staff.email, "password": PASSWORD},
    )
    assert response["Location"] == reverse("mfa_authenticate")

    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code()})

    assert "_auth_user_id" in client.session
    check_stays_local(client, response)


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org"])
def test_admin_sign_in_with_a_foreign_next_stays_in_the_portal(client, world, target):
    response = client.get(with_next(reverse("admin:login"), target))
    assert response.status_code == 302
    login = response["Location"]
    assert urlsplit(login).path == reverse("account_login")

    response = client.post(login, {"login": world.staff.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": current_totp_code()})

    check_stays_local(client, response)


# Signing up --------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org"])
def test_sign_up_and_confirming_the_address_stays_in_the_portal(client, world, target, sent_mail):
    response = client.post(
        with_next(reverse("account_signup"), target),
        {"email": "newcomer@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    check_stays_local(client, response)

    confirm = link_in(sent_mail()[-1])
    response = client.post(confirm)

    assert "_auth_user_id" in client.session
    check_stays_local(client, response)


def test_sign_up_and_confirming_follows_a_next_of_the_portal(client, world, sent_mail):
    """The control: after confirming the address the visitor lands where they were going."""
    client.post(
        with_next(reverse("account_signup"), LOCAL_TARGET),
        {"email": "newcomer@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    response = client.post(link_in(sent_mail()[-1]))

    assert response["Location"] == LOCAL_TARGET


# Signing out and re-authenticating ---------------------------------------------------------


@pytest.mark.parametrize("target", ELSEWHERE)
def test_sign_out_stays_in_the_portal(client, world, target):
    client.force_login(world.leader)

    response = client.post(reverse("account_logout"), {"next": target})

    assert "_auth_user_id" not in client.session
    check_stays_local(client, response)


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org"])
def test_reauthentication_stays_in_the_portal(client, world, target):
    client.force_login(world.leader)

    response = client.post(
        with_next(reverse("account_reauthenticate"), target), {"password": PASSWORD}
    )

    check_stays_local(client, response)


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org"])
def test_password_change_stays_in_the_portal(client, world, target):
    client.force_login(world.leader)

    response = client.post(
        with_next(reverse("account_change_password"), target),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    check_stays_local(client, response)


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org"])
def test_password_reset_stays_in_the_portal(client, world, target):
    response = client.post(
        with_next(reverse("account_reset_password"), target), {"email": world.leader.email}
    )

    check_stays_local(client, response)


# The language switcher ---------------------------------------------------------------------


@pytest.mark.parametrize("target", ELSEWHERE)
def test_language_switcher_stays_in_the_portal(client, world, target):
    response = client.post(reverse("set_language"), {"language": "sv", "next": target})

    assert client.cookies["django_language"].value == "sv"
    check_stays_local(client, response)


@pytest.mark.parametrize("target", ["https://evil.example.org/", "//evil.example.org"])
def test_language_switcher_without_next_ignores_a_foreign_referer(client, world, target):
    response = client.post(reverse("set_language"), {"language": "sv"}, headers={"Referer": target})

    check_stays_local(client, response)


def test_language_switcher_returns_to_the_page_of_the_portal(client, world):
    """The control: the switcher in the layout sends the page's own path back."""
    response = client.post(reverse("set_language"), {"language": "sv", "next": LOCAL_TARGET})

    assert response["Location"] == LOCAL_TARGET


# The portal's own views --------------------------------------------------------------------


def test_portal_views_take_no_next_parameter():
    """A view of the portal that starts to honour `next` must check it; this test asks
    whoever adds one to add its cases above (and to use url_has_allowed_host_and_scheme)."""
    readers = []
    for app in ("groups", "leaders", "meetings", "program"):
        for path in (BASE_DIR / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            source = path.read_text()
            if re.search(r"""(GET|POST|REQUEST|data)\s*(\.get\(|\[)\s*["']next["']""", source):
                readers.append(str(path.relative_to(BASE_DIR)))

    assert readers == []
