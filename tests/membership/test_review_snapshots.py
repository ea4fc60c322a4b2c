"""A review keeps the checklist as it stood: today's five requirements with their sub-checks,
and the seven items stored before the checklist followed the program's five still display."""

import pytest
from django.urls import reverse

from groups.models import Group
from membership.models import Review
from membership.services import review_decide
from tests.builders import admitted_group
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

#: A snapshot as stored before: seven items, no sub-checks.
LEGACY_SNAPSHOT = [
    {"code": "contacts", "title": "A leader and a co-leader", "outcome": "pass", "message": "ok"},
    {"code": "code_of_conduct", "title": "Code of conduct", "outcome": "pass", "message": "ok"},
    {"code": "free_attendance", "title": "Free attendance", "outcome": "pass", "message": "ok"},
    {
        "code": "azure_meetings",
        "title": "Six Azure-related meetings a year",
        "outcome": "fail",
        "message": "Only 2 Azure-related meetings in the last 12 months.",
    },
    {
        "code": "meeting_spread",
        "title": "Meetings spread through the year",
        "outcome": "warning",
        "message": "No Azure-related meeting for 200 days.",
    },
    {
        "code": "tech_community_ids",
        "title": "Tech Community user IDs",
        "outcome": "fail",
        "message": "Leaders Hub access needs the Tech Community user ID of both contacts.",
    },
    {
        "code": "program_rules",
        "title": "Program rules accepted",
        "outcome": "pass",
        "message": "ok",
    },
]


def review_page(client, review: Review) -> str:
    response = client.get(reverse("admin:membership_review_change", args=[review.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_snapshot_from_before_the_five_requirements_still_displays(client, staff):
    group = admitted_group()
    review = Review.objects.create(
        group=group,
        reviewer=StaffFactory(),
        kind=Review.Kind.PERIODIC,
        decision=Review.Decision.KEEP,
        status_before=Group.Status.ADMITTED,
        status_after=Group.Status.ADMITTED,
        checklist=LEGACY_SNAPSHOT,
        requirements_met=5,
        requirements_total=7,
    )

    content = review_page(client, review)

    for item in LEGACY_SNAPSHOT:
        assert item["title"] in content
    assert "No Azure-related meeting for 200 days." in content
    assert "5 / 7" in client.get(reverse("admin:membership_review_changelist")).content.decode()


def test_a_new_snapshot_keeps_the_five_requirements_and_their_sub_checks(client, staff):
    group = admitted_group()

    review = review_decide(
        group=group,
        by=StaffFactory(),
        decision=Review.Decision.KEEP,
        expected_version=group.version,
    )

    assert [item["code"] for item in review.checklist] == [
        "contacts",
        "code_of_conduct",
        "free_attendance",
        "azure_meetings",
        "program_rules",
    ]
    assert review.requirements_total == 5
    meetings = review.checklist[3]
    assert meetings["title"] == "At least 6 Azure-related meetings a year, at regular intervals"
    assert len(meetings["checks"]) == 2
    content = review_page(client, review)
    for check in meetings["checks"]:
        assert check["message"] in content
