"""The contact pages: the address, the form, the conversations; hostile input; query counts."""

import pytest
from django.conf import settings
from django.urls import reverse

from contact.models import BODY_MAX_LENGTH, Thread
from contact.services import thread_answer, thread_start
from notifications.models import OutboxEmail
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><b>bold</b>'


def start(author, group, kind=Thread.Kind.QUESTION, subject="Language", body="Hello"):
    return thread_start(author=author, group=group, kind=kind, subject=subject, body=body)


def form_data(about, **more):
    return {
        "group": about.slug if about else "",
        "kind": "question",
        "subject": "May we meet in English?",
        "body": "Our next speaker speaks no Swedish.",
        **more,
    }


def test_the_contact_page_shows_the_program_teams_address(client, leader, settings):
    settings.PROGRAM_TEAM_EMAIL = "team@groups.example.se"
    client.force_login(leader)

    response = client.get(reverse("contact:index"))

    assert 'href="mailto:team@groups.example.se"' in response.content.decode()


def test_the_form_offers_only_the_groups_the_person_leads(client, leader, other_leader, group):
    client.force_login(leader)

    response = client.get(reverse("contact:index"))

    choices = [str(label) for _value, label in response.context["form"].fields["group"].choices]
    assert choices == ["No group", group.name]


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("kind=conduct_incident", "conduct_incident"),
        ("kind=leadership_change", "leadership_change"),
        ("kind=junk", None),
        ("kind=%3Cscript%3E", None),
        ("kind=question&kind=junk", None),  # the last value counts
    ],
)
def test_the_kind_in_the_address_is_preselected_if_it_is_one(client, leader, query, kind):
    client.force_login(leader)

    response = client.get(reverse("contact:index") + "?" + query)

    assert response.status_code == 200
    assert response.context["form"].initial.get("kind") == kind


def test_a_group_in_the_address_is_preselected_only_if_the_person_leads_it(
    client, leader, group, other_leader
):
    from leaders.access import groups_led_by

    other = groups_led_by(other_leader).get()
    client.force_login(leader)

    mine = client.get(reverse("contact:index") + f"?group={group.slug}")
    theirs = client.get(reverse("contact:index") + f"?group={other.slug}")

    assert mine.context["form"].initial.get("group") == group.slug
    assert "group" not in theirs.context["form"].initial
    assert other.name not in theirs.content.decode()


def test_sending_the_form_opens_a_thread_and_shows_it(client, leader, group):
    client.force_login(leader)

    response = client.post(reverse("contact:index"), form_data(group), follow=True)

    thread = Thread.objects.get()
    assert thread.group == group
    assert thread.author == leader
    assert response.redirect_chain[-1][0] == reverse("contact:thread", args=[thread.pk])
    assert "Our next speaker speaks no Swedish." in response.content.decode()


def test_another_groups_slug_is_a_form_error_and_changes_nothing(client, leader, other_leader):
    from leaders.access import groups_led_by

    client.force_login(leader)

    response = client.post(reverse("contact:index"), form_data(groups_led_by(other_leader).get()))

    assert response.status_code == 200
    assert response.context["form"].errors["group"]
    assert not Thread.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("body", "x" * (BODY_MAX_LENGTH + 1)),
        ("body", "   "),
        ("subject", "s" * 201),
        ("kind", "gossip"),
        ("group", "no-such-group"),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_changes_nothing(
    client, leader, group, field, value
):
    client.force_login(leader)

    response = client.post(reverse("contact:index"), form_data(group, **{field: value}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'class="invalid-feedback' in response.content.decode()
    assert not Thread.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_a_nul_byte_in_a_form_encoded_message_is_a_bad_request(client, leader, group):
    from urllib.parse import urlencode

    client.force_login(leader)

    response = client.post(
        reverse("contact:index"),
        urlencode(form_data(group, body="a\x00b")),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert not Thread.objects.exists()


def test_a_nul_byte_in_a_multipart_message_is_a_form_error(client, leader, group):
    client.force_login(leader)

    response = client.post(reverse("contact:index"), form_data(group, body="a\x00b"))

    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    assert not Thread.objects.exists()


def test_staff_get_403_for_a_new_message(client, staff):
    response = client.post(reverse("contact:index"), form_data(None))

    assert response.status_code == 403
    assert not Thread.objects.exists()


def test_subject_and_messages_are_escaped_on_every_page(client, leader, group, staff):
    thread = start(leader, group, subject=HOSTILE, body=HOSTILE)
    thread_answer(thread=thread, by=staff, body=HOSTILE)
    client.force_login(leader)

    pages = [
        client.get(reverse("contact:threads")),
        client.get(reverse("contact:thread", args=[thread.pk])),
    ]
    client.force_login(staff)
    pages += [
        client.get(reverse("admin:contact_thread_changelist")),
        client.get(reverse("admin:contact_thread_change", args=[thread.pk])),
        client.get(reverse("admin:contact_thread_answer", args=[thread.pk])),
    ]

    for response in pages:
        content = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in content
        assert "<b>bold</b>" not in content
        assert "&lt;script&gt;" in content


def test_the_emails_carry_the_text_as_text_and_escape_it_in_html(leader, group, staff):
    thread = start(leader, group, subject=HOSTILE, body=HOSTILE)
    thread_answer(thread=thread, by=staff, body=HOSTILE)

    for email in OutboxEmail.objects.filter(kind__in=["contact_message", "contact_answer"]):
        assert HOSTILE in email.body_text
        assert "<script>" not in email.body_html
        assert "&lt;script&gt;" in email.body_html


def test_the_thread_page_shows_the_answer_and_takes_a_reply(client, leader, group, staff):
    thread = start(leader, group)
    thread_answer(thread=thread, by=staff, body="Yes, English is fine.")
    client.force_login(leader)

    page = client.get(reverse("contact:thread", args=[thread.pk]))
    reply = client.post(reverse("contact:thread", args=[thread.pk]), {"body": "Thanks!"})

    assert "Yes, English is fine." in page.content.decode()
    assert reply.status_code == 302
    assert thread.messages.count() == 3


def test_a_too_long_reply_is_a_form_error(client, leader, group):
    thread = start(leader, group)
    client.force_login(leader)

    response = client.post(
        reverse("contact:thread", args=[thread.pk]), {"body": "x" * (BODY_MAX_LENGTH + 1)}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    assert thread.messages.count() == 1


def test_the_co_leader_gets_404_for_a_confidential_thread_and_cannot_reply(
    client, leader, co_leader, group
):
    thread = start(leader, group, kind=Thread.Kind.CONDUCT_INCIDENT, subject="Secret matter")
    client.force_login(co_leader)

    page = client.get(reverse("contact:thread", args=[thread.pk]))
    reply = client.post(reverse("contact:thread", args=[thread.pk]), {"body": "Let me in"})
    listing = client.get(reverse("contact:threads"))

    assert page.status_code == 404
    assert reply.status_code == 404
    assert "Secret matter" not in listing.content.decode()
    assert thread.messages.count() == 1


@pytest.mark.parametrize("pk", ["999999", str(2**70)])
def test_an_unknown_thread_is_404(client, leader, pk):
    client.force_login(leader)

    assert client.get(f"/contact/conversations/{pk}/").status_code == 404


@pytest.mark.parametrize("size", [1, 12])
def test_the_conversation_list_runs_a_fixed_number_of_queries(
    client, leader, co_leader, group, django_assert_num_queries, size
):
    for number in range(size):
        thread = start(leader if number % 2 else co_leader, group, subject=f"Subject {number}")
        thread_answer(thread=thread, by=StaffFactory(), body="Answer")
    start(leader, None, kind=Thread.Kind.CONDUCT_INCIDENT)
    client.force_login(leader)

    # session, user, the threads with their counts, the layout's menu
    with django_assert_num_queries(4):
        response = client.get(reverse("contact:threads"))

    assert len(response.context["threads"]) == size + 1


@pytest.mark.parametrize("size", [1, 12])
def test_the_conversation_page_runs_a_fixed_number_of_queries(
    client, leader, co_leader, group, django_assert_num_queries, size
):
    thread = start(leader, group)
    for _number in range(size):
        thread_answer(thread=thread, by=StaffFactory(), body="Answer")
        client.force_login(co_leader)
        client.post(reverse("contact:thread", args=[thread.pk]), {"body": "Again"})
    client.force_login(leader)

    # session, user, the thread, its messages with their authors, the layout's menu
    with django_assert_num_queries(5):
        response = client.get(reverse("contact:thread", args=[thread.pk]))

    assert len(response.context["thread_messages"]) == 1 + 2 * size


# The admin ---------------------------------------------------------------------------------


def test_staff_answer_in_the_admin_and_the_answer_is_emailed_and_shown(
    client, staff, leader, group
):
    thread = start(leader, group)

    response = client.post(
        reverse("admin:contact_thread_answer", args=[thread.pk]),
        {"action": "answer", "body": "Yes, English is fine."},
    )

    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.status == Thread.Status.ANSWERED
    email = OutboxEmail.objects.get(kind="contact_answer", to_email=leader.email)
    assert "Yes, English is fine." in email.body_text


def test_an_empty_answer_is_a_form_error_in_the_admin(client, staff, leader, group):
    thread = start(leader, group)

    response = client.post(
        reverse("admin:contact_thread_answer", args=[thread.pk]), {"action": "answer", "body": ""}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    assert thread.messages.count() == 1


def test_a_too_long_answer_is_a_form_error_in_the_admin(client, staff, leader, group):
    thread = start(leader, group)

    response = client.post(
        reverse("admin:contact_thread_answer", args=[thread.pk]),
        {"action": "answer", "body": "x" * (BODY_MAX_LENGTH + 1)},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    assert thread.messages.count() == 1


def test_staff_close_and_reopen_in_the_admin(client, staff, leader, group):
    thread = start(leader, group)
    url = reverse("admin:contact_thread_answer", args=[thread.pk])

    client.post(url, {"action": "close"})
    thread.refresh_from_db()
    assert thread.status == Thread.Status.CLOSED
    client.post(url, {"action": "reopen"})
    thread.refresh_from_db()
    assert thread.status == Thread.Status.OPEN


def test_a_junk_action_changes_nothing(client, staff, leader, group):
    thread = start(leader, group)

    response = client.post(
        reverse("admin:contact_thread_answer", args=[thread.pk]), {"action": "explode"}
    )

    assert response.status_code == 200
    thread.refresh_from_db()
    assert thread.status == Thread.Status.OPEN


def test_the_admin_filters_by_kind_status_and_group(client, staff, leader, group):
    start(leader, group)

    for query in ["kind__exact=question", "status__exact=open", f"group__id__exact={group.pk}"]:
        response = client.get(reverse("admin:contact_thread_changelist") + "?" + query)
        assert response.status_code == 200, query


def test_the_admin_offers_no_delete(client, staff, leader, group):
    thread = start(leader, group)

    response = client.get(reverse("admin:contact_thread_delete", args=[thread.pk]))

    assert response.status_code == 403


def test_staff_without_the_team_permissions_cannot_answer(client, leader, group):
    thread = start(leader, group)
    client.force_login(StaffFactory())  # staff, not on the program team

    response = client.post(
        reverse("admin:contact_thread_answer", args=[thread.pk]),
        {"action": "answer", "body": "Hi"},
    )

    assert response.status_code == 403
    assert thread.messages.count() == 1


def test_the_program_team_may_read_and_answer_but_not_delete(program_team):
    codenames = set(program_team.permissions.values_list("codename", flat=True))

    assert {"view_thread", "change_thread", "view_message"} <= codenames
    assert not {"delete_thread", "delete_message", "add_message"} & codenames


def test_the_default_address_is_for_development_only():
    assert settings.PROGRAM_TEAM_EMAIL.endswith("@example.org")
