"""Odd input gets the site's 400 or 404 page, never a server error, on PostgreSQL (the
suite's database, which refuses NUL in text).

OddInputMiddleware (techgroups/middleware.py) answers 400 for a NUL byte, another control
character or broken UTF-8 in the path or the query string, and for a NUL in a cookie or a
form-encoded body. Ids in URLs are numbers (`<int:...>`); a token the portal never issued
gets 404 (invitations) or the unsubscribe page's own 400.
"""

import re
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from leaders.models import Leadership, User
from tests.factories import GroupFactory, LeadershipFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

#: Values the middleware refuses before any view runs (already percent-encoded).
REFUSED_VALUES = [
    "%00",
    "abc%00def",
    "%ED%A0%80",  # a lone surrogate (U+D800), encoded as UTF-8 would encode it
    "%FF",
    "%C3%28",  # an invalid two-byte sequence
    "%01x%1F",
]
#: Odd values the sweeps put in every parameter: some refused early, the others reach views.
ODD_VALUES = [
    "%00",
    "abc%00def",
    "%ED%A0%80",
    "%FF",
    "abc",
    "-1",
    "0",
    "9" * 30,
    "x" * 300,
    "..%2F..%2Fetc%2Fpasswd",
]

# The visitors ------------------------------------------------------------------------------

ANONYMOUS, LEADER, STAFF = "anonymous", "leader", "staff"


@dataclass
class Visitors:
    leader: User
    staff: User
    slug: str  # a group the leader leads

    def client(self, visitor: str) -> Client:
        client = Client(raise_request_exception=False)
        self.sign_in(client, visitor)
        return client

    def sign_in(self, client: Client, visitor: str) -> None:
        if visitor == LEADER:
            client.force_login(self.leader)
        elif visitor == STAFF:
            client.force_login(self.staff)


@pytest.fixture
def visitors(program_team) -> Visitors:
    leader = UserFactory(email="leader@example.org")
    EmailAddress.objects.create(user=leader, email=leader.email, verified=True, primary=True)
    group = GroupFactory(admitted=True, slug="alpha-azure")
    LeadershipFactory(group=group, user=leader, role=Leadership.Role.LEADER)
    staff = StaffFactory(email="staff@example.org")
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    staff.groups.add(program_team)
    return Visitors(leader=leader, staff=staff, slug=group.slug)


# The 400 page --------------------------------------------------------------------------------


def bad_request_page(response: Any) -> None:
    assert response.status_code == 400
    assert "400.html" in [template.name for template in response.templates]
    content = response.content.decode()
    assert "Bad request" in content
    assert 'href="/"' in content  # the site's layout, not Django's plain page
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("method", ["get", "post"])
def test_nul_in_an_invitation_link_gets_the_400_page(client, method):
    response = getattr(client, method)("/invitations/abc%00def/")

    bad_request_page(response)


def test_nul_in_an_invitation_link_gets_the_400_page_when_signed_in(client, visitors):
    client.force_login(visitors.leader)

    response = client.get("/invitations/abc%00def/")

    bad_request_page(response)


@pytest.mark.parametrize("value", REFUSED_VALUES)
def test_odd_query_string_gets_the_400_page(client, staff, value):
    response = client.get(f"/admin/groups/group/?country={value}")

    bad_request_page(response)


@pytest.mark.parametrize("value", ["%ED%A0%80", "%FF", "%C3%28", "%0A", "%7F", "%2500"])
def test_odd_path_gets_the_400_page(client, value):
    response = client.get(f"/directory/{value}/")

    bad_request_page(response)


@pytest.mark.parametrize("method", ["get", "post"])
def test_nul_in_an_unsubscribe_link_gets_the_400_page(client, method):
    response = getattr(client, method)("/unsubscribe/%00%ff%3Cscript%3E/")

    bad_request_page(response)


@pytest.mark.parametrize("query", ["q=Malm%C3%B6", "q=two%09words", "q=line%0D%0Abreak", "q=%25FF"])
def test_ordinary_query_string_passes(client, staff, query):
    response = client.get(f"/admin/groups/group/?{query}")

    assert response.status_code == 200


def test_nul_in_a_form_encoded_body_gets_the_400_page(client):
    response = client.post(
        "/accounts/login/",
        "login=a%40example.org&password=x%00y",
        content_type="application/x-www-form-urlencoded",
    )

    bad_request_page(response)


def test_nul_in_a_form_field_name_gets_the_400_page(client):
    response = client.post(
        "/accounts/login/", "a%00b=1", content_type="application/x-www-form-urlencoded"
    )

    bad_request_page(response)


def test_nul_in_a_multipart_form_is_left_to_the_form(client):
    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x\x00y"})

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


def test_nul_in_the_session_cookie_gets_the_400_page(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"  # sent as "abcdefgh\000ijklmnop"

    response = client.get("/groups/")

    bad_request_page(response)


def test_the_400_page_speaks_the_visitors_language(client):
    response = client.get("/invitations/%00/", headers={"accept-language": "sv"})

    assert response.status_code == 400
    content = response.content.decode()
    assert '<html lang="sv"' in content
    assert "Felaktig begäran" in content


def test_the_language_form_of_the_400_page_works():
    client = Client(enforce_csrf_checks=True)
    page = client.get("/invitations/%00/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None

    response = client.post(
        reverse("set_language"),
        {"csrfmiddlewaretoken": token.group(1), "language": "sv", "next": "/"},
        secure=True,
        headers={"referer": "https://testserver/invitations/%00/"},
    )

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "sv"


# Tokens ------------------------------------------------------------------------------------

#: Tokens of every shape the portal never issued (percent-encoded as in a link).
JUNK_TOKENS = [
    "abc",
    "x" * 300,
    "9" * 30,
    "-1",
    "a.b-c_d~e:f",
    "Malm%C3%B6",
    "%E2%80%AEevil",  # a right-to-left override
    "%F0%9F%99%82",
    "%25",
    "a%20b",
    "%EF%BC%9D",  # a full-width equals sign
]


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("visitor", [ANONYMOUS, LEADER])
@pytest.mark.parametrize("token", JUNK_TOKENS)
def test_a_junk_invitation_token_gets_404(visitors, visitor, method, token):
    client = visitors.client(visitor)

    response = getattr(client, method)(f"/invitations/{token}/")

    assert response.status_code == 404
    assert "Invitation not found" in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("token", JUNK_TOKENS)
def test_a_junk_unsubscribe_token_gets_the_unsubscribe_pages_400(client, method, token):
    response = getattr(client, method)(f"/unsubscribe/{token}/")

    assert response.status_code == 400
    assert "This unsubscribe link does not work" in response.content.decode()


# Ids in the admin's own pages --------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/admin/groups/group/abc/decide/", "/admin/program/emailtemplate/abc/preview.html"]
)
def test_a_junk_id_never_reaches_an_admin_view_that_takes_an_id(client, staff, path):
    response = client.get(path, follow=True)

    assert response.redirect_chain  # the admin's own "no such object" answer, not the view
    assert response.status_code == 200
    assert "doesn’t exist" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["admin:groups_group_decide", "admin:program_emailtemplate_preview"]
)
@pytest.mark.parametrize("object_id", [999_999, 10**30])
def test_an_unknown_number_in_an_admin_view_that_takes_an_id_is_404(client, staff, name, object_id):
    response = client.get(reverse(name, args=[object_id]))

    assert response.status_code == 404


def test_a_junk_selection_for_an_admin_action_is_400(client, staff):
    GroupFactory()

    response = client.post(
        reverse("admin:groups_group_changelist"),
        {"action": "admit_selected", "index": "0", "_selected_action": ["1", "abc"]},
    )

    assert response.status_code == 400
