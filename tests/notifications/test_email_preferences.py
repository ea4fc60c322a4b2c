"""Optional e-mails: the choice in the profile, one-click unsubscribe, the link and headers."""

import email
import re
from email import policy
from typing import Any

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from groups.models import Group
from leaders.models import User
from notifications.mail import email_kinds
from notifications.models import OutboxEmail
from notifications.outbox import outbox_deliver, outbox_enqueue
from notifications.preferences import (
    is_optional,
    unsubscribe_token,
    unsubscribe_url,
    unsubscribe_url_for,
    wants_digest,
    wants_now,
)
from program.emails import CALL_FOLLOWUP, CALL_REMINDER, NEWS
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE_URL = reverse("leaders:profile")
EACH = User.OptionalEmail.EACH
WEEKLY = User.OptionalEmail.DIGEST
OFF = User.OptionalEmail.OFF
ONE_CLICK = {"List-Unsubscribe": "One-Click"}  # the body a mail client POSTs (RFC 8058)


def choice_of(user: User) -> str:
    return User.objects.values_list("optional_email", flat=True).get(pk=user.pk)


def unsubscribe_path(user: User) -> str:
    return reverse("unsubscribe", kwargs={"token": unsubscribe_token(user)})


# The policy ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [NEWS, CALL_REMINDER, CALL_FOLLOWUP])
def test_news_and_non_urgent_call_e_mails_follow_the_choice(kind):
    assert is_optional(kind)
    assert wants_now(User(optional_email=EACH), kind)
    assert not wants_now(User(optional_email=WEEKLY), kind)
    assert not wants_now(User(optional_email=OFF), kind)
    assert wants_digest(User(optional_email=WEEKLY), kind)
    assert not wants_digest(User(optional_email=EACH), kind)
    assert not wants_digest(User(optional_email=OFF), kind)


@pytest.mark.parametrize(
    "kind",
    [
        "review_decision",
        "reminder_contacts",
        "reminder_pace",
        "call_invitation",
        "call_update",
        "call_cancelled",
        "coleader_invitation",
    ],
)
@pytest.mark.parametrize("choice", [EACH, WEEKLY, OFF])
def test_requirement_review_and_call_change_e_mails_cannot_be_switched_off(kind, choice):
    user = User(pk=1, optional_email=choice)

    assert not is_optional(kind)
    assert wants_now(user, kind)
    assert not wants_digest(user, kind)
    assert unsubscribe_url_for(user, kind) == ""


def test_new_accounts_get_optional_e_mail_as_it_comes():
    assert UserFactory().optional_email == EACH


# The profile ---------------------------------------------------------------------------------


@pytest.fixture
def person(client) -> User:
    user = UserFactory(name="Ada", preferred_language="en", tech_community_id=None)
    client.force_login(user)
    return user


def profile_data(**overrides: str) -> dict[str, str]:
    return {"name": "Ada", "preferred_language": "en", "tech_community_id": "", **overrides}


def test_the_profile_offers_the_three_choices_and_says_what_always_arrives(client, person):
    content = client.get(PROFILE_URL).content.decode()

    assert "E-mail from the program" in content
    assert "Program news and non-urgent reminders" in content
    for label in [
        "Each one as it comes",
        "A weekly digest: one e-mail a week",
        "Off: none of them",
    ]:
        assert label in content
    assert re.search(r'<input[^>]*value="each"[^>]*checked', content)
    assert "requirements and reviews" in content
    assert "always arrive" in content


@pytest.mark.parametrize("choice", [WEEKLY, OFF, EACH])
def test_saving_the_profile_saves_the_choice(client, person, choice):
    User.objects.filter(pk=person.pk).update(optional_email=OFF if choice == EACH else EACH)

    response = client.post(PROFILE_URL, profile_data(optional_email=choice))

    assert response.status_code == 302
    assert choice_of(person) == choice


def test_a_profile_form_without_the_choice_keeps_it(client, person):
    User.objects.filter(pk=person.pk).update(optional_email=WEEKLY)

    response = client.post(PROFILE_URL, profile_data(name="Ada L."))

    assert response.status_code == 302
    assert choice_of(person) == WEEKLY
    assert User.objects.get(pk=person.pk).name == "Ada L."


def test_an_unknown_choice_is_refused_beside_the_field(client, person):
    response = client.post(PROFILE_URL, profile_data(optional_email="sometimes", name="Other"))

    assert response.status_code == 200
    assert response.context["form"].errors["optional_email"]
    assert choice_of(person) == EACH
    assert User.objects.get(pk=person.pk).name == "Ada"


def test_a_refused_profile_saves_no_choice_either(client, person):
    UserFactory(tech_community_id=424242)

    response = client.post(
        PROFILE_URL, profile_data(tech_community_id="424242", optional_email=OFF)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["tech_community_id"]
    assert choice_of(person) == EACH


# One-click unsubscribe -----------------------------------------------------------------------


def test_the_link_asks_first_and_a_get_changes_nothing():
    user = UserFactory(email="ada@example.org")

    response = Client().get(unsubscribe_path(user))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Stop optional e-mails?" in content
    assert "ada@example.org" in content
    assert f'action="{unsubscribe_path(user)}"' in content
    assert 'method="post"' in content
    assert choice_of(user) == EACH


def test_the_mail_clients_one_click_post_unsubscribes_without_a_csrf_token_or_sign_in():
    user = UserFactory(optional_email=WEEKLY)
    client = Client(enforce_csrf_checks=True)

    response = client.post(unsubscribe_path(user), ONE_CLICK)

    assert response.status_code == 200
    assert choice_of(user) == OFF
    content = response.content.decode()
    assert "will no longer receive optional e-mails" in content
    assert f'href="{PROFILE_URL}#email-settings"' in content
    assert "_auth_user_id" not in client.session


def test_the_confirmation_button_unsubscribes_and_a_second_click_does_no_harm():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)

    assert client.post(unsubscribe_path(user)).status_code == 200
    assert client.post(unsubscribe_path(user)).status_code == 200

    assert choice_of(user) == OFF
    assert "already switched off" in client.get(unsubscribe_path(user)).content.decode()


def test_a_link_unsubscribes_its_owner_whoever_is_signed_in(client):
    owner = UserFactory()
    someone_else = UserFactory()
    client.force_login(someone_else)

    client.post(unsubscribe_path(owner), ONE_CLICK)

    assert choice_of(owner) == OFF
    assert choice_of(someone_else) == EACH


def forged_tokens(user: User) -> dict[str, str]:
    token = unsubscribe_token(user)
    other = UserFactory()
    return {
        "tampered-signature": token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        "another-persons-signature": f"{other.pk}:{token.partition(':')[2]}",
        "no-signature": str(user.pk),
        "empty-signature": f"{user.pk}:",
        "other-salt": signing.Signer(salt="something.else").sign(str(user.pk)),
        "no-salt": signing.Signer().sign(str(user.pk)),
        "not-a-number": signing.Signer(salt="leaders.preferences.unsubscribe").sign("admin"),
        "unknown-person": signing.Signer(salt="leaders.preferences.unsubscribe").sign("999999"),
        "huge-number": signing.Signer(salt="leaders.preferences.unsubscribe").sign(str(2**70)),
        "garbage": "%E2%80%AE<script>",
    }


@pytest.mark.parametrize(
    "forgery",
    [
        "tampered-signature",
        "another-persons-signature",
        "no-signature",
        "empty-signature",
        "other-salt",
        "no-salt",
        "not-a-number",
        "unknown-person",
        "huge-number",
        "garbage",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_or_tampered_link_gets_a_clear_400_and_changes_nothing(forgery, method):
    user = UserFactory()
    token = forged_tokens(user)[forgery]
    before = sorted(User.objects.values_list("pk", "optional_email"))

    response = getattr(Client(), method)(f"/unsubscribe/{token}/", ONE_CLICK)

    assert response.status_code == 400
    assert "This unsubscribe link does not work" in response.content.decode()
    assert sorted(User.objects.values_list("pk", "optional_email")) == before


def test_the_pages_run_a_fixed_number_of_queries(django_assert_num_queries):
    user = UserFactory()
    client = Client()

    with django_assert_num_queries(1):  # the person
        assert client.get(unsubscribe_path(user)).status_code == 200
    # the person, then in a transaction: lock, update
    with django_assert_num_queries(5):
        assert client.post(unsubscribe_path(user), ONE_CLICK).status_code == 200


# The link and the headers in the e-mail ------------------------------------------------------


def sample_inputs(template: str, *, user: User, group: Group) -> dict[str, Any]:
    """The e-mail's sample inputs, addressed to `user` about `group`."""
    inputs = email_kinds()[template].sample()
    for name in ("user", "group"):
        if name in inputs:
            inputs[name] = {"user": user, "group": group}[name]
    if "groups" in inputs:
        inputs["groups"] = [group]
    return inputs


def enqueue(user: User, *, template: str, key: str, ics: str = "", **kwargs) -> OutboxEmail:
    group = GroupFactory(name="Azure Lund")
    return outbox_enqueue(
        key=key,
        kind=template,
        to=user.email,
        language=user.preferred_language,
        template=template,
        inputs=sample_inputs(template, user=user, group=group),
        group=group,
        user=user,
        ics=ics,
        **kwargs,
    )


def sent_message(row: OutboxEmail) -> email.message.EmailMessage:
    assert outbox_deliver(pk=row.pk).outcome == "sent"
    return email.message_from_bytes(mail.outbox[-1].message().as_bytes(), policy=policy.default)


def test_an_optional_e_mail_has_the_link_in_its_text_and_html_and_the_one_click_headers():
    user = UserFactory()
    url = unsubscribe_url(user)

    row = enqueue(user, template=NEWS, key="news:1", unsubscribe_url=url)

    assert row.unsubscribe_url == url
    assert row.body_text.rstrip().endswith(url)
    assert "To receive no more of them, open the link below" in row.body_text
    footer = row.body_html.rpartition("</body>")[0].rpartition("</div>")[2]
    assert f'<a href="{url}">Unsubscribe</a>' in footer
    message = sent_message(row)
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_header_is_written_as_it_is_however_long_the_link():
    user = UserFactory()
    url = unsubscribe_url(user) + "x" * 120  # longer than a folded header line

    row = enqueue(user, template=NEWS, key="news:2", unsubscribe_url=url)
    outbox_deliver(pk=row.pk)
    raw = mail.outbox[-1].message().as_bytes()

    assert f"List-Unsubscribe: <{url}>\n".encode() in raw
    assert b"=?utf-8?" not in raw.partition(b"\n\n")[0]


def test_the_footer_is_escaped_in_the_html():
    user = UserFactory()
    url = "http://127.0.0.1:8000/unsubscribe/1:a&b<c>/"

    row = enqueue(user, template=NEWS, key="news:3", unsubscribe_url=url)

    assert 'href="http://127.0.0.1:8000/unsubscribe/1:a&amp;b&lt;c&gt;/"' in row.body_html
    assert "<c>" not in row.body_html


def test_an_optional_e_mail_with_a_calendar_has_the_headers_too():
    user = UserFactory()
    url = unsubscribe_url(user)
    ics = "BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n"

    row = enqueue(user, template=NEWS, key="news:4", unsubscribe_url=url, ics=ics)

    message = sent_message(row)
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize(
    "template", ["reminder_contacts", "review_decision", "coleader_invitation"]
)
def test_requirement_and_other_e_mails_have_no_link_and_no_headers(template):
    user = UserFactory()

    row = enqueue(user, template=template, key=f"{template}:1")

    assert row.unsubscribe_url == ""
    assert "/unsubscribe/" not in row.body_text
    assert "/unsubscribe/" not in row.body_html
    message = sent_message(row)
    assert message["List-Unsubscribe"] is None
    assert message["List-Unsubscribe-Post"] is None
