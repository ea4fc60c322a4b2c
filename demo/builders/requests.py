"""Requests: the pending co-leader invitation, leadership change requests (open ones, and the
processed hand-overs in the history) and leave requests (open ones, and those of the groups
that left)."""

from datetime import timedelta

from django.conf import settings

from groups.models import Group
from leaders.models import CoLeaderInvitation, Leadership, LeadershipChangeRequest, User
from membership.models import LeaveRequest

from .catalogue import CHANGE_DETAILS, LEAVE_REASONS
from .context import DemoContext, batched_create
from .groups import SCENARIOS, GroupPlan
from .people import INVITED_EMAIL

Status = Group.Status
Role = Leadership.Role
EndReason = Leadership.EndReason


def requests_create(*, ctx: DemoContext, plans: list[GroupPlan], staff: User) -> None:
    """Every request of the demo, for written groups."""
    rng = ctx.rng
    solo = plans[1]
    # A pending invitation and an open request where the co-leader is missing.
    solo_leader = solo.active(Role.LEADER)
    assert solo_leader is not None
    invited_at = ctx.days_ago(2)
    CoLeaderInvitation.objects.create(
        group=solo.group,
        email=INVITED_EMAIL,
        invited_by=solo_leader,
        created_at=invited_at,
        expires_at=invited_at
        + timedelta(days=int(getattr(settings, "TECHGROUPS_INVITATION_EXPIRY_DAYS", 14))),
    )
    change_requests = [
        LeadershipChangeRequest(
            group=solo.group,
            requested_by=solo_leader,
            kind=LeadershipChangeRequest.Kind.CO_LEADER_LEFT,
            details=CHANGE_DETAILS[LeadershipChangeRequest.Kind.CO_LEADER_LEFT],
            created_at=ctx.days_ago(44),
        )
    ]
    admitted = [
        p
        for p in plans[len(SCENARIOS) :]
        if p.group.status == Status.ADMITTED and p.active(Role.LEADER)
    ]
    kinds = [k for k in LeadershipChangeRequest.Kind if k != "co_leader_left"]
    open_changes = rng.sample(admitted, min(len(admitted), max(3, len(plans) // 150)))
    for number, plan in enumerate(open_changes):
        kind = kinds[number % len(kinds)]
        if kind == LeadershipChangeRequest.Kind.HAND_OVER and not plan.active(Role.CO_LEADER):
            kind = LeadershipChangeRequest.Kind.STEP_DOWN
        change_requests.append(
            LeadershipChangeRequest(
                group=plan.group,
                requested_by=plan.active(Role.LEADER),
                kind=kind,
                details=CHANGE_DETAILS[kind],
                created_at=ctx.days_ago(rng.uniform(1, 20)),
            )
        )
    # Handovers in the history went through a request the program team processed.
    for plan in plans:
        for r in plan.roles:
            if r.end_reason == EndReason.HANDED_OVER and r.role == Role.LEADER:
                assert r.ended_at is not None
                change_requests.append(
                    LeadershipChangeRequest(
                        group=plan.group,
                        requested_by=r.user,
                        kind=LeadershipChangeRequest.Kind.HAND_OVER,
                        details=CHANGE_DETAILS[LeadershipChangeRequest.Kind.HAND_OVER],
                        created_at=r.ended_at - timedelta(days=rng.uniform(1, 10)),
                        status="processed",
                        processed_by=staff,
                        processed_at=r.ended_at,
                    )
                )
    batched_create(LeadershipChangeRequest, change_requests)

    leave_requests = []
    busy = {id(plan) for plan in open_changes}
    leaving = [plan for plan in admitted if id(plan) not in busy]
    for plan in rng.sample(leaving, min(len(leaving), max(2, len(plans) // 200))):
        leave_requests.append(
            LeaveRequest(
                group=plan.group,
                requested_by=plan.active(Role.LEADER),
                reason=rng.choice(LEAVE_REASONS),
                created_at=ctx.days_ago(rng.uniform(1, 14)),
            )
        )
    for plan in plans:
        if plan.group.status == Status.LEFT:
            left_at = plan.group.status_changed_at
            leave_requests.append(
                LeaveRequest(
                    group=plan.group,
                    requested_by=plan.roles[0].user,
                    reason=rng.choice(LEAVE_REASONS),
                    created_at=left_at - timedelta(days=rng.uniform(1, 10)),
                    status=LeaveRequest.Status.PROCESSED,
                    processed_by=staff,
                    processed_at=left_at,
                )
            )
    batched_create(LeaveRequest, leave_requests)
