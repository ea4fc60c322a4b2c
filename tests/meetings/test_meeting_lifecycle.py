"""A meeting's life after it is logged: cancelled (and back), deleted; each step audited."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEntry
from meetings.models import Meeting
from meetings.services import meeting_cancel, meeting_delete, meeting_uncancel
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=2)


@pytest.fixture
def meeting(group):
    return MeetingFactory(group=group, title="Bicep night", starts_at=NOW + timedelta(days=7))


def cancelled(meeting, *, by=Meeting.CancelledBy.LEADER, reason="Speaker ill"):
    Meeting.objects.filter(pk=meeting.pk).update(
        cancelled_at=EARLIER, cancelled_by=by, cancellation_reason=reason
    )
    meeting.refresh_from_db()
    return meeting


# Cancelling -------------------------------------------------------------------------------


def test_leader_cancels_a_meeting_with_a_reason(meeting, leader):
    changed = meeting_cancel(meeting=meeting, by=leader, reason="  Speaker ill  ", now=NOW)

    assert changed is True
    meeting.refresh_from_db()
    assert meeting.cancelled_at == NOW
    assert meeting.cancelled_by == Meeting.CancelledBy.LEADER
    assert meeting.cancellation_reason == "Speaker ill"
    assert meeting.state(now=NOW) == Meeting.State.CANCELLED


def test_cancelled_meeting_stays_but_no_longer_counts(meeting, leader, group):
    meeting_cancel(meeting=meeting, by=leader, now=NOW)

    assert Meeting.objects.filter(group=group).count() == 1
    assert not Meeting.objects.counted().exists()
    assert not Meeting.objects.not_cancelled().exists()


def test_reason_is_optional(meeting, leader):
    meeting_cancel(meeting=meeting, by=leader, now=NOW)

    meeting.refresh_from_db()
    assert meeting.is_cancelled
    assert meeting.cancellation_reason == ""


def test_cancelling_is_audited_with_the_reason(meeting, leader, group):
    meeting_cancel(meeting=meeting, by=leader, reason="Speaker ill", now=NOW)

    entry = AuditEntry.objects.get()
    assert entry.group == group
    assert entry.actor == leader
    assert entry.action == AuditEntry.Action.MEETING_CANCELLED
    assert entry.created_at == NOW
    assert "Bicep night" in entry.summary
    assert "Reason: Speaker ill" in entry.summary
    assert entry.changes["cancellation_reason"] == {"before": "", "after": "Speaker ill"}
    assert entry.changes["cancelled_by"] == {"before": "", "after": "leader"}


def test_cancelling_updates_the_callers_meeting(meeting, leader):
    meeting_cancel(meeting=meeting, by=leader, reason="Rain", now=NOW)

    assert meeting.cancelled_at == NOW
    assert meeting.cancellation_reason == "Rain"


@pytest.mark.parametrize("by", [Meeting.CancelledBy.LEADER, Meeting.CancelledBy.CALENDAR])
def test_cancelling_a_cancelled_meeting_changes_nothing(meeting, leader, by):
    cancelled(meeting, by=by)

    changed = meeting_cancel(meeting=meeting, by=leader, reason="Another reason", now=NOW)

    assert changed is False
    meeting.refresh_from_db()
    assert (meeting.cancelled_at, meeting.cancelled_by) == (EARLIER, by)
    assert meeting.cancellation_reason == "Speaker ill"
    assert not AuditEntry.objects.exists()


def test_reason_longer_than_300_characters_is_refused(meeting, leader):
    with pytest.raises(ValidationError) as caught:
        meeting_cancel(meeting=meeting, by=leader, reason="x" * 301, now=NOW)

    assert list(caught.value.message_dict) == ["reason"]
    meeting.refresh_from_db()
    assert not meeting.is_cancelled
    assert not AuditEntry.objects.exists()


def test_reason_of_300_characters_is_kept(meeting, leader):
    meeting_cancel(meeting=meeting, by=leader, reason="x" * 300, now=NOW)

    meeting.refresh_from_db()
    assert meeting.cancellation_reason == "x" * 300


def test_a_meeting_deleted_meanwhile_cannot_be_cancelled(meeting, leader):
    Meeting.objects.filter(pk=meeting.pk).update(deleted_at=EARLIER)

    with pytest.raises(Meeting.DoesNotExist):
        meeting_cancel(meeting=meeting, by=leader, now=NOW)

    assert Meeting.all_objects.get(pk=meeting.pk).cancelled_at is None


# Undoing a cancellation -------------------------------------------------------------------


@pytest.mark.parametrize("by", [Meeting.CancelledBy.LEADER, Meeting.CancelledBy.CALENDAR])
def test_leader_undoes_a_cancellation(meeting, leader, by):
    cancelled(meeting, by=by)

    changed = meeting_uncancel(meeting=meeting, by=leader, now=NOW)

    assert changed is True
    meeting.refresh_from_db()
    assert (meeting.cancelled_at, meeting.cancelled_by, meeting.cancellation_reason) == (
        None,
        "",
        "",
    )
    assert Meeting.objects.counted().get() == meeting


def test_undoing_a_cancellation_is_audited(meeting, leader, group):
    cancelled(meeting)

    meeting_uncancel(meeting=meeting, by=leader, now=NOW)

    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.MEETING_UNCANCELLED
    assert (entry.group, entry.actor, entry.created_at) == (group, leader, NOW)
    assert "Bicep night" in entry.summary
    assert entry.changes["cancellation_reason"] == {"before": "Speaker ill", "after": ""}


def test_undoing_on_a_meeting_that_is_not_cancelled_changes_nothing(meeting, leader):
    changed = meeting_uncancel(meeting=meeting, by=leader, now=NOW)

    assert changed is False
    meeting.refresh_from_db()
    assert not meeting.is_cancelled
    assert not AuditEntry.objects.exists()


# Deleting ---------------------------------------------------------------------------------


def test_deleting_is_soft(meeting, leader, group):
    changed = meeting_delete(meeting=meeting, by=leader, now=NOW)

    assert changed is True
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert not group.meetings.exists()
    assert Meeting.all_objects.get(pk=meeting.pk).deleted_at == NOW
    assert meeting.deleted_at == NOW


def test_deleted_meeting_leaves_every_count(meeting, leader):
    meeting_delete(meeting=meeting, by=leader, now=NOW)

    assert not Meeting.objects.counted().exists()
    assert not Meeting.objects.not_cancelled().exists()


def test_deleting_is_audited(meeting, leader, group):
    meeting_delete(meeting=meeting, by=leader, now=NOW)

    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.MEETING_DELETED
    assert (entry.group, entry.actor, entry.created_at) == (group, leader, NOW)
    assert "Bicep night" in entry.summary
    assert entry.changes["deleted_at"]["before"] == ""


def test_deleting_a_deleted_meeting_changes_nothing(meeting, leader):
    Meeting.objects.filter(pk=meeting.pk).update(deleted_at=EARLIER)

    changed = meeting_delete(meeting=meeting, by=leader, now=NOW)

    assert changed is False
    assert Meeting.all_objects.get(pk=meeting.pk).deleted_at == EARLIER
    assert not AuditEntry.objects.exists()


def test_cancelled_meeting_can_be_deleted(meeting, leader):
    cancelled(meeting)

    meeting_delete(meeting=meeting, by=leader, now=NOW)

    kept = Meeting.all_objects.get(pk=meeting.pk)
    assert (kept.cancelled_at, kept.deleted_at) == (EARLIER, NOW)
