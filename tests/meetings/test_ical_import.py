"""Importing a group's iCal feed: added, updated, cancelled, unchanged, skipped with a reason."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from meetings.ical import CalendarError, parse_feed
from meetings.imports import meetings_import_ical
from meetings.models import Meeting
from tests.factories import GroupFactory, MeetingFactory

from .conftest import calendar, vevent

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
#: The import's clock: the 2025 events of these feeds lie in its window.
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def import_feed(group, *events: str):
    return meetings_import_ical(group=group, by=None, content=calendar(*events), now=NOW)


def only_meeting(group) -> Meeting:
    return Meeting.objects.get(group=group)


def only_reason(result) -> str:
    assert len(result.skipped) == 1
    return result.skipped[0].reason


# Adding -----------------------------------------------------------------------------------


def test_new_event_is_added_as_a_meeting_of_the_group(group):
    result = import_feed(group, vevent(uid="e1@meetup", summary="Bicep deep dive"))

    meeting = only_meeting(group)
    assert [m.pk for m in result.added] == [meeting.pk]
    assert meeting.title == "Bicep deep dive"
    assert meeting.external_uid == "e1@meetup"
    assert meeting.entry_fee == 0
    assert meeting.cost_recovery_charge == 0


def test_time_with_a_tzid_keeps_its_zone(group):
    import_feed(group, vevent())

    meeting = only_meeting(group)
    assert meeting.starts_at == datetime(2025, 3, 12, 17, 0, tzinfo=UTC)
    assert meeting.ends_at == datetime(2025, 3, 12, 19, 0, tzinfo=UTC)


def test_time_with_a_tzid_other_than_the_groups_keeps_its_zone(group):
    import_feed(
        group,
        vevent(
            start="DTSTART;TZID=America/New_York:20250312T120000",
            end="DTEND;TZID=America/New_York:20250312T130000",
        ),
    )

    assert only_meeting(group).starts_at == datetime(2025, 3, 12, 16, 0, tzinfo=UTC)


def test_utc_time_is_read_as_utc(group):
    import_feed(group, vevent(start="DTSTART:20250312T170000Z", end="DTEND:20250312T190000Z"))

    assert only_meeting(group).starts_at == datetime(2025, 3, 12, 17, 0, tzinfo=UTC)


def test_floating_time_is_read_in_the_groups_time_zone(db):
    group = GroupFactory(timezone="America/New_York")

    import_feed(group, vevent(start="DTSTART:20250712T180000", end="DTEND:20250712T200000"))

    meeting = only_meeting(group)
    assert meeting.starts_at == datetime(2025, 7, 12, 22, 0, tzinfo=UTC)
    assert meeting.ends_at == datetime(2025, 7, 12, 22, 0, tzinfo=UTC) + timedelta(hours=2)


def test_all_day_event_lasts_the_day_in_the_groups_time_zone(group):
    import_feed(group, vevent(start="DTSTART;VALUE=DATE:20250405", end=None))

    meeting = only_meeting(group)
    assert meeting.starts_at == datetime(2025, 4, 5, tzinfo=STOCKHOLM)
    assert meeting.ends_at == datetime(2025, 4, 6, tzinfo=STOCKHOLM)


def test_all_day_event_over_two_days_ends_after_the_second(group):
    import_feed(group, vevent(start="DTSTART;VALUE=DATE:20250405", end="DTEND;VALUE=DATE:20250407"))

    assert only_meeting(group).ends_at == datetime(2025, 4, 7, tzinfo=STOCKHOLM)


def test_duration_instead_of_an_end(group):
    import_feed(group, vevent("DURATION:PT2H30M", end=None))

    meeting = only_meeting(group)
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=2, minutes=30)


def test_place_is_the_venue_and_the_meeting_is_in_person(group):
    import_feed(group, vevent(r"LOCATION:Contoso office\, Kungsgatan 1\, Stockholm"))

    meeting = only_meeting(group)
    assert meeting.venue == "Contoso office, Kungsgatan 1, Stockholm"
    assert meeting.format == Meeting.Format.IN_PERSON
    assert meeting.online_url == ""


def test_link_as_the_place_is_the_online_link_of_an_online_meeting(group):
    import_feed(group, vevent("LOCATION:https://meet.example.org/azure"))

    meeting = only_meeting(group)
    assert meeting.online_url == "https://meet.example.org/azure"
    assert meeting.format == Meeting.Format.ONLINE
    assert meeting.venue == ""


def test_javascript_link_as_the_place_is_not_taken_as_a_link(group):
    import_feed(group, vevent("LOCATION:javascript:alert(1)"))

    meeting = only_meeting(group)
    assert meeting.online_url == ""
    assert meeting.venue == "javascript:alert(1)"


def test_long_title_is_shortened_to_fit(group):
    import_feed(group, vevent(summary="Azure " * 60))

    title = only_meeting(group).title
    assert len(title) == 200
    assert title.endswith("…")


# The Azure rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lines",
    [
        ("SUMMARY:Azure Functions in practice",),
        ("SUMMARY:AzureML for beginners",),
        ("SUMMARY:Serverless night", "DESCRIPTION:We build on azure this time."),
        ("SUMMARY:Cloud night", "CATEGORIES:Cloud,Azure"),
    ],
)
def test_event_that_mentions_azure_is_imported_as_azure_related(group, lines):
    import_feed(group, vevent(*lines, summary=None))

    assert only_meeting(group).is_azure_related is True


@pytest.mark.parametrize(
    "lines",
    [
        ("SUMMARY:Pizza and Python",),
        ("SUMMARY:Kubernetes at home", "DESCRIPTION:Bring your own cluster."),
        ("SUMMARY:Summer trip", "DESCRIPTION:A day on the Côte d’Azur."),
    ],
)
def test_event_that_does_not_mention_azure_is_imported_as_not_azure_related(group, lines):
    import_feed(group, vevent(*lines, summary=None))

    assert only_meeting(group).is_azure_related is False


# Updating and not duplicating -------------------------------------------------------------


def test_importing_the_same_feed_twice_adds_nothing_the_second_time(group):
    feed = (vevent(uid="e1"), vevent(uid="e2", summary="Second"))
    import_feed(group, *feed)

    result = import_feed(group, *feed)

    assert group.meetings.count() == 2
    assert (len(result.added), len(result.updated), len(result.unchanged)) == (0, 0, 2)


def test_changed_event_updates_the_meeting_imported_before(group):
    import_feed(group, vevent(uid="e1", summary="Azure night"))
    meeting = only_meeting(group)

    result = import_feed(
        group,
        vevent(
            r"LOCATION:New place\, Stockholm",
            uid="e1",
            summary="Azure night (moved)",
            start="DTSTART;TZID=Europe/Stockholm:20250313T180000",
            end="DTEND;TZID=Europe/Stockholm:20250313T210000",
        ),
    )

    assert [m.pk for m in result.updated] == [meeting.pk]
    meeting.refresh_from_db()
    assert meeting.title == "Azure night (moved)"
    assert meeting.starts_at == datetime(2025, 3, 13, 17, 0, tzinfo=UTC)
    assert meeting.ends_at == datetime(2025, 3, 13, 20, 0, tzinfo=UTC)
    assert meeting.venue == "New place, Stockholm"
    assert group.meetings.count() == 1


def test_update_keeps_what_the_leader_set(group):
    import_feed(group, vevent(uid="e1", summary="Azure night"))
    Meeting.objects.filter(group=group).update(
        attendee_count=42,
        is_azure_related=False,
        topics="Bicep",
        format=Meeting.Format.HYBRID,
        cost_recovery_charge=50,
        cost_recovery_reason=Meeting.CostReason.FOOD_AND_DRINK,
    )

    import_feed(group, vevent(uid="e1", summary="Azure night, new title"))

    meeting = only_meeting(group)
    assert meeting.title == "Azure night, new title"
    assert (meeting.attendee_count, meeting.is_azure_related, meeting.topics) == (
        42,
        False,
        "Bicep",
    )
    assert meeting.format == Meeting.Format.HYBRID
    assert meeting.cost_recovery_charge == 50


def test_update_marks_the_meeting_as_updated_now(group):
    import_feed(group, vevent(uid="e1"))
    Meeting.objects.filter(group=group).update(updated_at=datetime(2024, 1, 1, tzinfo=UTC))

    import_feed(group, vevent(uid="e1", summary="New title"))

    assert only_meeting(group).updated_at.year > 2024


def test_meeting_added_by_hand_is_left_alone(group):
    by_hand = MeetingFactory(group=group, title="Logged by hand")

    import_feed(group, vevent(uid="e1"))

    by_hand.refresh_from_db()
    assert by_hand.title == "Logged by hand"
    assert group.meetings.count() == 2


def test_same_uid_in_another_group_is_another_meeting(group):
    other = MeetingFactory(external_uid="e1", title="Other group's")

    result = import_feed(group, vevent(uid="e1", summary="Ours"))

    assert len(result.added) == 1
    other.refresh_from_db()
    assert other.title == "Other group's"


# Skipping ---------------------------------------------------------------------------------


def test_event_without_uid_is_skipped_with_the_reason(group):
    result = import_feed(group, vevent(uid=None), vevent(uid="e2"))

    assert "no UID" in only_reason(result)
    assert [m.external_uid for m in result.added] == ["e2"]


def test_event_without_start_is_skipped(group):
    result = import_feed(group, vevent(start=None))

    assert "no start time" in only_reason(result)
    assert not group.meetings.exists()


def test_event_with_an_unreadable_start_is_skipped(group):
    result = import_feed(group, vevent(start="DTSTART:next tuesday"))

    assert "cannot be read" in only_reason(result)


def test_event_without_end_or_duration_is_skipped(group):
    result = import_feed(group, vevent(end=None))

    assert "no end time" in only_reason(result)


def test_event_that_ends_before_it_starts_is_skipped(group):
    result = import_feed(group, vevent(end="DTEND;TZID=Europe/Stockholm:20250312T170000"))

    assert "must end after it starts" in only_reason(result)
    assert not group.meetings.exists()


def test_event_in_an_implausible_year_lies_outside_the_window_and_is_not_read(group):
    result = import_feed(
        group, vevent(start="DTSTART:18990101T100000Z", end="DTEND:18990101T120000Z")
    )

    assert (result.added, result.skipped, result.outside_window) == ([], [], 1)
    assert not group.meetings.exists()


def test_event_without_title_is_skipped(group):
    result = import_feed(group, vevent(summary=None))

    assert "no title" in only_reason(result)


def test_uid_too_long_to_store_is_skipped(group):
    result = import_feed(group, vevent(uid="x" * 401))

    assert "calendar key" in only_reason(result)
    assert not group.meetings.exists()


def test_cancelled_event_is_stored_as_cancelled_by_the_calendar(group):
    result = import_feed(group, vevent("STATUS:CANCELLED"))

    meeting = only_meeting(group)
    assert [m.pk for m in result.cancelled] == [meeting.pk]
    assert (result.added, result.skipped) == ([], [])
    assert meeting.cancelled_at == NOW
    assert meeting.cancelled_by == Meeting.CancelledBy.CALENDAR
    assert (meeting.cancelled_by, meeting.cancellation_reason) == ("calendar", "")


def test_cancelled_event_imported_before_cancels_the_meeting(group):
    import_feed(group, vevent(uid="e1"))

    result = import_feed(group, vevent("STATUS:CANCELLED", uid="e1"))

    assert [m.external_uid for m in result.cancelled] == ["e1"]
    assert only_meeting(group).cancelled_by == Meeting.CancelledBy.CALENDAR


def test_repeating_event_is_imported_as_one_meeting_per_occurrence(group):
    result = import_feed(group, vevent("RRULE:FREQ=WEEKLY;COUNT=4", uid="weekly"))

    assert [m.external_uid for m in result.added] == [
        "weekly#20250312T170000Z",
        "weekly#20250319T170000Z",
        "weekly#20250326T170000Z",
        "weekly#20250402T160000Z",  # summer time from 30 March: still 18:00 in Stockholm
    ]


def test_changed_occurrence_without_its_series_is_imported_by_its_key(group):
    result = import_feed(
        group, vevent("RECURRENCE-ID;TZID=Europe/Stockholm:20250312T180000", uid="series")
    )

    assert [m.external_uid for m in result.added] == ["series#20250312T170000Z"]


def test_uid_twice_in_the_feed_is_imported_once(group):
    result = import_feed(group, vevent(uid="e1"), vevent(uid="e1", summary="Again"))

    assert "appears earlier" in only_reason(result)
    assert group.meetings.count() == 1


def test_bad_update_is_skipped_and_leaves_the_meeting_as_it_was(group):
    import_feed(group, vevent(uid="e1", summary="Azure night"))

    result = import_feed(
        group,
        vevent(uid="e1", summary="Broken", end="DTEND;TZID=Europe/Stockholm:20250312T100000"),
    )

    assert "must end after it starts" in only_reason(result)
    assert only_meeting(group).title == "Azure night"


def test_skipped_events_do_not_stop_the_others(group):
    result = import_feed(group, vevent(uid=None), vevent(uid="ok"), vevent(uid="x", summary=None))

    assert [m.external_uid for m in result.added] == ["ok"]
    assert len(result.skipped) == 2


# Not a calendar ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"<!doctype html><html><body>Meetup</body></html>",
        b"",
        b"\xff\xfe\x00garbage",
        b"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n",
    ],
)
def test_content_that_is_not_a_calendar_is_refused_and_nothing_changes(group, content):
    with pytest.raises(CalendarError, match="not an iCal calendar"):
        meetings_import_ical(group=group, by=None, content=content)

    assert not group.meetings.exists()


def test_calendar_without_events_imports_nothing(group):
    result = import_feed(group)

    assert (result.added, result.updated, result.unchanged, result.skipped) == ([], [], [], [])


def test_parse_feed_reads_events_in_feed_order():
    parsed = parse_feed(calendar(vevent(uid="a"), vevent(uid="b")), time_zone=STOCKHOLM, now=NOW)

    assert [event.uid for event in parsed.events] == ["a", "b"]


# Query counts -----------------------------------------------------------------------------


def feed_of(count: int, *, prefix: str = "e", title: str = "Azure night") -> list[str]:
    return [
        vevent(
            uid=f"{prefix}{n}",
            summary=f"{title} {n}",
            start=f"DTSTART:2025{1 + n % 12:02}{1 + n % 28:02}T170000Z",
            end=f"DTEND:2025{1 + n % 12:02}{1 + n % 28:02}T190000Z",
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [1, 40])
def test_adding_costs_the_same_queries_for_one_event_or_many(
    group, count, django_assert_num_queries
):
    # Lock the group, look up the keys, insert, write the audit row (inside one transaction:
    # savepoint queries).
    with django_assert_num_queries(6):
        result = import_feed(group, *feed_of(count))

    assert len(result.added) == count


@pytest.mark.parametrize("count", [1, 40])
def test_updating_costs_the_same_queries_for_one_event_or_many(
    group, count, django_assert_num_queries
):
    import_feed(group, *feed_of(count))

    with django_assert_num_queries(6):
        result = import_feed(group, *feed_of(count, title="Renamed"))

    assert len(result.updated) == count


@pytest.mark.parametrize("count", [1, 40])
def test_importing_an_unchanged_feed_writes_nothing(group, count, django_assert_num_queries):
    import_feed(group, *feed_of(count))

    # Lock the group, look up the keys (savepoint queries around them).
    with django_assert_num_queries(4):
        result = import_feed(group, *feed_of(count))

    assert len(result.unchanged) == count
