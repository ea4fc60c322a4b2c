"""Journey 5: a leader logs a meeting through the form and imports the group's iCal feed.

The import runs in a real Celery worker, as in production: the page says it is under way and
refreshes itself until the result is there.
"""

import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pytest_django.fixtures import Settings

from groups.models import Group
from leaders.models import Leadership
from meetings.models import Meeting
from tests.browser.helpers import (
    LANGUAGES,
    PASSWORD,
    create,
    exact,
    expect_heading,
    expect_language,
    has_class,
    ntext,
    serve,
    sign_in,
    text,
)
from tests.builders import verified_user
from tests.factories import GroupFactory, LeadershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

NEGATIVE_FEE = "An entry fee cannot be negative."
STOCKHOLM = ZoneInfo("Europe/Stockholm")
#: The first fetch of the feed waits this long, so the page shows the import under way.
SLOW_FIRST_FETCH_SECONDS = 2.0
#: The page refreshes itself every 3 seconds; the result shows within a few refreshes.
RESULT_TIMEOUT_MS = 20_000


def ical_time(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def feed(now: datetime) -> bytes:
    """Two single events (one about Azure), a weekly one imported as four meetings, and one
    without a title, which the import skips."""
    azure = (now - timedelta(days=60)).replace(hour=17, minute=0, second=0, microsecond=0)
    social = (now - timedelta(days=30)).replace(hour=18, minute=0, second=0, microsecond=0)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Meetup//Tech Groups test//EN",
        "BEGIN:VEVENT",
        "UID:azure-functions@meetup.example.org",
        f"DTSTAMP:{ical_time(now)}",
        f"DTSTART:{ical_time(azure)}",
        f"DTEND:{ical_time(azure + timedelta(hours=2))}",
        "SUMMARY:Azure Functions deep dive",
        "LOCATION:Hub Malmö",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:social@meetup.example.org",
        f"DTSTAMP:{ical_time(now)}",
        f"DTSTART:{ical_time(social)}",
        f"DTEND:{ical_time(social + timedelta(hours=2))}",
        "SUMMARY:Summer social",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:weekly@meetup.example.org",
        f"DTSTAMP:{ical_time(now)}",
        f"DTSTART:{ical_time(social)}",
        f"DTEND:{ical_time(social + timedelta(hours=1))}",
        "RRULE:FREQ=WEEKLY;COUNT=4",
        "SUMMARY:Weekly coding dojo",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:untitled@meetup.example.org",
        f"DTSTAMP:{ical_time(now)}",
        f"DTSTART:{ical_time(social)}",
        f"DTEND:{ical_time(social + timedelta(hours=1))}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture
def feed_url(settings: Settings) -> Iterator[str]:
    settings.TECHGROUPS_FETCH_ALLOW_LOOPBACK = True
    content = feed(timezone.now())
    fetches: list[float] = []

    def slow_the_first_time() -> bytes:
        fetches.append(time.monotonic())
        if len(fetches) == 1:
            time.sleep(SLOW_FIRST_FETCH_SECONDS)
        return content

    with serve("/events.ics", slow_the_first_time, content_type="text/calendar") as url:
        yield url


def count(result: Locator, kind: str) -> Locator:
    """One of the counts of an import's result: added, updated, cancelled, unchanged..."""
    return result.locator(f".badge[data-count={kind}]")


def under_way(language: str) -> re.Pattern[str]:
    """The progress heading: "Import queued since …" or "Import running since …"."""
    queued = text(language, "Import queued since %(since)s").split("%(since)s")[0]
    running = text(language, "Import running since %(since)s").split("%(since)s")[0]
    return re.compile(f"^\\s*({re.escape(queued)}|{re.escape(running)})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_leader_logs_a_meeting_and_imports_the_calendar_feed_twice(
    page: Page, feed_url: str, language: str, celery_worker: object
) -> None:
    leader = verified_user(
        email=f"leader-{language}@example.org", preferred_language=language, password=PASSWORD
    )
    group = create(
        Group,
        GroupFactory,
        name="Malmö Azure Meetup",
        admitted=True,
        timezone="Europe/Stockholm",
        ical_feed_url=feed_url,
    )
    create(Leadership, LeadershipFactory, group=group, user=leader, role=Leadership.Role.LEADER)

    sign_in(page, email=leader.email)
    page.locator(f"main a[href='/groups/{group.slug}/']").first.click()
    expect_language(page, language)
    expect(page.locator(".meeting-count")).to_have_text("0")

    # Log a meeting from the dashboard, first with a mistyped (negative) entry fee.
    page.locator(f"main a[href='/groups/{group.slug}/meetings/add/']").first.click()
    expect_heading(page, language, "Add a meeting")
    starts = timezone.now().astimezone(STOCKHOLM) - timedelta(days=14)
    starts = starts.replace(hour=18, minute=0, second=0, microsecond=0)
    form = page.locator("main form[method=post]")
    form.locator("[name=title]").fill("Bicep in practice")
    form.locator("[name=starts_at]").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name=ends_at]").fill((starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name=format]").select_option("in_person")
    form.locator("[name=venue]").fill("Hub Malmö, Stora Nygatan 1")
    form.locator("[name=topics]").fill("Bicep, Azure Resource Manager")
    expect(form.locator("[name=is_azure_related]")).to_be_checked()
    form.locator("[name=attendee_count]").fill("42")
    form.locator("[name=entry_fee]").fill("-50")
    form.locator("button[type=submit]").click()

    # Refused: the message is beside the field and nothing is saved.
    expect(page).to_have_url(f"/groups/{group.slug}/meetings/add/")
    fee = page.locator("main form [name=entry_fee]")
    expect(fee).to_have_class(has_class("is-invalid"))
    expect(page.locator("#div_id_entry_fee .invalid-feedback")).to_have_text(
        exact(language, NEGATIVE_FEE)
    )
    expect(page.locator("main [role=alert]")).to_contain_text(
        text(language, "Nothing was saved. Please correct the fields marked below.")
    )
    expect(page.locator("main form [name=title]")).to_have_value("Bicep in practice")
    assert not Meeting.objects.filter(group=group).exists()

    fee.fill("0")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(f"/groups/{group.slug}/meetings/")
    expect(page.locator("main [role=status]").first).to_contain_text(
        text(language, "“%(title)s” was added.") % {"title": "Bicep in practice"}
    )
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.locator("main table tbody")).to_contain_text("Bicep in practice")
    meeting = Meeting.objects.get(group=group)
    assert meeting.starts_at == starts
    assert meeting.entry_fee == 0
    assert meeting.attendee_count == 42

    # Import from the group's calendar feed.
    page.locator(f"main a[href='/groups/{group.slug}/meetings/import/']").click()
    expect_heading(page, language, "Import meetings from your calendar")
    expect(page.locator("main")).to_contain_text(feed_url)
    page.locator("main form#import-now button[type=submit]").click()

    # The worker imports; the page says so, offers no second import, and refreshes itself.
    expect(page).to_have_url(f"/groups/{group.slug}/meetings/import/")
    expect(page.locator("#progress-title")).to_have_text(under_way(language))
    expect(page.locator("main form#import-now button[type=submit]")).to_be_disabled()
    result = page.locator("section[aria-labelledby=result-title]")
    expect(result.locator("#result-title")).to_have_text(
        exact(language, "The import is done"), timeout=RESULT_TIMEOUT_MS
    )
    expect(page.locator("#progress-title")).to_have_count(0)
    expect(count(result, "added")).to_have_text(
        ntext(language, "%(counter)s added", "%(counter)s added", 6)
    )
    expect(count(result, "unchanged")).to_have_text(
        ntext(language, "%(counter)s unchanged", "%(counter)s unchanged", 0)
    )
    expect(count(result, "skipped")).to_have_text(
        ntext(language, "%(counter)s skipped", "%(counter)s skipped", 1)
    )
    expect(result).to_contain_text("Azure Functions deep dive")
    expect(result).to_contain_text("Summer social")
    expect(result).to_contain_text("Weekly coding dojo")
    skipped = result.locator("details").filter(has_text="untitled@meetup.example.org")
    expect(skipped).to_contain_text(text(language, "It has no title (SUMMARY)."))
    assert Meeting.objects.filter(group=group).count() == 7

    # A second import adds nothing: the events it knows are left as they are.
    page.locator("main form#import-now button[type=submit]").click()
    result = page.locator("section[aria-labelledby=result-title]")
    expect(count(result, "unchanged")).to_have_text(
        ntext(language, "%(counter)s unchanged", "%(counter)s unchanged", 6),
        timeout=RESULT_TIMEOUT_MS,
    )
    expect(count(result, "added")).to_have_text(
        ntext(language, "%(counter)s added", "%(counter)s added", 0)
    )
    assert Meeting.objects.filter(group=group).count() == 7

    result.locator(f"a[href='/groups/{group.slug}/meetings/']").click()
    expect(page.locator("main table tbody tr")).to_have_count(7)
    expect(page.locator("main table tbody")).to_contain_text("Azure Functions deep dive")

    # The dashboard counts the two meetings about Azure.
    page.locator(f"main nav a[href='/groups/{group.slug}/']").click()
    expect(page.locator(".meeting-count")).to_have_text("2")
    expect_language(page, language)
