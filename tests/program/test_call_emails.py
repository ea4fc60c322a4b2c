"""Quarterly call e-mail: invitations, reminders, updates, cancellations and follow-ups."""

import importlib
from datetime import UTC, datetime, timedelta
from email.message import Message

import pytest
from django.apps import apps
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from icalendar import Calendar

from leaders.models import Leadership, User
from notifications.models import OutboxEmail
from notifications.preferences import unsubscribe_url
from program import calls
from program.calls import call_changed, call_recipients, queue_call_emails
from program.ics import call_uid
from program.models import QuarterlyCall
from program.news import queue_weekly_digests
from program.tasks import queue_quarterly_call_emails
from tests.builders import CALL_STARTS_AT, quarterly_call
from tests.factories import (
    GroupFactory,
    LeadershipFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INVITATION_DAY = CALL_STARTS_AT - timedelta(days=14)
SCHEDULE_MIGRATION = "program.migrations.0002_schedules"


def admitted_group_with_leaders(*, language: str = "en", co_leader: bool = True):
    group = GroupFactory(admitted=True)
    leader = LeadershipFactory(group=group, user=UserFactory(preferred_language=language)).user
    co = None
    if co_leader:
        co = LeadershipFactory(
            group=group, role=Leadership.Role.CO_LEADER, user=UserFactory(preferred_language="en")
        ).user
    return group, leader, co


def run_job(capture, now: datetime) -> dict[str, int]:
    with capture(execute=True):
        return queue_call_emails(now=now)


def save_call(capture, call: QuarterlyCall, now: datetime) -> None:
    with capture(execute=True):
        call_changed(call=call, by=StaffFactory(), now=now)


def messages_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def calendar_of(message) -> tuple[Calendar, Message]:
    parts = [
        part for part in message.message().walk() if part.get_content_type() == "text/calendar"
    ]
    assert len(parts) == 1
    return Calendar.from_ical(parts[0].get_payload(decode=True)), parts[0]


def event_of(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


# Invitations ---------------------------------------------------------------------------------


def test_invitations_go_out_on_the_invitation_day_and_not_before(
    django_capture_on_commit_callbacks,
):
    quarterly_call()
    _group, leader, co = admitted_group_with_leaders()
    assert run_job(django_capture_on_commit_callbacks, INVITATION_DAY - timedelta(hours=1)) == {
        "invitations": 0,
        "reminders": 0,
        "followups": 0,
    }
    assert mail.outbox == []
    counts = run_job(django_capture_on_commit_callbacks, INVITATION_DAY + timedelta(minutes=5))
    assert counts["invitations"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([leader.email, co.email])


def test_invitation_is_sent_once_when_the_job_runs_twice(django_capture_on_commit_callbacks):
    quarterly_call()
    _group, _leader, _co = admitted_group_with_leaders(co_leader=False)
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY)
    counts = run_job(django_capture_on_commit_callbacks, INVITATION_DAY + timedelta(hours=1))
    assert counts["invitations"] == 0
    assert len(mail.outbox) == 1
    assert OutboxEmail.objects.filter(kind="call-invitation").count() == 1


def test_the_beat_task_queues_the_same_invitations(django_capture_on_commit_callbacks):
    starts_at = timezone.now() + timedelta(days=3)
    quarterly_call(starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    admitted_group_with_leaders(co_leader=False)
    with django_capture_on_commit_callbacks(execute=True):
        result = queue_quarterly_call_emails.delay().get()
    assert result["invitations"] == 1
    assert len(mail.outbox) == 1


def test_no_invitation_for_other_groups_or_ended_leaderships(django_capture_on_commit_callbacks):
    quarterly_call()
    submitted = LeadershipFactory(group=GroupFactory()).user
    _group, leader, co = admitted_group_with_leaders()
    Leadership.objects.filter(user=co).update(ended_at=INVITATION_DAY - timedelta(days=30))
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY)
    assert [m.to for m in mail.outbox] == [[leader.email]]
    assert messages_to(submitted.email) == []


def test_a_leader_of_two_groups_gets_one_invitation_naming_both(
    django_capture_on_commit_callbacks,
):
    quarterly_call()
    first, leader, _co = admitted_group_with_leaders(co_leader=False)
    second = GroupFactory(admitted=True)
    LeadershipFactory(group=second, user=leader)
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY)
    (message,) = mail.outbox
    assert first.name in message.body
    assert second.name in message.body


def test_invitation_has_text_html_agenda_reason_and_a_request_ics(
    django_capture_on_commit_callbacks,
):
    call = quarterly_call()
    group, leader, _co = admitted_group_with_leaders(co_leader=False)
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY)
    (message,) = mail.outbox
    assert "Invitation: Leaders call Q1 2099" in message.subject
    assert "1. Welcome" in message.body
    assert "12 March 2099, 17:00 – 18:15 (CET)" in message.body  # the group's time zone
    assert "https://meet.example.org/q1" in message.body
    assert f"leader or co-leader of {group.name}" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "“Leaders call Q1 2099”" in html
    calendar, part = calendar_of(message)
    assert part.get_param("method") == "REQUEST"
    assert calendar["method"] == "REQUEST"
    event = event_of(calendar)
    assert str(event["uid"]) == call_uid(call)
    assert event["sequence"] == 0
    assert event.decoded("dtstart") == CALL_STARTS_AT
    assert event.decoded("dtstart").utcoffset() == timedelta(0)
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["attendee"]) == f"mailto:{leader.email}"


def test_invitation_is_in_the_recipients_language(django_capture_on_commit_callbacks):
    quarterly_call()
    _group, swede, co = admitted_group_with_leaders(language="sv")
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY)
    swedish = OutboxEmail.objects.get(to_email=swede.email)
    english = OutboxEmail.objects.get(to_email=co.email)
    assert swedish.language == "sv"
    assert english.language == "en"
    assert "Hej" in swedish.body_text
    assert "Hello" in english.body_text
    assert "leader or co-leader" in english.body_text


@override_settings(TECHGROUPS_CALL_INVITATION_DAYS=30)
def test_the_invitation_day_is_a_setting(django_capture_on_commit_callbacks):
    quarterly_call()
    admitted_group_with_leaders(co_leader=False)
    run_job(django_capture_on_commit_callbacks, CALL_STARTS_AT - timedelta(days=29))
    assert len(mail.outbox) == 1


def test_no_invitation_for_a_cancelled_or_past_call(django_capture_on_commit_callbacks):
    quarterly_call(status=QuarterlyCall.Status.CANCELLED)
    admitted_group_with_leaders(co_leader=False)
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY)
    run_job(django_capture_on_commit_callbacks, CALL_STARTS_AT + timedelta(hours=3))
    assert mail.outbox == []


# Reminders -----------------------------------------------------------------------------------


def test_reminder_goes_out_the_day_before_once(django_capture_on_commit_callbacks):
    quarterly_call()
    _group, leader, _co = admitted_group_with_leaders(co_leader=False)
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY)
    run_job(django_capture_on_commit_callbacks, CALL_STARTS_AT - timedelta(days=2))
    assert run_job(django_capture_on_commit_callbacks, CALL_STARTS_AT - timedelta(hours=23)) == {
        "invitations": 0,
        "reminders": 1,
        "followups": 0,
    }
    run_job(django_capture_on_commit_callbacks, CALL_STARTS_AT - timedelta(hours=22))
    subjects = [m.subject for m in messages_to(leader.email)]
    assert len(subjects) == 2
    assert "Reminder: Leaders call Q1 2099" in subjects[1]


# Updates and cancellations -------------------------------------------------------------------


def test_a_time_change_sends_an_update_with_a_higher_sequence_and_the_same_uid(
    django_capture_on_commit_callbacks,
):
    call = quarterly_call()
    _group, leader, _co = admitted_group_with_leaders(co_leader=False)
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY)
    call.starts_at = CALL_STARTS_AT + timedelta(hours=2)
    call.ends_at = CALL_STARTS_AT + timedelta(hours=3)
    save_call(django_capture_on_commit_callbacks, call, INVITATION_DAY)
    call.refresh_from_db()
    assert call.sequence == 1
    invitation, update = messages_to(leader.email)
    assert "Updated: Leaders call Q1 2099" in update.subject
    old, new = event_of(calendar_of(invitation)[0]), event_of(calendar_of(update)[0])
    assert str(new["uid"]) == str(old["uid"]) == call_uid(call)
    assert new["sequence"] > old["sequence"]
    assert new.decoded("dtstart") == CALL_STARTS_AT + timedelta(hours=2)
    assert calendar_of(update)[0]["method"] == "REQUEST"


def test_two_people_saving_the_same_new_time_send_one_update(django_capture_on_commit_callbacks):
    """Both opened the call before either saved (two admin forms): the second save finds the
    stored call already at the new time, under the row lock, and sends nothing."""
    call = quarterly_call()
    _group, leader, co = admitted_group_with_leaders()
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY)
    first, second = (QuarterlyCall.objects.get(pk=call.pk) for _ in range(2))
    for edited in (first, second):
        edited.starts_at = CALL_STARTS_AT + timedelta(hours=2)
        edited.ends_at = CALL_STARTS_AT + timedelta(hours=3)

    save_call(django_capture_on_commit_callbacks, first, INVITATION_DAY)
    save_call(django_capture_on_commit_callbacks, second, INVITATION_DAY)

    call.refresh_from_db()
    assert call.sequence == 1
    for person in (leader, co):
        _invitation, update = messages_to(person.email)
        assert "Updated:" in update.subject


def test_a_stale_form_does_not_undo_a_change_it_did_not_make(django_capture_on_commit_callbacks):
    call = quarterly_call()
    admitted_group_with_leaders(co_leader=False)
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY)
    first, second = (QuarterlyCall.objects.get(pk=call.pk) for _ in range(2))
    first.agenda = "New agenda"
    second.agenda = "New agenda"
    second.join_url = "https://meet.example.org/other"

    save_call(django_capture_on_commit_callbacks, first, INVITATION_DAY)
    save_call(django_capture_on_commit_callbacks, second, INVITATION_DAY)

    call.refresh_from_db()
    assert call.sequence == 2  # two real changes: the agenda, then the join link
    assert OutboxEmail.objects.filter(kind="call-update").count() == 2


def test_a_job_run_reports_only_what_it_queued_itself(
    django_capture_on_commit_callbacks, monkeypatch
):
    quarterly_call()
    admitted_group_with_leaders()
    assert run_job(django_capture_on_commit_callbacks, INVITATION_DAY)["invitations"] == 2
    monkeypatch.setattr(calls, "outbox_queued_keys", lambda keys: set())  # lost the race

    assert run_job(django_capture_on_commit_callbacks, INVITATION_DAY)["invitations"] == 0
    assert OutboxEmail.objects.filter(kind="call-invitation").count() == 2


def test_an_agenda_change_sends_an_update_and_saving_it_again_sends_nothing_more(
    django_capture_on_commit_callbacks,
):
    call = quarterly_call()
    _group, leader, _co = admitted_group_with_leaders(co_leader=False)
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY)
    call.agenda = "1. Welcome\n2. New benefits"
    save_call(django_capture_on_commit_callbacks, call, INVITATION_DAY)
    save_call(django_capture_on_commit_callbacks, call, INVITATION_DAY)
    call.refresh_from_db()
    assert call.sequence == 1
    assert len(messages_to(leader.email)) == 2
    assert "New benefits" in messages_to(leader.email)[1].body


def test_a_change_before_the_invitation_day_sends_no_update(django_capture_on_commit_callbacks):
    call = quarterly_call()
    admitted_group_with_leaders(co_leader=False)
    call.agenda = "Changed early"
    save_call(django_capture_on_commit_callbacks, call, INVITATION_DAY - timedelta(days=3))
    assert mail.outbox == []
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY)
    (invitation,) = mail.outbox
    assert "Changed early" in invitation.body
    assert event_of(calendar_of(invitation)[0])["sequence"] == 1


def test_a_cancelled_call_sends_a_cancellation(django_capture_on_commit_callbacks):
    call = quarterly_call()
    _group, leader, co = admitted_group_with_leaders()
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY)
    call.status = QuarterlyCall.Status.CANCELLED
    save_call(django_capture_on_commit_callbacks, call, INVITATION_DAY)
    save_call(django_capture_on_commit_callbacks, call, INVITATION_DAY)
    cancellations = mail.outbox[2:]  # after the two invitations
    assert sorted(m.to[0] for m in cancellations) == sorted([leader.email, co.email])
    for message in cancellations:
        assert "Cancelled: Leaders call Q1 2099" in message.subject
        calendar, part = calendar_of(message)
        assert calendar["method"] == "CANCEL"
        assert part.get_param("method") == "CANCEL"
        event = event_of(calendar)
        assert str(event["status"]) == "CANCELLED"
        assert str(event["uid"]) == call_uid(call)
        assert event["sequence"] == 1
    run_job(django_capture_on_commit_callbacks, CALL_STARTS_AT - timedelta(hours=12))
    assert len(mail.outbox) == 4  # no reminder for a cancelled call


# Follow-up -----------------------------------------------------------------------------------


def test_follow_up_goes_out_once_when_recording_and_slides_are_both_set(
    django_capture_on_commit_callbacks,
):
    call = quarterly_call()
    _group, leader, _co = admitted_group_with_leaders(co_leader=False)
    after = CALL_STARTS_AT + timedelta(days=2)
    call.recording_url = "https://video.example.org/q1"
    save_call(django_capture_on_commit_callbacks, call, after)
    assert mail.outbox == []
    call.slides_url = "https://slides.example.org/q1"
    save_call(django_capture_on_commit_callbacks, call, after)
    save_call(django_capture_on_commit_callbacks, call, after)
    run_job(django_capture_on_commit_callbacks, after + timedelta(hours=1))
    (message,) = mail.outbox
    assert message.to == [leader.email]
    assert "Recording and slides: Leaders call Q1 2099" in message.subject
    assert "https://video.example.org/q1" in message.body
    assert "https://slides.example.org/q1" in message.body
    assert calendar_parts(message) == 0
    call.refresh_from_db()
    assert call.sequence == 0  # the links do not change the calendar event


def test_follow_up_is_found_by_the_job_too(django_capture_on_commit_callbacks):
    quarterly_call(
        recording_url="https://video.example.org/q1", slides_url="https://slides.example.org/q1"
    )
    admitted_group_with_leaders(co_leader=False)
    after = CALL_STARTS_AT + timedelta(days=1)
    assert run_job(django_capture_on_commit_callbacks, after)["followups"] == 1
    assert run_job(django_capture_on_commit_callbacks, after)["followups"] == 0
    assert len(mail.outbox) == 1


def test_the_job_sends_no_follow_up_for_a_call_that_ended_long_ago(
    django_capture_on_commit_callbacks,
):
    quarterly_call(
        recording_url="https://video.example.org/q1", slides_url="https://slides.example.org/q1"
    )
    admitted_group_with_leaders(co_leader=False)
    much_later = CALL_STARTS_AT + timedelta(days=60)
    assert run_job(django_capture_on_commit_callbacks, much_later)["followups"] == 0
    assert mail.outbox == []


def calendar_parts(message) -> int:
    return sum(1 for part in message.message().walk() if part.get_content_type() == "text/calendar")


# The admin -----------------------------------------------------------------------------------


def test_editing_the_time_in_the_admin_raises_the_sequence_and_sends_the_update(
    client, django_capture_on_commit_callbacks
):
    now = timezone.now()
    call = quarterly_call(
        starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=5, hours=1)
    )
    _group, leader, _co = admitted_group_with_leaders(co_leader=False)
    run_job(django_capture_on_commit_callbacks, now)
    client.force_login(StaffFactory(is_superuser=True))
    url = reverse("admin:program_quarterlycall_change", args=[call.pk])
    new_start = timezone.localtime(call.starts_at + timedelta(hours=1))
    new_end = timezone.localtime(call.ends_at + timedelta(hours=1))
    data = {
        "title": call.title,
        "starts_at_0": new_start.strftime("%Y-%m-%d"),
        "starts_at_1": new_start.strftime("%H:%M:%S"),
        "ends_at_0": new_end.strftime("%Y-%m-%d"),
        "ends_at_1": new_end.strftime("%H:%M:%S"),
        "agenda": call.agenda,
        "join_url": call.join_url,
        "recording_url": "",
        "slides_url": "",
        "status": "scheduled",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    call.refresh_from_db()
    assert call.sequence == 1
    assert [m.subject.split(":")[0].split()[-1] for m in messages_to(leader.email)] == [
        "Invitation",
        "Updated",
    ]


# Query counts and the schedule ---------------------------------------------------------------


@pytest.mark.parametrize("groups", [1, 30])
def test_the_job_runs_a_bounded_number_of_queries(
    groups, django_assert_num_queries, django_capture_on_commit_callbacks
):
    quarterly_call()
    quarterly_call(
        starts_at=CALL_STARTS_AT + timedelta(days=1),
        ends_at=CALL_STARTS_AT + timedelta(days=1, hours=1),
    )
    for _ in range(groups):
        admitted_group_with_leaders()
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY + timedelta(days=1))
    assert len(call_recipients()) == 2 * groups
    # savepoint + 3 selections (calls) + recipients + keys queued already, per call
    with django_assert_num_queries(8):
        counts = queue_call_emails(now=INVITATION_DAY + timedelta(days=1, hours=1))
    assert counts == {"invitations": 0, "reminders": 0, "followups": 0}


@pytest.mark.parametrize("groups", [1, 30])
def test_choosing_the_recipients_is_one_query(groups, django_assert_num_queries):
    for _ in range(groups):
        admitted_group_with_leaders()
    with django_assert_num_queries(1):
        assert len(call_recipients()) == 2 * groups


def test_the_migration_creates_the_hourly_schedule_once():
    task = PeriodicTask.objects.get(name="Send quarterly call e-mails")
    assert task.task == "program.tasks.queue_quarterly_call_emails"
    assert task.interval.every == 1
    assert task.interval.period == "hours"
    migration = importlib.import_module(SCHEDULE_MIGRATION)
    migration.create_schedules(apps, None)
    assert PeriodicTask.objects.filter(name="Send quarterly call e-mails").count() == 1


# Optional e-mail: the reminder and the follow-up -----------------------------------------------


def with_choice(user, choice: str):
    User.objects.filter(pk=user.pk).update(optional_email=choice)
    return user


def test_the_reminder_goes_only_to_leaders_who_get_optional_e_mail_as_it_comes(
    django_capture_on_commit_callbacks,
):
    quarterly_call()
    _group, each, weekly = admitted_group_with_leaders()
    with_choice(weekly, User.OptionalEmail.DIGEST)
    off = with_choice(
        LeadershipFactory(group=GroupFactory(admitted=True)).user, User.OptionalEmail.OFF
    )
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY)
    mail.outbox.clear()

    counts = run_job(django_capture_on_commit_callbacks, CALL_STARTS_AT - timedelta(hours=23))

    assert counts["reminders"] == 1
    assert [m.to for m in mail.outbox] == [[each.email]]
    assert messages_to(weekly.email) == messages_to(off.email) == []


def test_invitations_updates_and_cancellations_reach_everyone_whatever_their_choice(
    django_capture_on_commit_callbacks,
):
    call = quarterly_call()
    _group, each, off = admitted_group_with_leaders()
    with_choice(off, User.OptionalEmail.OFF)
    run_job(django_capture_on_commit_callbacks, INVITATION_DAY)
    call.agenda = "1. Welcome\n2. Changed"
    save_call(django_capture_on_commit_callbacks, call, INVITATION_DAY)
    call.status = QuarterlyCall.Status.CANCELLED
    save_call(django_capture_on_commit_callbacks, call, INVITATION_DAY)

    assert len(messages_to(off.email)) == len(messages_to(each.email)) == 3
    assert not OutboxEmail.objects.exclude(unsubscribe_url="").exists()
    assert all("List-Unsubscribe" not in m.extra_headers for m in mail.outbox)


def test_the_follow_up_skips_leaders_with_the_digest_or_no_optional_email(
    django_capture_on_commit_callbacks,
):
    call = quarterly_call()
    _group, each, weekly = admitted_group_with_leaders()
    with_choice(weekly, User.OptionalEmail.DIGEST)
    off = with_choice(
        LeadershipFactory(group=GroupFactory(admitted=True)).user, User.OptionalEmail.OFF
    )
    after = CALL_STARTS_AT + timedelta(days=2)
    call.recording_url = "https://video.example.org/q1"
    call.slides_url = "https://slides.example.org/q1"
    save_call(django_capture_on_commit_callbacks, call, after)
    run_job(django_capture_on_commit_callbacks, after + timedelta(hours=1))

    assert [m.to for m in mail.outbox] == [[each.email]]
    assert messages_to(weekly.email) == messages_to(off.email) == []


def test_the_reminder_and_the_follow_up_carry_the_unsubscribe_link_and_headers(
    django_capture_on_commit_callbacks,
):
    quarterly_call(
        recording_url="https://video.example.org/q1", slides_url="https://slides.example.org/q1"
    )
    _group, leader, _co = admitted_group_with_leaders(co_leader=False)
    run_job(django_capture_on_commit_callbacks, CALL_STARTS_AT - timedelta(hours=23))
    run_job(django_capture_on_commit_callbacks, CALL_STARTS_AT + timedelta(days=1))

    invitation, reminder, followup = messages_to(leader.email)
    assert "List-Unsubscribe" not in invitation.extra_headers
    url = unsubscribe_url(leader)
    for message in (reminder, followup):
        assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert url in message.body
        assert url in message.alternatives[0].content


def test_a_follow_up_is_in_the_weekly_digest_of_leaders_who_chose_it(
    django_capture_on_commit_callbacks,
):
    ended = datetime(2025, 3, 5, 17, 0, tzinfo=UTC)  # a Wednesday
    call = quarterly_call(
        title="Leaders call Q1 2025",
        starts_at=ended - timedelta(hours=1),
        ends_at=ended,
        recording_url="https://video.example.org/q1",
        slides_url="https://slides.example.org/q1",
    )
    QuarterlyCall.objects.filter(pk=call.pk).update(updated_at=ended)
    _group, _each, weekly = admitted_group_with_leaders()
    with_choice(weekly, User.OptionalEmail.DIGEST)

    with django_capture_on_commit_callbacks(execute=True):
        queue_weekly_digests(now=ended + timedelta(days=6))

    (digest,) = messages_to(weekly.email)
    assert "Leaders call Q1 2025" in digest.body
    assert "https://video.example.org/q1" in digest.body
