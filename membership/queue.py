"""The program team's review queue (docs/program.md, "Review queue"): everything that waits
for the team, oldest first, in one list.

Seven kinds of work: a submitted application, a resubmission after changes were requested, an
admitted group whose review date has come, a kept group whose follow-up date has come (flagged
overdue once it has passed), an open request for a new review (a return request), an open leave
request and an open leadership change request. The list costs a fixed number of queries however
long it is: five cheap queries find the items, and only the groups on the page shown get their
checklist (`groups_with_checklist_facts`: one query and two prefetches), plus the rules version.
"""

from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Group
from leaders.models import CoLeaderInvitation, Leadership, LeadershipChangeRequest, RequestStatus
from leaders.rules import current_rules_version

from .followups import FollowUpState, open_follow_ups
from .models import LeaveRequest, ReturnRequest, Review
from .requirements import Checklist
from .selectors import group_checklist, groups_with_checklist_facts


class QueueKind(StrEnum):
    APPLICATION = "application"
    RESUBMISSION = "resubmission"
    PERIODIC_REVIEW = "periodic_review"
    FOLLOW_UP_DUE = "follow_up_due"
    RETURN_REQUEST = "return_request"
    LEAVE_REQUEST = "leave_request"
    LEADERSHIP_CHANGE = "leadership_change"


KIND_LABELS = {
    QueueKind.APPLICATION: _("Application"),
    QueueKind.RESUBMISSION: _("Resubmission"),
    QueueKind.PERIODIC_REVIEW: _("Periodic review"),
    QueueKind.FOLLOW_UP_DUE: _("Follow-up due"),
    QueueKind.RETURN_REQUEST: _("Return request"),
    QueueKind.LEAVE_REQUEST: _("Leave request"),
    QueueKind.LEADERSHIP_CHANGE: _("Leadership change"),
}

#: Among items waiting since the same moment, the group's own decisions come first.
KIND_ORDER = {kind: position for position, kind in enumerate(QueueKind)}

#: The kinds the team settles with a review decision on the decide page.
DECISION_KINDS = frozenset(
    {
        QueueKind.APPLICATION,
        QueueKind.RESUBMISSION,
        QueueKind.PERIODIC_REVIEW,
        QueueKind.FOLLOW_UP_DUE,
        QueueKind.RETURN_REQUEST,
    }
)

#: Items on one page of the admin's queue (as many as the admin's group list shows); only these
#: get their checklist computed.
PAGE_SIZE = 50


#: The admin page that settles each kind of item, given the group's or the request's key.
ACTION_URL_NAMES = {
    QueueKind.APPLICATION: "admin:groups_group_decide",
    QueueKind.RESUBMISSION: "admin:groups_group_decide",
    QueueKind.PERIODIC_REVIEW: "admin:groups_group_decide",
    QueueKind.FOLLOW_UP_DUE: "admin:groups_group_decide",
    QueueKind.RETURN_REQUEST: "admin:groups_group_decide",
    QueueKind.LEAVE_REQUEST: "admin:membership_leaverequest_process",
    QueueKind.LEADERSHIP_CHANGE: "admin:leaders_leadershipchangerequest_process",
}


@dataclass
class QueueItem:
    """One piece of work for the program team.

    The whole queue is read as plain values (to count and sort it); only the items of the
    page shown get their `group` (with its checklist) and their `request` as model objects.
    """

    kind: QueueKind
    group_pk: int
    group_name: str
    waiting_since: datetime
    #: The request behind a leave, leadership change or return item.
    request: LeaveRequest | LeadershipChangeRequest | ReturnRequest | None = None
    #: A follow-up item's date and what the group was asked to fix.
    follow_up_by: date | None = None
    follow_up_message: str = ""
    #: A follow-up item whose date has passed without a new decision.
    overdue: bool = False
    #: The group, with the facts of its checklist (filled for the items of the page shown).
    group: Group | None = None
    #: The group's checklist now (filled for the items of the page shown).
    checklist: Checklist | None = None

    @property
    def kind_label(self) -> Any:
        return KIND_LABELS[self.kind]

    @property
    def is_decision(self) -> bool:
        """An item the team settles with a review decision (not a request to process)."""
        return self.kind in DECISION_KINDS

    @property
    def action_url(self) -> str:
        """Where the team acts on it: the decide page, or the request's processing page."""
        key = self.group_pk if self.is_decision or self.request is None else self.request.pk
        return reverse(ACTION_URL_NAMES[self.kind], args=[key])

    @property
    def failing_titles(self) -> list[str]:
        return [result.title for result in self.checklist.failing] if self.checklist else []

    def days_waiting(self, now: datetime) -> int:
        return max(0, (now - self.waiting_since).days)

    def sort_key(self) -> tuple[datetime, int, str, int]:
        request_pk = self.request.pk if self.request is not None else 0
        return (self.waiting_since, KIND_ORDER[self.kind], self.group_name, request_pk)


@dataclass
class ReviewQueue:
    """One page of the queue, with the size of the whole queue and of each kind."""

    items: list[QueueItem]
    total: int
    counts: dict[QueueKind, int] = field(default_factory=dict)

    def __iter__(self) -> Iterator[QueueItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _start_of_day(day: Any) -> datetime:
    """A review date as the moment it came: midnight of that day in the portal's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _group_items(*, now: datetime) -> list[QueueItem]:
    """Submitted applications and resubmissions, and admitted groups whose review is due."""
    today = timezone.localdate(now)
    changes_requested_before = Review.objects.filter(
        group=OuterRef("pk"),
        decision=Review.Decision.REQUEST_CHANGES,
        decided_at__lte=OuterRef("submitted_at"),
    )
    rows = (
        Group.objects.filter(
            Q(status=Group.Status.SUBMITTED)
            | Q(status=Group.Status.ADMITTED, next_review_due__lte=today)
        )
        .annotate(resubmitted=Exists(changes_requested_before))
        .order_by()
        .values_list(
            "pk",
            "name",
            "status",
            "submitted_at",
            "status_changed_at",
            "next_review_due",
            "resubmitted",
        )
    )
    items = []
    for pk, name, status, submitted_at, status_changed_at, review_due, resubmitted in rows:
        if status == Group.Status.ADMITTED:
            kind = QueueKind.PERIODIC_REVIEW
            since = _start_of_day(review_due)
        else:
            kind = QueueKind.RESUBMISSION if resubmitted else QueueKind.APPLICATION
            since = submitted_at or status_changed_at
        items.append(QueueItem(kind=kind, group_pk=pk, group_name=name, waiting_since=since))
    return items


def _follow_up_items(*, now: datetime) -> list[QueueItem]:
    """Kept groups whose follow-up date has come, waiting since midnight of that date."""
    today = timezone.localdate(now)
    rows = (
        open_follow_ups()
        .filter(follow_up_by__lte=today)
        .order_by()
        .values_list("group_id", "group__name", "follow_up_by", "message")
    )
    return [
        QueueItem(
            kind=QueueKind.FOLLOW_UP_DUE,
            group_pk=pk,
            group_name=name,
            waiting_since=_start_of_day(follow_up_by),
            follow_up_by=follow_up_by,
            follow_up_message=message,
            overdue=FollowUpState(follow_up_by=follow_up_by, today=today).overdue,
        )
        for pk, name, follow_up_by, message in rows
        if follow_up_by is not None
    ]


def _request_items() -> list[QueueItem]:
    """Open leave requests and open leadership change requests (few: read whole)."""
    leave_requests = LeaveRequest.objects.filter(status=LeaveRequest.Status.OPEN).select_related(
        "group", "requested_by"
    )
    change_requests = LeadershipChangeRequest.objects.filter(
        status=RequestStatus.OPEN
    ).select_related("group", "requested_by")
    return_requests = ReturnRequest.objects.filter(status=ReturnRequest.Status.OPEN).select_related(
        "group", "requested_by"
    )
    requests: list[tuple[QueueKind, LeaveRequest | LeadershipChangeRequest | ReturnRequest]] = [
        *((QueueKind.RETURN_REQUEST, back) for back in return_requests),
        *((QueueKind.LEAVE_REQUEST, leave) for leave in leave_requests),
        *((QueueKind.LEADERSHIP_CHANGE, change) for change in change_requests),
    ]
    return [
        QueueItem(
            kind=kind,
            group_pk=request.group_id,
            group_name=request.group.name,
            waiting_since=request.created_at,
            request=request,
        )
        for kind, request in requests
    ]


def _attach_checklists(items: list[QueueItem], *, now: datetime) -> None:
    """Give each item its group, with its checklist, fetched for all of them at once."""
    if not items:
        return
    rules_version = current_rules_version(at=now)
    ids = {item.group_pk for item in items}
    fetched = {
        group.pk: group
        for group in groups_with_checklist_facts(Group.objects.filter(pk__in=ids), now=now)
    }
    checklists = {
        pk: group_checklist(group, now=now, rules_version=rules_version)
        for pk, group in fetched.items()
    }
    for item in items:
        item.group = fetched[item.group_pk]
        item.checklist = checklists[item.group_pk]


def review_queue(
    *,
    now: datetime,
    kinds: Collection[str] | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> ReviewQueue:
    """What waits for the program team, oldest first (`kinds` narrows it; `offset`/`limit`
    take one page). The items returned carry their group's checklist; `total` and `counts`
    describe the whole queue. A fixed number of queries, whatever the number of groups."""
    follow_ups = _follow_up_items(now=now)
    # A group whose follow-up has come is one piece of work, not also a periodic review.
    with_follow_up = {item.group_pk for item in follow_ups}
    periodic = QueueKind.PERIODIC_REVIEW
    items = [
        item
        for item in _group_items(now=now)
        if not (item.kind == periodic and item.group_pk in with_follow_up)
    ]
    items += follow_ups + _request_items()
    counts = Counter(item.kind for item in items)
    if kinds:
        items = [item for item in items if item.kind in kinds]
    items.sort(key=QueueItem.sort_key)
    page = items[offset : None if limit is None else offset + limit]
    _attach_checklists(page, now=now)
    return ReviewQueue(
        items=page,
        total=len(items),
        counts={kind: counts.get(kind, 0) for kind in QueueKind},
    )


@dataclass(frozen=True)
class LeaveEffects:
    """What processing a leave request will do, for the confirmation page (three queries)."""

    leaderships: list[Leadership]
    pending_invitations: list[CoLeaderInvitation]
    open_change_requests: list[LeadershipChangeRequest]


def leave_request_effects(request: LeaveRequest) -> LeaveEffects:
    return LeaveEffects(
        leaderships=list(
            Leadership.objects.active()
            .filter(group_id=request.group_id)
            .select_related("user")
            .order_by("-role")  # the leader first
        ),
        pending_invitations=list(
            CoLeaderInvitation.objects.filter(
                group_id=request.group_id, status=CoLeaderInvitation.Status.PENDING
            )
        ),
        open_change_requests=list(
            LeadershipChangeRequest.objects.filter(
                group_id=request.group_id, status=RequestStatus.OPEN
            )
        ),
    )
