"""How an import treats repeating events, time zones, cancellations, deletions and events that
have gone from the calendar (docs/program.md, "Meetings imported from a group's calendar")."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from meetings.ical import SERIES_CAP, import_window, occurrence_key
from meetings.imports import meetings_import_ical
from meetings.models import FeedImport, Meeting
from tests.factories import MeetingFactory

from .conftest import calendar, vevent

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
#: The import's clock: the window runs from March 2024 to March 2026.
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def import_feed(group, *events: str, by=None, content: bytes | None = None):
    content = content if content is not None else calendar(*events)
    return meetings_import_ical(group=group, by=by, content=content, now=NOW)


def keys(meetings) -> list[str]:
    return [meeting.external_uid for meeting in meetings]


def stored(group, key: str) -> Meeting:
    return Meeting.all_objects.get(group=group, external_uid=key)


# The key of a meeting ---------------------------------------------------------------------


def test_a_single_event_is_known_by_its_uid():
    assert occurrence_key("e1@meetup", None, time_zone=STOCKHOLM) == "e1@meetup"


def test_an_occurrence_is_known_by_its_uid_and_recurrence_id_in_utc():
    recurrence_id = datetime(2026, 1, 15, 18, 0, tzinfo=STOCKHOLM)

    assert occurrence_key("s", recurrence_id, time_zone=STOCKHOLM) == "s#20260115T170000Z"


def test_a_floating_recurrence_id_is_read_in_the_groups_time_zone():
    floating = datetime(2026, 7, 15, 18, 0)

    assert occurrence_key("s", floating, time_zone=STOCKHOLM) == "s#20260715T160000Z"


def test_an_all_day_occurrence_is_known_by_its_date():
    assert occurrence_key("s", date(2026, 1, 15), time_zone=STOCKHOLM) == "s#20260115"


def test_the_window_is_a_year_either_side_of_now():
    assert import_window(NOW) == (
        datetime(2024, 3, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
    )


# Repeating events ---------------------------------------------------------------------------


def test_an_occurrence_moved_in_the_calendar_keeps_its_key_and_takes_the_new_time(group):
    import_feed(group, vevent("RRULE:FREQ=WEEKLY;COUNT=2", uid="s"))

    result = import_feed(
        group,
        vevent("RRULE:FREQ=WEEKLY;COUNT=2", uid="s"),
        vevent(
            "RECURRENCE-ID;TZID=Europe/Stockholm:20250319T180000",
            uid="s",
            start="DTSTART;TZID=Europe/Stockholm:20250320T190000",
            end="DTEND;TZID=Europe/Stockholm:20250320T210000",
        ),
    )

    assert keys(result.updated) == ["s#20250319T170000Z"]
    assert stored(group, "s#20250319T170000Z").starts_at == datetime(2025, 3, 20, 18, tzinfo=UTC)
    assert group.meetings.count() == 2


def test_exdate_leaves_an_occurrence_out_and_rdate_adds_one(group):
    result = import_feed(
        group,
        vevent(
            "RRULE:FREQ=WEEKLY;COUNT=3",
            "EXDATE;TZID=Europe/Stockholm:20250319T180000",
            "RDATE;TZID=Europe/Stockholm:20250401T180000",
            uid="s",
        ),
    )

    assert keys(result.added) == [
        "s#20250312T170000Z",
        "s#20250326T170000Z",
        "s#20250401T160000Z",
    ]


def test_a_series_is_read_only_within_the_window(group):
    result = import_feed(
        group,
        vevent(
            "RRULE:FREQ=YEARLY;COUNT=10",
            uid="yearly",
            start="DTSTART:20200312T170000Z",
            end="DTEND:20200312T190000Z",
        ),
    )

    assert keys(result.added) == ["yearly#20240312T170000Z", "yearly#20250312T170000Z"]
    assert result.outside_window == 0


def test_a_series_wholly_outside_the_window_is_counted_and_not_read(group):
    result = import_feed(
        group,
        vevent(
            "RRULE:FREQ=WEEKLY;COUNT=3",
            uid="old",
            start="DTSTART:20200312T170000Z",
            end="DTEND:20200312T190000Z",
        ),
    )

    assert (result.added, result.skipped, result.outside_window) == ([], [], 1)


def test_a_series_gives_at_most_its_cap_of_meetings_and_says_how_many_more(group):
    result = import_feed(group, vevent("RRULE:FREQ=DAILY;COUNT=100", uid="daily"))

    assert len(result.added) == SERIES_CAP == 60
    assert result.added[-1].starts_at == datetime(2025, 5, 10, 16, tzinfo=UTC)
    (skipped,) = result.skipped
    assert skipped.uid == "daily"
    assert skipped.reason == (
        "The portal imports the first 60 meetings of a repeating event in the import window; "
        "40 more were not imported. Add them by hand."
    )


def test_occurrences_beyond_the_cap_are_not_reported_missing(group):
    import_feed(group, vevent("RRULE:FREQ=DAILY;COUNT=100", uid="daily"))
    MeetingFactory(group=group, external_uid="daily#20250520T160000Z")  # added by hand

    result = import_feed(group, vevent("RRULE:FREQ=DAILY;COUNT=100", uid="daily"))

    assert result.missing == []


def test_a_series_that_repeats_more_often_than_daily_is_skipped(group):
    result = import_feed(group, vevent("RRULE:FREQ=HOURLY;COUNT=5", uid="hourly"))

    assert result.added == []
    assert "more often than once a day" in result.skipped[0].reason


def test_a_series_whose_repetitions_cannot_be_read_is_skipped(group):
    result = import_feed(
        group, vevent("RRULE:FREQ=DAILY;COUNT=3", "EXDATE:not-a-date", uid="broken")
    )

    assert result.added == []
    assert "repetitions cannot be read" in result.skipped[0].reason


def test_an_all_day_series_is_stored_all_day_in_the_groups_zone(group):
    result = import_feed(
        group,
        vevent(
            "RRULE:FREQ=WEEKLY;COUNT=2",
            uid="days",
            start="DTSTART;VALUE=DATE:20250405",
            end="DTEND;VALUE=DATE:20250406",
        ),
    )

    assert keys(result.added) == ["days#20250405", "days#20250412"]
    first = result.added[0]
    assert first.all_day is True
    assert (first.starts_at, first.ends_at) == (
        datetime(2025, 4, 5, tzinfo=STOCKHOLM),
        datetime(2025, 4, 6, tzinfo=STOCKHOLM),
    )


# Google Calendar: X-WR-TIMEZONE -------------------------------------------------------------


def with_calendar_zone(feed: bytes, zone: str) -> bytes:
    return feed.replace(b"CALSCALE:GREGORIAN\r\n", f"X-WR-TIMEZONE:{zone}\r\n".encode(), 1)


def test_floating_times_of_a_feed_with_x_wr_timezone_are_in_that_zone(group):
    feed = calendar(vevent(start="DTSTART:20250312T180000", end="DTEND:20250312T200000"))

    result = import_feed(group, content=with_calendar_zone(feed, "America/New_York"))

    assert result.added[0].starts_at == datetime(2025, 3, 12, 22, tzinfo=UTC)  # EDT, UTC-4


def test_utc_times_of_a_feed_with_x_wr_timezone_stay_the_same_moment(group):
    feed = calendar(vevent(start="DTSTART:20250312T170000Z", end="DTEND:20250312T190000Z"))

    result = import_feed(group, content=with_calendar_zone(feed, "America/New_York"))

    assert result.added[0].starts_at == datetime(2025, 3, 12, 17, tzinfo=UTC)


def test_an_x_wr_timezone_no_zone_has_leaves_floating_times_in_the_groups_zone(group):
    feed = calendar(vevent(start="DTSTART:20250312T180000", end="DTEND:20250312T200000"))

    result = import_feed(group, content=with_calendar_zone(feed, "Mars/Olympus_Mons"))

    assert result.added[0].starts_at == datetime(2025, 3, 12, 18, tzinfo=STOCKHOLM)


# Cancellations ------------------------------------------------------------------------------


def test_a_cancelled_occurrence_cancels_only_its_meeting(group):
    result = import_feed(
        group,
        vevent("RRULE:FREQ=WEEKLY;COUNT=2", uid="s"),
        vevent(
            "RECURRENCE-ID;TZID=Europe/Stockholm:20250319T180000",
            "STATUS:CANCELLED",
            uid="s",
            start="DTSTART;TZID=Europe/Stockholm:20250319T180000",
            end="DTEND;TZID=Europe/Stockholm:20250319T200000",
        ),
    )

    assert keys(result.added) == ["s#20250312T170000Z"]
    assert keys(result.cancelled) == ["s#20250319T170000Z"]
    assert group.meetings.counted().count() == 1


def test_the_calendar_takes_back_its_own_cancellation(group):
    import_feed(group, vevent("STATUS:CANCELLED", uid="e1"))

    result = import_feed(group, vevent(uid="e1"))

    assert keys(result.updated) == ["e1"]
    assert result.uncancelled == {"e1"}
    meeting = stored(group, "e1")
    assert (meeting.cancelled_at, meeting.cancelled_by, meeting.cancellation_reason) == (
        None,
        "",
        "",
    )


def test_a_leaders_cancellation_is_never_undone_by_an_import(group):
    import_feed(group, vevent(uid="e1"))
    cancelled_at = timezone.now()
    Meeting.objects.filter(external_uid="e1").update(
        cancelled_at=cancelled_at,
        cancelled_by=Meeting.CancelledBy.LEADER,
        cancellation_reason="The speaker fell ill.",
    )

    result = import_feed(group, vevent(uid="e1"))
    import_feed(group, vevent("STATUS:CANCELLED", uid="e1"))

    assert keys(result.unchanged) == ["e1"]
    meeting = stored(group, "e1")
    assert (meeting.cancelled_by, meeting.cancelled_at) == (
        Meeting.CancelledBy.LEADER,
        cancelled_at,
    )
    assert meeting.cancellation_reason == "The speaker fell ill."


def test_a_leaders_cancellation_stands_while_the_calendar_updates_the_rest(group):
    import_feed(group, vevent(uid="e1"))
    Meeting.objects.filter(external_uid="e1").update(
        cancelled_at=timezone.now(), cancelled_by=Meeting.CancelledBy.LEADER
    )

    import_feed(group, vevent(uid="e1", summary="Renamed in the calendar"))

    meeting = stored(group, "e1")
    assert (meeting.title, meeting.cancelled_by) == (
        "Renamed in the calendar",
        Meeting.CancelledBy.LEADER,
    )


# Deleted by a leader ----------------------------------------------------------------------


def test_a_meeting_a_leader_deleted_is_never_added_again_or_changed(group):
    import_feed(group, vevent(uid="e1", summary="Azure night"))
    Meeting.objects.filter(external_uid="e1").update(deleted_at=timezone.now())

    result = import_feed(group, vevent(uid="e1", summary="Azure night, renamed"))

    assert (result.added, result.updated, result.missing) == ([], [], [])
    (skipped,) = result.skipped
    assert skipped.reason == "You deleted it in the portal, so the import leaves it out."
    assert not group.meetings.exists()
    assert stored(group, "e1").title == "Azure night"


# Gone from the calendar ---------------------------------------------------------------------


def test_a_meeting_whose_event_is_gone_is_reported_and_left_as_it_is(group):
    import_feed(group, vevent(uid="e1"), vevent(uid="e2", summary="Gone"))

    result = import_feed(group, vevent(uid="e1"))

    assert keys(result.missing) == ["e2"]
    gone = stored(group, "e2")
    assert (gone.title, gone.cancelled_at, gone.deleted_at) == ("Gone", None, None)


@pytest.mark.parametrize(
    "facts",
    [
        {"external_uid": ""},  # logged by hand
        {"cancelled_at": NOW, "cancelled_by": Meeting.CancelledBy.LEADER},
        {"deleted_at": NOW},
        {"starts_at": datetime(2023, 1, 10, 17, tzinfo=UTC)},  # before the window
    ],
)
def test_only_imported_meetings_in_the_window_that_still_count_can_go_missing(group, facts):
    starts_at = facts.pop("starts_at", datetime(2025, 1, 10, 17, tzinfo=UTC))
    MeetingFactory(
        group=group,
        **{"external_uid": "old", **facts},
        starts_at=starts_at,
        ends_at=starts_at.replace(hour=19),
    )

    result = import_feed(group, vevent(uid="e1"))

    assert result.missing == []


def test_a_meeting_whose_single_event_moved_out_of_the_window_is_not_reported(group):
    import_feed(group, vevent(uid="e1"))

    result = import_feed(
        group, vevent(uid="e1", start="DTSTART:20270312T170000Z", end="DTEND:20270312T190000Z")
    )

    assert (result.missing, result.outside_window) == ([], 1)


def test_the_meetings_of_a_series_skipped_as_a_whole_are_not_reported(group):
    import_feed(group, vevent("RRULE:FREQ=WEEKLY;COUNT=2", uid="s"))

    result = import_feed(group, vevent("RRULE:FREQ=WEEKLY;COUNT=2", "EXDATE:garbage", uid="s"))

    assert result.missing == []


# The audit trail ----------------------------------------------------------------------------


def test_an_import_that_changed_meetings_writes_one_audit_row_and_a_repeat_none(group, leader):
    feed = (vevent(uid="e1"), vevent("STATUS:CANCELLED", uid="e2"), vevent(uid="e3", summary=None))
    import_feed(group, *feed, by=leader)

    import_feed(group, *feed, by=leader)

    (entry,) = AuditEntry.objects.filter(group=group)
    assert entry.action == AuditEntry.Action.MEETINGS_IMPORTED
    assert entry.actor == leader
    assert entry.created_at == NOW
    assert entry.summary == (
        "Meetings imported from the group's calendar: 1 added, 0 updated, 1 cancelled."
    )
    assert set(entry.changes) == {"meetings_added", "meetings_cancelled"}
    assert entry.changes["meetings_added"]["after"] == "Azure Functions in practice (2025-03-12)"


def test_an_import_that_only_skips_writes_no_audit_row(group):
    import_feed(group, vevent(uid=None))

    assert not AuditEntry.objects.exists()


# Odd input ------------------------------------------------------------------------------------


def test_a_nul_byte_in_a_uid_or_title_is_dropped(group):
    result = import_feed(group, vevent(uid="e\x001", summary="Azure\x00 night"))

    assert keys(result.added) == ["e1"]
    assert result.added[0].title == "Azure night"


@pytest.mark.usefixtures("clock", "loopback_allowed")
@pytest.mark.parametrize(
    "feed",
    [
        calendar(vevent(uid="e\x001")),
        calendar(vevent()).replace(b"SUMMARY:Azure", b"SUMMARY:\xff\xfe\x80Azure"),
        calendar(vevent("\x01\x02 junk \xc3(", "RRULE:FREQ=WEEKLY;BYDAY=XX;COUNT=2")),
        calendar(vevent("RECURRENCE-ID:garbage", uid="s"), vevent("RRULE:FREQ=DAILY", uid="s")),
        calendar(vevent(start="DTSTART;TZID=Nowhere/Land:20250312T180000")),
        calendar(vevent("DTSTART:20250313T170000Z", "RRULE:FREQ=DAILY;COUNT=2")),
        calendar(vevent()).replace(b"TZID:Europe/Stockholm", b"TZID:A\r\nTZID:B", 1),
        b"BEGIN:VCALENDAR\r\n\x00\xff\xfe\r\nEND:VCALENDAR\r\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ],
    ids=[
        "nul-uid",
        "bad-utf8",
        "junk-line",
        "bad-recurrence-id",
        "unknown-tzid",
        "start-twice",
        "tzid-twice",
        "nul",
        "png",
    ],
)
def test_odd_feeds_never_break_the_import_or_its_page(
    client, group, leader, feed_server, feed, django_capture_on_commit_callbacks
):
    group.ical_feed_url = feed_server.serve("/odd.ics", feed)
    group.save()
    client.force_login(leader)
    page = reverse("meetings:import", kwargs={"slug": group.slug})

    with django_capture_on_commit_callbacks(execute=True):
        client.post(page)

    assert FeedImport.objects.get().status in {FeedImport.Status.DONE, FeedImport.Status.FAILED}
    assert client.get(page).status_code == 200
    assert client.get(reverse("meetings:list", kwargs={"slug": group.slug})).status_code == 200


# Series that would never end, and keys that change ------------------------------------------


def test_a_repeat_rule_with_an_interval_of_0_is_skipped_not_expanded_forever(group):
    result = import_feed(group, vevent("RRULE:FREQ=WEEKLY;INTERVAL=0", uid="s"))

    assert [event.reason for event in result.skipped] == [
        "Its repeat rule has an interval below 1, so it cannot be read."
    ]
    assert not group.meetings.exists()


def test_a_series_that_began_decades_ago_is_skipped(group):
    result = import_feed(
        group,
        vevent(
            "RRULE:FREQ=DAILY",
            uid="old",
            start="DTSTART:19000101T180000Z",
            end="DTEND:19000101T200000Z",
        ),
    )

    assert [event.reason for event in result.skipped] == [
        "It began repeating more than 20 years ago; add its meetings by hand."
    ]


def test_a_single_event_that_becomes_a_series_keeps_its_meeting(group):
    import_feed(group, vevent(uid="e1"))
    (first,) = group.meetings.all()

    result = import_feed(group, vevent("RRULE:FREQ=MONTHLY;COUNT=3", uid="e1"))

    meetings = list(group.meetings.counted().order_by("starts_at"))
    assert len(meetings) == 3
    assert meetings[0].pk == first.pk
    assert meetings[0].external_uid.startswith("e1#")
    assert result.missing == []


def test_a_series_moved_by_half_an_hour_keeps_its_meetings(group):
    import_feed(group, vevent("RRULE:FREQ=MONTHLY;COUNT=3", uid="s"))
    before = set(group.meetings.values_list("pk", flat=True))

    result = import_feed(
        group,
        vevent(
            "RRULE:FREQ=MONTHLY;COUNT=3",
            uid="s",
            start="DTSTART;TZID=Europe/Stockholm:20250312T183000",
            end="DTEND;TZID=Europe/Stockholm:20250312T203000",
        ),
    )

    assert set(group.meetings.counted().values_list("pk", flat=True)) == before
    assert (len(result.added), len(result.updated), result.missing) == (0, 3, [])
    again = import_feed(
        group,
        vevent(
            "RRULE:FREQ=MONTHLY;COUNT=3",
            uid="s",
            start="DTSTART;TZID=Europe/Stockholm:20250312T183000",
            end="DTEND;TZID=Europe/Stockholm:20250312T203000",
        ),
    )
    assert len(again.unchanged) == 3
