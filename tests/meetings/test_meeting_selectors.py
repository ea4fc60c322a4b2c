"""What the meeting selectors read: the reach of a group's meetings over a period."""

from datetime import UTC, datetime, timedelta

import pytest

from meetings.models import Meeting
from meetings.selectors import Reach, reach_of_group
from tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
START = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def meeting_on(group, starts_at, **fields):
    return MeetingFactory(group=group, starts_at=starts_at, **fields)


def test_reach_adds_up_the_actual_attendees_of_the_period(group):
    meeting_on(group, NOW - timedelta(days=10), attendee_count=30)
    meeting_on(group, NOW - timedelta(days=40), attendee_count=12)
    meeting_on(group, NOW - timedelta(days=70), attendee_count=None)

    reach = reach_of_group(group, start=START, end=NOW, now=NOW)

    assert reach == Reach(people=42, meetings_with_count=2, meetings_held=3)


def test_reach_leaves_out_cancelled_deleted_and_other_groups_meetings(group):
    meeting_on(group, NOW - timedelta(days=10), attendee_count=30)
    meeting_on(
        group,
        NOW - timedelta(days=20),
        attendee_count=99,
        cancelled_at=NOW,
        cancelled_by=Meeting.CancelledBy.LEADER,
    )
    meeting_on(group, NOW - timedelta(days=30), attendee_count=77, deleted_at=NOW)
    MeetingFactory(starts_at=NOW - timedelta(days=5), attendee_count=500)

    reach = reach_of_group(group, start=START, end=NOW, now=NOW)

    assert reach == Reach(people=30, meetings_with_count=1, meetings_held=1)


def test_reach_counts_meetings_that_start_on_either_end_of_the_period(group):
    meeting_on(group, START, attendee_count=5)
    meeting_on(group, START - timedelta(seconds=1), attendee_count=100)
    meeting_on(group, NOW - timedelta(hours=2), attendee_count=7)  # ends exactly at NOW
    meeting_on(group, NOW + timedelta(seconds=1), attendee_count=None)

    reach = reach_of_group(group, start=START, end=NOW, now=NOW)

    assert reach == Reach(people=12, meetings_with_count=2, meetings_held=2)


def test_meetings_still_to_come_in_the_period_are_not_held(group):
    meeting_on(group, NOW - timedelta(days=3), attendee_count=20)
    meeting_on(group, NOW + timedelta(days=3), attendee_count=None)
    meeting_on(group, NOW - timedelta(hours=1), attendee_count=None)  # under way

    reach = reach_of_group(group, start=START, end=NOW + timedelta(days=30), now=NOW)

    assert reach == Reach(people=20, meetings_with_count=1, meetings_held=1)


def test_reach_of_a_group_without_meetings_is_zero(group):
    assert reach_of_group(group, start=START, end=NOW, now=NOW) == Reach(0, 0, 0)


def test_reach_is_one_query(group, django_assert_num_queries):
    for day in range(5):
        meeting_on(group, NOW - timedelta(days=day + 1), attendee_count=day)

    with django_assert_num_queries(1):
        reach_of_group(group, start=START, end=NOW, now=NOW)
