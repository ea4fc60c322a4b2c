"""Security headers, cookies and settings, checked on real responses and real processes."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from tests.builders import verified_user
from tests.factories import PASSWORD
from tests.pages import inline_code_in
from tests.production import production_env, run_in_production

PAGES = ["/", "/accounts/login/"]
HTML_PAGES = [
    "/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/no-such-page/",
]
# Source expressions that name no third-party origin.
OWN_SOURCES = {"'self'", "'none'", "data:"}


def parse_csp(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_inline_code_finder_catches_what_csp_blocks():
    found = inline_code_in(
        '<script>alert(1)</script><script type="application/json">{}</script>'
        '<style>p {}</style><p style="color: red" onclick="x()">'
        '<link rel="stylesheet" href="https://cdn.example.com/x.css">'
    )

    assert found.problems == [
        "<script> without src",
        "<style> element",
        "style= on <p>",
        "onclick= on <p>",
    ]
    assert found.external == ["https://cdn.example.com/x.css"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_page_sends_a_strict_content_security_policy(client, url):
    response = client.get(url)

    assert response.status_code == 200
    csp = parse_csp(response.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    all_sources = {source for sources in csp.values() for source in sources}
    assert "'unsafe-inline'" not in all_sources
    assert "'unsafe-eval'" not in all_sources
    assert all_sources <= OWN_SOURCES, f"third-party sources: {all_sources - OWN_SOURCES}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_secure_request_gets_strict_transport_security(client, url):
    response = client.get(url, secure=True)

    hsts = response.headers["Strict-Transport-Security"]
    max_age = int(hsts.split(";")[0].removeprefix("max-age="))
    assert max_age >= 3600
    assert "includeSubDomains" in hsts


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_page_sends_the_other_security_headers(client, url):
    response = client.get(url)

    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_csrf_cookie_is_secure_and_http_only(client):
    response = client.get("/accounts/login/")

    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_session_cookie_is_secure_and_http_only(client):
    user = verified_user()
    response = client.post(
        "/accounts/login/",
        {"login": user.email, "password": PASSWORD},
        secure=True,
    )

    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
@pytest.mark.parametrize("url", HTML_PAGES)
def test_anonymous_page_has_no_inline_code(client, url):
    response = client.get(url)

    assert response.status_code in {200, 404}
    assert response["Content-Type"].startswith("text/html")
    found = inline_code_in(response.content.decode())
    assert found.problems == []
    assert found.external == []


@pytest.mark.django_db
@pytest.mark.parametrize("is_staff", [False, True])
@pytest.mark.parametrize("url", ["/", "/accounts/email/", "/accounts/password/change/"])
def test_signed_in_page_has_no_inline_code(client, is_staff, url):
    client.force_login(verified_user(email="someone@example.org", is_staff=is_staff))

    response = client.get(url)

    assert response.status_code == 200
    found = inline_code_in(response.content.decode())
    assert found.problems == []
    assert found.external == []


@pytest.mark.django_db
def test_error_pages_have_no_inline_code():
    request = RequestFactory().get("/private/")
    request.user = AnonymousUser()

    for html in (render_to_string("403.html", request=request), render_to_string("500.html")):
        found = inline_code_in(html)
        assert found.problems == []
        assert found.external == []


def test_server_error_page_renders_without_a_request():
    html = render_to_string("500.html")

    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "Something went wrong" in html


def test_production_settings_pass_the_deployment_checklist():
    env = production_env()
    assert len(env["DJANGO_SECRET_KEY"]) == 64

    result = run_in_production("manage.py", "check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]

    result = run_in_production("manage.py", "check", env=env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("debug_env", "expected"),
    [({}, "False"), ({"DJANGO_DEBUG": "false"}, "False"), ({"DJANGO_DEBUG": "true"}, "True")],
)
def test_production_debug_is_off_unless_django_debug_is_set(debug_env, expected):
    result = run_in_production(
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        env=production_env(**debug_env),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_language_cookie_is_http_only_and_lax(client):
    response = client.post("/i18n/setlang/", {"language": "sv", "next": "/"})

    cookie = response.cookies["django_language"]
    assert cookie.value == "sv"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_production_language_cookie_is_secure_http_only_and_lax():
    """A real response of the production settings (set_language reads no database)."""
    script = (
        "import json, django; django.setup()\n"
        "from django.test import Client\n"
        "response = Client(headers={'host': 'groups.example.org'}).post(\n"
        "    '/i18n/setlang/', {'language': 'sv', 'next': '/'}, secure=True)\n"
        "cookie = response.cookies['django_language']\n"
        "print(json.dumps([response.status_code, cookie.value, cookie['secure'],"
        " cookie['httponly'], cookie['samesite']]))\n"
    )

    result = run_in_production("-c", script, env=production_env())

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [302, "sv", True, True, "Lax"]


# What the program team can reach in the admin -------------------------------------------------


@pytest.mark.django_db
def test_the_program_team_reaches_no_one_elses_sign_in_secret_in_the_admin(client, staff):
    from allauth.mfa.models import Authenticator
    from django.urls import reverse

    from tests.factories import StaffFactory

    colleague = StaffFactory(email="colleague@example.org")
    secret = Authenticator.objects.get(user=colleague).data["secret"]
    EmailAddress.objects.create(user=colleague, email=colleague.email, verified=True)

    pages = [
        reverse("admin:leaders_user_change", args=[colleague.pk]),
        reverse("admin:leaders_user_changelist"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200
        content = response.content.decode()
        assert colleague.password not in content
        assert colleague.password.split("$")[-1] not in content  # not even the hash part
        assert secret not in content
    for name in ("admin:mfa_authenticator_changelist", "admin:account_emailaddress_changelist"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(
        reverse("admin:mfa_authenticator_change", args=[colleague.pk])
    ).status_code in (
        403,
        404,
    )
