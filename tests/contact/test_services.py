"""Writing to the program team and its answers: kept, audited, e-mailed once."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from contact.models import BODY_MAX_LENGTH, Message, Thread
from contact.services import (
    thread_answer,
    thread_close,
    thread_reopen,
    thread_reply,
    thread_start,
)
from core.models import AuditEntry
from notifications.models import OutboxEmail
from tests.factories import GroupFactory, StaffFactory

pytestmark = pytest.mark.django_db


def start(author, group, kind=Thread.Kind.QUESTION, body="May we meet in English?"):
    return thread_start(author=author, group=group, kind=kind, subject="Language", body=body)


def test_a_new_thread_keeps_its_first_message_and_tells_the_team_once(group, leader):
    thread = start(leader, group)

    assert thread.status == Thread.Status.OPEN
    assert list(thread.messages.values_list("body", flat=True)) == ["May we meet in English?"]
    notice = OutboxEmail.objects.get(kind="contact_message")
    assert notice.to_email == settings.PROGRAM_TEAM_EMAIL
    assert notice.language == settings.LANGUAGE_CODE
    assert "May we meet in English?" in notice.body_text
    assert f"/admin/contact/thread/{thread.pk}/answer/" in notice.body_text
    assert AuditEntry.objects.filter(group=group, actor=leader).count() == 1


def test_a_leader_cannot_write_about_a_group_they_do_not_lead(leader):
    with pytest.raises(ValidationError) as error:
        start(leader, GroupFactory())

    assert "group" in error.value.message_dict
    assert not Thread.objects.exists()


@pytest.mark.parametrize("body", ["", "   ", "x" * (BODY_MAX_LENGTH + 1)])
def test_an_empty_or_too_long_message_is_refused_and_changes_nothing(group, leader, body):
    with pytest.raises(ValidationError) as error:
        start(leader, group, body=body)

    assert "body" in error.value.message_dict
    assert not Thread.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_an_unknown_kind_is_refused(group, leader):
    with pytest.raises(ValidationError):
        start(leader, group, kind="gossip")


def test_an_answer_goes_to_the_author_and_the_groups_contacts_in_their_languages(
    group, leader, co_leader
):
    thread = start(leader, group)
    staff = StaffFactory()

    answer = thread_answer(thread=thread, by=staff, body="Yes, English is fine.")

    thread.refresh_from_db()
    assert thread.status == Thread.Status.ANSWERED
    assert answer.from_program_team
    emails = {email.to_email: email for email in OutboxEmail.objects.filter(kind="contact_answer")}
    assert set(emails) == {leader.email, co_leader.email}
    assert emails[co_leader.email].language == "sv"
    assert "Yes, English is fine." in emails[leader.email].body_text
    assert "Yes, English is fine." in emails[co_leader.email].body_text
    assert f"/contact/conversations/{thread.pk}/" in emails[leader.email].body_text


def test_the_answer_to_a_conduct_incident_goes_to_its_author_only(group, leader, co_leader):
    thread = start(leader, group, kind=Thread.Kind.CONDUCT_INCIDENT)

    thread_answer(thread=thread, by=StaffFactory(), body="We will call you today.")

    recipients = OutboxEmail.objects.filter(kind="contact_answer").values_list(
        "to_email", flat=True
    )
    assert list(recipients) == [leader.email]


def test_a_reply_reopens_the_thread_and_tells_the_team(group, leader, co_leader):
    thread = start(leader, group)
    thread_answer(thread=thread, by=StaffFactory(), body="Done.", close=True)

    thread_reply(thread=thread, by=co_leader, body="One more thing.")

    thread.refresh_from_db()
    assert thread.status == Thread.Status.OPEN
    assert thread.closed_at is None
    assert OutboxEmail.objects.filter(kind="contact_message").count() == 2


def test_someone_who_may_not_read_the_thread_cannot_reply(group, leader, co_leader):
    thread = start(leader, group, kind=Thread.Kind.CONDUCT_INCIDENT)

    with pytest.raises(ValidationError):
        thread_reply(thread=thread, by=co_leader, body="Let me in.")

    assert thread.messages.count() == 1


def test_close_and_reopen_keep_every_message(group, leader):
    thread = start(leader, group)
    staff = StaffFactory()

    thread_close(thread=thread, by=staff)
    with pytest.raises(ValidationError):
        thread_close(thread=thread, by=staff)
    reopened = thread_reopen(thread=thread, by=staff)

    assert reopened.status == Thread.Status.OPEN
    assert Message.objects.filter(thread=thread).count() == 1


def test_messages_cannot_be_deleted_while_the_thread_exists(group, leader):
    from django.db.models import ProtectedError

    thread = start(leader, group)

    with pytest.raises(ProtectedError):
        thread.delete()
