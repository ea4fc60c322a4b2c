"""Feed imports run in the worker: the leader's page queues one and shows how it goes."""

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import celery
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from meetings import imports, tasks
from meetings.fetch import FetchUnreachable
from meetings.imports import FEED_TIMEOUT_SECONDS, feed_import_queue, feed_import_run
from meetings.models import FEED_IMPORT_QUEUE_LEASE, FEED_IMPORT_RUN_LEASE, FeedImport, Meeting
from meetings.selectors import latest_finished_feed_import
from tests.factories import FeedImportFactory, LeadershipFactory

from .conftest import calendar, vevent

# The feeds are of 2025: the clock stands in March 2025, so they lie in the import window.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

Status = FeedImport.Status
FEED = calendar(
    vevent(uid="e1", summary="Azure Functions in practice"),
    vevent(
        uid="e2",
        summary="Pizza and Python",
        start="DTSTART:20250412T160000Z",
        end="DTEND:20250412T180000Z",
    ),
    vevent(uid="e3", summary=None),
)


def page(group):
    return reverse("meetings:import", kwargs={"slug": group.slug})


@pytest.fixture
def feed_group(group, feed_server, loopback_allowed):
    group.ical_feed_url = feed_server.serve("/feed.ics", FEED)
    group.save()
    return group


def queue(group, by, capture, *, execute=True, language="en"):
    """Queue an import as the page does; with `execute`, the commit runs the (eager) task."""
    with capture(execute=execute) as callbacks:
        feed_import = feed_import_queue(group=group, by=by, language=language)
    feed_import.callbacks = callbacks
    return feed_import


def backdate(feed_import, **moments):
    FeedImport.objects.filter(pk=feed_import.pk).update(**moments)
    feed_import.refresh_from_db()


# Queuing ----------------------------------------------------------------------------------


def test_queuing_creates_a_queued_import_of_the_feed_address(
    feed_group, leader, django_capture_on_commit_callbacks
):
    feed_import = queue(feed_group, leader, django_capture_on_commit_callbacks, execute=False)

    assert feed_import.status == Status.QUEUED
    assert feed_import.url == feed_group.ical_feed_url
    assert feed_import.requested_by == leader
    assert len(feed_import.callbacks) == 1  # the task is sent after the commit


def test_queuing_twice_gives_one_import(
    feed_group, leader, co_leader, django_capture_on_commit_callbacks
):
    first = queue(feed_group, leader, django_capture_on_commit_callbacks, execute=False)
    second = queue(feed_group, co_leader, django_capture_on_commit_callbacks, execute=False)

    assert second.pk == first.pk
    assert second.callbacks == []
    assert FeedImport.objects.count() == 1


def test_a_running_import_is_returned_too(feed_group, leader, django_capture_on_commit_callbacks):
    running = FeedImportFactory(group=feed_group, status=Status.RUNNING, started_at=timezone.now())

    again = queue(feed_group, leader, django_capture_on_commit_callbacks, execute=False)

    assert again.pk == running.pk


def test_a_running_import_past_its_lease_is_replaced(
    feed_group, leader, django_capture_on_commit_callbacks
):
    lost = FeedImportFactory(
        group=feed_group,
        status=Status.RUNNING,
        started_at=timezone.now() - FEED_IMPORT_RUN_LEASE - timedelta(seconds=1),
    )

    new = queue(feed_group, leader, django_capture_on_commit_callbacks)

    lost.refresh_from_db()
    assert new.pk != lost.pk
    assert lost.status == Status.FAILED
    assert lost.error == "The import did not finish in time. Start it again."
    assert lost.finished_at is not None
    new.refresh_from_db()
    assert new.status == Status.DONE


def test_a_queued_import_past_its_lease_is_replaced(
    feed_group, leader, django_capture_on_commit_callbacks
):
    lost = FeedImportFactory(group=feed_group)
    backdate(lost, created_at=timezone.now() - FEED_IMPORT_QUEUE_LEASE - timedelta(seconds=1))

    new = queue(feed_group, leader, django_capture_on_commit_callbacks, execute=False)

    lost.refresh_from_db()
    assert new.pk != lost.pk
    assert lost.status == Status.FAILED
    assert "did not start in time" in lost.error


def test_a_finished_import_does_not_stop_a_new_one(
    feed_group, leader, django_capture_on_commit_callbacks
):
    first = queue(feed_group, leader, django_capture_on_commit_callbacks)

    second = queue(feed_group, leader, django_capture_on_commit_callbacks)

    assert second.pk != first.pk
    assert list(FeedImport.objects.values_list("status", flat=True)) == [Status.DONE] * 2


def test_queuing_without_a_feed_address_is_refused(group, leader):
    with pytest.raises(ValidationError, match="no iCal feed address yet"):
        feed_import_queue(group=group, by=leader, language="en")

    assert not FeedImport.objects.exists()


def test_the_run_lease_outlasts_the_fetch_deadline():
    assert timedelta(seconds=FEED_TIMEOUT_SECONDS) * 2 < FEED_IMPORT_RUN_LEASE


@pytest.mark.parametrize(
    ("status", "field", "lease"),
    [
        (Status.QUEUED, "created_at", FEED_IMPORT_QUEUE_LEASE),
        (Status.RUNNING, "started_at", FEED_IMPORT_RUN_LEASE),
    ],
)
def test_an_unfinished_import_is_stale_only_after_its_lease(status, field, lease):
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    feed_import = FeedImport(status=status, created_at=now - lease, started_at=now - lease)

    assert not feed_import.is_stale(now=now)
    setattr(feed_import, field, now - lease - timedelta(seconds=1))
    assert feed_import.is_stale(now=now)


@pytest.mark.parametrize("status", [Status.DONE, Status.FAILED])
def test_a_finished_import_is_never_stale(status):
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    feed_import = FeedImport(status=status, created_at=long_ago, started_at=long_ago)

    assert not feed_import.is_stale(now=datetime(2026, 1, 1, tzinfo=UTC))


def test_a_broker_outage_marks_the_import_failed_for_the_leader(
    feed_group, leader, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.import_feed, "delay", broker_down)

    feed_import = queue(feed_group, leader, django_capture_on_commit_callbacks)

    feed_import.refresh_from_db()
    assert feed_import.status == Status.FAILED
    assert feed_import.error == "The import could not be started. Try again in a few minutes."


# The task ---------------------------------------------------------------------------------


def test_the_task_records_what_the_import_added(
    feed_group, leader, feed_server, django_capture_on_commit_callbacks
):
    feed_import = queue(feed_group, leader, django_capture_on_commit_callbacks)

    feed_import.refresh_from_db()
    assert feed_import.status == Status.DONE
    assert feed_import.started_at <= feed_import.finished_at
    counts = (
        feed_import.added_count,
        feed_import.updated_count,
        feed_import.unchanged_count,
        feed_import.skipped_count,
    )
    assert counts == (2, 0, 0, 1)
    assert feed_import.error == ""
    assert feed_import.details["added"][0] == {
        "title": "Azure Functions in practice",
        "starts_at": "2025-03-12T18:00:00+01:00",
        "all_day": False,
        "about_azure": True,
    }
    assert feed_import.details["skipped"] == [
        {"title": "", "uid": "e3", "reason": "It has no title (SUMMARY).", "starts_at": ""}
    ]
    assert Meeting.objects.filter(group=feed_group).count() == 2
    assert [request.path for request in feed_server.requests] == ["/feed.ics"]


def test_the_task_records_updates_and_unchanged_events(
    feed_group, leader, feed_server, django_capture_on_commit_callbacks
):
    queue(feed_group, leader, django_capture_on_commit_callbacks)
    feed_server.serve(
        "/feed.ics", calendar(vevent(uid="e1", summary="Azure, renamed"), vevent(uid="e2"))
    )

    second = queue(feed_group, leader, django_capture_on_commit_callbacks)

    second.refresh_from_db()
    assert (second.added_count, second.updated_count, second.unchanged_count) == (0, 2, 0)
    assert [entry["title"] for entry in second.details["updated"]] == [
        "Azure, renamed",
        "Azure Functions in practice",
    ]


def test_the_task_lists_the_meetings_by_their_start(
    feed_group, leader, feed_server, django_capture_on_commit_callbacks
):
    feed_server.serve(
        "/feed.ics",
        calendar(
            vevent(
                uid="late",
                summary="Later",
                start="DTSTART:20250601T170000Z",
                end="DTEND:20250601T190000Z",
            ),
            vevent(
                uid="early",
                summary="Earlier",
                start="DTSTART:20250310T170000Z",
                end="DTEND:20250310T190000Z",
            ),
        ),
    )

    feed_import = queue(feed_group, leader, django_capture_on_commit_callbacks)

    feed_import.refresh_from_db()
    assert [entry["title"] for entry in feed_import.details["added"]] == ["Earlier", "Later"]


def test_the_task_records_a_fetch_error_for_the_leader(
    group, leader, loopback_allowed, feed_server, django_capture_on_commit_callbacks
):
    group.ical_feed_url = feed_server.url("/gone.ics")
    group.save()

    feed_import = queue(group, leader, django_capture_on_commit_callbacks)

    feed_import.refresh_from_db()
    assert feed_import.status == Status.FAILED
    assert feed_import.error == "The server answered with status 404 Not Found."
    assert feed_import.started_at is not None
    assert feed_import.finished_at is not None
    assert not Meeting.objects.exists()


def test_the_task_records_a_page_that_is_not_a_calendar(
    group, leader, loopback_allowed, feed_server, django_capture_on_commit_callbacks
):
    group.ical_feed_url = feed_server.serve("/events/", b"<!doctype html><p>Meetup</p>")
    group.save()

    feed_import = queue(group, leader, django_capture_on_commit_callbacks)

    feed_import.refresh_from_db()
    assert feed_import.status == Status.FAILED
    assert "This is not an iCal calendar" in feed_import.error


def test_an_event_that_ends_after_the_year_9999_in_utc_is_skipped_and_the_pages_open(
    client, group, leader, feed_server, loopback_allowed, django_capture_on_commit_callbacks
):
    group.timezone = "America/Los_Angeles"
    group.ical_feed_url = feed_server.serve(
        "/feed.ics",
        calendar(
            vevent(
                uid="far-end",
                start="DTSTART;TZID=America/Los_Angeles:20250312T170000",
                end="DTEND;TZID=America/Los_Angeles:99991231T235900",
            )
        ),
    )
    group.save()
    client.force_login(leader)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(group))

    feed_import = FeedImport.objects.get()
    assert (feed_import.status, feed_import.skipped_count) == (Status.DONE, 1)
    assert not Meeting.objects.exists()
    assert client.get(page(group)).status_code == 200
    assert client.get(reverse("meetings:list", kwargs={"slug": group.slug})).status_code == 200


def test_the_task_fetches_the_address_the_leader_asked_for(
    feed_group, leader, feed_server, django_capture_on_commit_callbacks
):
    feed_import = queue(feed_group, leader, django_capture_on_commit_callbacks, execute=False)
    feed_group.ical_feed_url = feed_server.url("/elsewhere.ics")
    feed_group.save()

    tasks.import_feed(feed_import.pk)

    assert [request.path for request in feed_server.requests] == ["/feed.ics"]


def test_the_task_for_a_finished_import_does_nothing(
    feed_group, leader, feed_server, django_capture_on_commit_callbacks
):
    feed_import = queue(feed_group, leader, django_capture_on_commit_callbacks)
    feed_import.refresh_from_db()

    assert tasks.import_feed(feed_import.pk) == "skipped"

    assert len(feed_server.requests) == 1
    assert FeedImport.objects.get().finished_at == feed_import.finished_at


def test_the_task_for_an_import_another_worker_runs_does_nothing(feed_group, feed_server):
    running = FeedImportFactory(group=feed_group, status=Status.RUNNING, started_at=timezone.now())

    assert tasks.import_feed(running.pk) == "skipped"

    assert feed_server.requests == []
    assert FeedImport.objects.get().status == Status.RUNNING


def test_the_task_writes_in_the_language_of_the_page_that_asked(
    feed_group, leader, django_capture_on_commit_callbacks
):
    feed_import = queue(feed_group, leader, django_capture_on_commit_callbacks, language="sv")

    feed_import.refresh_from_db()
    assert feed_import.details["skipped"][0]["reason"] == "Händelsen saknar titel (SUMMARY)."


def test_the_import_costs_the_same_queries_for_one_event_or_many(
    feed_group, leader, feed_server, django_capture_on_commit_callbacks, django_assert_num_queries
):
    counts = []
    for size in (1, 40):
        feed_server.serve(
            "/feed.ics",
            calendar(*(vevent(uid=f"{size}-{n}", summary=f"Azure {n}") for n in range(size))),
        )
        feed_import = queue(feed_group, leader, django_capture_on_commit_callbacks, execute=False)
        # Claim, read the row; lock the group, look up the keys, insert, audit; record the
        # result (and the savepoints of the transactions).
        with django_assert_num_queries(11) as captured:
            feed_import_run(pk=feed_import.pk)
        counts.append(len(captured))

    assert counts == [11, 11]
    assert Meeting.objects.count() == 41


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_import(feed_server, loopback_allowed, celery_worker):
    leadership = LeadershipFactory(group__timezone="Europe/Stockholm")
    group = leadership.group
    group.ical_feed_url = feed_server.serve("/feed.ics", FEED)
    group.save()

    feed_import = feed_import_queue(group=group, by=leadership.user, language="en")

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        feed_import.refresh_from_db()
        if feed_import.status not in FeedImport.UNFINISHED:
            break
        time.sleep(0.1)
    assert feed_import.status == Status.DONE
    assert Meeting.objects.filter(group=group).count() == 2


# The page ---------------------------------------------------------------------------------


def test_import_now_queues_and_sends_the_leader_back_to_the_page(
    client, feed_group, leader, django_capture_on_commit_callbacks
):
    client.force_login(leader)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(page(feed_group))

    assert response.status_code == 302
    assert response["Location"] == page(feed_group)
    assert FeedImport.objects.get().status == Status.QUEUED
    assert len(callbacks) == 1


def test_the_page_never_fetches_the_feed_itself(
    client, feed_group, leader, monkeypatch, django_capture_on_commit_callbacks
):
    real_fetch = imports.fetch_url
    fetched_in = []

    def fetch_only_in_the_task(url, **kwargs):
        task = celery.current_task
        if task is None or task.name != "meetings.tasks.import_feed":
            raise AssertionError("the feed was fetched outside the worker's task")
        fetched_in.append(task.name)
        return real_fetch(url, **kwargs)

    monkeypatch.setattr(imports, "fetch_url", fetch_only_in_the_task)
    client.force_login(leader)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(feed_group))

    assert fetched_in == ["meetings.tasks.import_feed"]
    assert FeedImport.objects.get().status == Status.DONE


def test_a_double_click_starts_one_import(
    client, feed_group, leader, feed_server, django_capture_on_commit_callbacks
):
    client.force_login(leader)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(feed_group))
        client.post(page(feed_group))

    assert FeedImport.objects.count() == 1
    assert len(feed_server.requests) == 1


def test_the_page_shows_a_queued_import_and_refreshes_itself(client, feed_group, leader):
    FeedImportFactory(group=feed_group, requested_by=leader)
    client.force_login(leader)

    content = client.get(page(feed_group)).content.decode()

    assert "Import queued since" in content
    assert '<meta http-equiv="refresh" content="3">' in content
    assert "disabled>Import now" in content


def test_the_page_shows_a_running_import_and_refreshes_itself(client, feed_group, leader):
    started = timezone.now().replace(second=0, microsecond=0)
    FeedImportFactory(group=feed_group, status=Status.RUNNING, started_at=started)
    client.force_login(leader)

    content = client.get(page(feed_group)).content.decode()

    in_stockholm = started.astimezone(ZoneInfo("Europe/Stockholm"))
    assert (
        f"Import running since {in_stockholm:%a} {in_stockholm.day} {in_stockholm:%b %Y, %H:%M}"
        in content
    )
    assert '<meta http-equiv="refresh" content="3">' in content


def test_the_page_shows_the_result_of_a_finished_import(
    client, feed_group, leader, django_capture_on_commit_callbacks
):
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(feed_group))

    content = client.get(page(feed_group)).content.decode()

    assert "The import is done" in content
    assert "2 added" in content
    assert "1 skipped" in content
    assert "Wed 12 Mar 2025, 18:00: Azure Functions in practice" in content
    assert "(no title)" in content
    assert "It has no title (SUMMARY)." in content
    assert f"started by {leader.display_name}" in content
    assert "http-equiv" not in content
    assert "disabled>Import now" not in content


def test_the_page_lists_each_kind_of_result_and_all_day_meetings_by_their_day(
    client, feed_group, leader
):
    FeedImportFactory(
        group=feed_group,
        status=Status.DONE,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        added_count=1,
        updated_count=1,
        cancelled_count=1,
        missing_count=1,
        details={
            "added": [
                {"title": "Azure day", "starts_at": "2025-04-05T00:00:00+02:00", "all_day": True}
            ],
            "updated": [
                {
                    "title": "Back on",
                    "starts_at": "2025-03-20T17:00:00+00:00",
                    "all_day": False,
                    "uncancelled": True,
                }
            ],
            "cancelled": [
                {"title": "Called off", "starts_at": "2025-03-21T17:00:00+00:00", "all_day": False}
            ],
            "missing": [
                {"title": "Vanished", "starts_at": "2025-03-22T17:00:00+00:00", "all_day": False}
            ],
            "outside_window": 3,
        },
    )
    client.force_login(leader)

    content = client.get(page(feed_group)).content.decode()

    assert "1 cancelled" in content
    assert "1 no longer in your calendar" in content
    assert "Sat 5 Apr 2025 " in content and "all day</span>: Azure day" in content
    assert "Thu 20 Mar 2025, 18:00: Back on" in content
    assert "no longer cancelled" in content
    assert "Fri 21 Mar 2025, 18:00: Called off" in content
    assert "No longer in your calendar: check them" in content
    assert "Sat 22 Mar 2025, 18:00: Vanished" in content
    assert "3 events of your calendar start more than a year before or after" in content


def test_the_page_shows_why_an_import_failed(client, feed_group, leader):
    FeedImportFactory(
        group=feed_group,
        status=Status.FAILED,
        finished_at=timezone.now(),
        error="The server took too long to answer.",
    )
    client.force_login(leader)

    content = client.get(page(feed_group)).content.decode()

    assert "Nothing was imported." in content
    assert "The server took too long to answer." in content
    assert "http-equiv" not in content


def test_the_page_shows_a_lost_import_as_failed_and_offers_import_now_again(
    client, feed_group, leader
):
    FeedImportFactory(
        group=feed_group,
        status=Status.RUNNING,
        started_at=timezone.now() - FEED_IMPORT_RUN_LEASE - timedelta(minutes=1),
    )
    client.force_login(leader)

    content = client.get(page(feed_group)).content.decode()

    assert "Nothing was imported." in content
    assert "The import did not finish in time. Start it again." in content
    assert "http-equiv" not in content
    assert "disabled>Import now" not in content


def test_a_long_list_is_cut_and_says_how_many_more(client, feed_group, leader, monkeypatch):
    monkeypatch.setattr(imports, "FEED_IMPORT_DETAILS_LIMIT", 1)
    feed_import = FeedImportFactory(group=feed_group)
    FeedImport.objects.filter(pk=feed_import.pk).update(
        status=Status.RUNNING, started_at=timezone.now()
    )
    imports._feed_import_finish(
        feed_import.pk,
        status=Status.DONE,
        added_count=3,
        details={"added": [{"title": "First", "starts_at": "2025-03-12T17:00:00+00:00"}]},
    )
    client.force_login(leader)

    content = client.get(page(feed_group)).content.decode()

    assert "3 added" in content
    assert "and 2 more" in content


def test_a_leader_of_another_group_cannot_see_the_import(client, feed_group):
    FeedImportFactory(
        group=feed_group,
        status=Status.FAILED,
        finished_at=timezone.now(),
        error="A secret reason.",
    )
    client.force_login(LeadershipFactory().user)

    response = client.get(page(feed_group))

    assert response.status_code == 404
    assert b"A secret reason." not in response.content


def test_a_leader_of_another_group_cannot_queue_an_import(client, feed_group):
    client.force_login(LeadershipFactory().user)

    response = client.post(page(feed_group))

    assert response.status_code == 404
    assert not FeedImport.objects.exists()


@pytest.mark.parametrize("state", ["none", "queued", "done", "failed"])
def test_the_import_page_costs_a_fixed_number_of_queries(
    client, feed_group, leader, state, django_assert_num_queries
):
    if state != "none":
        finished = {"finished_at": timezone.now()} if state in {"done", "failed"} else {}
        started = {"started_at": timezone.now()} if state == "done" else {}
        FeedImportFactory(
            group=feed_group, requested_by=leader, status=state, **started, **finished
        )
    client.force_login(leader)

    # session, user, the group, the latest import with who asked for it.
    with django_assert_num_queries(5):
        client.get(page(feed_group))


def test_the_fetch_error_messages_reach_the_page_unchanged(
    client, feed_group, leader, monkeypatch, django_capture_on_commit_callbacks
):
    def too_slow(url, **kwargs):
        raise FetchUnreachable("The server took too long to answer.")

    monkeypatch.setattr(imports, "fetch_url", too_slow)
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(feed_group))

    content = client.get(page(feed_group)).content.decode()

    assert "The server took too long to answer." in content


# The admin --------------------------------------------------------------------------------


@pytest.fixture
def staff_who_reads_imports(staff):
    # The program team reads the imports (core.program_team.PERMISSIONS lists them too).
    staff.user_permissions.add(Permission.objects.get(codename="view_feedimport"))
    return staff


def test_the_admin_lists_the_imports_but_never_changes_or_deletes_them(
    client, staff_who_reads_imports, feed_group
):
    feed_import = FeedImportFactory(
        group=feed_group,
        status=Status.RUNNING,
        started_at=timezone.now() - FEED_IMPORT_RUN_LEASE - timedelta(minutes=1),
    )

    listing = client.get(reverse("admin:meetings_feedimport_changelist"))
    page = client.get(reverse("admin:meetings_feedimport_change", args=[feed_import.pk]))
    edit = client.post(
        reverse("admin:meetings_feedimport_change", args=[feed_import.pk]), {"status": "done"}
    )
    delete = client.post(reverse("admin:meetings_feedimport_delete", args=[feed_import.pk]))

    assert listing.status_code == 200
    assert feed_group.name in listing.content.decode()
    assert "Failed: did not finish" in listing.content.decode()
    assert page.status_code == 200
    assert edit.status_code == 403
    assert client.get(reverse("admin:meetings_feedimport_add")).status_code == 403
    assert delete.status_code == 403
    assert FeedImport.objects.get(pk=feed_import.pk).status == Status.RUNNING


# What the meetings page says about the last import ---------------------------------------


def test_the_latest_finished_import_is_the_last_result_also_while_a_new_one_runs(feed_group):
    done = FeedImportFactory(
        group=feed_group,
        status=Status.DONE,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    FeedImportFactory(group=feed_group)  # queued
    FeedImportFactory(status=Status.FAILED, finished_at=timezone.now())  # another group's

    assert latest_finished_feed_import(group=feed_group) == done


def test_an_import_that_breaks_unexpectedly_is_marked_failed_not_left_running(
    client, feed_group, leader, monkeypatch, django_capture_on_commit_callbacks
):
    def breaks(*args, **kwargs):
        raise RuntimeError("the parser choked")

    monkeypatch.setattr(imports, "fetch_url", lambda url, **kwargs: b"BEGIN:VCALENDAR")
    monkeypatch.setattr(imports, "meetings_import_ical", breaks)
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(feed_group))

    feed_import = FeedImport.objects.get(group=feed_group)
    assert feed_import.status == FeedImport.Status.FAILED
    assert feed_import.finished_at is not None
    assert "could not be imported" in feed_import.error
