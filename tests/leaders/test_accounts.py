"""Accounts through allauth: sign-up, sign-in, reset, e-mail change, rate limits and 2FA."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from leaders.adapters import MFAAdapter
from leaders.models import User
from notifications.models import OutboxEmail
from notifications.outbox import OutboxMailer, outbox_sweep
from tests.builders import verified_user
from tests.factories import PASSWORD, UserFactory
from tests.pages import current_totp_code, link_in
from tests.production import production_env, run_in_production

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 42"
LOGIN_URL = reverse("account_login")
SIGNUP_URL = reverse("account_signup")
RESET_URL = reverse("account_reset_password")
VERIFICATION_SENT_URL = reverse("account_email_verification_sent")
AFTER_LOGIN_URL = "/groups/"  # LOGIN_REDIRECT_URL = "groups:list"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
LOCAL_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "test-accounts",
    }
}
REDIS_NOBODY_LISTENS_ON = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6390",
    }
}


def verified_staff(email: str = "staff@example.org") -> User:
    """A staff member without any authenticator (not StaffFactory: it may come with one)."""
    user = User.objects.create_user(email=email, password=PASSWORD, is_staff=True)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def with_totp(user: User) -> User:
    TOTP.activate(user, TOTP_SECRET)
    return user


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post(LOGIN_URL, {"login": email, "password": password, **extra})


@pytest.fixture
def real_cache(settings):
    """A working local cache, so allauth's rate limits count (the tests' default is a dummy)."""
    settings.CACHES = LOCAL_CACHE
    cache.clear()
    yield
    cache.clear()


# Sign-up and e-mail verification


def test_sign_up_sends_a_verification_email_and_does_not_sign_in(client, sent_mail):
    response = client.post(
        SIGNUP_URL,
        {"email": "new@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == VERIFICATION_SENT_URL
    assert User.objects.filter(email="new@example.org").exists()
    assert "_auth_user_id" not in client.session
    [message] = sent_mail()
    assert message.to == ["new@example.org"]
    assert message.subject.startswith("[Tech Groups] ")


def test_sign_up_with_an_address_no_mail_server_accepts_is_refused_beside_the_field(client):
    address = "x" * 300 + "@example.org"

    response = client.post(
        SIGNUP_URL, {"email": address, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 200
    assert "An e-mail address has at most 254 characters." in response.content.decode()
    assert not User.objects.filter(email=address).exists()


def test_verification_email_is_readable_and_signed_by_the_program_team(client, sent_mail):
    client.post(
        SIGNUP_URL,
        {"email": "new@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    body = sent_mail()[0].body
    assert body.startswith("Hello,")
    assert "/accounts/confirm-email/" in body
    assert body.rstrip().endswith("The Tech Groups program team")


def test_confirming_the_address_signs_in_and_returns_to_where_the_visitor_was_going(
    client, sent_mail
):
    target = "/invitations/some-token/"
    client.post(
        f"{SIGNUP_URL}?next={target}",
        {"email": "new@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    confirm_url = link_in(sent_mail()[0])

    response = client.post(confirm_url)

    assert response.status_code == 302
    assert response["Location"] == target
    assert EmailAddress.objects.get(email="new@example.org").verified
    assert int(client.session["_auth_user_id"]) == User.objects.get(email="new@example.org").pk


def test_unverified_account_cannot_sign_in(client):
    user = UserFactory(email="new@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    response = sign_in(client, user.email)

    assert response.status_code == 302
    assert response["Location"] == VERIFICATION_SENT_URL
    assert "_auth_user_id" not in client.session


def test_verification_sent_page_uses_the_portal_layout(client):
    response = client.get(VERIFICATION_SENT_URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "navbar" in content
    assert "account-card" in content


# Sign-in and sign-out


def test_sign_in_goes_to_my_groups(client):
    verified_user()

    response = sign_in(client, "leader@example.org")

    assert response.status_code == 302
    assert response["Location"] == AFTER_LOGIN_URL


def test_sign_in_follows_a_next_page_of_the_portal(client):
    verified_user()

    response = sign_in(client, "leader@example.org", next="/profile/")

    assert response["Location"] == "/profile/"


@pytest.mark.parametrize("next_url", ["https://evil.example.com/", "//evil.example.com/x"])
def test_sign_in_ignores_a_next_page_elsewhere(client, next_url):
    verified_user()

    response = sign_in(client, "leader@example.org", next=next_url)

    assert response["Location"] == AFTER_LOGIN_URL


def test_session_key_changes_at_sign_in(client):
    verified_user()
    session = client.session
    session["visited"] = True
    session.save()
    before = client.cookies["sessionid"].value

    sign_in(client, "leader@example.org")

    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_sign_in_switches_to_the_preferred_language(client):
    verified_user(preferred_language="sv")

    response = sign_in(client, "leader@example.org")

    assert response.cookies["django_language"].value == "sv"
    page = client.get(reverse("leaders:profile"))
    assert page["Content-Language"] == "sv"


def test_sign_out_ends_the_session(client):
    user = verified_user()
    client.force_login(user)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_sign_in_page_has_bootstrap_fields_and_buttons(client):
    content = client.get(LOGIN_URL).content.decode()

    assert re.search(r'<input[^>]*name="login"[^>]*class="[^"]*form-control', content)
    assert re.search(r'<label\s+for="id_login" class="form-label', content)
    assert re.search(r'<button\s+class="btn btn-primary', content)


# No account enumeration


def test_sign_up_with_the_mail_server_down_answers_and_the_email_follows_once_it_is_back(
    client,
):
    """The verification e-mail is an outbox row written with the account: the page never
    waits on SMTP, and the sweep sends it when the server answers again."""
    with mock.patch.object(OutboxMailer, "send", side_effect=ConnectionRefusedError):
        response = client.post(
            SIGNUP_URL,
            {"email": "new@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        assert outbox_sweep() == {"retry": 1}

    assert response.status_code == 302
    row = OutboxEmail.objects.get(to_email="new@example.org")
    assert (row.kind, row.status, row.priority) == (
        "account_email_confirmation_signup",
        OutboxEmail.Status.PENDING,
        OutboxEmail.Priority.URGENT,
    )
    assert mail.outbox == []

    assert outbox_sweep(now=row.next_attempt_at + timedelta(seconds=1)) == {"sent": 1}
    assert outbox_sweep(now=row.next_attempt_at + timedelta(seconds=2)) == {}
    [message] = mail.outbox
    assert message.to == ["new@example.org"]
    assert "/accounts/confirm-email/" in message.body


def test_the_program_team_never_sees_the_sign_in_secret_of_an_account_email(
    client, staff, sent_mail
):
    anonymous = Client()
    anonymous.post(
        SIGNUP_URL,
        {"email": "new@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    row = OutboxEmail.objects.get(to_email="new@example.org")
    secret = re.search(r"/accounts/confirm-email/[^/\s]+/", row.body_text)
    assert secret is not None

    page = client.get(
        reverse("admin:notifications_outboxemail_change", args=[row.pk])
    ).content.decode()
    assert secret.group(0) not in page
    assert "Not shown: this account e-mail carries a one-time sign-in link" in page

    [message] = sent_mail()
    assert secret.group(0) in message.body  # the person gets it
    row.refresh_from_db()
    assert secret.group(0) not in row.body_text + row.body_html  # and it is gone once sent
    assert row.status == OutboxEmail.Status.SENT


def test_sign_up_with_a_taken_address_looks_like_any_sign_up(client, sent_mail):
    verified_user(email="taken@example.org")
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}

    taken = client.post(SIGNUP_URL, {"email": "taken@example.org", **data})
    fresh = client.post(SIGNUP_URL, {"email": "fresh@example.org", **data})

    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1
    assert sorted(message.to[0] for message in sent_mail()) == [
        "fresh@example.org",
        "taken@example.org",
    ]


def test_sign_in_with_an_unknown_address_looks_like_a_wrong_password(client):
    verified_user()

    unknown = sign_in(client, "nobody@example.org")
    wrong = sign_in(client, "leader@example.org", password="not the password")

    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].errors == wrong.context["form"].errors
    assert unknown.context["form"].errors["__all__"]


def test_password_reset_of_an_unknown_address_looks_like_a_known_one(client):
    verified_user()

    known = client.post(RESET_URL, {"email": "leader@example.org"})
    unknown = client.post(RESET_URL, {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")


# Password reset and e-mail change


def test_password_reset_email_has_the_prefix_and_a_working_link(client, sent_mail):
    user = verified_user()

    client.post(RESET_URL, {"email": user.email})

    [message] = sent_mail()
    assert message.subject.startswith("[Tech Groups] ")
    response = client.get(link_in(message), follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_account_email_is_in_the_recipients_preferred_language(client, sent_mail):
    verified_user(preferred_language="sv")

    client.post(RESET_URL, {"email": "leader@example.org"})

    assert "Återställning av lösenord" in sent_mail()[0].subject


def test_changing_the_email_address_takes_effect_once_the_new_one_is_verified(client, sent_mail):
    user = verified_user()
    client.force_login(user)

    response = client.post(reverse("account_email"), {"action_add": "", "email": "new@example.org"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "leader@example.org"
    [message] = sent_mail()
    assert message.to == ["new@example.org"]
    client.post(link_in(message))
    user.refresh_from_db()
    assert user.email == "new@example.org"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [
        "new@example.org"
    ]


def test_email_page_has_no_inline_style(client):
    client.force_login(verified_user())
    client.post(reverse("account_email"), {"action_add": "", "email": "new@example.org"})

    content = client.get(reverse("account_email")).content.decode()

    assert "new@example.org" in content
    assert "style=" not in content


# Rate limits


def test_rate_limits_are_configured():
    from allauth.account import app_settings

    limits = app_settings.RATE_LIMITS
    for action in ["login", "login_failed", "signup", "reset_password", "confirm_email"]:
        assert limits[action], action


def test_too_many_failed_sign_ins_lock_the_address_for_a_while(client, real_cache):
    verified_user()
    for _attempt in range(5):
        sign_in(client, "leader@example.org", password="wrong guess")

    response = sign_in(client, "leader@example.org")

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


TOO_MANY = "Too many failed login attempts"


def _failed_sign_ins_from_rotating_forwarded_addresses(client, count: int) -> list[str]:
    """Failed sign-ins to `count` different addresses (so no per-address limit applies), each
    claiming another client address in X-Forwarded-For; returns the pages."""
    pages = []
    for n in range(count):
        verified_user(email=f"person{n}@example.org")
        response = client.post(
            LOGIN_URL,
            {"login": f"person{n}@example.org", "password": "wrong guess"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}",
        )
        pages.append(response.content.decode())
    return pages


def test_a_forged_forwarded_for_header_does_not_lift_the_limit_without_a_proxy(
    client, real_cache, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0  # the shipped default: gunicorn faces the visitor

    _failed_sign_ins_from_rotating_forwarded_addresses(client, 10)
    response = client.post(
        LOGIN_URL,
        {"login": "person0@example.org", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )

    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_behind_a_trusted_proxy_its_forwarded_address_is_the_one_counted(
    client, real_cache, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # a proxy that writes X-Forwarded-For itself

    pages = _failed_sign_ins_from_rotating_forwarded_addresses(client, 12)

    assert not any(TOO_MANY in page for page in pages)


def test_production_trusts_no_proxy_unless_told_to():
    code = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    default = run_in_production("-c", code, env=production_env())
    behind_one = run_in_production("-c", code, env=production_env(ALLAUTH_TRUSTED_PROXY_COUNT="1"))

    assert (default.stdout.strip(), behind_one.stdout.strip()) == ("0", "1")


def test_too_many_password_resets_are_refused(client, real_cache, sent_mail):
    verified_user()
    statuses = [
        client.post(RESET_URL, {"email": "leader@example.org"}).status_code for _ in range(6)
    ]

    assert statuses[:5] == [302] * 5
    assert statuses[5] in {200, 429}
    assert len(sent_mail()) == 5


# The cache is down


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (LOGIN_URL, {"login": "leader@example.org", "password": PASSWORD}),
        (
            SIGNUP_URL,
            {"email": "a@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        ),
        (RESET_URL, {"email": "leader@example.org"}),
    ],
)
def test_a_cache_outage_gives_a_clear_page_not_a_server_error(client, settings, url, data):
    verified_user()
    settings.CACHES = REDIS_NOBODY_LISTENS_ON

    response = client.post(url, data)

    assert response.status_code == 503
    assert response["Retry-After"]
    content = response.content.decode()
    assert "Briefly unavailable" in content
    assert "try again in a few minutes" in content
    assert "_auth_user_id" not in client.session


def test_pages_that_do_not_count_still_work_during_a_cache_outage(client, settings):
    settings.CACHES = REDIS_NOBODY_LISTENS_ON

    assert client.get(LOGIN_URL).status_code == 200


# The admin: its sign-in is allauth's, and it needs two-factor authentication


def test_admin_sign_in_goes_through_the_portals_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=%2Fadmin%2F"


def test_signed_in_non_staff_gets_403_at_the_admin_sign_in(client):
    client.force_login(verified_user())

    response = client.get("/admin/login/")

    assert response.status_code == 403


def test_staff_without_two_factor_is_sent_to_set_it_up(client):
    client.force_login(verified_staff())

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    followed = client.get(response["Location"], follow=True)
    assert "The admin needs two-factor authentication." in followed.content.decode()


def test_staff_without_two_factor_cannot_open_any_admin_page(client):
    client.force_login(verified_staff())

    response = client.get(reverse("admin:leaders_user_changelist"))

    assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_without_two_factor_can_use_the_rest_of_the_portal(client):
    client.force_login(verified_staff())

    assert client.get(reverse("leaders:profile")).status_code == 200


def test_staff_with_an_authenticator_app_opens_the_admin(client):
    client.force_login(with_totp(verified_staff()))

    assert client.get("/admin/").status_code == 200


def test_leaders_do_not_need_two_factor(client):
    client.force_login(verified_user())

    assert client.get(reverse("leaders:profile")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


def test_staff_sign_in_asks_for_the_authenticator_code(client):
    with_totp(verified_staff())

    response = sign_in(client, "staff@example.org", next="/admin/")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(
        reverse("mfa_authenticate"), {"code": current_totp_code(secret=TOTP_SECRET)}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_authenticator_code_does_not_sign_in(client):
    with_totp(verified_staff())
    sign_in(client, "staff@example.org")

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_staff_cannot_remove_their_authenticator_app():
    staff_app = Authenticator.objects.get(user=with_totp(verified_staff()))
    leader_app = Authenticator.objects.get(user=with_totp(verified_user()))

    assert MFAAdapter().can_delete_authenticator(staff_app) is False
    assert MFAAdapter().can_delete_authenticator(leader_app) is True


@pytest.mark.django_db
def test_sign_up_in_swedish_keeps_swedish_as_the_preferred_language(client):
    client.cookies["django_language"] = "sv"
    client.post(
        "/accounts/signup/",
        {
            "email": "svensk@example.org",
            "password1": "a long enough pass phrase 42",
            "password2": "a long enough pass phrase 42",
        },
    )
    assert User.objects.get(email="svensk@example.org").preferred_language == "sv"
