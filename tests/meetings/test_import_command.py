"""`import_meetings`: the program team runs a group's import now, the way the worker does."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditEntry
from meetings.models import FeedImport, Meeting
from tests.factories import FeedImportFactory, GroupFactory

from .conftest import calendar, vevent

# The feeds are of 2025: the clock stands in March 2025, so they lie in the import window.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "loopback_allowed")]

FEED = calendar(
    vevent(uid="e1", summary="Azure Functions in practice"),
    vevent("RRULE:FREQ=WEEKLY;COUNT=2", uid="dojo", summary="Coding dojo"),
    vevent(
        "STATUS:CANCELLED",
        uid="e2",
        summary="Called off",
        start="DTSTART:20250320T170000Z",
        end="DTEND:20250320T190000Z",
    ),
    vevent(uid="e3", summary=None),
)


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_meetings", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def feed_group(group, feed_server):
    group.ical_feed_url = feed_server.serve("/feed.ics", FEED)
    group.save()
    return group


def test_the_command_imports_the_groups_feed_and_prints_what_it_did(feed_group):
    output = run(feed_group.slug)

    feed_import = FeedImport.objects.get()
    assert (feed_import.status, feed_import.requested_by) == (FeedImport.Status.DONE, None)
    assert (feed_import.added_count, feed_import.cancelled_count) == (3, 1)
    assert Meeting.objects.filter(group=feed_group).count() == 4
    assert f"{feed_group.name} ({feed_group.slug}): {feed_group.ical_feed_url}" in output
    assert (
        "3 added, 0 updated, 1 cancelled, 0 unchanged, 1 skipped, 0 no longer in the calendar"
        in output
    )
    assert "  Added:\n    2025-03-12 18:00  Azure Functions in practice\n" in output
    assert "    2025-03-19 18:00  Coding dojo\n" in output
    assert "  Cancelled in the calendar:\n    2025-03-20 18:00  Called off\n" in output
    assert "  Skipped:\n    (no title) (UID e3): It has no title (SUMMARY).\n" in output


def test_the_import_is_audited_as_asked_for_by_nobody(feed_group):
    run(feed_group.slug)

    (entry,) = AuditEntry.objects.filter(group=feed_group)
    assert entry.actor is None
    assert entry.summary == (
        "Meetings imported from the group's calendar: 3 added, 0 updated, 1 cancelled."
    )


def test_running_it_again_changes_nothing(feed_group):
    run(feed_group.slug)

    output = run(feed_group.slug)

    assert "0 added, 0 updated, 0 cancelled, 4 unchanged, 1 skipped" in output
    assert AuditEntry.objects.filter(group=feed_group).count() == 1


def test_a_url_replaces_the_feed_address_for_this_import_only(feed_group, feed_server):
    other = feed_server.serve("/other.ics", calendar(vevent(uid="o1", summary="Other")))

    output = run(feed_group.slug, other)

    assert FeedImport.objects.get().url == other
    assert list(Meeting.objects.values_list("title", flat=True)) == ["Other"]
    feed_group.refresh_from_db()
    assert feed_group.ical_feed_url.endswith("/feed.ics")
    assert "1 added" in output


def test_an_unknown_slug_is_an_error(db):
    with pytest.raises(CommandError, match="No group has the slug 'nowhere'"):
        run("nowhere")

    assert not FeedImport.objects.exists()


def test_a_group_without_a_feed_address_is_an_error(group):
    with pytest.raises(CommandError, match="has no iCal feed address yet"):
        run(group.slug)


def test_an_address_that_is_not_a_web_address_is_an_error(group):
    with pytest.raises(CommandError, match="Enter a valid URL"):
        run(group.slug, "file:///etc/passwd")

    assert not FeedImport.objects.exists()


def test_a_failed_import_is_an_error_and_recorded(group, feed_server):
    group.ical_feed_url = feed_server.url("/gone.ics")
    group.save()

    with pytest.raises(CommandError, match="failed: The server answered with status 404"):
        run(group.slug)

    assert FeedImport.objects.get().status == FeedImport.Status.FAILED


def test_an_import_under_way_is_left_alone(feed_group, feed_server):
    FeedImportFactory(group=feed_group)  # queued for the worker

    with pytest.raises(CommandError, match="An import of this group is under way"):
        run(feed_group.slug)

    assert feed_server.requests == []


def test_a_slug_or_all_is_needed(db):
    with pytest.raises(CommandError, match="Give a group's slug, or --all"):
        run()


def test_all_imports_every_group_with_a_feed_and_names_the_failures(feed_group, feed_server):
    broken = GroupFactory(slug="zz-broken", ical_feed_url=feed_server.url("/gone.ics"))
    GroupFactory(slug="no-feed")

    with pytest.raises(CommandError, match="The imports of zz-broken failed"):
        run("--all")

    statuses = dict(FeedImport.objects.values_list("group__slug", "status"))
    assert statuses == {feed_group.slug: "done", broken.slug: "failed"}
    assert Meeting.objects.filter(group=feed_group).count() == 4


def test_all_succeeds_when_every_import_does(feed_group):
    output = run("--all")

    assert "1 groups with a feed address, 0 failed." in output
