"""The demo written in bulk agrees with the demo written through the services.

seed_demo writes its first groups through the services and the rest in bulk (demo/builders/
history.py says why); the bulk path restates what the services write. Here the same demo is
built both ways and the rows compared, so a change to a service that the bulk path does not
follow fails here.
"""

from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import AuditEntry
from demo.builders.context import demo_context
from demo.builders.demo import build_demo
from groups.models import Group
from leaders.models import Leadership, LeadershipChangeRequest
from membership.models import LeaveRequest, Review

pytestmark = pytest.mark.django_db

GROUPS = 30


class Rollback(Exception):
    pass


def rows() -> dict[str, Any]:
    """What both paths must write alike, keyed by what does not depend on primary keys."""
    groups = list(
        Group.objects.order_by("name").values_list(
            "name",
            "slug",
            "status",
            "created_at",
            "submitted_at",
            "admitted_at",
            "status_changed_at",
            "next_review_due",
            "home_page_url",
            "code_of_conduct_url",
            "planned_meetings_per_year",
        )
    )
    leaderships = sorted(
        Leadership.objects.values_list(
            "group__name", "user__email", "role", "started_at", "ended_at", "end_reason"
        )
    )
    reviews = sorted(
        Review.objects.values_list(
            "group__name",
            "decided_at",
            "reviewer__email",
            "kind",
            "decision",
            "message",
            "status_before",
            "status_after",
        )
    )
    audits = sorted(
        (
            entry.group.name,
            entry.created_at,
            entry.actor.email,
            entry.actor_is_staff,
            entry.action,
            # The checklist's count ("5 of 7 met") is made up in bulk.
            entry.summary.split(" (")[0]
            if entry.action == AuditEntry.Action.REVIEW_DECISION
            else entry.summary,
            sorted(entry.changes),
            entry.changes.get("status"),
            entry.changes.get("decision"),
            entry.review.decision if entry.review else None,
        )
        for entry in AuditEntry.objects.filter(
            action__in=[AuditEntry.Action.STATUS_CHANGE, AuditEntry.Action.REVIEW_DECISION]
        ).select_related("group", "actor", "review")
    )
    leave = sorted(
        LeaveRequest.objects.values_list(
            "group__name",
            "requested_by__email",
            "reason",
            "status",
            "created_at",
            "processed_at",
            "processed_by__email",
        )
    )
    changes = sorted(
        LeadershipChangeRequest.objects.values_list(
            "group__name",
            "requested_by__email",
            "kind",
            "status",
            "created_at",
            "processed_at",
            "processed_by__email",
        )
    )
    return {
        "groups": groups,
        "leaderships": leaderships,
        "reviews": reviews,
        "audits": audits,
        "leave": leave,
        "changes": changes,
    }


def built(*, through_services: int, now: Any) -> dict[str, Any]:
    with pytest.raises(Rollback), transaction.atomic():
        build_demo(
            ctx=demo_context(seed=9, now=now),
            groups=GROUPS,
            meetings_per_group=4,
            through_services=through_services,
        )
        result = rows()
        raise Rollback
    return result


@pytest.fixture(scope="module")
def both(django_db_setup, django_db_blocker) -> tuple[dict[str, Any], dict[str, Any]]:
    """The same demo through the services and in bulk (each rolled back), built once."""
    now = timezone.now()
    with django_db_blocker.unblock():
        return built(through_services=GROUPS, now=now), built(through_services=0, now=now)


@pytest.mark.parametrize("table", ["groups", "leaderships", "reviews", "leave", "changes"])
def test_both_paths_write_the_same_rows(both, table):
    services, bulk = both

    assert services[table]
    assert bulk[table] == services[table]


def test_both_paths_record_the_same_status_changes_and_decisions(both):
    services, bulk = both

    assert bulk["audits"] == services["audits"]
    actions = {entry[4] for entry in services["audits"]}
    assert actions == {AuditEntry.Action.STATUS_CHANGE, AuditEntry.Action.REVIEW_DECISION}


def test_the_demo_has_every_story_both_ways(both):
    services, _bulk = both

    statuses = {group[2] for group in services["groups"]}
    assert statuses == set(Group.Status.values)
    assert {review[4] for review in services["reviews"]} == set(Review.Decision.values)
    reasons = {leadership[5] for leadership in services["leaderships"]}
    assert reasons >= {"handed_over", "stepped_down", "group_left"}
