"""A group's calendar as it changes over time, imported through the leader's page.

The first version has a monthly series (one occurrence moved through a RECURRENCE-ID, one left
out by EXDATE, one cancelled), an all-day event, an event with a DURATION and no end, an event
in UTC, an event in the feed's Europe/Stockholm VTIMEZONE and an event from long ago. The
second version moves one event, cancels one, adds one and drops one. The second version
imported again changes nothing. The clock stands still at NOW (plus an hour per import), so
the import window (a year either side) is the same on every run.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from core.models import AuditEntry
from meetings.models import FeedImport, Meeting

from .conftest import calendar, vevent

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
STOCKHOLM = "DTSTART;TZID=Europe/Stockholm"

MONTHLY = "monthly@meetup.example.org"
MONTHLY_SERIES = vevent(
    "RRULE:FREQ=MONTHLY;COUNT=6",
    "EXDATE;TZID=Europe/Stockholm:20260415T180000",
    uid=MONTHLY,
    summary="Azure monthly",
    start=f"{STOCKHOLM}:20260115T180000",
    end="DTEND;TZID=Europe/Stockholm:20260115T200000",
)
MONTHLY_MOVED = vevent(
    "RECURRENCE-ID;TZID=Europe/Stockholm:20260315T180000",
    uid=MONTHLY,
    summary="Azure monthly (moved to Tuesday)",
    start=f"{STOCKHOLM}:20260317T180000",
    end="DTEND;TZID=Europe/Stockholm:20260317T200000",
)
MONTHLY_CANCELLED = vevent(
    "RECURRENCE-ID;TZID=Europe/Stockholm:20260515T180000",
    "STATUS:CANCELLED",
    uid=MONTHLY,
    summary="Azure monthly",
    start=f"{STOCKHOLM}:20260515T180000",
    end="DTEND;TZID=Europe/Stockholm:20260515T200000",
)
ALL_DAY = vevent(
    uid="bootcamp@meetup.example.org",
    summary="Azure bootcamp",
    start="DTSTART;VALUE=DATE:20260321",
    end="DTEND;VALUE=DATE:20260322",
)
DURATION_ONLY = vevent(
    "DURATION:PT2H30M",
    uid="workshop@meetup.example.org",
    summary="Azure Functions workshop",
    start=f"{STOCKHOLM}:20260210T170000",
    end=None,
)
UTC_EVENT = vevent(
    uid="pizza@meetup.example.org",
    summary="Pizza and Python",
    start="DTSTART:20260305T170000Z",
    end="DTEND:20260305T190000Z",
)
IN_STOCKHOLM = vevent(
    uid="bicep@meetup.example.org",
    summary="Bicep on Azure",
    start=f"{STOCKHOLM}:20260401T180000",
    end="DTEND;TZID=Europe/Stockholm:20260401T200000",
)
LONG_AGO = vevent(
    uid="old@meetup.example.org",
    summary="Azure in 2024",
    start="DTSTART:20240601T170000Z",
    end="DTEND:20240601T190000Z",
)

FIRST = calendar(
    MONTHLY_SERIES,
    MONTHLY_MOVED,
    MONTHLY_CANCELLED,
    ALL_DAY,
    DURATION_ONLY,
    UTC_EVENT,
    IN_STOCKHOLM,
    LONG_AGO,
)
SECOND = calendar(
    MONTHLY_SERIES,
    MONTHLY_MOVED,
    MONTHLY_CANCELLED,
    ALL_DAY,
    # The workshop is dropped.
    vevent(  # cancelled
        "STATUS:CANCELLED",
        uid="pizza@meetup.example.org",
        summary="Pizza and Python",
        start="DTSTART:20260305T170000Z",
        end="DTEND:20260305T190000Z",
    ),
    vevent(  # moved a day on
        uid="bicep@meetup.example.org",
        summary="Bicep on Azure",
        start=f"{STOCKHOLM}:20260402T180000",
        end="DTEND;TZID=Europe/Stockholm:20260402T200000",
    ),
    vevent(  # added
        uid="ai-night@meetup.example.org",
        summary="Azure AI night",
        start=f"{STOCKHOLM}:20260220T180000",
        end="DTEND;TZID=Europe/Stockholm:20260220T210000",
    ),
    LONG_AGO,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def import_through_the_page(client, clock, group, leader, feed_server, loopback_allowed):
    """Serve a version of the feed, press "Import now" as the leader (the worker's task runs
    at the commit) and return the page the leader is sent back to, and the import."""
    clock.now = NOW
    group.ical_feed_url = feed_server.url("/azure-sthlm.ics")
    group.save()
    client.force_login(leader)
    page = reverse("meetings:import", kwargs={"slug": group.slug})

    def press(feed: bytes, django_capture_on_commit_callbacks) -> tuple[str, FeedImport]:
        feed_server.serve("/azure-sthlm.ics", feed)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(page)
        assert response["Location"] == page
        content = client.get(page).content.decode()
        clock.now += timedelta(hours=1)
        return content, FeedImport.objects.get(pk=FeedImport.objects.latest("pk").pk)

    return press


def meetings(group) -> dict[str, Meeting]:
    """The group's imported meetings by their key, deleted ones too."""
    return {m.external_uid: m for m in Meeting.all_objects.filter(group=group)}


def counts(feed_import: FeedImport) -> dict[str, int]:
    kinds = ["added", "updated", "cancelled", "unchanged", "skipped", "missing"]
    return {kind: getattr(feed_import, f"{kind}_count") for kind in kinds}


def test_three_versions_of_a_groups_calendar(
    group, leader, import_through_the_page, django_capture_on_commit_callbacks
):
    # The first version ------------------------------------------------------------------------
    page, first = import_through_the_page(FIRST, django_capture_on_commit_callbacks)

    assert first.status == FeedImport.Status.DONE
    assert counts(first) == {
        "added": 8,
        "updated": 0,
        "cancelled": 1,
        "unchanged": 0,
        "skipped": 0,
        "missing": 0,
    }
    assert first.details["outside_window"] == 1
    stored = meetings(group)
    # One meeting per occurrence, known by the UID and its RECURRENCE-ID in UTC; April's is
    # left out (EXDATE); March's is moved but keeps its key; summer time from 29 March.
    assert {key: (m.title, m.starts_at, m.ends_at) for key, m in stored.items() if "#" in key} == {
        f"{MONTHLY}#20260115T170000Z": (
            "Azure monthly",
            utc(2026, 1, 15, 17),
            utc(2026, 1, 15, 19),
        ),
        f"{MONTHLY}#20260215T170000Z": (
            "Azure monthly",
            utc(2026, 2, 15, 17),
            utc(2026, 2, 15, 19),
        ),
        f"{MONTHLY}#20260315T170000Z": (
            "Azure monthly (moved to Tuesday)",
            utc(2026, 3, 17, 17),
            utc(2026, 3, 17, 19),
        ),
        f"{MONTHLY}#20260515T160000Z": (
            "Azure monthly",
            utc(2026, 5, 15, 16),
            utc(2026, 5, 15, 18),
        ),
        f"{MONTHLY}#20260615T160000Z": (
            "Azure monthly",
            utc(2026, 6, 15, 16),
            utc(2026, 6, 15, 18),
        ),
    }
    cancelled = stored[f"{MONTHLY}#20260515T160000Z"]
    assert cancelled.state(now=NOW) == Meeting.State.CANCELLED
    assert cancelled.cancelled_by == Meeting.CancelledBy.CALENDAR
    assert stored[f"{MONTHLY}#20260115T170000Z"].state(now=NOW) == Meeting.State.HELD
    assert stored[f"{MONTHLY}#20260215T170000Z"].state(now=NOW) == Meeting.State.SCHEDULED
    bootcamp = stored["bootcamp@meetup.example.org"]
    assert (bootcamp.all_day, bootcamp.starts_at, bootcamp.ends_at) == (
        True,
        utc(2026, 3, 20, 23),  # midnight in Stockholm
        utc(2026, 3, 21, 23),
    )
    workshop = stored["workshop@meetup.example.org"]
    assert (workshop.starts_at, workshop.ends_at) == (
        utc(2026, 2, 10, 16),
        utc(2026, 2, 10, 18, 30),
    )
    assert stored["pizza@meetup.example.org"].starts_at == utc(2026, 3, 5, 17)
    assert stored["bicep@meetup.example.org"].starts_at == utc(2026, 4, 1, 16)
    assert "old@meetup.example.org" not in stored
    assert not any(m.all_day for key, m in stored.items() if key != "bootcamp@meetup.example.org")
    # Counted: about Azure and not cancelled (the pizza night is not about Azure).
    assert Meeting.objects.filter(group=group).counted().count() == 7
    assert "8 added" in page
    assert "1 cancelled" in page
    assert "Thu 15 Jan 2026, 18:00: Azure monthly" in page
    assert "Tue 17 Mar 2026, 18:00: Azure monthly (moved to Tuesday)" in page
    assert "Sat 21 Mar 2026 " in page
    assert "all day</span>: Azure bootcamp" in page
    assert "Fri 15 May 2026, 18:00: Azure monthly" in page  # under "Cancelled in your calendar"
    assert "1 event of your calendar starts more than a year before or after" in page
    assert AuditEntry.objects.filter(group=group, actor=leader).count() == 1

    # The second version: moved, cancelled, added, dropped ------------------------------------
    page, second = import_through_the_page(SECOND, django_capture_on_commit_callbacks)

    assert counts(second) == {
        "added": 1,
        "updated": 1,
        "cancelled": 1,
        "unchanged": 6,
        "skipped": 0,
        "missing": 1,
    }
    stored = meetings(group)
    assert stored["bicep@meetup.example.org"].starts_at == utc(2026, 4, 2, 16)
    pizza = stored["pizza@meetup.example.org"]
    assert (pizza.cancelled_by, pizza.state(now=NOW)) == (
        Meeting.CancelledBy.CALENDAR,
        Meeting.State.CANCELLED,
    )
    assert (pizza.cancelled_by, pizza.cancellation_reason) == ("calendar", "")
    assert stored["ai-night@meetup.example.org"].starts_at == utc(2026, 2, 20, 17)
    # Dropped from the calendar: reported, still there, unchanged.
    workshop_now = stored["workshop@meetup.example.org"]
    assert (workshop_now.title, workshop_now.starts_at, workshop_now.cancelled_at) == (
        workshop.title,
        workshop.starts_at,
        None,
    )
    assert workshop_now.deleted_at is None
    assert second.details["missing"] == [
        {
            "title": "Azure Functions workshop",
            "starts_at": "2026-02-10T16:00:00+00:00",
            "all_day": False,
        }
    ]
    assert len(stored) == 10
    assert Meeting.objects.filter(group=group).counted().count() == 8
    assert "1 no longer in your calendar" in page
    assert "No longer in your calendar: check them" in page
    assert "Tue 10 Feb 2026, 17:00: Azure Functions workshop" in page
    assert "Thu 2 Apr 2026, 18:00: Bicep on Azure" in page
    assert "Fri 20 Feb 2026, 18:00: Azure AI night" in page
    assert "Thu 5 Mar 2026, 18:00: Pizza and Python" in page
    assert AuditEntry.objects.filter(group=group).count() == 2

    # The second version again: nothing changes ------------------------------------------------
    before = {key: (m.updated_at, m.cancelled_at) for key, m in meetings(group).items()}

    page, third = import_through_the_page(SECOND, django_capture_on_commit_callbacks)

    assert counts(third) == {
        "added": 0,
        "updated": 0,
        "cancelled": 0,
        "unchanged": 9,
        "skipped": 0,
        "missing": 1,
    }
    assert {key: (m.updated_at, m.cancelled_at) for key, m in meetings(group).items()} == before
    assert AuditEntry.objects.filter(group=group).count() == 2
    assert "9 unchanged" in page
    assert "0 added" in page
