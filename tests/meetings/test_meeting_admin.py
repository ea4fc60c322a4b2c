"""Meetings in the admin: the program team sees every meeting, deleted ones included, with
what became of it; nothing is hard-deleted there."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from core.program_team import PERMISSIONS
from meetings.models import Meeting
from meetings.services import meeting_cancel, meeting_delete
from tests.factories import GroupFactory, LeadershipFactory, MeetingFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:meetings_meeting_changelist")
EARLIER = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def titles(response) -> set[str]:
    return {meeting.title for meeting in response.context["cl"].result_list}


@pytest.fixture
def meetings(db):
    group = GroupFactory(name="Gävle Azure")
    now = timezone.now()
    return {
        "held": MeetingFactory(group=group, title="Held one", starts_at=now - timedelta(days=9)),
        "scheduled": MeetingFactory(
            group=group, title="Coming one", starts_at=now + timedelta(days=9)
        ),
        "cancelled": MeetingFactory(
            group=group,
            title="Cancelled one",
            cancelled_at=EARLIER,
            cancelled_by=Meeting.CancelledBy.CALENDAR,
        ),
        "deleted": MeetingFactory(group=group, title="Deleted one", deleted_at=EARLIER),
    }


def test_the_list_shows_every_meeting_deleted_ones_included(client, staff, meetings):
    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert titles(response) == {"Held one", "Coming one", "Cancelled one", "Deleted one"}
    content = response.content.decode()
    for column in ("column-state", "column-cancelled_at", "column-deleted_at"):
        assert column in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"deleted": "yes"}, {"Deleted one"}),
        ({"deleted": "no"}, {"Held one", "Coming one", "Cancelled one"}),
        ({"state": "cancelled"}, {"Cancelled one"}),
        ({"state": "held"}, {"Held one", "Deleted one"}),
        ({"state": "scheduled"}, {"Coming one"}),
        ({"state": "held", "deleted": "no"}, {"Held one"}),
        ({"cancelled_by__exact": "calendar"}, {"Cancelled one"}),
    ],
)
def test_the_list_filters_by_state_and_deletion(client, staff, meetings, query, expected):
    response = client.get(LIST_URL, query)

    assert response.status_code == 200
    assert titles(response) == expected


@pytest.mark.parametrize("value", ["maybe", "\u00e9", "9" * 30])
def test_an_unknown_filter_value_lists_everything(client, staff, meetings, value):
    for name in ("state", "deleted"):
        response = client.get(LIST_URL, {name: value})
        assert response.status_code == 200
        assert len(titles(response)) == 4


def test_the_state_column_says_what_became_of_each_meeting(client, staff, meetings):
    content = client.get(LIST_URL).content.decode()

    assert '<td class="field-state">Cancelled</td>' in content
    assert '<td class="field-state">Held</td>' in content
    assert '<td class="field-state">Scheduled</td>' in content


def test_a_deleted_meeting_opens_in_the_admin(client, staff, meetings):
    deleted = meetings["deleted"]

    response = client.get(reverse("admin:meetings_meeting_change", args=[deleted.pk]))

    assert response.status_code == 200
    assert "Deleted one" in response.content.decode()


def test_cancellation_and_deletion_are_read_only_in_the_admin(client, staff, meetings):
    response = client.get(reverse("admin:meetings_meeting_change", args=[meetings["held"].pk]))

    form = response.context["adminform"].form
    for name in ("cancelled_at", "cancelled_by", "cancellation_reason", "deleted_at"):
        assert name not in form.fields


def test_a_meeting_cannot_be_deleted_from_the_admin(client, staff, meetings):
    meeting = meetings["held"]

    get = client.get(reverse("admin:meetings_meeting_delete", args=[meeting.pk]))
    post = client.post(reverse("admin:meetings_meeting_delete", args=[meeting.pk]), {"post": "yes"})

    assert (get.status_code, post.status_code) == (403, 403)
    assert Meeting.all_objects.filter(pk=meeting.pk).exists()


def test_the_list_offers_no_delete_action(client, staff, meetings):
    response = client.get(LIST_URL)

    assert response.context["action_form"] is None  # delete was the only action
    assert "delete_selected" not in response.content.decode()
    post = client.post(
        LIST_URL,
        {"action": "delete_selected", "_selected_action": [m.pk for m in meetings.values()]},
    )
    assert post.status_code in (200, 302)
    assert Meeting.all_objects.count() == 4


def test_the_program_team_has_no_permission_to_delete_meetings(staff):
    assert "delete" not in PERMISSIONS["meetings"]["meeting"]
    assert not staff.has_perm("meetings.delete_meeting")
    assert staff.has_perm("meetings.change_meeting")
    assert Permission.objects.filter(codename="delete_meeting").exists()


def test_the_audit_trail_shows_the_meeting_actions_by_their_labels(client, staff, meetings):
    leader = LeadershipFactory(group=meetings["held"].group).user
    meeting_cancel(meeting=meetings["held"], by=leader, reason="Venue flooded")
    meeting_delete(meeting=meetings["scheduled"], by=leader)

    response = client.get(reverse("admin:core_auditentry_changelist"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Meeting cancelled" in content
    assert "Meeting deleted" in content
    assert "Venue flooded" in content
    assert {entry.action for entry in AuditEntry.objects.all()} == {
        "meeting_cancelled",
        "meeting_deleted",
    }


def test_the_group_page_marks_cancelled_meetings(client, staff, meetings):
    group = meetings["held"].group

    content = client.get(reverse("admin:groups_group_change", args=[group.pk])).content.decode()

    assert "<del>Cancelled one</del> (cancelled: not counted)" in content
    assert "Deleted one" not in content


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_costs_the_same_queries_whatever_the_meetings(
    client, staff, count, django_assert_num_queries
):
    group = GroupFactory()
    for day in range(count):
        MeetingFactory(
            group=group,
            starts_at=EARLIER - timedelta(days=day),
            deleted_at=EARLIER if day % 4 == 0 else None,
        )

    # session, user, two-factor, permissions (2); the page's count and full count, the page
    # of meetings with their groups, the date drill-down's first and last start and months
    with django_assert_num_queries(10):
        assert client.get(LIST_URL).status_code == 200
