"""Requests: the pending co-leader invitation, leadership change requests (open ones, and the
processed hand-overs in the history) and leave requests (open ones, and those of the groups
that left).

Invitations and leave requests go through their services (leaders.services.invitation_create,
membership.services.leave_request_create and leave_request_process), the leaving groups in
bulk excepted (see `history`). A leader's request for a leadership change has no service (the
portal's leaders make their changes themselves, recorded as processed requests), so open ones
are written as rows; the program team processes a hand-over through
leaders.services.leadership_request_process.
"""

from datetime import datetime, timedelta

from groups.models import Group
from leaders.models import Leadership, LeadershipChangeRequest, RequestStatus, User
from leaders.services import RECORD, invitation_create, leadership_request_process
from membership.models import LeaveRequest
from membership.services import leave_request_create, leave_request_process

from .catalogue import CHANGE_DETAILS, HANDOVER_NOTE, LEAVE_REASONS
from .context import DemoContext, audit_backdate, batched_create
from .groups import SCENARIOS, GroupPlan
from .people import INVITED_EMAIL

Status = Group.Status
Role = Leadership.Role
Kind = LeadershipChangeRequest.Kind


def requests_create(*, ctx: DemoContext, plans: list[GroupPlan], staff: User) -> None:
    """Every request of the demo, for groups written with their history.

    The "solo" story (the second plan) gets the pending invitation and asks for help with its
    missing co-leader. Admitted groups beyond the stories get open requests: a leadership
    change for one group in 150 (three at least), a leave for one in 200 (two at least).
    """
    solo = plans[1]
    assert solo.scenario == "solo"
    invitation_pending_create(ctx=ctx, plan=solo)
    admitted = [
        p
        for p in plans[len(SCENARIOS) :]
        if p.group.status == Status.ADMITTED and p.active(Role.LEADER)
    ]
    busy = {
        id(plan)
        for plan in change_requests_create(ctx=ctx, plans=plans, admitted=admitted, staff=staff)
    }
    leave_requests_open(
        ctx=ctx,
        admitted=[plan for plan in admitted if id(plan) not in busy],
        count=max(2, len(plans) // 200),
    )
    leave_requests_processed(ctx=ctx, plans=plans, staff=staff)


def invitation_pending_create(*, ctx: DemoContext, plan: GroupPlan) -> None:
    """The leader invited a co-leader two days ago (INVITED_EMAIL, who has no account)."""
    leader = plan.active(Role.LEADER)
    assert leader is not None
    invited_at = ctx.days_ago(2)
    invitation_create(group=plan.row, email=INVITED_EMAIL, by=leader, now=invited_at)
    audit_backdate(ctx=ctx, group=plan.row, when=invited_at)


def change_requests_create(
    *, ctx: DemoContext, plans: list[GroupPlan], admitted: list[GroupPlan], staff: User
) -> list[GroupPlan]:
    """Open leadership change requests (the solo story's, and some of `admitted`'s), and the
    processed hand-over request of each hand-over in the history. Returns the groups of
    `admitted` that got an open request."""
    rng, solo = ctx.rng, plans[1]
    solo_leader = solo.active(Role.LEADER)
    change_requests = [
        LeadershipChangeRequest(
            group=solo.row,
            requested_by=solo_leader,
            kind=Kind.CO_LEADER_LEFT,
            details=CHANGE_DETAILS[Kind.CO_LEADER_LEFT],
            created_at=ctx.days_ago(44),
        )
    ]
    # Reports of a contact who left end the role at once: the demo opens only the older kinds.
    kinds = [k for k in Kind if k not in {Kind.CO_LEADER_LEFT, Kind.LEADER_LEFT}]
    open_changes = rng.sample(admitted, min(len(admitted), max(3, len(plans) // 150)))
    for number, plan in enumerate(open_changes):
        kind = kinds[number % len(kinds)]
        if kind == Kind.HAND_OVER and not plan.active(Role.CO_LEADER):
            kind = Kind.STEP_DOWN
        change_requests.append(
            LeadershipChangeRequest(
                group=plan.row,
                requested_by=plan.active(Role.LEADER),
                kind=kind,
                details=CHANGE_DETAILS[kind],
                created_at=ctx.days_ago(rng.uniform(1, 20)),
            )
        )
    # Handovers in the history went through a request the program team processed.
    through_services: list[tuple[GroupPlan, LeadershipChangeRequest, datetime]] = []
    for plan in plans:
        for r in plan.roles:
            if r.end_reason == Leadership.EndReason.HANDED_OVER and r.role == Role.LEADER:
                assert r.ended_at is not None
                request = LeadershipChangeRequest(
                    group=plan.row,
                    requested_by=r.user,
                    kind=Kind.HAND_OVER,
                    details=CHANGE_DETAILS[Kind.HAND_OVER],
                    created_at=r.ended_at - timedelta(days=rng.uniform(1, 10)),
                )
                if plan.through_services:
                    through_services.append((plan, request, r.ended_at))
                else:
                    request.status = RequestStatus.PROCESSED
                    request.processed_by = staff
                    request.processed_at = r.ended_at
                change_requests.append(request)
    batched_create(LeadershipChangeRequest, change_requests)
    for plan, request, done_at in through_services:
        # history.history_create made the change on the day; the team records it done.
        leadership_request_process(
            request=request, by=staff, outcome=RECORD, note=HANDOVER_NOTE, now=done_at
        )
        audit_backdate(ctx=ctx, group=plan.row, when=done_at)
    return open_changes


def leave_requests_open(*, ctx: DemoContext, admitted: list[GroupPlan], count: int) -> None:
    """`count` of `admitted` asked to leave in the last two weeks.

    Through the service for groups written in bulk too: they are few, and each tells the
    program team by e-mail, as the review queue expects.
    """
    rng = ctx.rng
    for plan in rng.sample(admitted, min(len(admitted), count)):
        leader = plan.active(Role.LEADER)
        assert leader is not None
        reason = rng.choice(LEAVE_REASONS)
        asked_at = ctx.days_ago(rng.uniform(1, 14))
        leave_request_create(group=plan.row, by=leader, reason=reason, now=asked_at)
        audit_backdate(ctx=ctx, group=plan.row, when=asked_at)


def leave_requests_processed(*, ctx: DemoContext, plans: list[GroupPlan], staff: User) -> None:
    """The leave request of each group that left, processed on the day it left: through the
    services for groups written through them (`group_leave`), as rows for the rest."""
    leave_requests = []
    for plan in plans:
        if plan.group.status != Status.LEFT:
            continue
        if plan.through_services:
            group_leave(ctx=ctx, plan=plan, staff=staff)
            continue
        reason, asked_at = _leave_drawn(ctx, plan)
        leave_requests.append(
            LeaveRequest(
                group=plan.row,
                requested_by=plan.applicant,
                reason=reason,
                created_at=asked_at,
                status=LeaveRequest.Status.PROCESSED,
                processed_by=staff,
                processed_at=plan.group.status_changed_at,
            )
        )
    batched_create(LeaveRequest, leave_requests)


def _leave_drawn(ctx: DemoContext, plan: GroupPlan) -> tuple[str, datetime]:
    """Why a group that left asked to, and when: a few days before it left."""
    reason = ctx.rng.choice(LEAVE_REASONS)
    return reason, plan.group.status_changed_at - timedelta(days=ctx.rng.uniform(1, 10))


def group_leave(*, ctx: DemoContext, plan: GroupPlan, staff: User) -> LeaveRequest:
    """A group written through the services asks to leave and the program team processes
    it on the planned day: the group leaves, its leaders' roles end, they are e-mailed."""
    reason, asked_at = _leave_drawn(ctx, plan)
    request = leave_request_create(group=plan.row, by=plan.applicant, reason=reason, now=asked_at)
    audit_backdate(ctx=ctx, group=plan.row, when=asked_at)
    left_at = plan.group.status_changed_at
    processed = leave_request_process(request=request, by=staff, now=left_at)
    audit_backdate(ctx=ctx, group=plan.row, when=left_at)
    return processed
