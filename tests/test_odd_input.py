"""Odd input gets the site's 400 or 404 page, never a server error, on PostgreSQL (the
suite's database, which refuses NUL in text).

OddInputMiddleware (techgroups/middleware.py) answers 400 for a NUL byte, another control
character or broken UTF-8 in the path or the query string, and for a NUL in a cookie or a
form-encoded body. Ids in URLs are numbers (`<int:...>`); a token the portal never issued
gets 404 (invitations) or the unsubscribe page's own 400.

Two sweeps look for what the rules above miss:

- every URL pattern of the project (found by walking the URL resolver, the admin's included)
  with each of its parameters filled with odd values (NUL bytes, a lone surrogate, other
  invalid UTF-8, junk ids, a 300-character string, a path that climbs), GET and POST, as a
  visitor who has not signed in, as a signed-in leader and as a member of the program team;
  the patterns without parameters get the same values in their query string;
- every registered admin change list, with each of its filters' parameters (from the filter
  specs' `expected_parameters()`), the change list's own parameters, its CSV export and its
  actions on odd selections.

Every answer must be below 500. Each request runs in a savepoint that is rolled back, so one
failing query cannot break the next request and no POST changes what the others see.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

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
#: Query parameters the portal's and the admin's views read by hand.
QUERY_NAMES = ["q", "page", "kind", "from", "country", "city", "language", "since", "next", "o"]

#: URLs that would end the signed-in session (a POST signs out).
SIGN_OUT_NAMES = {"account_logout", "logout"}


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
    "path",
    ["/admin/groups/group/abc/decide/", "/admin/notifications/emailtemplate/abc/preview.html"],
)
def test_a_junk_id_never_reaches_an_admin_view_that_takes_an_id(client, staff, path):
    response = client.get(path, follow=True)

    assert response.redirect_chain  # the admin's own "no such object" answer, not the view
    assert response.status_code == 200
    assert "doesn’t exist" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["admin:groups_group_decide", "admin:notifications_emailtemplate_preview"]
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


# The URL walk ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full route (path() syntax or a regular expression) and name."""

    route: str
    name: str

    @property
    def parameters(self) -> list[str]:
        plain = REGEX_GROUP.sub("", self.route)
        return REGEX_PARAMETER.findall(self.route) + ROUTE_PARAMETER.findall(plain)


ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
REGEX_PARAMETER = re.compile(r"\(\?P<(\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<\w+>(?:[^()]|\([^()]*\))*\)")


def routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield Route(route, pattern.name or route)


def fill(route: str, values: dict[str, str], default: str) -> str:
    """The route with each parameter replaced by its value (or `default`), as a URL path."""

    def by_name(match: re.Match[str]) -> str:
        name = re.search(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", match.group(0))
        assert name is not None
        return values.get(name.group(1) or name.group(2), default)

    path = REGEX_GROUP.sub(by_name, route)
    path = ROUTE_PARAMETER.sub(by_name, path)
    # What remains of a regular expression: anchors and escapes.
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path


def test_the_walk_finds_every_kind_of_url():
    """Guards the sweep: a walk that found nothing would pass it."""
    names = {route.name for route in routes()}

    assert {"invitation", "unsubscribe", "groups_group_decide", "call_ics"} <= names
    assert {"notifications_emailtemplate_preview", "account_confirm_email", "app_list"} <= names
    assert len([route for route in routes() if route.parameters]) > 80


def test_fill_puts_the_value_in_every_kind_of_parameter():
    assert fill("invitations/<str:token>/", {}, "%00") == "/invitations/%00/"
    assert fill("accounts/^confirm-email/(?P<key>[-:\\w]+)/$", {}, "abc") == (
        "/accounts/confirm-email/abc/"
    )
    assert fill("admin/^(?P<app_label>auth|groups)/$", {}, "x") == "/admin/x/"
    assert fill("groups/<slug:slug>/meetings/<int:pk>/edit/", {"slug": "s"}, "0") == (
        "/groups/s/meetings/0/edit/"
    )


def answer(client: Client, method: str, path: str, **kwargs: Any) -> tuple[int, str]:
    """The status of one request in a savepoint that is rolled back, and its error if any."""
    with transaction.atomic():
        response = getattr(client, method)(path, **kwargs)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)  # an export fails while it streams
        transaction.set_rollback(True)
    error = getattr(response, "exc_info", None)
    return response.status_code, repr(error[1]) if error else ""


def server_errors(
    visitors: Visitors, visitor: str, requests: list[tuple[str, str, dict[str, Any]]]
) -> list[str]:
    client = visitors.client(visitor)
    errors = []
    for method, path, kwargs in requests:
        status, error = answer(client, method, path, **kwargs)
        if status >= 500:
            errors.append(f"{method.upper()} {path[:120]} → {status} {error}")
        if visitor != ANONYMOUS and "sessionid" not in client.cookies:
            visitors.sign_in(client, visitor)  # a view signed the visitor out
    return errors


def sweep(visitors: Visitors) -> list[tuple[str, str, dict[str, Any]]]:
    """GET and POST every route with each parameter odd, or its query string odd."""
    requests: list[tuple[str, str, dict[str, Any]]] = []
    form = "application/x-www-form-urlencoded"
    for route in routes():
        if route.name in SIGN_OUT_NAMES:
            continue
        parameters = route.parameters
        for value in ODD_VALUES:
            if parameters:
                paths = {fill(route.route, {}, value)}
                if "slug" in parameters and len(parameters) > 1:
                    # The leader's own group, so the view looks the other parameter up.
                    paths.add(fill(route.route, {"slug": visitors.slug}, value))
                for path in sorted(paths):
                    requests.append(("get", path, {}))
                    requests.append(("post", path, {"data": "", "content_type": form}))
            else:
                query = "&".join(f"{name}={value}" for name in QUERY_NAMES)
                requests.append(("get", f"{fill(route.route, {}, '')}?{query}", {}))
    return requests


@pytest.mark.parametrize("visitor", [ANONYMOUS, LEADER, STAFF])
def test_odd_input_on_every_url_is_never_a_server_error(visitors, visitor):
    errors = server_errors(visitors, visitor, sweep(visitors))

    assert errors == [], "\n".join(errors)


# The admin's change lists ------------------------------------------------------------------

#: What every change list reads besides its filters: search, ordering, page, errors, popups.
CHANGE_LIST_PARAMETERS = ["q", "o", "p", "e", "_to_field", "_popup", "all"]


def model_admins() -> list[admin.ModelAdmin[Any]]:
    return list(admin.site._registry.values())


def filter_parameters(model_admin: admin.ModelAdmin[Any], staff: User) -> list[str]:
    """The query parameters of the change list's filters, as the list page builds them."""
    request = RequestFactory().get("/")
    request.user = staff
    try:
        change_list = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:  # pragma: no cover - an empty query is always valid
        return []
    return sorted(
        {name for spec in change_list.filter_specs for name in spec.expected_parameters() or []}
    )


def admin_id(model_admin: admin.ModelAdmin[Any]) -> str:
    return f"{model_admin.opts.app_label}.{model_admin.opts.model_name}"


@pytest.mark.parametrize(
    "model_admin", [pytest.param(item, id=admin_id(item)) for item in model_admins()]
)
def test_odd_filter_values_on_every_change_list_are_never_a_server_error(visitors, model_admin):
    info = model_admin.opts.app_label, model_admin.opts.model_name
    pages = [reverse("admin:{}_{}_changelist".format(*info))]
    if hasattr(model_admin, "export_view"):
        pages.append(reverse("admin:{}_{}_export".format(*info)))
    names = [*filter_parameters(model_admin, visitors.staff), *CHANGE_LIST_PARAMETERS]
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("get", f"{page}?{quote(name)}={value}", {})
        for page in pages
        for name in names
        for value in ODD_VALUES
    ]
    # The change list's actions, on odd selections.
    request = RequestFactory().get(pages[0])
    request.user = visitors.staff
    for action in model_admin.get_actions(request):
        requests.extend(
            (
                "post",
                pages[0],
                {
                    "data": f"action={action}&index=0&_selected_action={value}",
                    "content_type": "application/x-www-form-urlencoded",
                },
            )
            for value in ODD_VALUES
        )

    errors = server_errors(visitors, STAFF, requests)

    assert errors == [], "\n".join(errors)


def test_the_change_list_sweep_reads_the_filters(visitors):
    """Guards the sweep above: it finds the filters the security review named."""
    registry = admin.site._registry

    group_filters = filter_parameters(registry[GroupFactory._meta.model], visitors.staff)
    user_filters = filter_parameters(registry[User], visitors.staff)

    assert {"country", "status__exact"} <= set(group_filters)
    assert "preferred_language__exact" in user_filters
