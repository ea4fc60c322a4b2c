"""The daily import: leaders switch it on for their group, an hourly job queues the groups due."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from groups.models import Group
from meetings import imports, tasks
from meetings.imports import (
    DAILY_IMPORT_AFTER,
    feed_auto_import_set,
    feed_imports_queue_daily,
)
from meetings.models import FeedImport, Meeting
from tests.factories import FeedImportFactory, GroupFactory, LeadershipFactory, StaffFactory

from .conftest import calendar, vevent

pytestmark = pytest.mark.django_db

FEED_URL = "https://calendar.example.org/azure.ics"


def switch_url(group):
    return reverse("meetings:import_daily", kwargs={"slug": group.slug})


def import_page(group):
    return reverse("meetings:import", kwargs={"slug": group.slug})


def opted_in(**kwargs):
    return GroupFactory(ical_feed_url=FEED_URL, ical_feed_auto_import=True, **kwargs)


def imported_at(group, moment):
    feed_import = FeedImportFactory(
        group=group, status=FeedImport.Status.DONE, started_at=moment, finished_at=moment
    )
    FeedImport.objects.filter(pk=feed_import.pk).update(created_at=moment)


def queued_groups():
    return set(
        FeedImport.objects.filter(status=FeedImport.Status.QUEUED).values_list(
            "group__name", flat=True
        )
    )


# Switching it on and off ------------------------------------------------------------------


@pytest.fixture
def feed_group(group):
    group.ical_feed_url = FEED_URL
    group.save()
    return group


def test_leader_switches_the_daily_import_on(client, feed_group, leader):
    client.force_login(leader)

    response = client.post(switch_url(feed_group), {"enabled": "on"})

    assert response.status_code == 302
    assert response["Location"] == import_page(feed_group)
    feed_group.refresh_from_db()
    assert feed_group.ical_feed_auto_import is True
    page = client.get(response["Location"]).content.decode()
    assert "Your calendar feed will be imported every day." in page
    assert re.search(r"<input type=\"checkbox\" name=\"enabled\"[^>]* checked>", page)


def test_co_leader_switches_it_off_by_sending_the_box_unticked(client, feed_group, co_leader):
    Group.objects.filter(pk=feed_group.pk).update(ical_feed_auto_import=True)
    client.force_login(co_leader)

    client.post(switch_url(feed_group), {})

    feed_group.refresh_from_db()
    assert feed_group.ical_feed_auto_import is False


def test_switching_is_audited_once_with_who_did_it(feed_group, leader):
    feed_auto_import_set(group=feed_group, by=leader, enabled=True)
    feed_auto_import_set(group=feed_group, by=leader, enabled=True)

    (entry,) = AuditEntry.objects.filter(group=feed_group)
    assert entry.actor == leader
    assert entry.summary == "Daily import of the calendar feed switched on."
    assert entry.changes == {"ical_feed_auto_import": {"before": "False", "after": "True"}}


def test_the_switch_is_offered_only_with_a_feed_address(client, group, leader):
    client.force_login(leader)

    content = client.get(import_page(group)).content.decode()

    assert 'id="daily-import"' not in content


@pytest.mark.parametrize("visitor", ["other_leader", "staff"])
def test_someone_who_does_not_lead_the_group_gets_404_and_nothing_changes(
    client, feed_group, visitor
):
    user = LeadershipFactory().user if visitor == "other_leader" else StaffFactory()
    client.force_login(user)

    response = client.post(switch_url(feed_group), {"enabled": "on"})

    assert response.status_code == 404
    feed_group.refresh_from_db()
    assert feed_group.ical_feed_auto_import is False
    assert not AuditEntry.objects.exists()


def test_anonymous_visitor_is_sent_to_login_and_nothing_changes(client, feed_group):
    response = client.post(switch_url(feed_group), {"enabled": "on"})

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    feed_group.refresh_from_db()
    assert feed_group.ical_feed_auto_import is False


def test_the_switch_takes_no_get(client, feed_group, leader):
    client.force_login(leader)

    assert client.get(switch_url(feed_group)).status_code == 405


# The hourly job -----------------------------------------------------------------------------


def test_the_job_queues_only_groups_that_asked_and_have_a_feed(db):
    opted_in(name="Asked")
    GroupFactory(name="Did not ask", ical_feed_url=FEED_URL)
    GroupFactory(name="Asked, no feed", ical_feed_auto_import=True)

    queued = feed_imports_queue_daily(now=timezone.now())

    assert queued == 1
    assert queued_groups() == {"Asked"}
    feed_import = FeedImport.objects.get()
    assert (feed_import.requested_by, feed_import.language, feed_import.url) == (
        None,
        "en",
        FEED_URL,
    )


def test_running_the_job_again_queues_nothing_more(db):
    opted_in()
    now = timezone.now()
    feed_imports_queue_daily(now=now)

    assert feed_imports_queue_daily(now=now + timedelta(hours=1)) == 0

    assert FeedImport.objects.count() == 1


def test_a_group_imported_within_23_hours_is_not_due_and_after_it_is(db):
    group = opted_in()
    now = timezone.now()
    imported_at(group, now - DAILY_IMPORT_AFTER + timedelta(minutes=1))

    assert feed_imports_queue_daily(now=now) == 0
    assert feed_imports_queue_daily(now=now + timedelta(minutes=2)) == 1


def test_a_group_whose_leader_just_imported_waits_for_tomorrow(db, leader, group):
    Group.objects.filter(pk=group.pk).update(ical_feed_url=FEED_URL, ical_feed_auto_import=True)
    FeedImportFactory(group=group, requested_by=leader)  # queued, under way

    assert feed_imports_queue_daily(now=timezone.now()) == 0


def test_a_tick_queues_at_most_its_share_the_longest_waiting_first(db, monkeypatch):
    monkeypatch.setattr(imports, "DAILY_IMPORTS_PER_TICK", 2)
    now = timezone.now()
    for name, days in [("Yesterday", 1), ("A week ago", 7), ("Two days ago", 2)]:
        imported_at(opted_in(name=name), now - timedelta(days=days))
    opted_in(name="Never")

    assert feed_imports_queue_daily(now=now) == 2

    assert queued_groups() == {"Never", "A week ago"}


def test_the_task_imports_the_feeds_of_the_groups_due(
    db, clock, feed_server, loopback_allowed, django_capture_on_commit_callbacks
):
    group = opted_in(timezone="Europe/Stockholm")
    group.ical_feed_url = feed_server.serve("/daily.ics", calendar(vevent(uid="d1")))
    group.save()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.import_feeds_daily() == 1

    feed_import = FeedImport.objects.get()
    assert (feed_import.status, feed_import.added_count) == (FeedImport.Status.DONE, 1)
    assert Meeting.objects.get().external_uid == "d1"
    (entry,) = AuditEntry.objects.filter(group=group)
    assert entry.actor is None


def test_the_job_leaves_out_groups_that_left_were_declined_or_are_inactive(db):
    for name, status in [
        ("Admitted", Group.Status.ADMITTED),
        ("Applying", Group.Status.SUBMITTED),
        ("Left", Group.Status.LEFT),
        ("Declined", Group.Status.DECLINED),
        ("Inactive", Group.Status.INACTIVE),
    ]:
        Group.objects.filter(pk=opted_in(name=name).pk).update(
            status=status, admitted_at=timezone.now()
        )

    feed_imports_queue_daily(now=timezone.now())

    assert queued_groups() == {"Admitted", "Applying"}
