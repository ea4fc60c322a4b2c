"""The demo's builders (demo/builders): single groups for tests, and the whole demo written
through the services or in bulk."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import AuditEntry
from demo.builders.context import DemoContext, demo_context
from demo.builders.demo import build_demo, group_build
from demo.builders.groups import MIN_GROUPS
from demo.builders.people import program_team_create
from demo.builders.program import program_rules_publish
from groups.models import Group
from leaders.models import Leadership, User
from membership.models import LeaveRequest, Review
from membership.selectors import checklist_for
from notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db

Status = Group.Status


class Rollback(Exception):
    pass


@pytest.fixture
def ctx() -> DemoContext:
    return demo_context(seed=7)


@pytest.fixture
def demo_staff(ctx) -> User:
    return program_team_create(ctx=ctx)


def test_an_admitted_group_has_leaders_meetings_and_the_decisions_that_admitted_it(ctx, demo_staff):
    plan = group_build(ctx=ctx, staff=demo_staff, status=Status.ADMITTED)
    group = plan.row

    assert group.status == Status.ADMITTED
    assert group.admitted_at is not None
    assert Leadership.objects.active().filter(group=group, role="leader").exists()
    assert group.meetings.filter(starts_at__lt=ctx.now).count() >= 2
    decisions = list(group.reviews.order_by("decided_at").values_list("decision", flat=True))
    assert decisions[0] == Review.Decision.ADMIT
    assert set(decisions[1:]) <= {Review.Decision.KEEP}


@pytest.mark.parametrize("status", Status.values)
def test_a_group_of_any_status_is_built_through_the_services(ctx, demo_staff, status):
    plan = group_build(ctx=ctx, staff=demo_staff, status=status)
    group = plan.row

    assert group.status == status
    assert group.version > 1  # the services changed it
    group.full_clean()
    if status == Status.DRAFT:
        assert not group.reviews.exists()
    if status == Status.LEFT:
        assert not Leadership.objects.active().filter(group=group).exists()
        assert group.leave_requests.get().status == LeaveRequest.Status.PROCESSED


def test_a_built_groups_history_is_dated_when_it_happened(ctx, demo_staff):
    plan = group_build(ctx=ctx, staff=demo_staff, status=Status.INACTIVE)
    group = plan.row
    entries = AuditEntry.objects.filter(group=group)

    assert not entries.filter(created_at__gt=ctx.now).exists()
    submitted = entries.get(changes__status__after=Status.SUBMITTED)
    assert submitted.created_at == group.submitted_at
    assert submitted.actor == plan.applicant
    inactivated = entries.get(changes__status__after=Status.INACTIVE)
    assert inactivated.created_at == group.status_changed_at
    assert inactivated.review == group.reviews.get(decision=Review.Decision.INACTIVATE)


def test_a_built_groups_leaders_accepted_the_rules_it_is_given(ctx, demo_staff):
    rules = program_rules_publish(ctx=ctx)

    plan = group_build(ctx=ctx, staff=demo_staff, status=Status.ADMITTED, rules=rules)

    for leadership in Leadership.objects.active().filter(group=plan.row):
        assert leadership.user.rules_acceptances.filter(rules=rules).exists()


def test_the_leaders_of_the_day_are_emailed_each_decision(ctx, demo_staff):
    plan = group_build(ctx=ctx, staff=demo_staff, status=Status.DECLINED)

    email = OutboxEmail.objects.get(kind="review_decision")
    assert email.to_email == plan.applicant.email
    assert email.group == plan.row


def test_the_next_review_is_due_one_interval_after_the_last_decision():
    ctx = demo_context(seed=4)
    build_demo(ctx=ctx, groups=60, meetings_per_group=2)

    for group in Group.objects.admitted():
        last = group.reviews.order_by("decided_at").last()
        assert last is not None
        due = timezone.localdate(last.decided_at) + ctx.review_interval
        assert group.next_review_due == due, group.name


def test_the_featured_group_is_built_through_the_services_and_meets_every_requirement():
    ctx = demo_context(seed=2)
    build_demo(ctx=ctx, groups=MIN_GROUPS, meetings_per_group=12)
    featured = Group.objects.get(leaderships__user__email="leader@example.org")

    assert checklist_for(featured, now=timezone.now()).all_met
    assert featured.audit_entries.filter(action=AuditEntry.Action.GROUP_EDIT).exists()
    oldest = featured.audit_entries.order_by("created_at").first()
    assert oldest is not None and oldest.created_at == featured.created_at
    assert featured.created_at < timezone.now() - timedelta(days=365)


def test_the_emails_the_demo_queues_do_not_grow_with_its_size():
    counts = []
    for groups in (30, 300):
        with pytest.raises(Rollback), transaction.atomic():
            build_demo(ctx=demo_context(seed=3), groups=groups, meetings_per_group=2)
            counts.append(OutboxEmail.objects.count())
            raise Rollback

    # The groups built through the services: their decisions, applications and leave.
    assert counts[0] == counts[1] < 100
