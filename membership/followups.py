"""What is open between a group and the program team after a periodic review or a group's
exit (docs/program.md, "Periodic review" and "Joining"): a kept group's follow-up, an open
request for a new review, and who may speak for a group about coming back.

Reads only; the changes are in membership/services.py.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from groups.models import Group
from leaders.models import Leadership

from .models import ReturnRequest, Review

#: Reminders before a follow-up's "fix by" date, in days (docs/program.md, "Compliance
#: reminders"): each sent once per follow-up.
FOLLOW_UP_REMINDER_DAYS = (14, 3)


def open_follow_ups() -> QuerySet[Review]:
    """Follow-ups not yet closed by a later decision, of groups still admitted."""
    return Review.objects.filter(
        follow_up_by__isnull=False,
        follow_up_closed_by__isnull=True,
        group__status=Group.Status.ADMITTED,
    )


def open_follow_up(group: Group) -> Review | None:
    """The group's open follow-up: what to fix and by when (one query; none for a group that
    is not admitted)."""
    if group.status != Group.Status.ADMITTED:
        return None
    return (
        Review.objects.filter(
            group=group, follow_up_by__isnull=False, follow_up_closed_by__isnull=True
        )
        .order_by("-decided_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class FollowUpState:
    """Where a follow-up stands on a day: days left (negative once overdue)."""

    follow_up_by: date
    today: date

    @property
    def days_left(self) -> int:
        return (self.follow_up_by - self.today).days

    @property
    def due(self) -> bool:
        """The group is back in the review queue: from the "fix by" date on."""
        return self.days_left <= 0

    @property
    def overdue(self) -> bool:
        """The date has passed without a new decision: the program team is told once."""
        return self.days_left < 0

    @property
    def reminder_step(self) -> int | None:
        """The reminder due before the date (the nearest step reached), or None."""
        if self.days_left <= 0:
            return None
        reached = [step for step in FOLLOW_UP_REMINDER_DAYS if self.days_left <= step]
        return min(reached) if reached else None


def open_return_request(group: Group) -> ReturnRequest | None:
    """The group's request for a new review that the team has not decided yet (one query)."""
    return (
        ReturnRequest.objects.filter(group=group, status=ReturnRequest.Status.OPEN)
        .select_related("requested_by")
        .first()
    )


def _last_leaving_roles(group: Group) -> QuerySet[Leadership]:
    left = Leadership.objects.filter(group=group, end_reason=Leadership.EndReason.GROUP_LEFT)
    last = left.order_by("-ended_at").values("ended_at")[:1]
    return left.filter(ended_at=Subquery(last))


def return_contacts(group: Group) -> list[Any]:
    """Who speaks for a group about coming back (docs/program.md, "Joining"): its active leader
    and co-leader; for a group that left (whose roles all ended then), the contacts it had when
    it left: the roles that ended "the group left the program" at its latest leaving, with an
    active account. One query; the leader first."""
    if group.status == Group.Status.LEFT:
        roles = _last_leaving_roles(group).filter(user__is_active=True)
    else:
        roles = Leadership.objects.active().filter(group=group)
    return [role.user for role in roles.select_related("user").order_by("-role", "pk")]


def group_for_return_or_404(user: Any, slug: str) -> Group:
    """The group whose return `user` may ask for or follow; anyone else gets a 404."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    group = get_object_or_404(Group, slug=slug)
    if user not in return_contacts(group):
        raise Http404
    return group


def groups_left_with(user: Any) -> QuerySet[Group]:
    """The groups that left the program while `user` was one of their contacts (the people
    who may ask for them to come back), by name (one query)."""
    last_leaving = (
        Leadership.objects.filter(
            group=OuterRef("group"), end_reason=Leadership.EndReason.GROUP_LEFT
        )
        .order_by("-ended_at")
        .values("ended_at")[:1]
    )
    mine = Leadership.objects.filter(
        group=OuterRef("pk"),
        user=user,
        end_reason=Leadership.EndReason.GROUP_LEFT,
    ).filter(Q(ended_at=Subquery(last_leaving)))
    return (
        Group.objects.filter(status=Group.Status.LEFT)
        .filter(Exists(mine))
        .order_by("name", "pk")
        .annotate(open_return=Exists(_open_returns()))
    )


def _open_returns() -> QuerySet[ReturnRequest]:
    return ReturnRequest.objects.filter(group=OuterRef("pk"), status=ReturnRequest.Status.OPEN)
