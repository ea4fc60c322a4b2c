"""A person's conversations in their data download, and what deleting the account keeps."""

import pytest
from django.utils import timezone

from contact.models import Message, Thread
from contact.services import thread_answer, thread_reply, thread_start
from privacy.personal_data import DELETED_NAME, account_delete, personal_data
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_the_download_holds_the_persons_conversations_and_their_other_messages(
    group, leader, co_leader
):
    mine = thread_start(
        author=co_leader, group=group, kind="conduct_incident", subject="Mine", body="It happened."
    )
    thread_answer(thread=mine, by=StaffFactory(), body="We are on it.")
    theirs = thread_start(author=leader, group=group, kind="question", subject="Theirs", body="Q")
    thread_reply(thread=theirs, by=co_leader, body="My addition.")

    data = personal_data(co_leader)

    [conversation] = data["conversations_with_the_program_team"]
    assert conversation["subject"] == "Mine"
    assert [(m["from"], m["body"]) for m in conversation["messages"]] == [
        ("you", "It happened."),
        ("program_team", "We are on it."),
    ]
    assert [m["body"] for m in data["messages_in_other_conversations"]] == ["My addition."]
    assert "Q" not in [m["body"] for m in data["messages_in_other_conversations"]]


def test_deleting_an_account_keeps_the_conversations_without_the_persons_name(
    group, leader, co_leader
):
    thread = thread_start(
        author=co_leader,
        group=group,
        kind="conduct_incident",
        subject="Cody Coleader reports",
        body="I am Cody Coleader, write to cody@example.org.",
    )

    account_delete(user=co_leader, now=timezone.now())

    thread.refresh_from_db()
    message = Message.objects.get(thread=thread)
    assert Thread.objects.filter(pk=thread.pk).exists()
    assert thread.author.display_name == DELETED_NAME
    assert "Cody Coleader" not in thread.subject
    assert "Cody Coleader" not in message.body
    assert "cody@example.org" not in message.body
    assert "write to" in message.body
